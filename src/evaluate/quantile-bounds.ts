import type { Buckets } from './stats.js';

/**
 * Distribution-free confidence bounds for a quantile from the order statistics of a sample
 * (SPEC §4): how a percentile is judged against a fixed number (a budget, a CloudWatch threshold).
 *
 * For n independent latencies X_1..X_n with quantile ξ_q = inf{x : F(x) ≥ q} and order statistics
 * X_(1) ≤ … ≤ X_(n):
 *
 * - Lower bound X_(k): X_(k) ≤ ξ_q exactly when at least k of the samples are ≤ ξ_q, and that count
 *   is Binomial(n, F(ξ_q)) with F(ξ_q) ≥ q, so P(X_(k) ≤ ξ_q) ≥ P(Bin(n, q) ≥ k). k is the largest
 *   rank with P(Bin(n, q) ≤ k − 1) ≤ 1 − confidence; none exists when (1 − q)^n > 1 − confidence.
 * - Upper bound X_(j): X_(j) ≥ ξ_q exactly when fewer than j samples are < ξ_q, a count that is
 *   Binomial(n, F(ξ_q−)) with F(ξ_q−) ≤ q, so P(X_(j) ≥ ξ_q) ≥ P(Bin(n, q) ≤ j − 1). j is the
 *   smallest rank with P(Bin(n, q) ≤ j − 1) ≥ confidence; none exists (j > n) when
 *   1 − q^n < confidence.
 *
 * Each bound holds with at least the confidence for any distribution, continuous or not (ties
 * only make it more conservative). No normal approximation: the binomial probabilities are summed
 * exactly (see binomialRanks).
 *
 * The order statistics come from the HDR histogram (microseconds, 3 significant digits): a
 * bucket holds values within 0.1% of each other, so the lower bound takes the lowest value of its
 * bucket and the upper bound the highest, and the rounding can only widen the interval.
 */

/** Ranks (1-based) of the order statistics that bound quantile q of n samples; absent = no such bound. */
export interface BoundRanks {
  low?: number;
  high?: number;
}

/** A tolerance on the binomial probabilities, so 1 − 0.95 = 0.050000000000000044 does not move a rank. */
const EPSILON = 1e-9;

/** Relative weight below which binomial terms are dropped (their total is under 1e-17). */
const NEGLIGIBLE = 1e-20;

export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1))
    throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
}

function checkQuantile(q: number): void {
  if (!(q > 0 && q < 1)) throw new Error(`quantile must be between 0 and 1, got ${q}`);
}

/**
 * The ranks of the one-sided lower and upper confidence bounds of quantile q for n samples.
 *
 * Exact: the Binomial(n, q) probabilities are built from the mode outwards by the ratio of
 * neighbouring terms (no factorials, no overflow), down to terms 10^-20 of the largest, and summed
 * smallest first. Cost grows with √n (about 20 standard deviations of terms): a millisecond for
 * ten million samples.
 */
export function binomialRanks(n: number, q: number, confidence: number): BoundRanks {
  checkQuantile(q);
  checkConfidence(confidence);
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`n must be a whole number, got ${n}`);
  if (n === 0) return {};
  const alpha = 1 - confidence;
  const mode = Math.min(n, Math.floor((n + 1) * q));
  const odds = q / (1 - q);

  // below[i] is the weight of m = mode − i, above[i] of m = mode + 1 + i; the mode weighs 1.
  const below: number[] = [1];
  for (let m = mode; m > 0; m--) {
    const next = below[below.length - 1] * (m / (n - m + 1) / odds);
    if (next < NEGLIGIBLE) break;
    below.push(next);
  }
  const above: number[] = [];
  for (let m = mode, w = 1; m < n; m++) {
    w *= ((n - m) / (m + 1)) * odds;
    if (w < NEGLIGIBLE) break;
    above.push(w);
  }
  const first = mode - (below.length - 1);
  const weights = [...below.reverse(), ...above];
  // Smallest first, for precision: the lower side ascends to the mode, the upper side descends.
  let lowerSide = 0;
  for (const w of below) lowerSide += w;
  let upperSide = 0;
  for (let i = above.length - 1; i >= 0; i--) upperSide += above[i];
  const total = lowerSide + upperSide;

  // cdf[i] = P(Bin ≤ first + i); everything below `first` is negligible (or there is nothing).
  const ranks: BoundRanks = {};
  let cumulative = 0;
  let lastAtMostAlpha = first > 0 ? first - 1 : -1;
  let firstAtLeastConfidence: number | undefined;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i];
    const cdf = Math.min(1, cumulative / total);
    const m = first + i;
    if (cdf <= alpha * (1 + EPSILON)) lastAtMostAlpha = m;
    if (firstAtLeastConfidence === undefined && cdf >= confidence * (1 - EPSILON))
      firstAtLeastConfidence = m;
  }
  // Terms past the last kept one are negligible: the CDF there is 1.
  firstAtLeastConfidence ??= first + weights.length - 1 < n ? first + weights.length : n;
  if (lastAtMostAlpha >= 0) ranks.low = lastAtMostAlpha + 1;
  if (firstAtLeastConfidence + 1 <= n) ranks.high = firstAtLeastConfidence + 1;
  return ranks;
}

