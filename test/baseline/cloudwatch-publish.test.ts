import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  BIN_RATIO,
  MAX_VALUES_PER_DATUM,
  histogramToValuesCounts,
  publishMeasurements,
} from '../../src/baseline/cloudwatch-publish.js';
import { createHistogram, quantileMs, recordMs } from '../../src/measure/histogram.js';
import type { Histogram } from '../../src/measure/histogram.js';
import { LIMITS, percentileOfValues } from '../servers/cloudwatch.js';
import { cloudWatchForBlock } from '../support/aws.js';
import { HOUR } from './fixtures.js';
import { measurementOfHistogram } from '../support/measurements.js';
import { mulberry32, standardNormal } from '../support/random.js';

const QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1];

type Shape =
  'lognormal' | 'bimodal' | 'exponential' | 'uniform' | 'pareto' | 'constant' | 'submillisecond';

/** Latency samples (ms) of several shapes real services show, from a seed. */
function sample(shape: Shape, random: () => number): number {
  switch (shape) {
    case 'lognormal':
      return 30 * Math.exp(0.6 * standardNormal(random));
    case 'bimodal': // cache hits and misses
      return random() < 0.8
        ? 5 * Math.exp(0.2 * standardNormal(random))
        : 250 * Math.exp(0.3 * standardNormal(random));
    case 'exponential':
      return 1 - 20 * Math.log(1 - random());
    case 'uniform':
      return 10 + 990 * random();
    case 'pareto': // heavy tail up to minutes
      return Math.min(2 / Math.pow(1 - random(), 1 / 1.2), 600_000);
    case 'constant':
      return 42;
    case 'submillisecond':
      return 0.05 + 0.5 * random();
  }
}

function histogramOf(shape: Shape, seed: number, n: number): Histogram {
  const random = mulberry32(seed);
  const h = createHistogram();
  for (let i = 0; i < n; i++) recordMs(h, sample(shape, random));
  return h;
}

describe('histogramToValuesCounts', () => {
  test('every percentile stays within 1% of the histogram, within CloudWatch limits', () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.constantFrom<Shape>(
          'lognormal',
          'bimodal',
          'exponential',
          'uniform',
          'pareto',
          'constant',
          'submillisecond',
        ),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 20_000 }),
        (shape, seed, n) => {
          const h = histogramOf(shape, seed, n);
          const datums = histogramToValuesCounts(h);
          for (const d of datums) {
            expect(d.values.length).toBeLessThanOrEqual(MAX_VALUES_PER_DATUM);
            expect(d.counts).toHaveLength(d.values.length);
          }
          const values = datums.flatMap((d) => d.values);
          const counts = datums.flatMap((d) => d.counts);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(h.totalCount);
          // Distinct values, so CloudWatch's 150-unique-values rule holds per datum.
          expect(new Set(values).size).toBe(values.length);
          for (const q of QUANTILES) {
            const truth = quantileMs(h, q);
            const got = percentileOfValues(values, counts, q);
            const error = Math.abs(got - truth) / truth;
            worst = Math.max(worst, error);
            expect(error).toBeLessThanOrEqual(0.01);
          }
          const mean = values.reduce((s, v, i) => s + v * counts[i], 0) / h.totalCount;
          expect(Math.abs(mean - h.mean / 1000) / (h.mean / 1000)).toBeLessThan(0.002);
        },
      ),
      { numRuns: 80, seed: 20240611 },
    );
    // The bins are half the promised width; the margin should show.
    expect(worst).toBeLessThanOrEqual(BIN_RATIO - 1 + 1e-6);
  });

  test('a wide distribution needs several datums, a narrow one a single datum', () => {
    const wide = createHistogram();
    for (let ms = 1; ms < 10_000; ms *= 1.001) recordMs(wide, ms);
    const datums = histogramToValuesCounts(wide);
    // 4 decades at 0.5% per bin: ~1850 bins, 150 per datum.
    expect(datums.length).toBeGreaterThanOrEqual(12);
    expect(datums.every((d) => d.values.length <= MAX_VALUES_PER_DATUM)).toBe(true);
    const flat = datums.flatMap((d) => d.values);
    expect(flat).toEqual([...flat].sort((a, b) => a - b));

    // One distinct value: the histogram's own value for it (its bucket's highest equivalent).
    const constant = histogramOf('constant', 1, 1000);
    expect(histogramToValuesCounts(constant)).toEqual([
      { values: [quantileMs(constant, 0.5)], counts: [1000] },
    ]);
    expect(histogramToValuesCounts(createHistogram())).toEqual([]);
  });
});

