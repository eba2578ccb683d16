import { describe, expect, test } from '@jest/globals';
import { readBaselines } from '../../src/baseline/cloudwatch-read.js';
import { publishMeasurements } from '../../src/baseline/cloudwatch-publish.js';
import type { Baseline } from '../../src/baseline/types.js';
import { createHistogram, quantileMs, recordMs } from '../../src/measure/histogram.js';
import type { Histogram } from '../../src/measure/histogram.js';
import { cloudWatchForBlock } from '../support/aws.js';
import { DAY, HOUR, cloudWatchConfig, endpointConfig, lognormalHistogram } from './fixtures.js';
import { measurementOfHistogram } from '../support/measurements.js';

/** z-scores of the standard normal, for the lognormal's true quantiles. */
const Z = { p50: 0, p95: 1.6448536, p99: 2.3263479 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function periodsOf(b: Baseline | undefined) {
  if (b?.kind !== 'cloudwatch')
    throw new Error(`expected a cloudwatch baseline, got ${JSON.stringify(b)}`);
  return b.periods;
}

describe('readBaselines against CloudWatch', () => {
  const cw = cloudWatchForBlock();
  const now = new Date();

  // CloudWatch does not document its percentile rank rule (see PercentileRule): the baseline
  // must hold under either reading.
  test.each(['nearest-rank', 'interpolated'] as const)(
    'ten published runs read back as ten periods whose percentiles match the truth within 2%% (%s percentiles)',
    async (rule) => {
      cw.server.setPercentileRule(rule);
      const medianMs = 40;
      const sigma = 0.5;
      const runs: Histogram[] = [];
      for (let k = 0; k < 10; k++) {
        const h = lognormalHistogram(1000 + k, 20_000, medianMs, sigma);
        runs.push(h);
        await publishMeasurements({
          gateId: 'api',
          dimensions: { Service: 'checkout' },
          endpoints: [
            { name: 'list products', measurement: measurementOfHistogram(h, 20 * (k + 1)) },
          ],
          // One run an hour, the latest 30 minutes ago.
          timestamp: new Date(now.getTime() - (10 - k) * HOUR + 30 * 60_000),
        });
      }
      const lines: string[] = [];
      const baselines = await readBaselines({
        gateId: 'api',
        endpoints: [endpointConfig('list products')],
        fileConfig: cloudWatchConfig(),
        now,
        log: (l) => lines.push(l),
      });
      const b = baselines.get('list products');
      expect(b).toMatchObject({ kind: 'cloudwatch', partial: false });
      expect(b?.kind === 'cloudwatch' && b.source).toContain(
        'PerfGate/Latency {Gate=api, Endpoint=list products, Service=checkout}',
      );
      const periods = periodsOf(b);
      for (const metric of [
        'p50',
        'p75',
        'p90',
        'p95',
        'p99',
        'p99.9',
        'mean',
        'max',
        'error-rate',
      ] as const) {
        expect(periods[metric]).toHaveLength(10);
      }
      // Each period is its run, oldest first, within 1% of that run's own histogram.
      runs.forEach((h, k) => {
        for (const [metric, q] of [
          ['p50', 0.5],
          ['p95', 0.95],
          ['p99', 0.99],
          ['p99.9', 0.999],
        ] as const) {
          const truth = quantileMs(h, q);
          expect(Math.abs(periods[metric]![k] - truth) / truth).toBeLessThan(0.01);
        }
        expect(Math.abs(periods.mean![k] - h.mean / 1000) / (h.mean / 1000)).toBeLessThan(0.002);
        expect(Math.abs(periods.max![k] - h.maxValue / 1000) / (h.maxValue / 1000)).toBeLessThan(
          0.01,
        );
        expect(periods['error-rate']![k]).toBeCloseTo((20 * (k + 1)) / (20_000 + 20 * (k + 1)), 6);
      });
      // The baseline (median of the periods) is the distribution's true percentile within 2%.
      for (const metric of ['p50', 'p95', 'p99'] as const) {
        const truth = medianMs * Math.exp(sigma * Z[metric]);
        expect(Math.abs(median(periods[metric]!) - truth) / truth).toBeLessThan(0.02);
      }
      // One GetMetricData call for all metrics, oldest first, over lookback at period.
      const gets = cw.server.requests.filter((r) => r.operation === 'GetMetricData');
      expect(gets).toHaveLength(1);
      const body = gets[0].body as {
        MetricDataQueries: { MetricStat: { Period: number; Stat: string } }[];
        StartTime: number;
        EndTime: number;
        ScanBy: string;
      };
      expect(body.ScanBy).toBe('TimestampAscending');
      expect(body.EndTime - body.StartTime).toBe((14 * DAY) / 1000);
      expect(body.MetricDataQueries.map((q) => q.MetricStat.Stat).sort()).toEqual(
        ['Average', 'Average', 'Maximum', 'p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'].sort(),
      );
      expect(body.MetricDataQueries.every((q) => q.MetricStat.Period === 3600)).toBe(true);
      expect(gets[0].headers['x-amz-target']).toBe('GraniteServiceVersion20100801.GetMetricData');
      expect(lines).toEqual([]);
    },
  );

  test('many endpoints: at most 500 queries per call, every NextToken page followed', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `endpoint ${i}`);
    const fixed = names.map((_, i) => {
      const h = createHistogram();
      for (let n = 0; n < 100; n++) recordMs(h, i + 1);
      return measurementOfHistogram(h);
    });
    for (let run = 0; run < 3; run++) {
      await publishMeasurements({
        gateId: 'api',
        dimensions: { Service: 'checkout' },
        endpoints: names.map((name, i) => ({ name, measurement: fixed[i] })),
        timestamp: new Date(now.getTime() - (3 - run) * HOUR),
      });
    }
    cw.server.setPageSize(50);
    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: names.map((n) => endpointConfig(n)),
      fileConfig: cloudWatchConfig(),
      now,
    });
    names.forEach((name, i) => {
      const b = baselines.get(name);
      expect(b).toMatchObject({ kind: 'cloudwatch', partial: false });
      const periods = periodsOf(b);
      expect(periods.p95).toHaveLength(3);
      for (const v of periods.p95!) expect(Math.abs(v - (i + 1)) / (i + 1)).toBeLessThan(0.002);
      expect(periods['error-rate']).toEqual([0, 0, 0]);
    });
    const gets = cw.server.requests.filter((r) => r.operation === 'GetMetricData');
    const queryCounts = gets.map(
      (r) => (r.body as { MetricDataQueries: unknown[] }).MetricDataQueries.length,
    );
    expect(Math.max(...queryCounts)).toBe(500);
    // 540 queries: one call of 500, one of 40, each paged 50 datapoints at a time.
    expect(new Set(queryCounts)).toEqual(new Set([500, 40]));
    const paged = gets.filter((r) => (r.body as { NextToken?: string }).NextToken !== undefined);
    expect(paged.length).toBe(Math.ceil(1500 / 50) - 1 + Math.ceil(120 / 50) - 1);
    expect(gets.every((r) => r.status === 200)).toBe(true);
  });

  test('no history yet is a none baseline that says how to build it, not an error', async () => {
    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: [endpointConfig('new endpoint')],
      fileConfig: cloudWatchConfig(),
      now,
    });
    expect(baselines.get('new endpoint')).toEqual({
      kind: 'none',
      reason:
        'no CloudWatch history yet for PerfGate/Latency {Gate=api, Endpoint=new endpoint, Service=checkout} over the last 14d (publish from main with publish: true)',
    });
  });

  test('partial data is used, flagged and logged', async () => {
    const h = lognormalHistogram(5, 2000, 20, 0.3);
    await publishMeasurements({
      gateId: 'api',
      dimensions: { Service: 'checkout' },
      endpoints: [{ name: 'search', measurement: measurementOfHistogram(h) }],
      timestamp: new Date(now.getTime() - 2 * HOUR),
    });
    cw.server.setMode({ kind: 'partial-data' });
    const lines: string[] = [];
    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: [endpointConfig('search')],
      fileConfig: cloudWatchConfig(),
      now,
      log: (l) => lines.push(l),
    });
    const b = baselines.get('search');
    expect(b).toMatchObject({ kind: 'cloudwatch', partial: true });
    expect(periodsOf(b).p95).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^CloudWatch returned partial data for "search" \(.+\); using the 1 period\(s\) it returned$/,
    );
  });

  test('a page cap marks the data partial instead of looping forever', async () => {
    const h = lognormalHistogram(6, 500, 20, 0.3);
    for (let k = 0; k < 4; k++) {
      await publishMeasurements({
        gateId: 'api',
        dimensions: { Service: 'checkout' },
        endpoints: [{ name: 'orders', measurement: measurementOfHistogram(h) }],
        timestamp: new Date(now.getTime() - (k + 1) * HOUR),
      });
    }
    cw.server.setPageSize(2);
    const lines: string[] = [];
    const baselines = await readBaselines(
      {
        gateId: 'api',
        endpoints: [endpointConfig('orders')],
        fileConfig: cloudWatchConfig(),
        now,
        log: (l) => lines.push(l),
      },
      { maxPages: 3 },
    );
    expect(baselines.get('orders')).toMatchObject({ kind: 'cloudwatch', partial: true });
    expect(cw.server.requests.filter((r) => r.operation === 'GetMetricData')).toHaveLength(3);
    expect(lines[0]).toContain('stopped after 3 pages');
  });

  test('external metrics: ALB TargetResponseTime in seconds and API Gateway Latency in ms come back in ms', async () => {
    const alb = { LoadBalancer: 'app/shop/123', TargetGroup: 'targetgroup/search/456' };
    const apigw = { ApiName: 'shop', Stage: 'prod' };
    // What AWS itself publishes: per-request values, here a few per hour for three hours.
    for (let k = 0; k < 3; k++) {
      const at = now.getTime() - (k + 1) * HOUR;
      cw.server.store.datums.push(
        {
          namespace: 'AWS/ApplicationELB',
          metricName: 'TargetResponseTime',
          dimensions: alb,
          timestamp: at,
          unit: 'Seconds',
          values: [0.1, 0.2, 0.3],
          counts: [50, 45, 5],
        },
        {
          namespace: 'AWS/ApiGateway',
          metricName: 'Latency',
          dimensions: apigw,
          timestamp: at,
          unit: 'Milliseconds',
          values: [12, 30],
          counts: [90, 10],
        },
      );
    }
    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: [
        endpointConfig('search', {
          cloudwatch: cloudWatchConfig({
            namespace: 'AWS/ApplicationELB',
            metric: 'TargetResponseTime',
            unit: 's',
            dimensions: alb,
          }),
        }),
        endpointConfig('checkout', {
          cloudwatch: cloudWatchConfig({
            namespace: 'AWS/ApiGateway',
            metric: 'Latency',
            unit: 'ms',
            dimensions: apigw,
          }),
        }),
        endpointConfig('own'),
      ],
      fileConfig: cloudWatchConfig(),
      now,
    });
    const search = periodsOf(baselines.get('search'));
    expect(search.p50).toEqual([100, 100, 100]);
    expect(search.p95).toEqual([200, 200, 200]);
    expect(search.p99).toEqual([300, 300, 300]);
    expect(search.max).toEqual([300, 300, 300]);
    expect(search.mean![0]).toBeCloseTo(155, 6); // (0.1*50 + 0.2*45 + 0.3*5) / 100 s
    // No error rate for someone else's latency metric.
    expect(search['error-rate']).toBeUndefined();
    const checkout = periodsOf(baselines.get('checkout'));
    expect(checkout.p50).toEqual([12, 12, 12]);
    expect(checkout.p95).toEqual([30, 30, 30]);
    // External metrics are queried with exactly their own dimensions, no Gate or Endpoint.
    const queries = (
      cw.server.requests[0].body as {
        MetricDataQueries: {
          MetricStat: { Metric: { Namespace: string; Dimensions: { Name: string }[] } };
        }[];
      }
    ).MetricDataQueries;
    const albQuery = queries.find((q) => q.MetricStat.Metric.Namespace === 'AWS/ApplicationELB')!;
    expect(albQuery.MetricStat.Metric.Dimensions.map((d) => d.Name).sort()).toEqual([
      'LoadBalancer',
      'TargetGroup',
    ]);
    // The endpoint without history says so; the external ones point at the metric, not at publish.
    expect(baselines.get('own')).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('publish: true'),
    });
    expect(cw.server.requests.filter((r) => r.operation === 'GetMetricData')).toHaveLength(1);
  });

  test('an external metric with no data names what to check', async () => {
    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: [
        endpointConfig('search', {
          cloudwatch: cloudWatchConfig({
            namespace: 'AWS/ApplicationELB',
            metric: 'TargetResponseTime',
            unit: 's',
            dimensions: { LoadBalancer: 'app/typo/1' },
          }),
        }),
      ],
      now,
    });
    expect(baselines.get('search')).toEqual({
      kind: 'none',
      reason:
        'no CloudWatch data for AWS/ApplicationELB/TargetResponseTime {LoadBalancer=app/typo/1} over the last 14d: check the namespace, metric name, dimensions and region',
    });
  });

  test('endpoints without CloudWatch or with regression off make no call at all', async () => {
    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: [
        endpointConfig('a'),
        endpointConfig('b', { regression: false, cloudwatch: cloudWatchConfig() }),
      ],
      now,
    });
    expect(baselines.get('a')).toEqual({
      kind: 'none',
      reason: 'no baseline configured',
      configured: false,
    });
    expect(baselines.get('b')).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('regression: false'),
    });
    expect(cw.server.requests).toHaveLength(0);
  });

  test('a period CloudWatch cannot serve is a config error naming the key', async () => {
    await expect(
      readBaselines({
        gateId: 'api',
        endpoints: [endpointConfig('a')],
        fileConfig: cloudWatchConfig({ periodMs: 90_000 }),
        now,
      }),
    ).rejects.toMatchObject({
      name: 'CloudWatchError',
      kind: 'config',
      message: expect.stringContaining(
        'baseline.cloudwatch.period must be a whole number of minutes',
      ),
    });
    expect(cw.server.requests).toHaveLength(0);
  });
});
