import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runnerEnv } from '../support/aws.js';
import { ROOT } from '../cli/cli-process.js';
import { startCloudWatch, type CloudWatchServer } from '../servers/cloudwatch.js';
import { startTarget, type Target } from '../servers/target.js';
import { runAction } from './action-runner.js';

/**
 * The AWS SDK is most of the bundle: a run without CloudWatch must not load it. Checked on the
 * bundled action as a runner starts it, by the modules the process actually loads (a loader
 * hook preloaded with --import records each one), not by reading the sources.
 */

const TRACE = pathToFileURL(join(import.meta.dirname, 'trace-modules.mjs')).href;

/** The bundle chunk that holds the CloudWatch client (its wire protocol's target prefix). */
function sdkChunks(): string[] {
  const dist = join(ROOT, 'dist');
  return readdirSync(dist)
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .filter((f) => readFileSync(join(dist, f), 'utf8').includes('GraniteServiceVersion20100801'));
}

let target: Target;
let cloudwatch: CloudWatchServer;
beforeAll(async () => {
  [target, cloudwatch] = await Promise.all([startTarget(), startCloudWatch()]);
});
afterAll(async () => {
  await Promise.all([target?.close(), cloudwatch?.close()]);
});

async function loadedModules(budget: string): Promise<string[]> {
  const run = await runAction({
    eventName: 'push',
    event: {},
    inputs: { comment: 'never' },
    env: {
      PREVIEW_URL: target.url,
      ...runnerEnv(cloudwatch.url),
      NODE_OPTIONS: `--import=${TRACE}`,
      PERF_GATE_TRACE_MODULES: 'modules.txt',
    },
    files: { 'perf-budget.yml': budget },
  });
  expect(run.stderr).toBe('');
  if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout.slice(-1500)}`);
  return readFileSync(join(run.workspace, 'modules.txt'), 'utf8').trim().split('\n');
}

const BUDGET = (baseline: string) =>
  [
    'version: 1',
    'target:',
    '  url: ${PREVIEW_URL}',
    'defaults:',
    '  load: { connections: 1, duration: 1s, warmup: 0s, timeout: 2s }',
    ...baseline.split('\n').filter(Boolean),
    'endpoints:',
    '  - name: list',
    '    path: /fixed/1',
    '',
  ].join('\n');

test('the bundled action loads the AWS SDK chunk only when the budget file configures CloudWatch', async () => {
  const chunks = sdkChunks();
  expect(chunks).toHaveLength(1);
  const isSdk = (url: string) => chunks.some((c) => url.endsWith(`/dist/${c}`));

  const without = await loadedModules(BUDGET(''));
  // The trace works: the bundle's entry is among the loaded modules.
  expect(without.some((u) => u.endsWith('/dist/index.js'))).toBe(true);
  expect(without.filter(isSdk)).toEqual([]);

  const withCloudWatch = await loadedModules(
    BUDGET('baseline:\n  cloudwatch: { region: eu-west-1, lookback: 1d, period: 1h }'),
  );
  expect(withCloudWatch.filter(isSdk)).toHaveLength(1);
  expect(cloudwatch.requests.some((r) => r.operation === 'GetMetricData')).toBe(true);
});
