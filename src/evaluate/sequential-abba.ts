import type { Baseline } from '../baseline/types.js';
import { abbaSideMs, type AbbaDesign } from '../config/abba-plan.js';
import { DEFAULT_CONFIDENCE, type Tolerance } from '../config/types.js';
import { QUANTILES, type RegressionMetric } from '../units/metrics.js';
import { decodeHistogram } from '../measure/histogram.js';
import type { AdaptiveRecord, Measurement } from '../measure/types.js';
import {
  evaluateEndpoint,
  metricValue,
  MIN_ROUND_PAIRS,
  type EndpointRules,
  type EvaluateOptions,
} from './evaluate.js';
import { errorRateState, lookConfidence, settleBudgets, type Settled } from './sequential.js';
import {
  bootstrapMeanRatioCI,
  bootstrapRatioCI,
  bucketsOf,
  normalCdf,
  normalQuantile,
  pairedRatioCI,
  seedFrom,
} from './stats.js';

/**
 * Side by side, sequentially (SPEC §5, docs/noise.md "Side by side, sequentially"): ABBA blocks
 * are measured one at a time and, from the design's first look on, the data so far is judged
 * after every block. It stops as soon as the regression verdict is settled:
 *
 * - breach: the evaluator itself (evaluateEndpoint, the very code that gives the report's
 *   verdict) finds a regression (past the tolerance and significant over the requests and over
 *   the round pairs) or a budget breach, at the look's level; with `confirm`, only once the breach
 *   has held at two consecutive looks (it must persist over at least one more block);
 * - pass (equivalence): for every regression metric the upper end of the ratio's interval (over
 *   the requests and over the round pairs, the wider of both) is under what the tolerance allows,
 *   and every budget is settled within its limit;
 * - the cap: the last look; its verdict is the evaluator's at the last look's level.
 *
 * Levels, group-sequential: the one-sided error of each kind is spent over the looks by a
 * Lan–DeMets spending function of the information fraction t = blocks / cap blocks; each look
 * is judged at the increment spent on it, so by the union bound the chance of any wrong stop of
 * a kind over all looks is at most that kind's total, whatever the correlation between looks.
 *
 * - A wrong breach (a regression flagged in an A/A comparison) spends the fixed design's
 *   one-sided (1 − confidence)/2, by Pocock (about evenly over the looks).
 * - A wrong pass (a regression exactly at the tolerance passed early) spends PASS_ERROR, also by
 *   Pocock. A pass only ends the measurement early: at the cap the verdict is the evaluator's, as
 *   in the fixed design, which lets a change exactly at the tolerance through most of the time
 *   (its point estimate must be past the tolerance and significant). PASS_ERROR is the smallest
 *   total probed that settles the median A/A comparison at a 5% tolerance on the noisy runner
 *   within 40% of the fixed design's load with a look to spare; the sequential design still
 *   flags more of the changes exactly at the tolerance than the fixed one (docs/noise.md has
 *   the probes and the table).
 *
 * Chosen by the simulation in bench/sequential-simulation.ts (docs/noise.md): O'Brien–Fleming for
 * breaches lost power on the noisy runner (+10% at a 5% tolerance caught in 90% of trials against
 * 95% with Pocock); a pass error of 2.5% left the median A/A comparison at a 5% tolerance on the
 * noisy runner at the cap.
 */

export type Spending = (t: number, alpha: number) => number;

/** Lan–DeMets O'Brien–Fleming-type spending: 2 − 2Φ(z_{1−α/2} / √t), one-sided α. */
export const obrienFleming: Spending = (t, alpha) =>
  t <= 0 ? 0 : t >= 1 ? alpha : 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(t));

/** Lan–DeMets Pocock-type spending: α · ln(1 + (e − 1) t). */
export const pocock: Spending = (t, alpha) =>
  t <= 0 ? 0 : t >= 1 ? alpha : alpha * Math.log(1 + (Math.E - 1) * t);

/** Every look at the full α: what a naive gate would do (for the simulation's comparison only). */
export const naive: Spending = (t, alpha) => (t <= 0 ? 0 : alpha);

/**
 * Total one-sided error of a wrong pass over all looks: the chance that a regression exactly at
 * the tolerance is settled as a pass before the cap (see above for why 0.3).
 */
export const PASS_ERROR = 0.3;

