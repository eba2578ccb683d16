import {
  BUDGET_METRICS,
  DEFAULT_CONFIDENCE,
  LATENCY_METRICS,
  QUANTILES,
  type BudgetMetric,
  type EndpointConfig,
  type RegressionMetric,
  type Tolerance,
} from '../config/types.js';
import type { Baseline } from '../baseline/types.js';
import { decodeHistogram } from '../measure/histogram.js';
import { generatorSaturated, SATURATED_WARNING } from '../measure/saturation.js';
import type { Measurement } from '../measure/types.js';
import {
  formatCount,
  formatPercent,
  formatMetricDelta,
  formatMetricValue,
  formatRatio,
  metricLabel,
} from '../report/format.js';
import {
  bootstrapMeanRatioCI,
  bootstrapRatioCI,
  bucketsOf,
  exceedanceTest,
  median,
  pairedRatioCI,
  predictionInterval,
  seedFrom,
  twoProportionTest,
  type Buckets,
} from './stats.js';
import {
  judgeAgainst,
  minimumSamples,
  quantileBounds,
  requestsToSettle,
  SETTLE_CAP,
  type QuantileBounds,
} from './quantile-bounds.js';
import {
  VERDICT_SEVERITY,
  type BaselineSummary,
  type Breach,
  type CloudWatchMetricSummary,
  type EndpointResult,
  type Finding,
  type PercentileInterval,
  type RunError,
  type Significance,
  type Summary,
  type Verdict,
} from './types.js';

/** How many of a CloudWatch baseline's latest periods the report keeps per metric, for trends. */
export const TREND_PERIODS = 336;

/**
 * Verdicts (docs/architecture.md §4, §5): budgets, regressions against a baseline, significance, sample
 * sufficiency and confirmation. Pure: measurements and baselines in, findings out.
 */

/** What evaluation reads from an endpoint's configuration (a report's config has exactly this). */
export type EndpointRules = Pick<
  EndpointConfig,
  'name' | 'method' | 'path' | 'line' | 'budget' | 'regression' | 'confidence'
>;

export interface EvaluateOptions {
  /** Two-sided confidence of bootstrap intervals and tests; one-sided for prediction bounds. Default 0.95. */
  confidence?: number;
  /** Bootstrap resamples. Default 2000. */
  iterations?: number;
  /** Base seed; each endpoint and metric derives its own from it and their names. Default 0. */
  seed?: number;
}

export interface EndpointEvaluationOptions extends EvaluateOptions {
  /** The re-measurement of a breaching endpoint (docs/architecture.md §5). */
  confirmation?: Measurement;
  /** The baseline to judge the confirmation against (a re-measured reference); default: `baseline`. */
  confirmationBaseline?: Baseline;
}

/**
 * Side-by-side round pairs (2 ABBA blocks) needed before their spread is part of a percentile's or
 * the mean's significance test. With fewer, a t-interval over 1 or 2 degrees of freedom is so wide
 * that hardly any regression could be significant, so the request-level bootstrap decides alone.
 */
export const MIN_ROUND_PAIRS = 4;

/** CloudWatch history needs this many periods before a prediction bound is part of the verdict (docs/architecture.md §5). */
export const MIN_PERIODS_FOR_BOUND = 5;

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

/**
 * The metrics an endpoint is judged on: its budget's and its regression rules', in a fixed order.
 * With no baseline set up at all, the regression rules have nothing to judge and only the
 * budget's metrics are findings (docs/architecture.md §5).
 */
export function evaluatedMetrics(endpoint: EndpointRules, baseline?: Baseline): BudgetMetric[] {
  const compares = endpoint.regression !== false && !unconfigured(baseline);
  return BUDGET_METRICS.filter(
    (metric) =>
      endpoint.budget[metric] !== undefined ||
      (compares &&
        endpoint.regression !== false &&
        metric !== 'min-rps' &&
        endpoint.regression[metric] !== undefined),
  );
}

/** No baseline is set up for the endpoint (not one set up without data). */
function unconfigured(baseline: Baseline | undefined): boolean {
  return baseline?.kind === 'none' && baseline.configured === false;
}

