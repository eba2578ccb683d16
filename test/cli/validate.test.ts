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
    expect(lines.at(-1)).toBe(`perf-gate: ${located.length} problems in the budget file`);
    expect(run.stdout).toBe('');
  });

  test('a missing file or a missing argument: exit 2 with what to do', async () => {
    const missing = await runCli(['validate', join(dir, 'nope.yml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yml: no such file');

    const noArg = await runCli(['validate']);
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toContain('missing FILE');
    expect(noArg.stderr).toContain('perf-gate validate --help');
  });
});
