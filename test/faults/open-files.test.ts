import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { startTarget, type Target } from '../servers/target.js';
import { runAction } from '../e2e/action-runner.js';
import { runCli, tempDir, writeFile } from '../cli/cli-process.js';
import { connectionLimitProblems, openFileLimit } from '../../src/measure/fd-limit.js';
import { loadBudgetFile } from '../../src/config/load.js';

/**
 * More connections than the process may open files (issue "Hardening", case 7): on main, 600
 * connections under `ulimit -n 256` reconnected in a loop until the heap ran out, with no report,
 * summary or outputs. The plan is now checked against the limit before any load is sent.
 * Through the bundled action (`npm run build` first) and the CLI as processes.
 */

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target.close();
});

const budget = (connections: number) =>
  [
    'version: 1',
    'target:',
    '  url: ${PREVIEW_URL}',
    'defaults:',
    '  load: { connections: 4, duration: 1s, warmup: 0s }',
    'endpoints:',
    '  - name: small',
    '    path: /fixed/1',
    '  - name: wide',
    '    path: /fixed/1',
    `    load: { connections: ${connections} }`,
    '    budget: { p95: 1s }',
    '',
  ].join('\n');

describe('connections against ulimit -n', () => {
  test('the action refuses 600 connections under ulimit -n 256 before any load: located error, outputs, summary', async () => {
    const run = await runAction({
      openFilesLimit: 256,
      // Killed before jest gives up on the test: on main this ran out of heap after 110 s.
      timeoutMs: 45_000,
      inputs: { comment: 'never' },
      env: { PREVIEW_URL: target.url },
      files: { 'perf-budget.yml': budget(600) },
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error title=perf-gate%3A more connections than open files,file=perf-budget\.yml,line=9::endpoints\[1\]\.load\.connections: "wide" asks for 600 connections, but this process may open only 256 files \(ulimit -n\)/,
    );
    expect(run.stdout).toContain('ulimit -n 664');
    expect(run.outputs.passed).toBe('false');
    expect(run.summary).toContain('does not fit the runner’s open-file limit');
    expect(run.summary).toContain('600 connections');
    expect(target.hits()).toBe(0);
  });

  test('the CLI refuses it too: exit 2, file and line, nothing sent', async () => {
    const file = writeFile(tempDir('open-files'), 'perf-budget.yml', budget(600));
    const run = await runCli(['run', '--budget', file, '--target-url', target.url], {
      openFilesLimit: 256,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:9`);
    expect(run.stderr).toContain(
      '"wide" asks for 600 connections, but this process may open only 256 files (ulimit -n)',
    );
    expect(target.hits()).toBe(0);
  });

  test('the limit comes from /proc/self/limits, and a plan that fits passes the check', async () => {
    const dir = tempDir('limits');
    const limits = (soft: string) =>
      writeFile(
        dir,
        `limits-${soft}`,
        'Limit                     Soft Limit           Hard Limit           Units     \n' +
          'Max processes             63405                63405                processes \n' +
          `Max open files            ${soft}                 4096                 files     \n`,
      );
    expect(openFileLimit(limits('256'))).toBe(256);
    expect(openFileLimit(limits('unlimited'))).toBeUndefined();
    expect(openFileLimit(join(dir, 'absent'))).toBeUndefined();
    expect(openFileLimit()).toBeGreaterThan(0);

    const config = await loadBudgetFile(writeFile(dir, 'perf-budget.yml', budget(100)), {
      env: { PREVIEW_URL: target.url },
      maxDurationMs: 60_000,
      sideBySide: false,
    });
    expect(connectionLimitProblems(config, 256)).toEqual([]);
    expect(connectionLimitProblems(config, 163).map((p) => p.path)).toEqual([
      'endpoints[1].load.connections',
    ]);
    expect(connectionLimitProblems(config, undefined)).toEqual([]);
  });
});