export function evaluateEndpoint(
  endpoint: EndpointRules,
  measurement: Measurement,
  baseline: Baseline,
  options: EndpointEvaluationOptions = {},
): EndpointResult {
  const findings = unreliableWhenSaturated(
    judge(endpoint, measurement, baseline, options),
    measurement,
  );
  const result: EndpointResult = {
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path,
    line: endpoint.line,
    measurement,
    baseline: summarizeBaseline(baseline, options.confidence ?? 0.95),
    findings,
    verdict: 'pass',
  };
  if (options.confirmation) {
    const againstBaseline = confirmationAgainst(baseline, options.confirmationBaseline);
    const second = unreliableWhenSaturated(
      judge(endpoint, options.confirmation, againstBaseline, options),
      options.confirmation,
    );
    result.findings = findings.map((first, i) => confirm(first, second[i]));
    result.confirmation = options.confirmation;
    if (
      options.confirmationBaseline?.kind === 'reference' &&
      result.baseline.kind === 'reference'
    ) {
      result.baseline.confirmation = options.confirmationBaseline.measurement;
    }
  }
  result.verdict = worstVerdict(result.findings.map((f) => f.verdict));
  return result;
}

/**
 * Whether an endpoint should be measured once more (docs/architecture.md §5): it breached something, so it must
 * repeat before failing; or it is a suspected regression, so the second measurement may settle it.
 */
export function needsConfirmation(result: EndpointResult): boolean {
  return (
    !result.confirmation &&
    result.findings.some((f) => f.breaches.length > 0 || suspectedRegression(f))
  );
}

/**
 * A rise past the tolerance and `min-delta` against a reference deployment that was not
 * significant (the significance test runs only for such a rise, and only percentiles and the mean
 * are judged by the bootstrap and the round pairs). Not dismissed outright: with few round pairs,
 * one stalled round on a busy runner can hide a real regression, and the confirmation judges it
 * again over the round pairs of both measurements.
 */
function suspectedRegression(finding: Finding): boolean {
  return (
    finding.significance?.test === 'bootstrap' &&
    (finding.delta ?? 0) > 0 &&
    !finding.breaches.includes('regression')
  );
}

/**
 * The baseline a confirmation is judged against: the re-measured reference (or the first one),
 * with the round pairs of both side-by-side measurements, so the round-to-round test of the
 * confirmation rests on twice as many pairs.
 */
function confirmationAgainst(first: Baseline, again: Baseline | undefined): Baseline {
  if (!again || again.kind !== 'reference' || first.kind !== 'reference') return again ?? first;
  const rounds = [...(first.rounds ?? []), ...(again.rounds ?? [])];
  return rounds.length > 0 ? { ...again, rounds } : again;
}

export interface EndpointEvaluationInput {
  endpoint: EndpointRules;
  measurement: Measurement;
  baseline: Baseline;
  confirmation?: Measurement;
  confirmationBaseline?: Baseline;
}

export interface RunEvaluationOptions extends EvaluateOptions {
  /** `baseline.required` in the budget file: an endpoint without a baseline is a run error. */
  baselineRequired?: boolean;
  cancelled?: boolean;
  /** Errors from measuring (endpoints that could not be measured, ...). */
  errors?: RunError[];
}

export interface RunEvaluation {
  endpoints: EndpointResult[];
  summary: Summary;
}

export function evaluateRun(
  inputs: readonly EndpointEvaluationInput[],
  options: RunEvaluationOptions = {},
): RunEvaluation {
  const errors = [...(options.errors ?? [])];
  const endpoints = inputs.map((input) => {
    if (options.baselineRequired && input.baseline.kind === 'none') {
      errors.push({
        endpoint: input.endpoint.name,
        message: `${input.endpoint.name}: the budget file requires a baseline, but there is none (${input.baseline.reason})`,
      });
    }
    return evaluateEndpoint(input.endpoint, input.measurement, input.baseline, {
      ...options,
      confirmation: input.confirmation,
      confirmationBaseline: input.confirmationBaseline,
    });
  });
  return { endpoints, summary: summarizeRun(endpoints, { cancelled: options.cancelled, errors }) };
}

