import type { Baseline } from '../baseline/types.js';
import type { Tolerance } from '../config/types.js';
import type { Measurement } from '../measure/types.js';
import { formatMetricValue, metricLabel } from '../units/format.js';
import { QUANTILES, type RegressionMetric } from '../units/metrics.js';
import { median, predictionInterval } from './stats.js';
import { judgeAgainst } from './quantile-bounds.js';
import {
  intervalOf,
  metricValue,
  percentileEvidence,
  tooFewForBootstrap,
  type PercentileEvidence,
} from './evidence.js';
import {
  confidenceLabel,
  describeBounds,
  describeMovement,
  distinctValues,
  formatTolerance,
  settleClause,
} from './sentences.js';
import { referenceSignificance, type RegressionContext } from './significance.js';
import type { PercentileInterval, Significance } from './types.js';

/**
 * A metric against its baseline (docs/architecture.md §5): a reference deployment measured side
 * by side, or a history (CloudWatch, or a data branch) of periods with a median and a prediction
 * bound.
 */

/** CloudWatch history needs this many periods before a prediction bound is part of the verdict (docs/architecture.md §5). */
export const MIN_PERIODS_FOR_BOUND = 5;
export type RegressionCheck = {
  outcome: 'pass' | 'regression' | 'improvement' | 'inconclusive' | 'no-baseline';
  reason: string;
  /** A percentile judged against a fixed threshold: its bounds. */
  interval?: PercentileInterval;
  baseline?: number;
  change?: number;
  delta?: number;
  significance?: Significance;
};

export function checkRegression(
  metric: RegressionMetric,
  tolerance: Tolerance,
  measurement: Measurement,
  baseline: Baseline,
  context: RegressionContext,
): RegressionCheck {
  if (baseline.kind === 'none')
    return { outcome: 'no-baseline', reason: `no baseline: ${baseline.reason}` };
  const label = metricLabel(metric);
  const current = metricValue(measurement, metric);
  const confidence = context.confidence ?? 0.95;

  let base: number;
  if (baseline.kind === 'reference') {
    base = metricValue(baseline.measurement, metric);
    const candidateShort = tooFewForBootstrap(metric, measurement, context.required);
    const referenceShort = tooFewForBootstrap(metric, baseline.measurement, context.required);
    const short = candidateShort ?? (referenceShort && `on the reference, ${referenceShort}`);
    if (short) {
      const evident = evidentRegression(
        metric,
        tolerance,
        measurement,
        baseline.measurement,
        context,
        short,
      );
      return evident ?? { outcome: 'inconclusive', reason: short, baseline: base };
    }
  } else {
    const periods = (baseline.periods[metric] ?? []).filter((v) => Number.isFinite(v));
    if (periods.length === 0) {
      return {
        outcome: 'no-baseline',
        reason: `no baseline: ${baseline.store === 'github' ? 'the history' : 'CloudWatch'} has no ${label} history for ${baseline.source}`,
      };
    }
    base = median(periods);
    if (context.shortOf)
      return { outcome: 'inconclusive', reason: context.shortOf, baseline: base };
    if (context.percentile)
      return cloudWatchPercentile(
        context.percentile,
        tolerance,
        base,
        periods,
        confidence,
        baseline.store ?? 'cloudwatch',
      );
  }

  const delta = current - base;
  const change = base > 0 ? delta / base : undefined;
  const shape: Pick<RegressionCheck, 'baseline' | 'change' | 'delta'> = { baseline: base, delta };
  if (change !== undefined) shape.change = change;

  const movement = describeMovement(
    metric,
    current,
    base,
    delta,
    change,
    baseline.kind === 'cloudwatch' && baseline.store === 'github' ? 'github' : baseline.kind,
  );
  const rose =
    delta > tolerance.minDelta &&
    (change === undefined ? current > 0 : change > tolerance.maxIncrease);
  const fell =
    -delta > tolerance.minDelta && change !== undefined && -change > tolerance.maxIncrease;
  if (!rose && !fell) {
    return {
      outcome: 'pass',
      ...shape,
      reason: `${movement}, within the ${formatTolerance(metric, tolerance)} tolerance`,
    };
  }
  const direction = rose ? 'regression' : 'improvement';

  if (baseline.kind === 'reference') {
    const evidence = referenceSignificance(
      metric,
      measurement,
      baseline.measurement,
      direction,
      context,
      baseline.rounds,
    );
    return {
      outcome: evidence.significant ? direction : 'pass',
      ...shape,
      significance: evidence.significance,
      reason: `${movement}${evidence.significant ? '; ' : ', but '}${evidence.text}`,
    };
  }

  const periods = (baseline.periods[metric] ?? []).filter((v) => Number.isFinite(v));
  if (periods.length < MIN_PERIODS_FOR_BOUND) {
    return {
      outcome: direction,
      ...shape,
      reason: `${movement}; only ${periods.length} period${periods.length === 1 ? '' : 's'} of history, too few for a prediction bound`,
    };
  }
  const interval = predictionInterval(periods, confidence);
  const significance: Significance = {
    test: 'prediction-bound',
    confidence,
    periods: periods.length,
    low: interval.low,
    high: interval.high,
  };
  const percent = `${Math.round(confidence * 100)}%`;
  if (direction === 'regression') {
    const above = current > interval.high;
    const bound = formatMetricValue(metric, interval.high);
    return {
      outcome: above ? 'regression' : 'pass',
      ...shape,
      significance,
      reason: above
        ? `${movement}; above the ${percent} prediction bound ${bound}`
        : `${movement}, but within the ${percent} prediction bound ${bound} of the history`,
    };
  }
  const below = current < interval.low;
  const bound = formatMetricValue(metric, interval.low);
  return {
    outcome: below ? 'improvement' : 'pass',
    ...shape,
    significance,
    reason: below
      ? `${movement}; below the ${percent} lower prediction bound ${bound}`
      : `${movement}, but within the ${percent} lower prediction bound ${bound} of the history`,
  };
}

