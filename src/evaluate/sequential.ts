import { type Budget } from '../config/types.js';
import { QUANTILES, type BudgetMetric } from '../units/metrics.js';
import type { Buckets } from './stats.js';
import { judgeAgainst, quantileBounds } from './quantile-bounds.js';

/**
 * Stopping an adaptive measurement (SPEC §4, docs/noise.md "Adaptive measurement"): the data of
 * an endpoint is looked at after every slice, and the endpoint stops as soon as its budgets are
 * settled. Looking repeatedly would let a fixed-confidence bound fail more often than its
 * confidence says (one of twenty-five looks is bound to be wrong sooner or later), so the error
 * each bound may make is spent over the looks planned in advance (config/plan.ts adaptiveLooks),
 * Haybittle–Peto style with a Bonferroni account: every look before the last gets an equal share
 * of INTERIM_SHARE of the error, the last look (at the cap) the rest. By the union bound the
 * chance that any look judges a metric wrongly is at most the total error, 1 − confidence, the
 * same as the fixed design's one look; the last look is only a little stricter than a fixed
 * design's (96% rather than 95%), so an endpoint that runs to the cap loses little.
 */

/** Share of the error spent on the looks before the cap (the rest is for the look at the cap). */
export const INTERIM_SHARE = 0.2;

/**
 * The one-sided confidence of each bound at look `look` (1-based) of `looks`, for an overall
 * `confidence`: interim looks share INTERIM_SHARE of the error equally, the last one has the rest.
 */
export function lookConfidence(confidence: number, look: number, looks: number): number {
  if (!(Number.isInteger(looks) && looks >= 1 && Number.isInteger(look) && look >= 1))
    throw new Error(`looks must be whole numbers from 1, got look ${look} of ${looks}`);
  if (look > looks) throw new Error(`look ${look} is past the last of ${looks}`);
  const alpha = 1 - confidence;
  if (looks === 1) return confidence;
  if (look < looks) return 1 - (alpha * INTERIM_SHARE) / (looks - 1);
  return 1 - alpha * (1 - INTERIM_SHARE);
}

/** What an endpoint has recorded at a look. */
export interface LiveSample {
  /** The histogram latency budgets are judged on (microseconds), as buckets. */
  buckets: Buckets;
  /** Requests completed or failed. */
  requests: number;
  /** Of which errors. */
  errors: number;
}

export type MetricState = 'pass' | 'breach' | 'open';

/**
 * How a metric's budget stands at one look, at the look's confidence: `breach` when its lower
 * bound is over the limit, `pass` when its upper bound is at or under it, `open` otherwise.
 * `mean` and `min-rps` have no bound here and stay open (they need the cap); `max` can only be
 * settled as a breach (a response slower than the limit was seen).
 */
export function metricState(
  metric: BudgetMetric,
  limit: number,
  sample: LiveSample,
  confidence: number,
): MetricState {
  const q = QUANTILES[metric];
  if (q !== undefined) {
    if (sample.buckets.total === 0) return 'open';
    const verdict = judgeAgainst(quantileBounds(sample.buckets, q, confidence), limit * 1000);
    return verdict === 'above' ? 'breach' : verdict === 'at-or-below' ? 'pass' : 'open';
  }
  if (metric === 'error-rate')
    return errorRateState(sample.errors, sample.requests, limit, confidence);
  if (metric === 'max') {
    const lowest = sample.buckets.lowest;
    return lowest.length > 0 && lowest[lowest.length - 1] > limit * 1000 ? 'breach' : 'open';
  }
  return 'open';
}

export type Settled = 'pass' | 'breach';

/**
 * Whether an endpoint's budgets are settled at a look: `breach` as soon as one of them is (the
 * endpoint fails on it whatever the others say), `pass` when every one is settled within its
 * limit, undefined while any is open.
 */
export function settleBudgets(
  budget: Budget,
  sample: LiveSample,
  confidence: number,
): Settled | undefined {
  const metrics = Object.keys(budget) as BudgetMetric[];
  if (metrics.length === 0) return undefined;
  let open = false;
  for (const metric of metrics) {
    const state = metricState(metric, budget[metric]!, sample, confidence);
    if (state === 'breach') return 'breach';
    if (state === 'open') open = true;
  }
  return open ? undefined : 'pass';
}

/**
 * An error rate against its limit by the exact (Clopper–Pearson) one-sided binomial bounds:
 * the lower bound is over the limit when `errors` or more errors out of `requests` would be rarer
 * than 1 − confidence at an error rate equal to the limit; the upper bound is at or under the
 * limit when `errors` or fewer would be.
 */
export function errorRateState(
  errors: number,
  requests: number,
  limit: number,
  confidence: number,
): MetricState {
  if (requests === 0) return 'open';
  const alpha = 1 - confidence;
  if (limit <= 0) return errors > 0 ? 'breach' : 'open';
  if (limit >= 1) return 'pass';
  if (errors > 0 && 1 - binomialCdf(errors - 1, requests, limit) <= alpha) return 'breach';
  if (binomialCdf(errors, requests, limit) <= alpha) return 'pass';
  return 'open';
}

/** P(Bin(n, p) ≤ x), summed exactly in log space (no normal approximation). */
export function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  const logRatio = Math.log(p) - Math.log1p(-p);
  let logTerm = n * Math.log1p(-p);
  let logSum = logTerm;
  for (let k = 0; k < x; k++) {
    logTerm += Math.log(n - k) - Math.log(k + 1) + logRatio;
    logSum =
      logTerm > logSum
        ? logTerm + Math.log1p(Math.exp(logSum - logTerm))
        : logSum + Math.log1p(Math.exp(logTerm - logSum));
  }
  return Math.min(1, Math.exp(logSum));
}
