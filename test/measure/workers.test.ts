import { describe, expect, test } from '@jest/globals';
import type { EndpointConfig } from '../../src/config/types.js';
import { mergeMeasurements } from '../../src/measure/merge.js';
import { workerCount } from '../../src/measure/workers.js';
import { histogramCounts, measurementOf } from '../support/measurements.js';
import { mulberry32 } from '../support/random.js';

/**
 * Load threads and shards record their share of the responses in histograms of their own; merged,
 * they must be exactly the histogram one process would have recorded for the same responses.
 */

describe('merging the parts of one load', () => {
  test('threads or shards merge to exactly the histogram of all their responses', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      // Log-normal latencies in microseconds, from sub-millisecond to seconds, over 2–5 parts.
      const values = Array.from({ length: 5000 }, () =>
        Math.max(0.001, Math.exp(0 + 2.5 * (random() + random() + random() - 1.5))),
      );
      const parts = 2 + Math.floor(random() * 4);
      const split: number[][] = Array.from({ length: parts }, () => []);
      for (const v of values) split[Math.floor(random() * parts)].push(v);
      const merged = mergeMeasurements(
        split.map((p) =>
          measurementOf(p, { durationMs: 2000, startedAt: '2026-12-01T10:00:00.000Z' }),
        ),
        'at once',
      );
      expect(histogramCounts(merged.histogram)).toEqual(
        histogramCounts(measurementOf(values).histogram),
      );
      expect(merged.requests).toBe(values.length);
      // At once: throughputs add up and the duration is the common window, not the sum.
      expect(merged.throughput).toBeCloseTo(values.length / 2, 9);
      expect(merged.durationMs).toBe(2000);
    }
  });

  test('parts that ran one after another keep the sum of their durations', () => {
    const a = measurementOf([1, 2], { durationMs: 2000, startedAt: '2026-12-01T10:00:00.000Z' });
    const b = measurementOf([3], { durationMs: 2000, startedAt: '2026-12-01T10:00:05.000Z' });
    expect(mergeMeasurements([a, b]).durationMs).toBe(4000);
    expect(mergeMeasurements([a, b], 'at once').durationMs).toBe(7000);
  });
});

describe('workerCount', () => {
  const endpoint = (workers: number | 'auto' | undefined, connections = 10) =>
    ({
      load: { connections, durationMs: 1000, warmupMs: 0, timeoutMs: 1000, workers },
    }) as EndpointConfig;
  test('auto is the cores minus one, at least one; never more threads than connections', () => {
    expect(workerCount(endpoint('auto'), 4)).toBe(3);
    expect(workerCount(endpoint('auto'), 1)).toBe(1);
    expect(workerCount(endpoint(undefined), 8)).toBe(1);
    expect(workerCount(endpoint(6, 4), 8)).toBe(4);
    expect(workerCount(endpoint(2), 8)).toBe(2);
  });
});
