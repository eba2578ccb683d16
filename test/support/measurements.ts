import * as hdr from 'hdr-histogram-js';
import type { Baseline } from '../../src/baseline/types.js';
import type { EndpointConfig } from '../../src/config/types.js';
import {
  createHistogram,
  encodeHistogram,
  recordMs,
  summarize,
} from '../../src/measure/histogram.js';
import type { Histogram } from '../../src/measure/histogram.js';
import type { AdaptiveRecord, Measurement } from '../../src/measure/types.js';

export { lognormal } from './random.js';

/**
 * Hand-built measurements for evaluation and report tests: latencies go into a real HDR
 * histogram, so percentiles and the encoded histogram are what the engine would produce.
 */

export interface MeasurementOptions {
  /** Requests among the recorded ones that count as errors (status 500 by default). */
  errors?: number;
  /** Completed requests per second; default: requests over the duration. */
  throughput?: number;
  /** Default: the duration `throughput` implies, else 10 s. */
  durationMs?: number;
  startedAt?: string;
}

export function measurementOf(
  latenciesMs: readonly number[],
  options: MeasurementOptions = {},
): Measurement {
  const histogram = createHistogram();
  for (const ms of latenciesMs) recordMs(histogram, ms);
  const requests = latenciesMs.length;
  // A throughput without a duration sets the duration it implies, so that requests, duration
  // and throughput agree as in a real measurement (1,000 requests at 85.4 req/s take 11.7 s).
  const durationMs =
    options.durationMs ??
    (options.throughput !== undefined && options.throughput > 0 && requests > 0
      ? Math.round((requests / options.throughput) * 1000)
      : 10_000);
  return measurementFrom(histogram, {
    requests,
    errors: options.errors ?? 0,
    durationMs,
    throughput: options.throughput ?? requests / (durationMs / 1000),
    startedAt: options.startedAt ?? '2025-01-01T00:00:00.000Z',
  });
}

/**
 * A measurement of the requests recorded in `histogram` plus `errors` failed ones that were not
 * (as a timeout never reaches the histogram): throughput counts the completed requests only.
 */
export function measurementOfHistogram(
  histogram: Histogram,
  errors = 0,
  durationMs = 2000,
): Measurement {
  return measurementFrom(histogram, {
    requests: histogram.totalCount + errors,
    errors,
    durationMs,
    throughput: (histogram.totalCount / durationMs) * 1000,
    startedAt: new Date(0).toISOString(),
  });
}

function measurementFrom(
  histogram: Histogram,
  counts: {
    requests: number;
    errors: number;
    durationMs: number;
    throughput: number;
    startedAt: string;
  },
): Measurement {
  const { requests, errors } = counts;
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    errorBreakdown: {
      timeouts: 0,
      connection: {},
      resets: 0,
      status: errors > 0 ? { '500': errors } : {},
    },
    throughput: counts.throughput,
    durationMs: counts.durationMs,
    latency: summarize(histogram),
    histogram: encodeHistogram(histogram),
    startedAt: counts.startedAt,
  };
}

/** `count` requests at each latency: mix([950, 100], [50, 300]) is 950 at 100 ms and 50 at 300 ms. */
export function mix(...parts: [count: number, ms: number][]): number[] {
  return parts.flatMap(([count, ms]) => Array<number>(count).fill(ms));
}

export function endpoint(overrides: Partial<EndpointConfig> = {}): EndpointConfig {
  return {
    name: 'list products',
    method: 'GET',
    path: '/api/products?limit=20',
    url: 'http://127.0.0.1:8080/api/products?limit=20',
    headers: {},
    load: { connections: 10, durationMs: 30_000, warmupMs: 5_000, timeoutMs: 10_000 },
    budget: {},
    regression: false,
    line: 12,
    ...overrides,
  };
}

/**
 * The adaptive record of a sequential side-by-side run at the default 30 s that ran to its cap
 * (15 blocks, look 13 of 13), optionally with a breach the cap left unconfirmed.
 */
export function sequentialCapRecord(unconfirmed = true): AdaptiveRecord {
  return {
    looks: 13,
    look: 13,
    stop: 'cap',
    capMs: 30_000,
    minDurationMs: 5_000,
    blocks: 15,
    ...(unconfirmed ? { unconfirmed: true as const } : {}),
  };
}

export const NO_BASELINE: Baseline = { kind: 'none', reason: 'no baseline is configured' };

export function reference(measurement: Measurement): Extract<Baseline, { kind: 'reference' }> {
  return { kind: 'reference', source: 'http://127.0.0.1:9090', measurement };
}

export function cloudwatch(
  periods: Extract<Baseline, { kind: 'cloudwatch' }>['periods'],
): Extract<Baseline, { kind: 'cloudwatch' }> {
  return { kind: 'cloudwatch', source: 'PerfGate p95 {Service=checkout}', periods, partial: false };
}

/**
 * Every recorded value of an encoded histogram (its bucket's lowest value, µs) with its count,
 * by the HDR library's own index walk: two histograms are the same exactly when these are.
 */
export function histogramCounts(base64: string): Map<number, number> {
  const histogram = hdr.decodeFromCompressedBase64(base64, 32, false);
  if (!(histogram instanceof hdr.JsHistogram)) throw new Error('expected a JavaScript histogram');
  const out = new Map<number, number>();
  for (let i = 0; i < histogram.countsArrayLength; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count > 0) out.set(histogram.lowestEquivalentValue(histogram.valueFromIndex(i)), count);
  }
  return out;
}
