import { createHistogram, recordMs } from '../../src/measure/histogram.js';
import type { Histogram } from '../../src/measure/histogram.js';
import { mulberry32, standardNormal } from '../support/random.js';
import type { CloudWatchBaselineConfig, EndpointConfig } from '../../src/config/types.js';

/** Seeded data for the CloudWatch tests: reproducible distributions, measurements, endpoints. */

/** n latencies (ms) of a lognormal with the given median and log-sd, into a histogram. */
export function lognormalHistogram(
  seed: number,
  n: number,
  medianMs: number,
  sigma: number,
): Histogram {
  const random = mulberry32(seed);
  const h = createHistogram();
  for (let i = 0; i < n; i++) recordMs(h, medianMs * Math.exp(sigma * standardNormal(random)));
  return h;
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