describe('publishMeasurements against CloudWatch', () => {
  const cw = cloudWatchForBlock();

  test('publishes Latency, ErrorRate and Throughput with the gate, endpoint and user dimensions', async () => {
    const h = histogramOf('lognormal', 7, 5000);
    const timestamp = new Date(Date.now() - HOUR);
    const result = await publishMeasurements({
      gateId: 'api',
      dimensions: { Service: 'checkout' },
      endpoints: [{ name: 'list products', measurement: measurementOfHistogram(h, 50, 2000) }],
      timestamp,
    });
    expect(result).toEqual({ datums: cw.server.store.datums.length, requests: 1 });
    const put = cw.server.requests[0];
    expect(put.operation).toBe('PutMetricData');
    expect(put.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.PutMetricData');
    expect(put.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(put.region).toBe('eu-west-1');
    expect((put.body as { Namespace: string }).Namespace).toBe('PerfGate');

    const dims = { Gate: 'api', Endpoint: 'list products', Service: 'checkout' };
    const latency = cw.server.store.find('PerfGate', 'Latency', dims);
    expect(latency.length).toBeGreaterThan(0);
    expect(
      latency.every((d) => d.unit === 'Milliseconds' && d.timestamp === timestamp.getTime()),
    ).toBe(true);
    expect(latency.flatMap((d) => d.counts).reduce((a, b) => a + b, 0)).toBe(5000);
    const [errorRate] = cw.server.store.find('PerfGate', 'ErrorRate', dims);
    expect(errorRate.unit).toBe('Percent');
    expect(errorRate.values[0]).toBeCloseTo((50 / 5050) * 100, 4);
    const [throughput] = cw.server.store.find('PerfGate', 'Throughput', dims);
    expect(throughput.unit).toBe('Count/Second');
    expect(throughput.values[0]).toBeCloseTo(2500, 3);
  });

  test('batches over 1000 datums and 1 MB into several gzip-compressed requests', async () => {
    // 120 endpoints with four decades of latency: ~13 datums of 150 values each, ~2.5 KB apiece.
    const wide = createHistogram();
    for (let ms = 1; ms < 10_000; ms *= 1.0012) recordMs(wide, ms);
    const measurement = measurementOfHistogram(wide);
    const endpoints = Array.from({ length: 120 }, (_, i) => ({
      name: `endpoint ${i}`,
      measurement,
    }));
    const result = await publishMeasurements({
      gateId: 'api',
      dimensions: {},
      endpoints,
      timestamp: new Date(Date.now() - HOUR),
    });
    const puts = cw.server.requests.filter((r) => r.operation === 'PutMetricData');
    expect(puts).toHaveLength(result.requests);
    expect(result.datums).toBeGreaterThan(1000);
    expect(result.requests).toBeGreaterThan(2);
    for (const put of puts) {
      expect(put.status).toBe(200);
      expect(put.gzip).toBe(true);
      expect(put.headers['content-encoding']).toBe('gzip');
      expect(put.wireBytes).toBeLessThan(put.bodyBytes);
      expect(put.bodyBytes).toBeLessThanOrEqual(LIMITS.requestBytes);
      expect((put.body as { MetricData: unknown[] }).MetricData.length).toBeLessThanOrEqual(
        LIMITS.datumsPerPut,
      );
    }
    // Every datum arrived, none twice.
    expect(cw.server.store.datums).toHaveLength(result.datums);
    const perEndpoint = cw.server.store.find('PerfGate', 'Latency', {
      Gate: 'api',
      Endpoint: 'endpoint 7',
    });
    expect(perEndpoint.flatMap((d) => d.counts).reduce((a, b) => a + b, 0)).toBe(
      endpoints[7].measurement.requests,
    );
  });

  test('also batches by count alone: 1500 small datums go as 1000 + 500', async () => {
    const h = createHistogram();
    recordMs(h, 10);
    const measurement = measurementOfHistogram(h);
    const endpoints = Array.from({ length: 500 }, (_, i) => ({ name: `e${i}`, measurement }));
    const result = await publishMeasurements({
      gateId: 'api',
      dimensions: {},
      endpoints,
      timestamp: new Date(),
    });
    expect(result).toEqual({ datums: 1500, requests: 2 });
    const sizes = cw.server.requests.map(
      (r) => (r.body as { MetricData: unknown[] }).MetricData.length,
    );
    expect(sizes).toEqual([1000, 500]);
  });

  test('an endpoint name CloudWatch cannot take as a dimension is a clear error before any call', async () => {
    const h = histogramOf('constant', 1, 10);
    await expect(
      publishMeasurements({
        gateId: 'api',
        dimensions: { Endpoint: 'mine' },
        endpoints: [{ name: 'x', measurement: measurementOfHistogram(h) }],
        timestamp: new Date(),
      }),
    ).rejects.toMatchObject({
      name: 'CloudWatchError',
      kind: 'config',
      message: expect.stringContaining('"Endpoint" is set by perf-gate'),
    });
    expect(cw.server.requests).toHaveLength(0);
  });
});
