import type { Tolerance } from '../config/types.js';
import {
  formatCount,
  formatMetricDelta,
  formatMetricValue,
  formatPercent,
  metricLabel,
} from '../units/format.js';
import type { BudgetMetric, RegressionMetric } from '../units/metrics.js';
import { minimumSamples, requestsToSettle, SETTLE_CAP } from './quantile-bounds.js';
import type { PercentileEvidence } from './evidence.js';

/**
 * The words of a verdict's reason: bounds, movements, tolerances and p-values as a person reads
 * them ("p95 rose 12.4% (+31 ms) against the baseline 250 ms").
 */

/** "95%", "99.9%". */
export function confidenceLabel(confidence: number): string {
  return `${Number((confidence * 100).toFixed(3))}%`;
}

/** Where the bounds put the percentile, for a sentence: "between 150 ms and 260 ms", "at least 501 ms". */
export function describeBounds(p: PercentileEvidence): string {
  const value = (v: number) => formatMetricValue(p.metric, v);
  const fewest = minimumSamples(p.q, p.confidence);
  const from = `${formatCount(p.samples)} request${p.samples === 1 ? '' : 's'}`;
  if (p.low !== undefined && p.high !== undefined)
    return `between ${value(p.low)} and ${value(p.high)}`;
  if (p.low !== undefined)
    return `at least ${value(p.low)}, with no upper bound from ${from} (one needs ${formatCount(fewest.high)})`;
  if (p.high !== undefined)
    return `at most ${value(p.high)}, with no lower bound from ${from} (one needs ${formatCount(fewest.low)})`;
  return `unbounded: ${from} give no bound (a lower one needs ${formatCount(fewest.low)}, an upper one ${formatCount(fewest.high)})`;
}

/**
 * How many more requests would settle the percentile against `limit`, as a clause, with the
 * estimate itself (absent when none would, or past SETTLE_CAP).
 */
export function settleClause(
  p: PercentileEvidence,
  limit: number,
): { text: string; more?: number } {
  const total = requestsToSettle(p.buckets, p.q, p.confidence, limit * 1000);
  const label = metricLabel(p.metric);
  if (total === undefined)
    return {
      text: `the share of requests at or under the limit is too close to what a ${label} at the limit gives for more requests alone to settle it`,
    };
  if (!Number.isFinite(total))
    return {
      text: `settling it would take more than ${formatCount(SETTLE_CAP)} requests at the latencies measured so far`,
    };
  const more = Math.max(1, total - p.samples);
  return {
    text: `about ${formatCount(more)} more request${more === 1 ? '' : 's'} would settle it if latencies kept the distribution measured so far (an estimate)`,
    more,
  };
}

/**
 * Both values for a sentence comparing them, with more digits when the usual rounding would make
 * them look equal: "p95 200.06 ms is over the 200 ms budget", not "200 ms is over the 200 ms budget".
 */
export function distinctValues(metric: BudgetMetric, a: number, b: number): [string, string] {
  const shortA = formatMetricValue(metric, a);
  const shortB = formatMetricValue(metric, b);
  if (shortA !== shortB || a === b) return [shortA, shortB];
  const precise = (v: number) => {
    if (metric === 'error-rate') return `${Number((v * 100).toPrecision(6))}%`;
    if (metric === 'min-rps') return `${Number(v.toPrecision(6))} req/s`;
    return `${Number(v.toPrecision(6))} ms`;
  };
  return [precise(a), shortB];
}

export function describeMovement(
  metric: RegressionMetric,
  current: number,
  base: number,
  delta: number,
  change: number | undefined,
  kind: 'reference' | 'cloudwatch' | 'github',
): string {
  const label = metricLabel(metric);
  const against =
    kind === 'reference'
      ? `the baseline ${formatMetricValue(metric, base)}`
      : `the ${kind === 'github' ? 'history' : 'CloudWatch'} median ${formatMetricValue(metric, base)}`;
  if (change === undefined) {
    if (delta === 0)
      return `${label} held at ${formatMetricValue(metric, current)} against ${against}`;
    return `${label} rose from ${formatMetricValue(metric, base)} to ${formatMetricValue(metric, current)} (${formatMetricDelta(metric, delta)})`;
  }
  if (delta === 0)
    return `${label} held at ${formatMetricValue(metric, current)} against ${against}`;
  return `${label} ${delta > 0 ? 'rose' : 'fell'} ${formatPercent(change)} (${formatMetricDelta(metric, delta)}) against ${against}`;
}

export function formatTolerance(metric: RegressionMetric, tolerance: Tolerance): string {
  const relative = `${trimPercent(tolerance.maxIncrease)}`;
  const absolute =
    metric === 'error-rate'
      ? formatMetricDelta(metric, tolerance.minDelta).slice(1)
      : formatMetricValue(metric, tolerance.minDelta);
  return `${relative} / ${absolute}`;
}

export function trimPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

export function formatP(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return Number(p.toPrecision(2)).toString();
}

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
