import { describe, expect, test } from '@jest/globals';
import * as hdr from 'hdr-histogram-js';
import type { EndpointConfig } from '../../src/config/types.js';
import { createHistogram, encodeHistogram } from '../../src/measure/histogram.js';
import { mergeMeasurements } from '../../src/measure/merge.js';
import type { Measurement } from '../../src/measure/types.js';
import { workerCount } from '../../src/measure/workers.js';

/**
 * Load threads and shards record their share of the responses in histograms of their own; merged,
 * they must be exactly the histogram one process would have recorded for the same responses.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function counts(base64: string): Map<number, number> {
  const h = hdr.decodeFromCompressedBase64(base64, 32, false);
  if (!(h instanceof hdr.JsHistogram)) throw new Error('expected a JavaScript histogram');
  const out = new Map<number, number>();
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c > 0) out.set(h.lowestEquivalentValue(h.valueFromIndex(i)), c);
  }
  return out;
}

function measurementOf(values: number[], startedAt: string): Measurement {
  const histogram = createHistogram();
  for (const v of values) histogram.recordValue(v);
  return {
    requests: values.length,
    errors: 0,
    errorRate: 0,
    errorBreakdown: { timeouts: 0, connection: {}, resets: 0, status: {} },
    throughput: values.length / 2,
    durationMs: 2000,
    latency: { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, min: 0, mean: 0 } as Measurement['latency'],
    histogram: encodeHistogram(histogram),
    startedAt,
  };
}

describe('merging the parts of one load', () => {
  test('threads or shards merge to exactly the histogram of all their responses', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      // Log-normal latencies in microseconds, from sub-millisecond to seconds, over 2–5 parts.
      const values = Array.from({ length: 5000 }, () =>
        Math.max(1, Math.round(Math.exp(7 + 2.5 * (random() + random() + random() - 1.5)))),
      );
      const parts = 2 + Math.floor(random() * 4);
      const split: number[][] = Array.from({ length: parts }, () => []);
      for (const v of values) split[Math.floor(random() * parts)].push(v);
      const merged = mergeMeasurements(
        split.map((p) => measurementOf(p, '2026-12-01T10:00:00.000Z')),
        'at once',
      );
      expect(counts(merged.histogram)).toEqual(counts(measurementOf(values, '').histogram));
      expect(merged.requests).toBe(values.length);
      // At once: throughputs add up and the duration is the common window, not the sum.
      expect(merged.throughput).toBeCloseTo(values.length / 2, 9);
      expect(merged.durationMs).toBe(2000);
    }
  });

  test('parts that ran one after another keep the sum of their durations', () => {
    const a = measurementOf([1000, 2000], '2026-12-01T10:00:00.000Z');
    const b = measurementOf([3000], '2026-12-01T10:00:05.000Z');
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