/** Counts findings into the run summary; `passed` ignores `fail-on` (docs/architecture.md §2). */
export function summarizeRun(
  endpoints: readonly EndpointResult[],
  extra: { cancelled?: boolean; errors?: RunError[] } = {},
): Summary {
  const findings = endpoints.flatMap((e) => e.findings);
  const count = (test: (f: Finding) => boolean) => findings.filter(test).length;
  const summary: Summary = {
    endpoints: endpoints.length,
    violations: count((f) => f.breaches.includes('budget')),
    regressions: count((f) => f.breaches.includes('regression')),
    improvements: count((f) => f.verdict === 'improvement'),
    inconclusive: count((f) => f.verdict === 'inconclusive'),
    noBaseline: count((f) => f.verdict === 'no-baseline'),
    passed: false,
  };
  if (extra.cancelled) summary.cancelled = true;
  if (extra.errors && extra.errors.length > 0) summary.errors = extra.errors;
  summary.passed =
    summary.violations === 0 && summary.regressions === 0 && !summary.cancelled && !summary.errors;
  return summary;
}

export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return VERDICT_SEVERITY.find((v) => verdicts.includes(v)) ?? 'pass';
}

// ---------------------------------------------------------------------------------------------

/** Decoded histograms, once per measurement. */
class HistogramCache {
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

type BudgetCheck = {
  outcome: 'pass' | 'exceeded' | 'inconclusive';
  reason: string;
  /** For an inconclusive percentile: the estimated requests that would settle it. */
  moreRequests?: number;
};
type RegressionCheck = {
  outcome: 'pass' | 'regression' | 'improvement' | 'inconclusive' | 'no-baseline';
  reason: string;
  /** A percentile judged against a fixed threshold: its bounds. */
  interval?: PercentileInterval;
  baseline?: number;
  change?: number;
  delta?: number;
  significance?: Significance;
};

function judge(
  endpoint: EndpointRules,
  measurement: Measurement,
  baseline: Baseline,
  options: EvaluateOptions,
): Finding[] {
  const histograms = new HistogramCache();
  const confidence = verdictConfidence(endpoint.confidence ?? DEFAULT_CONFIDENCE, measurement);
  return evaluatedMetrics(endpoint, baseline).map((metric) => {
    const current = metricValue(measurement, metric);
    const finding: Finding = { metric, verdict: 'pass', breaches: [], current, reason: '' };
    const limit = endpoint.budget[metric];
    if (limit !== undefined) finding.budget = limit;
    const q = QUANTILES[metric];
    const required = q === undefined ? undefined : bootstrapMinimum(q);
    const shortOf = noSamples(metric, measurement);
    const percentile =
      q === undefined || shortOf
        ? undefined
        : percentileEvidence(metric, current, q, confidence, histograms.get(measurement));

    let budget: BudgetCheck | undefined;
    if (limit !== undefined) {
      budget = percentile
        ? checkPercentileBudget(percentile, limit)
        : checkBudget(metric, current, limit, shortOf);
      if (percentile) finding.interval = intervalOf(percentile, budget.moreRequests);
    }
    const tolerance =
      endpoint.regression === false || metric === 'min-rps' || unconfigured(baseline)
        ? undefined
        : endpoint.regression[metric];
    const regression =
      tolerance === undefined
        ? undefined
        : checkRegression(metric as RegressionMetric, tolerance, measurement, baseline, {
            ...options,
            // Sequential side by side (sequential-abba.ts): judged at the level of its last look.
            ...(measurement.adaptive?.regressionConfidence !== undefined
              ? { confidence: measurement.adaptive.regressionConfidence }
              : {}),
            shortOf,
            quantileConfidence: confidence,
            required,
            percentile,
            histograms,
            seed: seedFrom(`${endpoint.name}\u0000${metric}`, options.seed ?? 0),
          });

    if (regression) {
      if (regression.baseline !== undefined) finding.baseline = regression.baseline;
      if (regression.change !== undefined) finding.change = regression.change;
      if (regression.delta !== undefined) finding.delta = regression.delta;
      if (regression.significance) finding.significance = regression.significance;
      if (regression.interval && !finding.interval) finding.interval = regression.interval;
    }
    if (budget?.outcome === 'exceeded') finding.breaches.push('budget');
    if (regression?.outcome === 'regression') finding.breaches.push('regression');
    finding.verdict = worstVerdict([
      budget?.outcome === 'exceeded'
        ? 'budget-exceeded'
        : budget?.outcome === 'inconclusive'
          ? 'inconclusive'
          : 'pass',
      // A budget that holds is a verdict in itself: without a baseline the metric still passes
      // (the reason says there was nothing to compare with); `no-baseline` is for metrics
      // judged by a regression rule alone.
      regression?.outcome === 'no-baseline' && budget?.outcome === 'pass'
        ? 'pass'
        : (regression?.outcome ?? 'pass'),
    ]);
    finding.reason = joinReasons(finding.verdict, budget, regression);
    return finding;
  });
}

/**
 * The confidence a measurement's percentiles are judged at: an adaptive measurement's bounds are
 * those of the look it stopped at (evaluate/sequential.ts), stricter than the endpoint's own, so
 * the verdict is the one that stopped it. A recorded confidence below the endpoint's is not taken.
 */
export function verdictConfidence(confidence: number, measurement: Measurement): number {
  const recorded = measurement.adaptive?.confidence;
  if (recorded === undefined || !(recorded < 1)) return confidence;
  return Math.max(confidence, recorded);
}

/** Why this metric of this measurement cannot be judged at all, if it cannot. */
function noSamples(metric: BudgetMetric, measurement: Measurement): string | undefined {
  if (metric === 'min-rps') return undefined;
  if (measurement.requests === 0)
    return `no requests were measured, so there is no ${metricLabel(metric)}`;
  return undefined;
}

/** Why a side-by-side bootstrap of this percentile cannot be trusted on a measurement, if it cannot. */
function tooFewForBootstrap(
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
interface PercentileEvidence extends QuantileBounds {
  metric: BudgetMetric;
  q: number;
  /** The measured percentile, ms (the bounds are in ms too). */
  current: number;
  buckets: Buckets;
}

function percentileEvidence(
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

function intervalOf(p: PercentileEvidence, moreRequests?: number): PercentileInterval {
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

/** "95%", "99.9%". */
function confidenceLabel(confidence: number): string {
  return `${Number((confidence * 100).toFixed(3))}%`;
}

/** Where the bounds put the percentile, for a sentence: "between 150 ms and 260 ms", "at least 501 ms". */
function describeBounds(p: PercentileEvidence): string {
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
function settleClause(p: PercentileEvidence, limit: number): { text: string; more?: number } {
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
 * A percentile against its budget (SPEC §4): over it when the lower confidence bound is above the
 * limit, within it when the upper bound is at or under it, inconclusive otherwise.
 */
function checkPercentileBudget(p: PercentileEvidence, limit: number): BudgetCheck {
  const label = metricLabel(p.metric);
  const percent = confidenceLabel(p.confidence);
  const measured = `measured ${formatMetricValue(p.metric, p.current)} over ${formatCount(p.samples)} request${p.samples === 1 ? '' : 's'}`;
  const verdict = judgeAgainst(p, limit);
  if (verdict === 'above') {
    const [low, budget] = distinctValues(p.metric, p.low!, limit);
    return {
      outcome: 'exceeded',
      reason: `${label} ≥ ${low} with ${percent} confidence, over the ${budget} budget (${measured})`,
    };
  }
  if (verdict === 'at-or-below') {
    const [high, budget] = distinctValues(p.metric, p.high!, limit);
    return {
      outcome: 'pass',
      reason: `${label} ≤ ${high} with ${percent} confidence, within the ${budget} budget (${measured})`,
    };
  }
  const settle = settleClause(p, limit);
  return {
    outcome: 'inconclusive',
    reason: `${label} may be over or under the ${formatMetricValue(p.metric, limit)} budget: with ${percent} confidence it is ${describeBounds(p)} (${measured}); ${settle.text}`,
    moreRequests: settle.more,
  };
}

function checkBudget(
  metric: BudgetMetric,
  current: number,
  limit: number,
  shortOf: string | undefined,
): BudgetCheck {
  if (shortOf) return { outcome: 'inconclusive', reason: shortOf };
  const label = metricLabel(metric);
  const [value, budget] = distinctValues(metric, current, limit);
  if (metric === 'min-rps') {
    return current < limit
      ? { outcome: 'exceeded', reason: `${label} ${value} is under the ${budget} minimum` }
      : { outcome: 'pass', reason: `${label} ${value} meets the ${budget} minimum` };
  }
  return current > limit
    ? { outcome: 'exceeded', reason: `${label} ${value} is over the ${budget} budget` }
    : { outcome: 'pass', reason: `${label} ${value} is within the ${budget} budget` };
}

/**
 * Both values for a sentence comparing them, with more digits when the usual rounding would make
 * them look equal: "p95 200.06 ms is over the 200 ms budget", not "200 ms is over the 200 ms budget".
 */
function distinctValues(metric: BudgetMetric, a: number, b: number): [string, string] {
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

interface RegressionContext extends EvaluateOptions {
  shortOf?: string;
  /** The endpoint's confidence of percentile bounds (SPEC §4). */
  quantileConfidence: number;
  required?: number;
  /** The measured percentile's confidence bounds, for comparisons with a fixed number. */
  percentile?: PercentileEvidence;
  histograms: HistogramCache;
  seed: number;
}

function checkRegression(
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
function cloudWatchPercentile(
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
function evidentRegression(
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

function describeMovement(
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

function formatTolerance(metric: RegressionMetric, tolerance: Tolerance): string {
  const relative = `${trimPercent(tolerance.maxIncrease)}`;
  const absolute =
    metric === 'error-rate'
      ? formatMetricDelta(metric, tolerance.minDelta).slice(1)
      : formatMetricValue(metric, tolerance.minDelta);
  return `${relative} / ${absolute}`;
}

function trimPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

interface Evidence {
  significant: boolean;
  significance: Significance;
  text: string;
}

function referenceSignificance(
  metric: RegressionMetric,
  candidate: Measurement,
  reference: Measurement,
  direction: 'regression' | 'improvement',
  context: RegressionContext,
  rounds: readonly { reference: Measurement; candidate: Measurement }[] = [],
): Evidence {
  const confidence = context.confidence ?? 0.95;
  const percent = `${Number((confidence * 100).toFixed(1))}%`;
  if (metric === 'error-rate') {
    const test = twoProportionTest(
      reference.errors,
      reference.requests,
      candidate.errors,
      candidate.requests,
    );
    const significant =
      test.pValue < 1 - confidence && (direction === 'regression' ? test.z > 0 : test.z < 0);
    return {
      significant,
      significance: { test: 'two-proportion', confidence, z: test.z, pValue: test.pValue },
      text: `${formatCount(candidate.errors)} of ${formatCount(candidate.requests)} against ${formatCount(reference.errors)} of ${formatCount(reference.requests)} requests failed (two-proportion test p = ${formatP(test.pValue)}, ${significant ? 'significant' : 'not significant'} at ${percent})`,
    };
  }
  const cand = context.histograms.get(candidate);
  const ref = context.histograms.get(reference);
  if (metric === 'max') {
    // One-sided at half the two-sided level, the same tail a bootstrap CI excluding 1 leaves.
    const alpha = (1 - confidence) / 2;
    const test = direction === 'regression' ? exceedanceTest(ref, cand) : exceedanceTest(cand, ref);
    const significant = test.pValue < alpha;
    const who =
      direction === 'regression'
        ? `${formatCount(test.above)} request${test.above === 1 ? ' was' : 's were'} slower than the slowest reference request`
        : `${formatCount(test.above)} reference request${test.above === 1 ? ' was' : 's were'} slower than the slowest request here`;
    return {
      significant,
      significance: { test: 'exceedance', confidence, above: test.above, pValue: test.pValue },
      text: `${who} (p = ${formatP(test.pValue)}, ${significant ? 'significant' : 'not significant'} at ${percent})`,
    };
  }
  const opts = { confidence, iterations: context.iterations, seed: context.seed };
  const ci =
    metric === 'mean'
      ? bootstrapMeanRatioCI(ref, cand, opts)
      : bootstrapRatioCI(ref, cand, QUANTILES[metric], opts);
  const excludesOne = (i: { low: number; high: number }) =>
    direction === 'regression' ? i.low > 1 : i.high < 1;
  const range = (i: { low: number; high: number }) =>
    `${formatRatio(i.low)}–${formatRatio(i.high)}`;
  const perRound = roundsInterval(metric, rounds, confidence);
  if (!perRound) {
    const significant = excludesOne(ci);
    return {
      significant,
      significance: { test: 'bootstrap', confidence, low: ci.low, high: ci.high },
      text: `${percent} CI of the ratio ${range(ci)} ${significant ? 'excludes' : 'includes'} 1`,
    };
  }
  // Significant only when both the requests and the rounds say so; the reported interval spans
  // both, so it excludes 1 exactly when the verdict counts the change as significant.
  const both = { low: Math.min(ci.low, perRound.low), high: Math.max(ci.high, perRound.high) };
  const significant = excludesOne(both);
  const pairs = `${perRound.pairs} ABBA round pairs`;
  let text: string;
  if (significant)
    text = `${percent} CI of the ratio ${range(both)} excludes 1 (over the requests and over ${pairs})`;
  else if (excludesOne(ci))
    text = `${percent} CI of the ratio over the requests ${range(ci)} excludes 1, over ${pairs} ${range(perRound)} does not: the change did not hold from round to round`;
  else
    text = `${percent} CI of the ratio ${range(both)} includes 1 (over the requests and over ${pairs})`;
  return {
    significant,
    significance: { test: 'bootstrap', confidence, low: both.low, high: both.high },
    text,
  };
}

/** The round-pair interval of a percentile or the mean, when there are enough pairs to judge by. */
function roundsInterval(
  metric: RegressionMetric,
  rounds: readonly { reference: Measurement; candidate: Measurement }[],
  confidence: number,
): { low: number; high: number; pairs: number } | undefined {
  const pairs = rounds
    .map((r) => ({
      reference: metricValue(r.reference, metric),
      candidate: metricValue(r.candidate, metric),
    }))
    .filter((p) => p.reference > 0 && p.candidate > 0);
  if (pairs.length < MIN_ROUND_PAIRS) return undefined;
  return pairedRatioCI(pairs, confidence);
}

function formatP(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return Number(p.toPrecision(2)).toString();
}

function joinReasons(
  verdict: Verdict,
  budget: BudgetCheck | undefined,
  regression: RegressionCheck | undefined,
): string {
  // The reason that decided the verdict comes first; the other follows when it says something.
  const parts: string[] = [];
  const budgetDecides =
    verdict === 'budget-exceeded' ||
    (verdict === 'inconclusive' && budget?.outcome === 'inconclusive');
  if (budgetDecides && budget) parts.push(budget.reason);
  if (regression && !(budgetDecides && regression.outcome === 'inconclusive'))
    parts.push(regression.reason);
  if (!budgetDecides && budget) parts.push(budget.reason);
  return parts.join('; ');
}

/** Applies a confirmation run to a finding (docs/architecture.md §5): a breach counts only if it repeats. */
function confirm(first: Finding, second: Finding): Finding {
  const confirmation = {
    current: second.current,
    ...(second.change !== undefined ? { change: second.change } : {}),
    ...(second.delta !== undefined ? { delta: second.delta } : {}),
    verdict: second.verdict,
    breaches: second.breaches,
    reason: second.reason,
  };
  const finding: Finding = { ...first, confirmation };
  const suspected = suspectedRegression(first);
  if (first.breaches.length === 0 && !suspected) return finding;
  const label = metricLabel(first.metric);
  const again = `${label} ${formatMetricValue(first.metric, second.current)}`;
  if (second.verdict === 'inconclusive') {
    if (first.breaches.length === 0) {
      return {
        ...finding,
        reason: `${first.reason}; measured again, the confirmation run was inconclusive (${lowerFirst(second.reason)})`,
      };
    }
    return {
      ...finding,
      verdict: 'inconclusive',
      breaches: [],
      reason: `${first.reason}; the confirmation run was inconclusive (${lowerFirst(second.reason)}), so it does not count`,
    };
  }
  // A suspected regression counts once the confirmation, judged over the round pairs of both
  // measurements, finds it significant.
  const confirmedSuspicion = suspected && second.breaches.includes('regression');
  const repeated: Breach[] = [
    ...first.breaches.filter((b) => second.breaches.includes(b)),
    ...(confirmedSuspicion ? (['regression'] as const) : []),
  ];
  if (repeated.length === 0) {
    return {
      ...finding,
      verdict: first.breaches.length === 0 ? first.verdict : 'pass',
      breaches: [],
      reason:
        first.breaches.length === 0
          ? `${first.reason}; measured again, it was not a regression on the confirmation run either (${again})`
          : `${first.reason}; it did not repeat on the confirmation run (${again})`,
    };
  }
  return {
    ...finding,
    verdict: breachVerdict(repeated),
    breaches: repeated,
    reason: confirmedSuspicion
      ? `${first.reason}; measured again, it was a significant regression on the confirmation run (${again})`
      : `${first.reason}; repeated on the confirmation run (${again})`,
  };
}

function breachVerdict(breaches: readonly Breach[]): Verdict {
  return breaches.includes('budget') ? 'budget-exceeded' : 'regression';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function summarizeBaseline(baseline: Baseline, confidence: number): BaselineSummary {
  if (baseline.kind === 'none') {
    return baseline.configured === false
      ? { kind: 'none', reason: baseline.reason, configured: false }
      : { kind: 'none', reason: baseline.reason };
  }
  if (baseline.kind === 'reference') {
    const summary: BaselineSummary = {
      kind: 'reference',
      source: baseline.source,
      measurement: baseline.measurement,
    };
    if (baseline.saved) summary.saved = true;
    if (baseline.rounds) summary.rounds = baseline.rounds.length;
    return summary;
  }
  const metrics: Extract<BaselineSummary, { kind: 'cloudwatch' }>['metrics'] = {};
  for (const [metric, values] of Object.entries(baseline.periods) as [
    RegressionMetric,
    number[] | undefined,
  ][]) {
    const finite = (values ?? []).filter((v) => Number.isFinite(v));
    if (finite.length === 0) continue;
    const entry: CloudWatchMetricSummary = {
      median: median(finite),
      periods: finite.length,
      // The latest periods, oldest first, for the trend charts (report/charts.ts, report/html.ts).
      values: finite.slice(-TREND_PERIODS),
    };
    if (finite.length >= 2) {
      const interval = predictionInterval(finite, confidence);
      entry.low = interval.low;
      entry.high = interval.high;
    }
    metrics[metric] = entry;
  }
  return {
    kind: 'cloudwatch',
    ...(baseline.store ? { store: baseline.store } : {}),
    source: baseline.source,
    partial: baseline.partial,
    metrics,
  };
}

/**
 * A latency budget breach measured by a saturated load generator (SPEC §4) is not failed on that
 * run: the latencies include the generator's own queueing. It is `inconclusive`, saying why, and
 * so not measured again either: the same connections would saturate the generator again.
 */
export function unreliableWhenSaturated(findings: Finding[], measurement: Measurement): Finding[] {
  // Decided again from the figures, not taken from the flag (a saved report is evidence).
  const generator = measurement.generator;
  if (!generator || !generatorSaturated({ ...generator, latencyP50Ms: measurement.latency.p50 }))
    return findings;
  return findings.map((finding) => {
    if (!isLatencyMetric(finding.metric) || !finding.breaches.includes('budget')) return finding;
    const breaches = finding.breaches.filter((b) => b !== 'budget');
    return {
      ...finding,
      breaches,
      verdict: breaches.length > 0 ? breachVerdict(breaches) : 'inconclusive',
      reason: `${finding.reason}; not failed: ${SATURATED_WARNING}`,
    };
  });
}

function isLatencyMetric(metric: BudgetMetric): boolean {
  return (LATENCY_METRICS as readonly string[]).includes(metric);
}
