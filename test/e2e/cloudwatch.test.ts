import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { publishMeasurements } from '../../src/baseline/cloudwatch-publish.js';
import { startCloudWatch, type CloudWatchServer } from '../servers/cloudwatch.js';
import { startTarget, type Target } from '../servers/target.js';
import { runnerEnv } from '../baseline/aws-env.js';
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
  '  cloudwatch: { region: eu-west-1, dimensions: { Service: shop }, lookback: 1d, period: 1h }',
  'endpoints:',
  '  - name: steady',
  '    path: /fixed/20',
  '  - name: slowed',
  '    path: /fixed/20',
  '',
].join('\n');

let target: Target;
let cloudwatch: CloudWatchServer;

beforeAll(async () => {
  target = await startTarget();
  cloudwatch = await startCloudWatch();
});
afterAll(async () => {
  await target?.close();
  await cloudwatch?.close();
});

test('an endpoint made 30% slower than its CloudWatch history is flagged, and only that one', async () => {
  // A run on main publishes its distributions: no history yet, so nothing to judge against.
  const main = await runAction({
    eventName: 'push',
    event: {},
    inputs: { comment: 'never', publish: 'true' },
    env: { PREVIEW_URL: target.url, ...runnerEnv(cloudwatch.url) },
    files: { 'perf-budget.yml': BUDGET },
  });
  expect(main.stderr).toBe('');
  expect(main.code).toBe(0);
  expect(
    JSON.parse(readFileSync(main.outputs['report-file'], 'utf8')).endpoints[0].baseline.kind,
  ).toBe('none');
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
  // Ten earlier hours of the same numbers, as if main had been publishing all along (the
  // current, unfinished hour is not part of the baseline).
  const published = JSON.parse(readFileSync(main.outputs['report-file'], 'utf8'));
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'dummy-secret-key' };
  for (let hour = 10; hour >= 1; hour--) {
    await publishMeasurements(
      {
        gateId: 'shop',
        dimensions: { Service: 'shop' },
        region: 'eu-west-1',
        endpoints: published.endpoints.map((e: { name: string; measurement: object }) => ({
          name: e.name,
          measurement: e.measurement,
        })),
        timestamp: new Date(Date.now() - hour * 3_600_000),
      },
      { endpoint: cloudwatch.url, credentials },
    );
  }
  cloudwatch.requests.length = 0;

  const r = await runAction({
    inputs: { comment: 'never' },
    env: { PREVIEW_URL: target.url, ...runnerEnv(cloudwatch.url) },
    // The "slowed" endpoint now answers in 26 ms instead of 20.
    files: {
      'perf-budget.yml': BUDGET.replace(/(name: slowed\n {4}path: )\/fixed\/20/, '$1/fixed/26'),
    },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  expect(r.outputs.passed).toBe('false');
  const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
  const [steady, slowed] = report.endpoints;
  expect(steady.baseline.kind).toBe('cloudwatch');
  expect(steady.baseline.metrics.p50.periods).toBe(10);
  const reasons = (e: { findings: { verdict: string; reason: string }[] }) =>
    e.findings.map((f) => `${f.verdict}: ${f.reason}`);
  // The reasons ride along so a failure shows what perf-gate saw.
  expect({
    regressions: steady.findings.filter((f: { verdict: string }) => f.verdict === 'regression'),
    why: reasons(steady),
  }).toEqual({ regressions: [], why: expect.anything() });
  const regressed = slowed.findings
    .filter((f: { verdict: string }) => f.verdict === 'regression')
    .map((f: { metric: string }) => f.metric);
  // p50 moves by 30% for sure; the tail may or may not clear the tolerance on a busy machine.
  expect({ regressed, why: reasons(slowed) }).toEqual({
    regressed: expect.arrayContaining(['p50']),
    why: expect.anything(),
  });
  expect(Number(r.outputs.regressions)).toBe(regressed.length);
  expect(r.stdout).toMatch(
    /::error title=perf-gate%3A slowed,file=perf-budget.yml,line=12::slowed: p50 rose/,
  );
  expect(r.stdout).not.toMatch(/::error title=perf-gate%3A steady/);
  // One batched read for both endpoints.
  expect(cloudwatch.requests.filter((q) => q.operation === 'GetMetricData')).toHaveLength(1);
});
