import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

/**
 * Latency histograms: microsecond integers, 3 significant digits (docs/architecture.md §4). Every histogram
 * perf-gate records, stores in a report or compares goes through here, so the resolution and
 * the encoding are the same everywhere.
 */

export type { Histogram };

export const SIGNIFICANT_DIGITS = 3;

export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000, // one hour in µs; autoResize covers anything longer
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Records a latency given in (float) milliseconds, rounded to the nearest microsecond. */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
}

/** Merges histograms into a new one; the inputs are left untouched. */
export function mergeHistograms(histograms: Histogram[]): Histogram {
  const merged = createHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}

/** Value at quantile q (0..1), in ms. */
export function quantileMs(histogram: Histogram, q: number): number {
  return histogram.getValueAtPercentile(q * 100) / 1000;
}

export function summarize(histogram: Histogram): LatencySummary {
  const empty = histogram.totalCount === 0;
  const at = (q: number) => (empty ? 0 : quantileMs(histogram, q));
  return {
    p50: at(0.5),
    p75: at(0.75),
    p90: at(0.9),
    p95: at(0.95),
    p99: at(0.99),
    'p99.9': at(0.999),
    mean: empty ? 0 : histogram.mean / 1000,
    max: empty ? 0 : histogram.maxValue / 1000,
    min: empty ? 0 : histogram.minNonZeroValue / 1000,
    stddev: empty ? 0 : histogram.stdDeviation / 1000,
  };
}
