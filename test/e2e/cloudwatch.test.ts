import { expect, test } from '@jest/globals';
import { startCloudWatch } from '../servers/cloudwatch.js';
import { startTarget } from '../servers/target.js';
import {
  CLOUDWATCH_BASELINE,
  cloudWatchRunEnv,
  expectOnlySlowedRegressed,
  publishHistory,
  reportOf,
  serversForFile,
  withSlowedEndpoint,
} from '../support/e2e.js';
import { runAction } from './action-runner.js';

/**
 * A CloudWatch baseline end to end: a run on main publishes, ten earlier hours of the same
 * numbers are added with perf-gate's own client, then the bundled action reads the history back through the SDK (endpoint from the environment only, as
 * on a runner) and judges today's run against it.
 */

const BUDGET = [
  'version: 1',
  'id: shop',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 4, duration: 2s, warmup: 0s, timeout: 2s }',
  'baseline:',
  `  ${CLOUDWATCH_BASELINE}`,
  'endpoints:',
  '  - name: steady',
  '    path: /fixed/20',
  '  - name: slowed',
  '    path: /fixed/20',
  '',
].join('\n');

const servers = serversForFile({ target: startTarget, cloudwatch: startCloudWatch });

test('an endpoint made 30% slower than its CloudWatch history is flagged, and only that one', async () => {
  const { cloudwatch } = servers;
  const env = cloudWatchRunEnv(servers.target.url, cloudwatch.url);
  // A run on main publishes its distributions: no history yet, so nothing to judge against.
  const main = await runAction({
    eventName: 'push',
    event: {},
    inputs: { comment: 'never', publish: 'true' },
    env,
    files: { 'perf-budget.yml': BUDGET },
  });
  expect(main.stderr).toBe('');
  expect(main.code).toBe(0);
  expect(reportOf(main).endpoints[0].baseline.kind).toBe('none');
  const puts = cloudwatch.requests.filter((q) => q.operation === 'PutMetricData');
  expect(puts.length).toBeGreaterThan(0);
  expect(puts.every((q) => q.status === 200)).toBe(true);
  expect(
    new Set(cloudwatch.store.datums.map((d) => `${d.dimensions.Gate}/${d.dimensions.Endpoint}`)),
  ).toEqual(new Set(['shop/steady', 'shop/slowed']));
  // The main run's datums carry the time it ran. If the next run's read started in a later
  // minute they would count as an eleventh period, and in the same minute they would not: drop
  // them, so the history is exactly the ten hours published below with explicit timestamps.
  cloudwatch.store.clear();
  // Ten earlier hours of the same numbers, as if main had been publishing all along.
  await publishHistory(reportOf(main), cloudwatch.url, 10);
  cloudwatch.requests.length = 0;

  const r = await runAction({
    inputs: { comment: 'never' },
    env,
    files: { 'perf-budget.yml': withSlowedEndpoint(BUDGET) },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  expect(r.outputs.passed).toBe('false');
  const report = reportOf(r);
  const [steady, slowed] = report.endpoints;
  expect(steady.baseline.kind).toBe('cloudwatch');
  expect(steady.baseline.metrics.p50.periods).toBe(10);
  const regressed = expectOnlySlowedRegressed(steady, slowed);
  expect(Number(r.outputs.regressions)).toBe(regressed.length);
  expect(r.stdout).toMatch(
    /::error title=perf-gate%3A slowed,file=perf-budget.yml,line=12::slowed: p50 rose/,
  );
  expect(r.stdout).not.toMatch(/::error title=perf-gate%3A steady/);
  // One batched read for both endpoints.
  expect(cloudwatch.requests.filter((q) => q.operation === 'GetMetricData')).toHaveLength(1);
});