export interface SpendingRules {
  breach: Spending;
  pass: Spending;
  /** Total one-sided error the pass side spends. */
  passError: number;
  /** `naive` spends the full error at every look instead of an increment (comparison only). */
  incremental?: boolean;
}

export const SPENDING: SpendingRules = { breach: pocock, pass: pocock, passError: PASS_ERROR };

export interface LookLevels {
  /** Two-sided confidence the evaluator judges regressions at (a regression is one-sided). */
  regression: number;
  /** One-sided confidence of the equivalence (no-regression) upper bounds. */
  pass: number;
  /** One-sided confidence of the budget bounds (evaluate/sequential.ts lookConfidence). */
  budget: number;
}

/**
 * The levels of look `look` (1-based) of the design, for the evaluator's two-sided `confidence`
 * (default 0.95: 2.5% one-sided for a wrong breach) and the endpoint's budget confidence.
 */
export function abbaLookLevels(
  design: Pick<AbbaDesign, 'looks' | 'capBlocks'>,
  look: number,
  confidence = 0.95,
  budgetConfidence = DEFAULT_CONFIDENCE,
  spending: SpendingRules = SPENDING,
): LookLevels {
  const alpha = (1 - confidence) / 2;
  const t = design.looks[look - 1] / design.capBlocks;
  const before = look === 1 ? 0 : design.looks[look - 2] / design.capBlocks;
  const spent = (f: Spending, total: number) =>
    spending.incremental === false ? f(t, total) : f(t, total) - f(before, total);
  return {
    regression: 1 - 2 * spent(spending.breach, alpha),
    pass: 1 - spent(spending.pass, spending.passError),
    budget: lookConfidence(budgetConfidence, look, design.looks.length),
  };
}

export type LookState = Settled | undefined;

export interface AbbaLookInput {
  endpoint: EndpointRules;
  /** The candidate's rounds so far, merged. */
  candidate: Measurement;
  /** The reference's rounds so far, merged, with the round pairs. */
  baseline: Baseline & { kind: 'reference' };
  levels: LookLevels;
  options?: EvaluateOptions;
}

/**
 * The record the candidate measurement carries at a look: the levels its verdict is judged at
 * (evaluate reads `confidence` for budget bounds and `regressionConfidence` for regressions).
 */
export function lookRecord(
  design: AbbaDesign,
  look: number,
  blocks: number,
  levels: LookLevels,
  stop: AdaptiveRecord['stop'],
  minDurationMs: number,
): AdaptiveRecord {
  return {
    looks: design.looks.length,
    look,
    stop,
    capMs: abbaSideMs(design),
    minDurationMs,
    confidence: levels.budget,
    regressionConfidence: levels.regression,
    blocks,
  };
}

/** Whether the data of one look settles the endpoint: `breach`, `pass`, or undefined (open). */
export function judgeAbbaLook(input: AbbaLookInput): LookState {
  const { endpoint, baseline, levels } = input;
  const options = input.options ?? {};
  const candidate: Measurement = {
    ...input.candidate,
    adaptive: {
      ...(input.candidate.adaptive ?? {
        looks: 1,
        look: 1,
        stop: 'cap',
        capMs: input.candidate.durationMs,
        minDurationMs: 0,
      }),
      confidence: levels.budget,
      regressionConfidence: levels.regression,
    },
  };
  const result = evaluateEndpoint(endpoint, candidate, baseline, options);
  if (result.findings.some((f) => f.breaches.length > 0)) return 'breach';

  const buckets = bucketsOf(decodeHistogram(candidate.histogram));
  if (Object.keys(endpoint.budget).length > 0) {
    const budgets = settleBudgets(
      endpoint.budget,
      { buckets, requests: candidate.requests, errors: candidate.errors },
      levels.budget,
    );
    if (budgets !== 'pass') return undefined;
  }
  if (endpoint.regression === false) return 'pass';
  const refBuckets = bucketsOf(decodeHistogram(baseline.measurement.histogram));
  for (const [metric, tolerance] of Object.entries(endpoint.regression) as [
    RegressionMetric,
    Tolerance,
  ][]) {
    const equivalent = equivalentMetric(metric, tolerance, {
      candidate,
      reference: baseline.measurement,
      rounds: baseline.rounds ?? [],
      confidence: levels.pass,
      buckets: { candidate: buckets, reference: refBuckets },
      seed: seedFrom(`${endpoint.name}\u0000${metric}\u0000equivalence`, options.seed ?? 0),
      iterations: options.iterations,
    });
    if (!equivalent) return undefined;
  }
  return 'pass';
}

