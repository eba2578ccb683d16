import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeflate } from 'node:zlib';
import type { Report } from '../../src/report/report.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget } from '../servers/target.js';
import { runAction } from '../e2e/action-runner.js';
import { runCli, tempDir, writeFile } from '../cli/cli-process.js';
import { watchPeakRss } from '../faults/process-memory.js';

/**
 * Saved reports are evidence, not verdicts (issue "Hardening", case 8): the `report` input and
 * `perf-gate compare` read them with bounds (regular file, size, histogram decompression) and
 * judge their measurements again. Through the bundled action (`npm run build` first) and the CLI
 * as processes.
 */

const TOKEN = 'ghs_savedReportToken0123456789';
const FIXTURES = join(import.meta.dirname, '../fixtures/reports');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Report;

let github: GitHubServer;
beforeAll(async () => {
  github = await startGitHub();
});
afterAll(async () => {
  await github.close();
});
beforeEach(() => github.reset());

function gateReport(report: string, extra: Parameters<typeof runAction>[0] = {}) {
  return runAction({
    eventName: 'workflow_run',
    event: { workflow_run: { id: 1 } },
    timeoutMs: 60_000,
    ...extra,
    inputs: { 'github-token': TOKEN, report, 'pr-number': '7', ...extra.inputs },
    env: { GITHUB_API_URL: github.url, ...extra.env },
  });
}

