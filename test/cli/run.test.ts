import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateReport } from '../../src/report/validate.js';
import { startTarget, type Target } from '../servers/target.js';
import { closedPort, runCli, tempDir, waitFor, writeFile } from './cli-process.js';

/** `perf-gate run` end to end: a real process, real load against the loopback target. */

let target: Target;
const dir = tempDir('run');

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target.close();
});

function budget(name: string, body: string): string {
  return writeFile(
    dir,
    name,
    `version: 1
target:
  url: \${TARGET}
  headers: { authorization: "Bearer \${API_TOKEN}" }
defaults:
  load: { connections: 4, duration: 1s, warmup: 0s, timeout: 2s }
${body}`,
  );
}

const SECRET = 'tok-7f3a9c1e55d2';

describe('perf-gate run', () => {
  test('within budget: exit 0, a schema-valid JSON report, markdown, a table on stdout, secrets masked', async () => {
    const file = budget(
      'pass.yml',
      `endpoints:
  - name: "orders for \${TENANT}"
    path: /fixed/5
    budget: { p95: 500ms, error-rate: 1% }
  - name: "evil \\e[31mred\\e[0m"
    path: /fixed/1
`,
    );
    const json = join(dir, 'out/pass/report.json');
    const markdown = join(dir, 'out/pass/report.md');
    const run = await runCli(['run', '--budget', file, '--json', json, '--markdown', markdown], {
      env: { TARGET: target.url, API_TOKEN: SECRET, TENANT: 'acme-tenant-x' },
    });

    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.code).toBe(0);
    // No baseline set up: the budgets are the whole check, and the table says only that.
    expect(run.stdout).toContain(
      'perf-gate: passed: 2 endpoints, every budget held (budgets only; no baseline configured)',
    );
    expect(run.stdout).toMatch(/^\s+endpoint\s+metric\s+budget\s+current\s+verdict$/m);
    expect(run.stdout).toMatch(
      /orders for \*\*\*\s+p95\s+500 ms\s+[\d.]+ ms\s+pass\n\s+error rate\s+1\.0%/,
    );
    expect(run.stdout).not.toMatch(/no-baseline|no baseline:|\bp50\b/);
    // Text from the budget file cannot drive the terminal.
    expect(run.stdout).not.toContain('\x1b');

    const report: unknown = JSON.parse(readFileSync(json, 'utf8'));
    const validation = validateReport(report);
    expect(validation.valid ? [] : validation.errors).toEqual([]);
    if (!validation.valid) return;
    expect(validation.report.summary.passed).toBe(true);
    expect(validation.report.endpoints.map((e) => e.measurement.requests > 0)).toEqual([
      true,
      true,
    ]);
    expect(readFileSync(markdown, 'utf8')).toContain('orders for');

    // The token went to the target, and nowhere a person or a later job can read.
    const sent = target.hits('/fixed/5');
    expect(sent).toBeGreaterThan(0);
    for (const text of [
      run.stdout,
      run.stderr,
      readFileSync(json, 'utf8'),
      readFileSync(markdown, 'utf8'),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('acme-tenant-x');
    }
  });

  test('over budget: confirmed on a second run, exit 1; --fail-on none reports without failing', async () => {
    const file = budget(
      'fail.yml',
      `endpoints:
  - name: slow
    path: /fixed/25
    budget: { p50: 5ms }
`,
    );
    const json = join(dir, 'fail.json');
    const failed = await runCli(['run', '--budget', file, '--json', json], {
      env: { TARGET: target.url, API_TOKEN: SECRET },
    });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('perf-gate: FAILED: 1 budget violation');
    expect(failed.stdout).toMatch(/slow\s+p50\s+5\.0 ms\s+\d+ ms -> \d+ ms\s+budget-exceeded$/m);
    expect(failed.stderr).toContain('measuring once more to confirm');
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      endpoints: { confirmation?: unknown }[];
      summary: { violations: number; passed: boolean };
    };
    expect(report.summary).toMatchObject({ violations: 1, passed: false });
    expect(report.endpoints[0]!.confirmation).toBeDefined();

    const unconfirmed = budget(
      'fail-noconfirm.yml',
      `confirm: false
endpoints:
  - name: slow
    path: /fixed/25
    budget: { p50: 5ms }
`,
    );
    const reportOnly = await runCli(['run', '--budget', unconfirmed, '--fail-on', 'none'], {
      env: { TARGET: target.url, API_TOKEN: SECRET },
    });
    expect(reportOnly.code).toBe(0);
    expect(reportOnly.stdout).toContain('perf-gate: FAILED: 1 budget violation');
  });

  test('an unknown option is a usage error with a suggestion, before any load', async () => {
    const before = target.hits();
    const run = await runCli(['run', '--budget', 'x.yml', '--traget-url', target.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --traget-url (did you mean --target-url?)');
    expect(run.stderr).toContain('perf-gate run --help');
    expect(target.hits()).toBe(before);
  });

  test('a broken budget file: every problem located as file:line:col path: message, exit 2', async () => {
    const file = writeFile(
      dir,
      'broken.yml',
      `version: 1
target: { url: "\${NOT_SET_ANYWHERE}" }
defaults:
  load: { conections: 4 }
endpoints:
  - path: /fixed/1
    budget: { p59: 100ms }
`,
    );
    const run = await runCli(['run', '--budget', file]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^.*broken\.yml:2:\d+ target\.url: environment variable NOT_SET_ANYWHERE is not set/,
        ),
        expect.stringMatching(
          /^.*broken\.yml:4:\d+ defaults\.load: unknown key "conections" \(did you mean "connections"\?\)$/,
        ),
        expect.stringMatching(
          /^.*broken\.yml:7:\d+ endpoints\[0\]\.budget: unknown key "p59" \(did you mean "p95"\?\)$/,
        ),
        `perf-gate: 3 problems in the budget file ${file}`,
        expect.stringContaining('--target-url'),
      ]),
    );
    // A terminal's words, not a workflow's: no action input, no step env.
    expect(run.stderr).toContain('set it in the environment (NAME=value perf-gate ...)');
    expect(run.stderr).not.toMatch(/ input\b|step's env/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  test('an unreachable target: exit 3 with a message naming the URL, no load time spent', async () => {
    const port = await closedPort();
    const file = budget('down.yml', `endpoints:\n  - path: /fixed/1\n`);
    const run = await runCli(
      ['run', '--budget', file, '--target-url', `http://127.0.0.1:${port}`],
      {
        env: { API_TOKEN: SECRET },
      },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `target http://127.0.0.1:${port}/ cannot be reached: ECONNREFUSED`,
    );
    expect(run.stderr).not.toContain('Measuring');
    expect(run.stderr).not.toMatch(/\binput\b/); // a terminal has options, not action inputs
  });

  test('SIGINT stops the load, writes the partial report marked cancelled, exit 3', async () => {
    const file = budget(
      'long.yml',
      `endpoints:
  - name: long
    path: /fixed/5
    load: { duration: 30s }
  - name: never reached
    path: /fixed/1
`,
    );
    const json = join(dir, 'cancelled.json');
    const started = Date.now();
    const run = await runCli(['run', '--budget', file, '--json', json], {
      env: { TARGET: target.url, API_TOKEN: SECRET },
      onSpawn: (kill, stderr) => {
        void waitFor(() => stderr().includes('Measuring GET long'))
          .then(() => new Promise((r) => setTimeout(r, 700)))
          .then(() => kill('SIGINT'));
      },
    });
    expect(run.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(run.stderr).toContain('SIGINT: stopping the load');
    expect(run.stdout).toContain('CANCELLED');
    expect(existsSync(json)).toBe(true);
    const report: unknown = JSON.parse(readFileSync(json, 'utf8'));
    const validation = validateReport(report);
    expect(validation.valid).toBe(true);
    if (!validation.valid) return;
    expect(validation.report.summary.cancelled).toBe(true);
    expect(validation.report.endpoints.map((e) => e.name)).toEqual(['long']);
    expect(validation.report.endpoints[0]!.measurement.requests).toBeGreaterThan(0);
  });
  test('adaptive: a clearly fast endpoint stops at a look, and the load time saved is stated', async () => {
    const file = budget(
      'adaptive.yml',
      `endpoints:
  - name: quick
    path: /fixed/2
    budget: { p95: 1s }
    load: { duration: 8s, min-duration: 1s }
`,
    );
    const json = join(dir, 'adaptive.json');
    const run = await runCli(['run', '--budget', file, '--json', json], {
      env: { TARGET: target.url, API_TOKEN: SECRET },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/quick: settled: pass at look \d of 8/);
    expect(run.stderr).toMatch(
      /Load time: .+ of the 8s planned \(.+ saved by adaptive measurement\)\./,
    );
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.endpoints[0].measurement.adaptive).toMatchObject({
      stop: 'settled: pass',
      looks: 8,
    });
  });
});
