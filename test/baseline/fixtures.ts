import {
  createHistogram,
  encodeHistogram,
  recordMs,
  summarize,
} from '../../src/measure/histogram.js';
import type { Histogram } from '../../src/measure/histogram.js';
import type { Measurement } from '../../src/measure/types.js';
import type { CloudWatchBaselineConfig, EndpointConfig } from '../../src/config/types.js';

/** Seeded data for the CloudWatch tests: reproducible distributions, measurements, endpoints. */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box-Muller. */
export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** n latencies (ms) of a lognormal with the given median and log-sd, into a histogram. */
export function lognormalHistogram(
  seed: number,
  n: number,
  medianMs: number,
  sigma: number,
): Histogram {
  const random = seeded(seed);
  const h = createHistogram();
  for (let i = 0; i < n; i++) recordMs(h, medianMs * Math.exp(sigma * normal(random)));
  return h;
}

export function measurementOf(h: Histogram, errors = 0, durationMs = 2000): Measurement {
  const requests = h.totalCount + errors;
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    errorBreakdown: {
      timeouts: 0,
      connection: {},
      resets: 0,
      status: errors ? { '500': errors } : {},
    },
    throughput: (h.totalCount / durationMs) * 1000,
    durationMs,
    latency: summarize(h),
    histogram: encodeHistogram(h),
    startedAt: new Date(0).toISOString(),
  };
}

export function endpointConfig(name: string, extra: Partial<EndpointConfig> = {}): EndpointConfig {
  return {
    name,
    method: 'GET',
    path: `/${encodeURIComponent(name)}`,
    url: `http://127.0.0.1:1/${encodeURIComponent(name)}`,
    headers: {},
    load: { connections: 1, durationMs: 1000, warmupMs: 0, timeoutMs: 1000 },
    budget: {},
    regression: { p95: { maxIncrease: 0.1, minDelta: 1 } },
    line: 1,
    ...extra,
  };
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function cloudWatchConfig(
  extra: Partial<CloudWatchBaselineConfig> = {},
): CloudWatchBaselineConfig {
  return {
    namespace: 'PerfGate',
    unit: 'ms',
    dimensions: { Service: 'checkout' },
    lookbackMs: 14 * DAY,
    periodMs: HOUR,
    ...extra,
  };
}
