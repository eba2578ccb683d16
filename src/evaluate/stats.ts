import * as hdr from 'hdr-histogram-js';
import type { Histogram } from '../measure/histogram.js';

/**
 * The statistics behind regression verdicts (docs/architecture.md §5). Pure and seeded: the same inputs and
 * seed always give the same interval, so a saved report can be re-evaluated to the same verdict.
 */

/** A uniform generator on [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for resampling; 32-bit state so seeds are plain integers. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, so each endpoint and metric gets its own stream independent of order. */
export function seedFrom(text: string, base = 0): number {
  let hash = (0x811c9dc5 ^ base) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Quantile of an ascending array with linear interpolation between order statistics (R type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty list');
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

// ---------------------------------------------------------------------------------------------
// Distributions

/** Standard normal draw (Box–Muller; the second value is dropped to keep the stream simple). */
function normal(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia & Tsang 2000): constant cost whatever the shape. */
function gamma(shape: number, random: Random): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) for a, b ≥ 1. */
function beta(a: number, b: number, random: Random): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

/** Standard normal CDF, via erfc (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normal quantile needs 0 < p < 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Student's t quantile. Exact for 1 and 2 degrees of freedom; from 3 on, Hill's (1970)
 * Cornish–Fisher expansion around the normal quantile, within 0.5% of the tables at 3 degrees
 * of freedom and closer from there (prediction bounds only use it from 4 on).
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`t quantile needs 0 < p < 1, got ${p}`);
  if (!(df >= 1)) throw new Error(`t quantile needs at least 1 degree of freedom, got ${df}`);
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

// ---------------------------------------------------------------------------------------------
// Histograms as weighted samples

/**
 * A histogram's recorded buckets: the value each bucket reports (its highest equivalent value,
 * the same one `getValueAtPercentile` returns) and the running count up to and including it.
 */
export interface Buckets {
  values: Float64Array;
  /** The lowest value each bucket holds (HDR's lowest equivalent value). */
  lowest: Float64Array;
  cumulative: Float64Array;
  total: number;
}

export function bucketsOf(histogram: Histogram): Buckets {
  if (!(histogram instanceof hdr.JsHistogram)) {
    throw new Error(
      'bootstrap needs a JavaScript HDR histogram (createHistogram / decodeHistogram make one)',
    );
  }
  const values: number[] = [];
  const lowest: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < histogram.countsArrayLength; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count > 0) {
      total += count;
      const value = histogram.valueFromIndex(i);
      values.push(histogram.highestEquivalentValue(value));
      lowest.push(histogram.lowestEquivalentValue(value));
      cumulative.push(total);
    }
  }
  return {
    values: Float64Array.from(values),
    lowest: Float64Array.from(lowest),
    cumulative: Float64Array.from(cumulative),
    total,
  };
}

/** The value of the `rank`-th smallest sample (1-based). */
export function valueAtRank(buckets: Buckets, rank: number): number {
  let lo = 0;
  let hi = buckets.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets.cumulative[mid] >= rank) hi = mid;
    else lo = mid + 1;
  }
  return buckets.values[lo];
}

/** The rank HDR's getValueAtPercentile uses for quantile q of n samples. */
export function rankOf(q: number, n: number): number {
  const exact = q * n;
  // Like HDR: step back one ulp first, so 0.95 × 200 = 190.00000000000003 is rank 190, not 191.
  const ulp = exact > 0 ? 2 ** (Math.floor(Math.log2(exact)) - 52) : 0;
  return Math.min(n, Math.max(1, Math.ceil(exact - ulp)));
}

/** Sample mean and standard deviation of bucketed samples. */
function moments(buckets: Buckets): { mean: number; sd: number } {
  let sum = 0;
  let previous = 0;
  for (let i = 0; i < buckets.values.length; i++) {
    sum += buckets.values[i] * (buckets.cumulative[i] - previous);
    previous = buckets.cumulative[i];
  }
  const mean = sum / buckets.total;
  let squares = 0;
  previous = 0;
  for (let i = 0; i < buckets.values.length; i++) {
    squares += (buckets.values[i] - mean) ** 2 * (buckets.cumulative[i] - previous);
    previous = buckets.cumulative[i];
  }
  return { mean, sd: buckets.total > 1 ? Math.sqrt(squares / (buckets.total - 1)) : 0 };
}

// ---------------------------------------------------------------------------------------------
// Bootstrap confidence intervals of a ratio

export interface BootstrapOptions {
  /** Resamples; default 2000. */
  iterations?: number;
  /** Two-sided confidence of the interval; default 0.95. */
  confidence?: number;
  seed?: number;
}

export interface RatioInterval {
  /** candidate / reference of the statistic on the observed samples. */
  ratio: number;
  low: number;
  high: number;
}

