import type { Baseline } from '../baseline/types.js';
import type { RegressionRules } from '../config/types.js';
import { MIN_PERIODS_FOR_BOUND } from './evaluate.js';
import { metricState, type LiveSample, type Settled } from './sequential.js';
import type { RegressionMetric } from '../units/metrics.js';
import { median, predictionInterval } from './stats.js';

/**
 * Adaptive measurement against a history baseline (CloudWatch or the data branch; SPEC §5):
 * the same early stop as for budgets (evaluate/sequential.ts), with each regression metric's
 * threshold in place of a limit. The threshold is the one the verdict uses
 * (evaluate.ts cloudWatchPercentile): the highest of what the tolerance allows above the
 * history's median (relative and `min-delta`) and, with at least MIN_PERIODS_FOR_BOUND periods,
 * the upper prediction bound of the periods. The history is read before the load and does not
 * change with the looks, so only the measurement's own bounds are looked at repeatedly, and those
 * are taken at the look's spent confidence, as for budgets.
 *
 * Percentiles: breach when the lower bound is above the threshold, settled when the upper bound
 * is at or below it. Error rate: the exact binomial bounds against the threshold. Other metrics
 * (mean, max) have no bound here and keep the endpoint measuring to the cap; a metric without
 * history is not judged (no-baseline) and does not hold it up.
 */
export function settleAgainstHistory(
  regression: RegressionRules | false,
  baseline: Baseline,
  sample: LiveSample,
  confidence: number,
  predictionConfidence = 0.95,
): Settled | undefined {
  if (regression === false || baseline.kind !== 'cloudwatch') return 'pass';
  let open = false;
  for (const [metric, tolerance] of Object.entries(regression) as [
    RegressionMetric,
    NonNullable<RegressionRules[RegressionMetric]>,
  ][]) {
    const periods = (baseline.periods[metric] ?? []).filter((v) => Number.isFinite(v));
    if (periods.length === 0) continue;
    const base = median(periods);
    let threshold =
      base > 0
        ? Math.max(base * (1 + tolerance.maxIncrease), base + tolerance.minDelta)
        : base + tolerance.minDelta;
    if (periods.length >= MIN_PERIODS_FOR_BOUND)
      threshold = Math.max(threshold, predictionInterval(periods, predictionConfidence).high);
    const state = metricState(metric, threshold, sample, confidence);
    if (state === 'breach') return 'breach';
    if (state === 'open') open = true;
  }
  return open ? undefined : 'pass';
}