/**
 * The fewest samples for which each bound exists: the lower bound from (1 − q)^n ≤ 1 − confidence,
 * the upper from q^n ≤ 1 − confidence (p95 at 95%: 1 and 59; p99: 1 and 299; p50: 5 and 5).
 */
export function minimumSamples(q: number, confidence: number): { low: number; high: number } {
  checkQuantile(q);
  checkConfidence(confidence);
  const alpha = 1 - confidence;
  const fewest = (p: number) => Math.max(1, Math.ceil(Math.log(alpha) / Math.log(p) - EPSILON));
  return { low: fewest(1 - q), high: fewest(q) };
}

/** A quantile's confidence bounds from a recorded sample, in the sample's unit. */
export interface QuantileBounds {
  confidence: number;
  /** Samples the bounds rest on. */
  samples: number;
  /** The quantile is at least this (lowest value of the bucket of order statistic `lowRank`). */
  low?: number;
  lowRank?: number;
  /** The quantile is at most this (highest value of the bucket of order statistic `highRank`). */
  high?: number;
  highRank?: number;
}

/** What a recorded sample says about its quantile q, at the given one-sided confidence per bound. */
export function quantileBounds(buckets: Buckets, q: number, confidence: number): QuantileBounds {
  const ranks = binomialRanks(buckets.total, q, confidence);
  const bounds: QuantileBounds = { confidence, samples: buckets.total };
  if (ranks.low !== undefined) {
    bounds.lowRank = ranks.low;
    bounds.low = buckets.lowest[bucketAtRank(buckets, ranks.low)];
  }
  if (ranks.high !== undefined) {
    bounds.highRank = ranks.high;
    bounds.high = buckets.values[bucketAtRank(buckets, ranks.high)];
  }
  return bounds;
}

/** Index of the bucket holding the `rank`-th smallest sample (1-based). */
function bucketAtRank(buckets: Buckets, rank: number): number {
  let lo = 0;
  let hi = buckets.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets.cumulative[mid] >= rank) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export type BoundVerdict = 'above' | 'at-or-below' | 'undecided';

/**
 * How a quantile's bounds judge it against a limit: `above` when the lower bound is over it,
 * `at-or-below` when the upper bound is at or under it, `undecided` otherwise.
 */
export function judgeAgainst(bounds: QuantileBounds, limit: number): BoundVerdict {
  if (bounds.low !== undefined && bounds.low > limit) return 'above';
  if (bounds.high !== undefined && bounds.high <= limit) return 'at-or-below';
  return 'undecided';
}

/** Beyond this many requests the estimate only says "more than". */
export const SETTLE_CAP = 1_000_000_000;

/**
 * An estimate of the total requests after which the bounds would settle a quantile against a
 * limit, if the latencies kept the distribution measured so far: the fraction of samples at or
 * under the limit stays what it is, and the ranks of the bounds move with n. `undefined` when no
 * number of requests would (the measured quantile sits on the limit); `Infinity` past SETTLE_CAP.
 */
export function requestsToSettle(
  buckets: Buckets,
  q: number,
  confidence: number,
  limit: number,
): number | undefined {
  const n = buckets.total;
  if (n === 0) return undefined;
  // Samples that could be at or under the limit (for a breach, fewer than the lower rank must be),
  // and samples certainly at or under it (for a pass, at least the upper rank must be).
  let possiblyUnder = 0;
  let certainlyUnder = 0;
  let previous = 0;
  for (let i = 0; i < buckets.values.length; i++) {
    const count = buckets.cumulative[i] - previous;
    previous = buckets.cumulative[i];
    if (buckets.lowest[i] <= limit) possiblyUnder += count;
    if (buckets.values[i] <= limit) certainlyUnder += count;
  }
  const over = possiblyUnder / n < q;
  const under = certainlyUnder / n > q;
  if (!over && !under) return undefined;
  const settles = (size: number): boolean => {
    const ranks = binomialRanks(size, q, confidence);
    // Counts rounded against the verdict, so the estimate errs on the side of more requests.
    if (over) return ranks.low !== undefined && ranks.low > Math.ceil((possiblyUnder / n) * size);
    return ranks.high !== undefined && ranks.high <= Math.floor((certainlyUnder / n) * size);
  };
  let low = n;
  let high = Math.max(n + 1, 2 * n);
  while (!settles(high)) {
    if (high >= SETTLE_CAP) return Infinity;
    low = high;
    high = Math.min(SETTLE_CAP, high * 2);
  }
  // Smallest settling size in (low, high], by bisection (near enough monotone for an estimate).
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (settles(mid)) high = mid;
    else low = mid;
  }
  return high;
}
