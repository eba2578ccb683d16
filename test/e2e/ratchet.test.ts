import { expect, test } from '@jest/globals';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startCloudWatch } from '../servers/cloudwatch.js';
import { startTarget } from '../servers/target.js';
import {
  CLOUDWATCH_BASELINE,
  cloudWatchRunEnv,
  publishHistory,
  reportOf,
  serversForFile,
} from '../support/e2e.js';
import { ROOT, runCli, tempDir, writeFile } from '../cli/cli-process.js';
import { runAction } from './action-runner.js';

/**
 * The ratchet end to end: a CloudWatch history far below a 2 s p95 budget makes the bundled action
 * suggest a tighter limit in the job summary, and the suggested fragment, pasted into the budget
 * file, passes `perf-gate validate` (the built CLI as a process).
 */

const BUDGET = [
  'version: 1',
  'id: shop',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 2, duration: 1s, warmup: 0s, timeout: 3s }',
  // Identical copies of one run make a history with no spread: wide tolerances keep a busy
  // machine's noise from turning into regressions, which this test is not about.
  '  regression: { p50: 900%, p95: 900%, p99: 900% }',
  'baseline:',
  `  ${CLOUDWATCH_BASELINE}`,
  'confirm: false',
  'endpoints:',
  '  - name: roomy',
  '    path: /fixed/10',
  '    budget: { p95: 2s }',
  '',
].join('\n');

const servers = serversForFile({ target: startTarget, cloudwatch: startCloudWatch });

test('a history far below the budget yields a suggestion that validates when pasted', async () => {
  const env = cloudWatchRunEnv(servers.target.url, servers.cloudwatch.url);
  const first = await runAction({
    eventName: 'push',
    event: {},
    inputs: { comment: 'never' },
    env,
    files: { 'perf-budget.yml': BUDGET },
  });
  expect(first.code).toBe(0);
  await publishHistory(reportOf(first), servers.cloudwatch.url, 8);

  const r = await runAction({
    inputs: { comment: 'never' },
    env,
    files: { 'perf-budget.yml': BUDGET },
  });
  expect(r.code).toBe(0);
  expect(r.summary).toContain('Budgets with room: 1 tighter limit(s) suggested');
  const block = /`{3,}yaml\n([\s\S]*?)\n`{3,}/.exec(r.summary);
  expect(block).not.toBeNull();
  const fragment = parse(block![1]!) as {
    endpoints: Array<{ name: string; budget: { p95: string } }>;
  };
  expect(fragment.endpoints).toHaveLength(1);
  expect(fragment.endpoints[0]!.name).toBe('roomy');
  // The suggestion is tighter than 2 s and above the 10 ms the target takes.
  const suggested = fragment.endpoints[0]!.budget.p95;
  const ms = /^(\d+(?:\.\d+)?)ms$/.exec(suggested);
  expect(ms).not.toBeNull();
  expect(Number(ms![1])).toBeGreaterThan(10);
  expect(Number(ms![1])).toBeLessThan(1000);

  // Pasted: the endpoint's budget replaced by the fragment's.
  const file = parse(BUDGET) as { endpoints: Array<{ budget: object }> };
  file.endpoints[0]!.budget = fragment.endpoints[0]!.budget;
  const dir = tempDir('perf-gate-ratchet-');
  writeFile(dir, 'perf-budget.yml', stringify(file));
  const validated = await runCli(['validate', 'perf-budget.yml'], {
    cwd: dir,
    env: { PREVIEW_URL: 'http://127.0.0.1:9' },
    entry: join(ROOT, 'dist/cli/index.js'),
  });
  expect({ stdout: validated.stdout, stderr: validated.stderr }).toEqual({
    stdout: expect.anything(),
    stderr: '',
  });
  expect(validated.code).toBe(0);
});
