import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateReport } from '../../src/report/validate.js';
import { startTarget, type Target } from '../servers/target.js';
import { runCli, tempDir, writeFile } from './cli-process.js';

/**
 * `perf-gate compare BASE.json HEAD.json`: two reports written by real runs of the same budget
 * file, the second against a target made 30% slower.
 */

let target: Target;
const dir = tempDir('compare');
const base = join(dir, 'base.json');
const head = join(dir, 'head.json');

beforeAll(async () => {
  target = await startTarget();
  const file = writeFile(
    dir,
    'budget.yml',
    `version: 1
target: { url: ${target.url} }
defaults:
  load: { connections: 8, duration: 1s, warmup: 0s }
  budget: { p95: 1s }
endpoints:
  - name: item
    path: /fixed/20
  - name: health
    path: /fixed/0
    regression: false
`,
  );
  const first = await runCli(['run', '--budget', file, '--json', base]);
  expect(first.code).toBe(0);
  target.setSlowdown(1.3);
  const second = await runCli(['run', '--budget', file, '--json', head]);
  expect(second.code).toBe(0);
});
afterAll(async () => {
  await target.close();
});

describe('perf-gate compare', () => {
  test('flags the endpoint that got 30% slower: exit 1, and the comparison as a valid report', async () => {
    const json = join(dir, 'comparison.json');
    const markdown = join(dir, 'comparison.md');
    const run = await runCli(['compare', base, head, '--json', json, '--markdown', markdown]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED: \d+ regressions? in 2 endpoints/);
    expect(run.stdout).toMatch(/item\s+p50\s+-\s+[\d.]+ ms\s+[\d.]+ ms\s+\+\d+\.\d%\s+regression/);

    const validation = validateReport(JSON.parse(readFileSync(json, 'utf8')));
    expect(validation.valid).toBe(true);
    if (!validation.valid) return;
    const item = validation.report.endpoints.find((e) => e.name === 'item')!;
    const p50 = item.findings.find((f) => f.metric === 'p50')!;
    expect(p50.verdict).toBe('regression');
    // 30% slower on the server; the client also sees a fixed overhead, so a little less.
    expect(p50.change).toBeGreaterThan(0.15);
    expect(p50.change).toBeLessThan(0.45);
    const health = validation.report.endpoints.find((e) => e.name === 'health')!;
    expect(health.findings.every((f) => f.breaches.length === 0)).toBe(true);
    expect(readFileSync(markdown, 'utf8')).toContain('item');

    const tolerated = await runCli(['compare', base, head, '--fail-on', 'budget']);
    expect(tolerated.code).toBe(0);
  });

  test('regressions the headline counts are regressions in the rows, also when over budget', async () => {
    // Judged by a file whose p50 budget no run can meet: the p50 that rose is over budget and a
    // regression, and both the table and the comment must say so.
    const strict = writeFile(
      dir,
      'strict.yml',
      `version: 1
target: { url: http://127.0.0.1:1 }
defaults:
  load: { connections: 8, duration: 1s, warmup: 0s }
  budget: { p50: 1ms }
endpoints:
  - name: item
    path: /fixed/20
  - name: health
    path: /fixed/0
    regression: false
`,
    );
    const markdown = join(dir, 'strict.md');
    const run = await runCli(['compare', base, head, '--budget', strict, '--markdown', markdown]);
    expect(run.code).toBe(1);
    const regressions = Number(/(\d+) regressions?/.exec(run.stdout)?.[1]);
    expect(regressions).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(
      /\s+p50\s+1\.0 ms\s+[\d.]+ ms\s+[\d.]+ ms\s+\+\d+\.\d%\s+budget-exceeded, regression/,
    );
    const rows = run.stdout.split('\n').filter((l) => /\bregression\b/.test(l) && /%/.test(l));
    expect(rows.length).toBe(regressions);

    const md = readFileSync(markdown, 'utf8');
    expect(md).toMatch(/\| item \| p50 \| ≤ 1\.0 ms \| .* \| ❌ over budget and regression \|/);
    expect(md.match(/regression \|$/gm)?.length).toBe(regressions);
    // Two saved reports: nothing was measured side by side.
    expect(md).not.toContain('measured side by side');
    expect(md).toContain("- baseline: the base report's measurement");
    expect(md).toMatch(/\| base report \| \d/);
  });

  test('a report compared with itself passes', async () => {
    const run = await runCli(['compare', base, base]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('perf-gate: passed');
  });

  test('a file that is not a valid report: exit 2 naming the file and what is wrong', async () => {
    const broken = writeFile(dir, 'broken.json', JSON.stringify({ schemaVersion: 2, tool: 'x' }));
    const run = await runCli(['compare', base, broken]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${broken}: not a valid perf-gate report`);
    expect(run.stderr).toContain('missing "endpoints"');

    const notJson = writeFile(dir, 'text.json', 'hello');
    const invalid = await runCli(['compare', notJson, head]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${notJson}: not a perf-gate report: invalid JSON`);

    const missing = await runCli(['compare', base]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing HEAD.json');
  });
});