/**
 * A percentile against its CloudWatch history (SPEC §5), judged by its confidence bounds like a
 * budget (SPEC §4): the threshold is the highest of what the tolerance allows above the median
 * (relative and `min-delta`) and, with enough periods, the upper prediction bound. A regression
 * when the lower bound is above it, inconclusive when the interval straddles it; below it, an
 * improvement when the upper bound is under the mirror-image threshold.
 */
export function cloudWatchPercentile(
  p: PercentileEvidence,
  tolerance: Tolerance,
  base: number,
  periods: readonly number[],
  predictionConfidence: number,
  store: 'cloudwatch' | 'github' = 'cloudwatch',
): RegressionCheck {
  const metric = p.metric as RegressionMetric;
  const label = metricLabel(metric);
  const value = (v: number) => formatMetricValue(metric, v);
  const percent = confidenceLabel(p.confidence);
  const delta = p.current - base;
  const change = base > 0 ? delta / base : undefined;
  const shape: Pick<RegressionCheck, 'baseline' | 'change' | 'delta'> = { baseline: base, delta };
  if (change !== undefined) shape.change = change;
  const movement = describeMovement(metric, p.current, base, delta, change, store);
  const allowance = formatTolerance(metric, tolerance);

  // What the tolerance allows and, with enough history, the prediction bound: a regression must
  // pass both, an improvement fall below both.
  const tolerated =
    base > 0
      ? Math.max(base * (1 + tolerance.maxIncrease), base + tolerance.minDelta)
      : base + tolerance.minDelta;
  const toleratedDown =
    base > 0 ? Math.min(base * (1 - tolerance.maxIncrease), base - tolerance.minDelta) : 0;
  let up = tolerated;
  let down = toleratedDown;
  let upWhy = `the ${allowance} tolerance allows ${value(tolerated)}`;
  let downWhy = `the ${allowance} tolerance reaches down to ${value(toleratedDown)}`;
  let significance: Significance | undefined;
  if (periods.length >= MIN_PERIODS_FOR_BOUND) {
    const interval = predictionInterval(periods, predictionConfidence);
    const predPercent = `${Math.round(predictionConfidence * 100)}%`;
    significance = {
      test: 'prediction-bound',
      confidence: predictionConfidence,
      periods: periods.length,
      low: interval.low,
      high: interval.high,
    };
    up = Math.max(up, interval.high);
    down = Math.min(down, interval.low);
    upWhy += `, the ${predPercent} prediction bound is ${value(interval.high)}`;
    downWhy += `, the ${predPercent} lower prediction bound is ${value(interval.low)}`;
  } else {
    upWhy += `; only ${periods.length} period${periods.length === 1 ? '' : 's'} of history, too few for a prediction bound`;
  }
  // "p95 ≥ 130 ms with 95% confidence, above 110 ms (why)", with more digits when the bound
  // and the threshold would print alike.
  const sentence = (
    sign: string,
    bound: number,
    relation: string,
    threshold: number,
    why: string,
  ) => {
    const [b, t] = distinctValues(metric, bound, threshold);
    return `${movement}; ${label} ${sign} ${b} with ${percent} confidence, ${relation} ${t} (${why})`;
  };
  const found = { ...shape, ...(significance ? { significance } : {}) };

  const verdict = judgeAgainst(p, up);
  if (verdict === 'above') {
    return {
      outcome: 'regression',
      ...found,
      interval: intervalOf(p),
      reason: sentence('≥', p.low!, 'above', up, upWhy),
    };
  }
  if (verdict === 'undecided') {
    const settle = settleClause(p, up);
    return {
      outcome: 'inconclusive',
      ...found,
      interval: intervalOf(p, settle.more),
      reason: `${movement}; with ${percent} confidence ${label} is ${describeBounds(p)}, so it may be above ${value(up)} (${upWhy}); ${settle.text}`,
    };
  }
  if (base > 0 && p.high! < down) {
    return {
      outcome: 'improvement',
      ...found,
      interval: intervalOf(p),
      reason: sentence('≤', p.high!, 'below', down, downWhy),
    };
  }
  return {
    outcome: 'pass',
    ...found,
    interval: intervalOf(p),
    reason: sentence('≤', p.high!, 'within', up, upWhy),
  };
}

