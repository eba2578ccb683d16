import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { ROOT, runCli, tempDir, writeFile } from './cli-process.js';

/** `perf-gate validate FILE`: the budget file checked as `run` loads it, without any load. */

const dir = tempDir('validate');

describe('perf-gate validate', () => {
  test('a valid file: exit 0 and a one-line summary of endpoints and load time', async () => {
    const file = writeFile(
      dir,
      'ok.yml',
      `version: 1
target: { url: http://127.0.0.1:9 }
defaults:
  load: { duration: 10s, warmup: 2s }
endpoints:
  - path: /a
  - path: /b
    load: { duration: 30s }
`,
    );
    const run = await runCli(['validate', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`${file}: valid: 2 endpoints, 44s of load (warmup included)`);
  });

  test('the example budget file is valid once its variable is set', async () => {
    const example = join(ROOT, 'perf-budget.example.yml');
    const run = await runCli(['validate', example], {
      env: { PREVIEW_URL: 'https://preview.example.com' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid: 4 endpoints');
  });

  test('a broken file: every problem on its own located line, exit 2', async () => {
    const file = writeFile(
      dir,
      'broken.yml',
      `version: 2
target:
  url: http://127.0.0.1:9
defaults:
  load: { duration: 5x }
endpoints:
  - path: /a
    budget: { p59: 100ms, error-rate: 150% }
  - path: /b
    mehtod: POST
`,
    );
    const run = await runCli(['validate', file]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    const located = lines.filter((l) => l.startsWith(`${file}:`));
    expect(located.length).toBeGreaterThanOrEqual(5);
    for (const line of located) expect(line).toMatch(/^.+\.yml:\d+:\d+ \S.*: .+/);
    expect(located.map((l) => Number(l.slice(file.length + 1).split(':')[0]))).toEqual(
      [...located.map((l) => Number(l.slice(file.length + 1).split(':')[0]))].sort((a, b) => a - b),
    );
    expect(run.stderr).toContain('unknown key "p59" (did you mean "p95"?)');
    expect(run.stderr).toContain('unknown key "mehtod" (did you mean "method"?)');
    expect(lines.at(-1)).toBe(`perf-gate: ${located.length} problems in the budget file ${file}`);
    expect(run.stdout).toBe('');
  });

  test('a missing file: exit 2, pointing at the docs, not at a file the user does not have', async () => {
    const missing = await runCli(['validate', join(dir, 'nope.yml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'nope.yml: no such file: create it (every key is described at https://github.com/perf-gate/perf-gate#the-budget-file) or name another file with perf-gate validate FILE',
    );
    expect(missing.stderr).not.toContain('perf-budget.example.yml');
  });

  test('without a file it validates perf-budget.yml, as run does', async () => {
    const project = tempDir('validate-default');
    const none = await runCli(['validate'], { cwd: project });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('perf-budget.yml: no such file');

    writeFile(
      project,
      'perf-budget.yml',
      'version: 1\ntarget: { url: http://127.0.0.1:9 }\nendpoints:\n  - path: /a\n',
    );
    const found = await runCli(['validate'], { cwd: project });
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^perf-budget\.yml: valid: 1 endpoint,/);
  });

  test('an unclosed { is one problem on its own line, and the summary names the file', async () => {
    const file = writeFile(
      dir,
      'unclosed.yml',
      'version: 1\ntarget: { url: http://127.0.0.1:9 }\nendpoints:\n  - path: /a\n    budget: { p95: 200ms\n\n  - path: /b\n    budget: { p95: 100ms, p99: 250ms }\n',
    );
    const run = await runCli(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${file}:5:13 YAML syntax error: this { is not closed: add the missing }`,
      `perf-gate: 1 problem in the budget file ${file}`,
    ]);
  });

  test('bare numbers implausible in their unit are refused with both ways to write them', async () => {
    const file = writeFile(
      dir,
      'units.yml',
      'version: 1\ntarget: { url: http://127.0.0.1:9 }\ndefaults:\n  load: { warmup: 500 }\n  regression: { p95: 10 }\nendpoints:\n  - path: /a\n',
    );
    const run = await runCli(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'defaults.load.warmup: expected a warmup with a unit (a bare number is seconds, so this warmup is 8m 20s): write "500ms" if you meant milliseconds, or "500s" if you mean it',
    );
    expect(run.stderr).toContain(
      'defaults.regression.p95: expected a percentage like "10%" or a fraction up to 1, found 10: a bare number is a fraction, so 10 allows +1000%',
    );
  });
});