/**
 * Percentile-bootstrap CI of candidate_q / reference_q for two independent samples held as
 * histograms.
 *
 * Shortcut, exact rather than approximate: a bootstrap resample of n values from the empirical
 * distribution is x_(⌈n·U_i⌉) for n uniforms U_i, and the map is monotone, so its k-th order
 * statistic is x_(⌈n·U_(k)⌉), where U_(k) — the k-th smallest of n uniforms — is Beta(k, n−k+1).
 * So the resampled quantile (rank k = ⌈q·n⌉, as HDR computes it) is drawn with one Beta variate
 * and one binary search over the recorded buckets, whatever n is: 2000 iterations cost the same
 * for 200 samples as for 10^7, with the very distribution that resampling every request would give.
 */
export function bootstrapRatioCI(
  reference: Histogram | Buckets,
  candidate: Histogram | Buckets,
  q: number,
  opts: BootstrapOptions = {},
): RatioInterval {
  if (!(q > 0 && q <= 1)) throw new Error(`quantile must be in (0, 1], got ${q}`);
  const ref = asBuckets(reference);
  const cand = asBuckets(candidate);
  const observed =
    valueAtRank(cand, rankOf(q, cand.total)) / valueAtRank(ref, rankOf(q, ref.total));
  return ratioInterval(
    observed,
    (random) => resampledQuantile(cand, q, random) / resampledQuantile(ref, q, random),
    opts,
  );
}

/** The q-quantile of one bootstrap resample of the buckets' samples (see bootstrapRatioCI). */
export function resampledQuantile(buckets: Buckets, q: number, random: Random): number {
  const n = buckets.total;
  const k = rankOf(q, n);
  const u = beta(k, n - k + 1, random);
  return valueAtRank(buckets, Math.min(n, Math.max(1, Math.ceil(n * u))));
}

/**
 * Bootstrap CI of the ratio of means. Below 200 samples a side it resamples every value; above,
 * it draws each resampled mean from the normal distribution the central limit theorem gives it
 * (mean, s²/n), which at that size matches full resampling to well within the interval's own noise
 * and keeps the cost independent of n.
 */
export function bootstrapMeanRatioCI(
  reference: Histogram | Buckets,
  candidate: Histogram | Buckets,
  opts: BootstrapOptions = {},
): RatioInterval {
  const ref = asBuckets(reference);
  const cand = asBuckets(candidate);
  const resampledMean = (buckets: Buckets): ((random: Random) => number) => {
    const n = buckets.total;
    const { mean, sd } = moments(buckets);
    // A resampled mean lies between the smallest and largest value; the normal draw is clamped
    // there, so a heavy tail can never produce a negative or zero mean.
    const min = buckets.values[0];
    const max = buckets.values[buckets.values.length - 1];
    if (n >= 200) {
      return (random) => Math.min(max, Math.max(min, mean + (sd / Math.sqrt(n)) * normal(random)));
    }
    return (random) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += valueAtRank(buckets, 1 + Math.floor(random() * n));
      return sum / n;
    };
  };
  const candMean = resampledMean(cand);
  const refMean = resampledMean(ref);
  const observed = moments(cand).mean / moments(ref).mean;
  return ratioInterval(observed, (random) => candMean(random) / refMean(random), opts);
}

/**
 * CI of candidate / reference from side-by-side round pairs: each ABBA pair gives one ratio of
 * the statistic, and the interval is the t-interval (k − 1 degrees of freedom) of the mean log
 * ratio, exponentiated.
 *
 * Why, next to the request-level bootstrap: the bootstrap treats every request as independent,
 * but on a shared runner requests are not. A stall of the machine (another job, a GC pause, CPU
 * steal) slows every request in flight for a few hundred milliseconds, which lands in whichever
 * side was being measured then and can move its p95 by tens of percent: far more than the
 * bootstrap, which only sees request-to-request spread, allows for. The rounds are the units that
 * such noise is independent across, so their spread is what a difference must stand out from.
 * Needs at least 2 pairs with positive values on both sides (pairs that are not are skipped).
 */