/**
 * A percentile with too few requests for the side-by-side bootstrap can still be an evident
 * regression: when the candidate's lower order-statistic bound is past what the tolerance allows
 * above the reference's upper bound. Each bound is taken at 1 − (1 − c)/2, so both hold together
 * with at least the endpoint's confidence c (Bonferroni), and then so does the regression. A
 * candidate slowed tenfold, with a tenth of the requests, is found this way instead of passing as
 * inconclusive. Anything less clear stays inconclusive.
 */
export function evidentRegression(
  metric: RegressionMetric,
  tolerance: Tolerance,
  candidate: Measurement,
  reference: Measurement,
  context: RegressionContext,
  short: string,
): RegressionCheck | undefined {
  const q = QUANTILES[metric];
  if (q === undefined || candidate.requests === 0 || reference.requests === 0) return undefined;
  const eachSide = 1 - (1 - context.quantileConfidence) / 2;
  const current = metricValue(candidate, metric);
  const base = metricValue(reference, metric);
  const cand = percentileEvidence(metric, current, q, eachSide, context.histograms.get(candidate));
  const ref = percentileEvidence(metric, base, q, eachSide, context.histograms.get(reference));
  if (cand.low === undefined || ref.high === undefined) return undefined;
  const allowed = Math.max(ref.high * (1 + tolerance.maxIncrease), ref.high + tolerance.minDelta);
  if (!(cand.low > allowed)) return undefined;
  const label = metricLabel(metric);
  const value = (v: number) => formatMetricValue(metric, v);
  const delta = current - base;
  const change = base > 0 ? delta / base : undefined;
  const check: RegressionCheck = {
    outcome: 'regression',
    baseline: base,
    delta,
    interval: intervalOf(cand),
    reason: `${describeMovement(metric, current, base, delta, change, 'reference')}; ${short}, but the order statistics settle it: ${label} ≥ ${value(cand.low)} here and ≤ ${value(ref.high)} on the reference (each with ${confidenceLabel(eachSide)} confidence, ${confidenceLabel(context.quantileConfidence)} together), past the ${value(allowed)} the ${formatTolerance(metric, tolerance)} tolerance allows`,
  };
  if (change !== undefined) check.change = change;
  return check;
}