interface EquivalenceData {
  candidate: Measurement;
  reference: Measurement;
  rounds: readonly { reference: Measurement; candidate: Measurement }[];
  /** One-sided confidence of the upper bound. */
  confidence: number;
  buckets: { candidate: ReturnType<typeof bucketsOf>; reference: ReturnType<typeof bucketsOf> };
  seed: number;
  iterations?: number;
}

/**
 * Whether a metric is settled as no regression: its upper bound is at most what the tolerance
 * allows (a change is flagged only past both the relative tolerance and `min-delta`, so the
 * larger of the two thresholds). Percentiles and the mean: the ratio's upper bound over the
 * requests (bootstrap) and over the round pairs (t-interval), the larger of both. Error rate:
 * the exact binomial upper bound of the candidate's rate against the reference's rate plus what
 * the tolerance allows. `max` has no such bound and stays open to the cap.
 */
function equivalentMetric(
  metric: RegressionMetric,
  tolerance: Tolerance,
  data: EquivalenceData,
): boolean {
  const { candidate, reference } = data;
  if (metric === 'error-rate') {
    if (reference.requests === 0) return false;
    const base = reference.errorRate;
    const allowed = Math.max(base * (1 + tolerance.maxIncrease), base + tolerance.minDelta);
    return (
      errorRateState(candidate.errors, candidate.requests, allowed, data.confidence) === 'pass'
    );
  }
  const q = QUANTILES[metric];
  if (q === undefined && metric !== 'mean') return false;
  if (data.buckets.candidate.total === 0 || data.buckets.reference.total === 0) return false;
  const base = metricValue(reference, metric);
  if (!(base > 0)) return false;
  const allowedRatio = Math.max(1 + tolerance.maxIncrease, 1 + tolerance.minDelta / base);
  const pairs = data.rounds
    .map((r) => ({
      reference: metricValue(r.reference, metric),
      candidate: metricValue(r.candidate, metric),
    }))
    .filter((p) => p.reference > 0 && p.candidate > 0);
  if (pairs.length < MIN_ROUND_PAIRS) return false;
  const twoSided = 1 - 2 * (1 - data.confidence);
  const perRound = pairedRatioCI(pairs, twoSided);
  if (!(perRound.high < allowedRatio)) return false;
  const opts = { confidence: twoSided, seed: data.seed, iterations: data.iterations };
  const overRequests =
    q === undefined
      ? bootstrapMeanRatioCI(data.buckets.reference, data.buckets.candidate, opts)
      : bootstrapRatioCI(data.buckets.reference, data.buckets.candidate, q, opts);
  return overRequests.high < allowedRatio;
}

export type AbbaStop = AdaptiveRecord['stop'];

/**
 * The stopping rule over the states of the looks so far (index = look − 1): stop on a pass; on a
 * breach at once, or with `confirm` once it has held at two consecutive looks; at the cap in any
 * case. The cap is the written duration, confirmation included: a breach first seen at the cap's
 * own look has no block left to repeat in (unconfirmedAtCap). Undefined: measure another block.
 */
export function abbaStop(
  states: readonly LookState[],
  looks: number,
  confirm: boolean,
): AbbaStop | undefined {
  const n = states.length;
  const last = states[n - 1];
  const before = states[n - 2];
  if (last === 'pass') return 'settled: pass';
  if (last === 'breach' && (!confirm || before === 'breach')) return 'settled: breach';
  if (n < looks) return undefined;
  return 'cap';
}

/**
 * Whether a run that stopped at the cap ends on a breach `confirm` never saw repeated: seen at
 * the last look and not at the one before. Such a breach does not count (the record's
 * `unconfirmed`; evaluate/confirmation.ts unconfirmedFinding), as a breach that does not repeat on
 * a fixed design's second measurement does not.
 */
export function unconfirmedAtCap(
  states: readonly LookState[],
  looks: number,
  confirm: boolean,
): boolean {
  return (
    confirm && states.length >= looks && states.at(-1) === 'breach' && states.at(-2) !== 'breach'
  );
}
