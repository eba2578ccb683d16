import { decodeHistogram } from '../measure/histogram.js';
import type { Measurement } from '../measure/types.js';
import { formatCount, metricLabel } from '../units/format.js';
import type { BudgetMetric } from '../units/metrics.js';
import { bucketsOf, type Buckets } from './stats.js';
import { quantileBounds, type QuantileBounds } from './quantile-bounds.js';
import type { PercentileInterval } from './types.js';

/**
 * What one measurement says about a metric: its value, a percentile's confidence bounds from the
 * histogram, and whether there are requests enough to judge it at all. Shared by budgets and
 * regressions.
 */

/**
 * Requests a side a bootstrap comparison of quantile q with a reference deployment needs:
 * ⌈10 / (1 − q)⌉ (p95: 200, p99: 1000, p99.9: 10000), so that about ten requests a side lie in
 * the tail the percentile is read from. Only side-by-side comparisons use it; a percentile
 * against a fixed number is judged by its confidence bounds at any sample size (SPEC §4).
 */
export function bootstrapMinimum(q: number): number {
  // toFixed absorbs the float error of 1 − q (10 / (1 − 0.9) is 100.00000000000001).
  return Math.ceil(Number((10 / (1 - q)).toFixed(6)));
}

/** The metric's value in a measurement, in config units. */
export function metricValue(measurement: Measurement, metric: BudgetMetric): number {
  if (metric === 'error-rate') return measurement.errorRate;
  if (metric === 'min-rps') return measurement.throughput;
  return measurement.latency[metric];
}

/** Decoded histograms, once per measurement. */
export class HistogramCache {
  private readonly cache = new Map<string, Buckets>();
  get(measurement: Measurement): Buckets {
    let buckets = this.cache.get(measurement.histogram);
    if (!buckets) {
      buckets = bucketsOf(decodeHistogram(measurement.histogram));
      this.cache.set(measurement.histogram, buckets);
    }
    return buckets;
  }
}

/** Why this metric of this measurement cannot be judged at all, if it cannot. */
export function noSamples(metric: BudgetMetric, measurement: Measurement): string | undefined {
  if (metric === 'min-rps') return undefined;
  if (measurement.requests === 0)
    return `no requests were measured, so there is no ${metricLabel(metric)}`;
  return undefined;
}

/** Why a side-by-side bootstrap of this percentile cannot be trusted on a measurement, if it cannot. */
export function tooFewForBootstrap(
  metric: BudgetMetric,
  measurement: Measurement,
  required: number | undefined,
): string | undefined {
  const none = noSamples(metric, measurement);
  if (none) return none;
  if (required !== undefined && measurement.requests < required) {
    return `${metricLabel(metric)} needs ${formatCount(required)} requests a side to be compared with a reference, got ${formatCount(measurement.requests)}`;
  }
  return undefined;
}

/** What a measurement says about one of its percentiles: the estimate and its confidence bounds. */
export interface PercentileEvidence extends QuantileBounds {
  metric: BudgetMetric;
  q: number;
  /** The measured percentile, ms (the bounds are in ms too). */
  current: number;
  buckets: Buckets;
}

export function percentileEvidence(
  metric: BudgetMetric,
  current: number,
  q: number,
  confidence: number,
  buckets: Buckets,
): PercentileEvidence {
  const bounds = quantileBounds(buckets, q, confidence);
  const evidence: PercentileEvidence = {
    metric,
    q,
    current,
    confidence,
    samples: bounds.samples,
    buckets,
  };
  // The histogram holds microseconds.
  if (bounds.low !== undefined) {
    evidence.low = bounds.low / 1000;
    evidence.lowRank = bounds.lowRank;
  }
  if (bounds.high !== undefined) {
    evidence.high = bounds.high / 1000;
    evidence.highRank = bounds.highRank;
  }
  return evidence;
}

export function intervalOf(p: PercentileEvidence, moreRequests?: number): PercentileInterval {
  const interval: PercentileInterval = { confidence: p.confidence, samples: p.samples };
  if (p.low !== undefined) {
    interval.low = p.low;
    interval.lowRank = p.lowRank;
  }
  if (p.high !== undefined) {
    interval.high = p.high;
    interval.highRank = p.highRank;
  }
  if (moreRequests !== undefined) interval.moreRequests = moreRequests;
  return interval;
}