/** A compressed histogram (hdr-histogram-js V2) whose payload inflates to `bytes` zero bytes. */
async function histogramBomb(bytes: number): Promise<string> {
  const header = Buffer.alloc(40);
  header.writeInt32BE(0x1c849313, 0); // V2 encoding cookie, 9-byte words
  header.writeInt32BE(bytes - 40, 4);
  header.writeInt32BE(3, 12);
  header.writeBigInt64BE(1n, 16);
  header.writeBigInt64BE(3_600_000_000n, 24);
  header.writeBigInt64BE(1n, 32);
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  deflate.write(header);
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 40; written < bytes; written += zeros.length) {
    const part = zeros.subarray(0, Math.min(zeros.length, bytes - written));
    if (!deflate.write(part)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const compressed = Buffer.concat(chunks);
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(0x1c849314, 0); // V2 compressed cookie
  prefix.writeInt32BE(compressed.length, 4);
  return Buffer.concat([prefix, compressed]).toString('base64');
}

describe('the report input reads a saved report with bounds', () => {
  test('a 200 MB report is refused by its size, with a summary and outputs', async () => {
    // A sparse file: 200 MB to fstat, no disk used.
    const dir = tempDir('big-report');
    const fd = openSync(join(dir, 'report.json'), 'w');
    ftruncateSync(fd, 200 * 1024 * 1024);
    closeSync(fd);
    const big = await gateReport('report.json', { workspace: dir });
    expect(big.code).toBe(1);
    expect(big.stdout).toMatch(
      /::error::input report: .*report\.json: 200\.0 MiB is larger than a perf-gate report can be \(at most 64\.0 MiB\)/,
    );
    expect(big.outputs.passed).toBe('false');
    expect(big.summary).toContain('the saved report cannot be used');
    expect(big.stderr).not.toMatch(/Invalid (array|string) length/);
  });

  test('/dev/zero and a folder are refused before a byte is read', async () => {
    const zero = await gateReport('/dev/zero');
    expect(zero.code).toBe(1);
    expect(zero.stdout).toContain(
      '::error::input report: /dev/zero: is a device, not a report file',
    );
    expect(zero.outputs.passed).toBe('false');

    const folder = await gateReport('.');
    expect(folder.code).toBe(1);
    expect(folder.stdout).toMatch(/::error::input report: .*: is a folder, not a report file/);
  });

  test('a named pipe is refused at once instead of waiting for a writer', async () => {
    const dir = tempDir('fifo-report');
    execFileSync('mkfifo', [join(dir, 'report.json')]);
    const run = await gateReport('report.json', { workspace: dir, timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::input report: .*report\.json: is a named pipe, not a report file/,
    );
    expect(run.summary).toContain('the saved report cannot be used');
  });

  test('a histogram that inflates to 1 GiB is refused before it is inflated', async () => {
    const report = fixture('all-pass.json');
    report.endpoints[0].measurement.histogram = await histogramBomb(1024 * 1024 * 1024);
    const text = JSON.stringify(report);
    expect(text.length).toBeGreaterThan(1_000_000);
    let peak = () => 0;
    const run = await gateReport('report.json', {
      files: { 'report.json': text },
      onSpawn: (pid) => (peak = watchPeakRss(pid, 20)),
    });
    const peakBytes = peak();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::input report: .*endpoints\[0\]\.measurement\.histogram: the histogram decompresses to more than 2\.0 MiB/,
    );
    expect(run.outputs.passed).toBe('false');
    // Inflating it would take over 1 GiB; the process never comes near.
    expect(peakBytes).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThan(400 * 1024 * 1024);
  });
});

describe('the report input judges the measurements again', () => {
  /** budget-failures.json rewritten by a fork: every verdict turned to pass. */
  function forged(): Report {
    const report = fixture('budget-failures.json');
    for (const e of report.endpoints) {
      e.verdict = 'pass';
      for (const f of e.findings) {
        f.verdict = 'pass';
        f.breaches = [];
        f.reason = 'within budget';
      }
    }
    report.summary = { ...report.summary, passed: true, violations: 0 };
    return report;
  }

  test('a summary edited to passed: true with breaches in the measurements fails, one verdict', async () => {
    const run = await gateReport('report.json', {
      files: { 'report.json': JSON.stringify(forged()) },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs.violations).toBe('3');
    expect(run.stdout).toMatch(
      /::warning::input report: the saved report's verdicts do not follow from its measurements.*it says passed, 0 budget violation\(s\).*judged again, failed, 3 budget violation\(s\)/,
    );
    expect(run.summary).not.toContain('all within budget');
    expect(run.summary).toContain('Why it failed');
    expect(run.summary.match(/^### /gm)).toHaveLength(1);
    const comments = github.comments('acme', 'shop', 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).not.toContain('all within budget');
  });

  test('the checked-out budget file decides the rules, not the rules the report carries', async () => {
    const report = fixture('budget-failures.json');
    // The fork loosened its own rules so that every finding passes.
    for (const e of report.config.endpoints) e.budget = { p95: 100_000 };
    for (const e of report.endpoints) {
      e.verdict = 'pass';
      e.findings = [];
    }
    report.summary = { ...report.summary, passed: true, violations: 0 };
    const budget = [
      'version: 1',
      'target: { url: "${PREVIEW_URL}" }',
      'endpoints:',
      '  - name: list products',
      '    path: /api/products',
      '    budget: { p95: 200ms }',
      '  - name: forgotten',
      '    path: /api/forgotten',
      '    budget: { p95: 200ms }',
      '',
    ].join('\n');
    const run = await gateReport('report.json', {
      files: { 'report.json': JSON.stringify(report), 'perf-budget.yml': budget },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs.violations).toBe('1');
    expect(run.stdout).toMatch(
      /::error.*"forgotten" \(perf-budget\.yml:7\) is not in the saved report/,
    );
    expect(run.stdout).toMatch(
      /::warning::input report: "create order", "search" are not in perf-budget\.yml: judged by the rules the saved report carries/,
    );
    expect(run.summary).not.toContain('all within budget');
  });

  test('genuine side-by-side reports gate as they were judged (their round pairs are not kept)', async () => {
    const target = await startTarget();
    try {
      const dir = tempDir('side-by-side');
      const file = writeFile(
        dir,
        'perf-budget.yml',
        [
          'version: 1',
          `target: { url: ${target.url} }`,
          'defaults:',
          '  load: { connections: 4, duration: 2s, warmup: 0s }',
          '  budget: { p95: 1s }',
          'endpoints:',
          '  - { name: a, path: /fixed/3 }',
          '  - { name: b, path: /fixed/5, budget: { p99: 5ms } }',
          '',
        ].join('\n'),
      );
      for (let i = 0; i < 2; i++) {
        const json = join(dir, `report-${i}.json`);
        const measured = await runCli(
          ['run', '--budget', file, '--baseline-url', target.url, '--json', json],
          { timeoutMs: 60_000 },
        );
        expect(measured.code).toBe(1);
        const saved = JSON.parse(readFileSync(json, 'utf8')) as Report;
        expect(saved.endpoints.every((e) => e.baseline.kind === 'reference')).toBe(true);
        const run = await gateReport('report.json', {
          files: { 'report.json': JSON.stringify(saved) },
        });
        expect(run.stdout).not.toContain('do not follow from its measurements');
        expect(run.outputs.passed).toBe(String(saved.summary.passed));
        expect(run.outputs.violations).toBe(String(saved.summary.violations));
        expect(run.outputs.regressions).toBe(String(saved.summary.regressions));
      }
    } finally {
      await target.close();
    }
  }, 150_000);

  test('a genuine report passes unchanged, with no warning about its verdicts', async () => {
    const run = await gateReport('report.json', {
      files: { 'report.json': readFileSync(join(FIXTURES, 'all-pass.json'), 'utf8') },
    });
    expect(run.code).toBe(0);
    expect(run.outputs.passed).toBe('true');
    expect(run.stdout).not.toContain('do not follow from its measurements');
  });
});

describe('perf-gate compare treats both reports as evidence', () => {
  const dir = tempDir('compare-evidence');
  const base = writeFile(dir, 'base.json', readFileSync(join(FIXTURES, 'all-pass.json'), 'utf8'));

  test('a head report without endpoints fails, naming it', async () => {
    const empty = fixture('all-pass.json');
    empty.endpoints = [];
    empty.summary = { ...empty.summary, endpoints: 0 };
    const head = writeFile(dir, 'empty.json', JSON.stringify(empty));
    const run = await runCli(['compare', base, head]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${head}: the head report has no endpoints`);
  });

  test('endpoints missing on either side are named; one missing from the head fails', async () => {
    const report = fixture('all-pass.json');
    const dropped = report.endpoints.shift()!;
    report.endpoints[0] = { ...report.endpoints[0] };
    const renamed = `${report.endpoints[0].name} v2`;
    const original = report.endpoints[0].name;
    report.endpoints[0].name = renamed;
    const rules = report.config.endpoints.find((e) => e.name === original)!;
    report.config.endpoints.push({ ...rules, name: renamed });
    const head = writeFile(dir, 'partial.json', JSON.stringify(report));
    const run = await runCli(['compare', base, head]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `not in the head report (${head}), so not measured: ${JSON.stringify(dropped.name)}, ${JSON.stringify(original)}`,
    );
    expect(run.stderr).toContain(
      `not in the base report (${base}), so judged without a baseline: ${JSON.stringify(renamed)}`,
    );
  });

  test('JSON nested 100,000 levels deep is refused before it is parsed', async () => {
    const deep = writeFile(dir, 'deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const run = await runCli(['compare', base, deep]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${deep}: not a perf-gate report: JSON nested deeper than 32 levels`,
    );
  });

  test('a named pipe and /dev/zero are refused at once', async () => {
    const fifo = join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const run = await runCli(['compare', base, fifo], { timeoutMs: 20_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${fifo}: is a named pipe, not a report file`);
    const zero = await runCli(['compare', '/dev/zero', base], { timeoutMs: 20_000 });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('/dev/zero: is a device, not a report file');
  });
});