export function pairedRatioCI(
  pairs: readonly { reference: number; candidate: number }[],
  confidence = 0.95,
): RatioInterval & { pairs: number } {
  if (!(confidence > 0 && confidence < 1))
    throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
  const logs = pairs
    .filter((p) => p.reference > 0 && p.candidate > 0)
    .map((p) => Math.log(p.candidate / p.reference))
    .filter((d) => Number.isFinite(d));
  const k = logs.length;
  if (k < 2) throw new Error(`a paired interval needs at least 2 usable round pairs, got ${k}`);
  const mean = logs.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(logs.reduce((a, d) => a + (d - mean) ** 2, 0) / (k - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, k - 1) * (sd / Math.sqrt(k));
  return {
    ratio: Math.exp(mean),
    low: Math.exp(mean - half),
    high: Math.exp(mean + half),
    pairs: k,
  };
}

function asBuckets(h: Histogram | Buckets): Buckets {
  const buckets = 'cumulative' in h ? h : bucketsOf(h);
  if (buckets.total === 0) throw new Error('cannot bootstrap an empty histogram');
  return buckets;
}

function ratioInterval(
  observed: number,
  resample: (random: Random) => number,
  opts: BootstrapOptions,
): RatioInterval {
  const iterations = opts.iterations ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  if (!(Number.isInteger(iterations) && iterations >= 10))
    throw new Error(`iterations must be an integer ≥ 10, got ${iterations}`);
  if (!(confidence > 0 && confidence < 1))
    throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
  const random = mulberry32(opts.seed ?? 1);
  const ratios = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) ratios[i] = resample(random);
  ratios.sort();
  const sorted = Array.from(ratios);
  const alpha = (1 - confidence) / 2;
  return {
    ratio: observed,
    low: quantileSorted(sorted, alpha),
    high: quantileSorted(sorted, 1 - alpha),
  };
}

// ---------------------------------------------------------------------------------------------
// Maximum and error rate: statistics the bootstrap cannot judge

/**
 * Whether the candidate's slowest requests beat the reference's by more than chance. The
 * bootstrap is useless for a maximum (a resample repeats the sample maximum 63% of the time),
 * so this counts the candidate samples strictly above the reference maximum, m, and asks how
 * likely it is that the m largest of all samples all come from the candidate when both sides
 * share one distribution: Π_{i<m} (n_c − i)/(n_c + n_r − i). With equal sample sizes that is
 * about 2^−m: one slow outlier is never significant, six are (p ≈ 0.016).
 */
export function exceedanceTest(
  reference: Histogram | Buckets,
  candidate: Histogram | Buckets,
): { above: number; pValue: number } {
  const ref = asBuckets(reference);
  const cand = asBuckets(candidate);
  const refMax = ref.values[ref.values.length - 1];
  let above = 0;
  for (let i = cand.values.length - 1; i >= 0 && cand.values[i] > refMax; i--) {
    above += cand.cumulative[i] - (i > 0 ? cand.cumulative[i - 1] : 0);
  }
  const total = ref.total + cand.total;
  let pValue = 1;
  for (let i = 0; i < above && pValue > 1e-300; i++) pValue *= (cand.total - i) / (total - i);
  return { above, pValue };
}

/**
 * Two-proportion z-test (pooled), two-sided p-value, for error rates: the errors of each side are
 * binomial counts, not a distribution of values. With no errors on either side it is p = 1.
 */
export function twoProportionTest(
  referenceErrors: number,
  referenceTotal: number,
  candidateErrors: number,
  candidateTotal: number,
): { z: number; pValue: number } {
  if (referenceTotal <= 0 || candidateTotal <= 0) return { z: 0, pValue: 1 };
  const pooled = (referenceErrors + candidateErrors) / (referenceTotal + candidateTotal);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / referenceTotal + 1 / candidateTotal));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (candidateErrors / candidateTotal - referenceErrors / referenceTotal) / se;
  return { z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

// ---------------------------------------------------------------------------------------------
// Prediction bounds for CloudWatch history

export interface PredictionInterval {
  /** Median of the periods: the baseline value. */
  center: number;
  /** Robust standard deviation: 1.4826 × median absolute deviation. */
  scale: number;
  low: number;
  high: number;
}

/**
 * One-sided prediction bounds for the next period's value from the per-period history.
 *
 * Robust by choice: center = median, scale = 1.4826·MAD (the normal-consistent median absolute
 * deviation), bound = center ± t_{confidence, n−1} · scale · √(1 + π/(2n)); π/(2n) is the
 * variance of a median relative to one observation, as 1/n is for a mean. Mean ± t·s would
 * let one incident period in the lookback (a deploy gone wrong, an outage spike ten times the
 * usual p95) inflate s so far that no regression could ever lie above the bound for two weeks;
 * the median and MAD ignore such periods, and the baseline value itself is the median (docs/architecture.md §5).
 * Needs at least 2 values.
 */
export function predictionInterval(
  values: readonly number[],
  confidence = 0.95,
): PredictionInterval {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2)
    throw new Error(`a prediction bound needs at least 2 periods, got ${finite.length}`);
  if (!(confidence > 0 && confidence < 1))
    throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
  const n = finite.length;
  const center = median(finite);
  const scale = 1.4826 * median(finite.map((v) => Math.abs(v - center)));
  const width = tQuantile(confidence, n - 1) * scale * Math.sqrt(1 + Math.PI / (2 * n));
  return { center, scale, low: center - width, high: center + width };
}

/** The upper one-sided prediction bound (see predictionInterval). */
export function predictionUpperBound(values: readonly number[], confidence = 0.95): number {
  return predictionInterval(values, confidence).high;
}
