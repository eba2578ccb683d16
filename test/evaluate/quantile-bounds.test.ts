import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { QUANTILES, type BudgetMetric } from '../../src/units/metrics.js';
import { evaluateEndpoint } from '../../src/evaluate/evaluate.js';
import {
  binomialRanks,
  minimumSamples,
  quantileBounds,
  requestsToSettle,
} from '../../src/evaluate/quantile-bounds.js';
import { bucketsOf, mulberry32, type Buckets, type Random } from '../../src/evaluate/stats.js';
import { createHistogram, recordMs } from '../../src/measure/histogram.js';
import { NO_BASELINE, endpoint, measurementOf } from '../support/measurements.js';
import { standardNormal } from '../support/random.js';

/**
 * The distribution-free quantile bounds (SPEC §4) against an independent computation of the
 * binomial, and their coverage by seeded simulation: no sockets, no wall clock.
 */

// ---------------------------------------------------------------------------------------------
// An independent binomial: every term from log-factorials, summed in full.

function logFactorial(n: number): number {
  let sum = 0;
  for (let i = 2; i <= n; i++) sum += Math.log(i);
  return sum;
}

function naiveCdf(n: number, q: number): number[] {
  const lf = Array.from({ length: n + 1 }, (_, i) => logFactorial(i));
  const cdf: number[] = [];
  let sum = 0;
  for (let m = 0; m <= n; m++) {
    sum += Math.exp(lf[n] - lf[m] - lf[n - m] + m * Math.log(q) + (n - m) * Math.log(1 - q));
    cdf.push(sum);
  }
  return cdf;
}

/** The bounds' ranks straight from their definitions (see quantile-bounds.ts). */
function naiveRanks(n: number, q: number, confidence: number): { low?: number; high?: number } {
  const cdf = naiveCdf(n, q);
  const out: { low?: number; high?: number } = {};
  for (let k = n; k >= 1; k--) {
    // P(Bin ≥ k) = 1 − P(Bin ≤ k − 1)
    if (1 - cdf[k - 1] >= confidence - 1e-12) {
      out.low = k;
      break;
    }
  }
  for (let j = 1; j <= n; j++) {
    if (cdf[j - 1] >= confidence - 1e-12) {
      out.high = j;
      break;
    }
  }
  return out;
}

describe('binomialRanks', () => {
  test('agrees with the binomial summed term by term', () => {
    for (const q of [0.5, 0.75, 0.9, 0.95, 0.99, 0.999]) {
      for (const confidence of [0.5, 0.9, 0.95, 0.99, 0.999]) {
        for (const n of [1, 2, 3, 4, 5, 6, 9, 10, 19, 20, 45, 58, 59, 60, 100, 200, 299, 300]) {
          expect({ q, confidence, n, ...binomialRanks(n, q, confidence) }).toEqual({
            q,
            confidence,
            n,
            ...naiveRanks(n, q, confidence),
          });
        }
      }
    }
  });

  test('the ranks named in SPEC §4 and the issue', () => {
    // Ten responses: the p95 lower bound is the 8th (P(Bin(10, 0.95) ≥ 8) = 0.9885 ≥ 0.95,
    // P(≥ 9) = 0.914 is not), and there is no upper bound.
    expect(binomialRanks(10, 0.95, 0.95)).toEqual({ low: 8 });
    expect(binomialRanks(640, 0.99, 0.95)).toEqual({ low: 629, high: 638 });
    expect(binomialRanks(0, 0.95, 0.95)).toEqual({});
  });

  test('large samples: ranks close to the normal approximation, and fast', () => {
    const n = 10_000_000;
    const { low, high } = binomialRanks(n, 0.99, 0.95);
    const sd = Math.sqrt(n * 0.99 * 0.01);
    expect(Math.abs(low! - (n * 0.99 - 1.645 * sd))).toBeLessThan(3);
    expect(Math.abs(high! - (n * 0.99 + 1.645 * sd))).toBeLessThan(3);
  });

  test('rejects what is not a quantile, a confidence or a count', () => {
    expect(() => binomialRanks(10, 1, 0.95)).toThrow(/quantile/);
    expect(() => binomialRanks(10, 0.95, 1)).toThrow(/confidence/);
    expect(() => binomialRanks(1.5, 0.95, 0.95)).toThrow(/whole number/);
  });
});

describe('minimumSamples', () => {
  test('is the smallest n for which each bound exists', () => {
    for (const q of Object.values(QUANTILES)) {
      for (const confidence of [0.5, 0.9, 0.95, 0.99, 0.999]) {
        const fewest = minimumSamples(q, confidence);
        const firstWith = (side: 'low' | 'high') => {
          for (let n = 1; ; n++) if (binomialRanks(n, q, confidence)[side] !== undefined) return n;
        };
        expect({ q, confidence, ...fewest }).toEqual({
          q,
          confidence,
          low: firstWith('low'),
          high: firstWith('high'),
        });
      }
    }
  });

  test('follows (1 − q)^n ≤ 1 − confidence and q^n ≤ 1 − confidence', () => {
    expect(minimumSamples(0.95, 0.95)).toEqual({ low: 1, high: 59 });
    expect(minimumSamples(0.99, 0.95)).toEqual({ low: 1, high: 299 });
    expect(minimumSamples(0.999, 0.95)).toEqual({ low: 1, high: 2995 });
    expect(minimumSamples(0.5, 0.95)).toEqual({ low: 5, high: 5 });
    expect(minimumSamples(0.95, 0.999)).toEqual({ low: 3, high: 135 });
  });
});

// ---------------------------------------------------------------------------------------------
// Coverage by simulation

interface Distribution {
  name: string;
  draw: (random: Random) => number;
  /** The true quantile inf{x : F(x) ≥ q}. */
  quantile: (q: number) => number;
}

/** Standard normal quantile by bisection on the CDF (independent of the code under test). */
function normalQuantile(p: number): number {
  const cdf = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** erf by its Taylor series (|x| ≤ 3) or asymptotic complement: plenty for quantiles to 1e-9. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a > 6) return sign;
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (-a * a) / n;
    sum += term / (2 * n + 1);
  }
  return (sign * 2 * sum) / Math.sqrt(Math.PI);
}

function bisect(cdf: (x: number) => number, p: number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return hi;
}

const DISTRIBUTIONS: Distribution[] = [
  {
    name: 'log-normal (median 100 ms, σ 0.6)',
    draw: (r) => 100 * Math.exp(0.6 * standardNormal(r)),
    quantile: (q) => 100 * Math.exp(0.6 * normalQuantile(q)),
  },
  {
    name: 'exponential (mean 50 ms)',
    draw: (r) => -50 * Math.log(1 - r()),
    quantile: (q) => -50 * Math.log(1 - q),
  },
  {
    name: 'uniform 20–80 ms',
    draw: (r) => 20 + 60 * r(),
    quantile: (q) => 20 + 60 * q,
  },
  {
    // 92% fast around 10 ms, 8% slow around 300 ms: the p90 and p95 sit in different modes.
    name: 'bimodal (92% U(8, 12) ms, 8% U(250, 350) ms)',
    draw: (r) => (r() < 0.92 ? 8 + 4 * r() : 250 + 100 * r()),
    quantile: (q) =>
      bisect(
        (x) =>
          0.92 * Math.min(1, Math.max(0, (x - 8) / 4)) +
          0.08 * Math.min(1, Math.max(0, (x - 250) / 100)),
        q,
        0,
        400,
      ),
  },
  {
    // Ties: whole milliseconds 1..20 with a heavy last value; the bounds must stay conservative.
    name: 'discrete (1–19 ms uniform 90%, 20 ms 10%)',
    draw: (r) => (r() < 0.9 ? 1 + Math.floor(19 * r()) : 20),
    quantile: (q) => (q <= 0.9 ? Math.ceil((q / 0.9) * 19 - 1e-12) : 20),
  },
];

/** The exact sample as buckets (no histogram rounding): each distinct value its own bucket. */
function exactBuckets(values: number[]): Buckets {
  const sorted = [...values].sort((a, b) => a - b);
  const distinct: number[] = [];
  const cumulative: number[] = [];
  sorted.forEach((v, i) => {
    if (distinct.length > 0 && distinct[distinct.length - 1] === v)
      cumulative[cumulative.length - 1] = i + 1;
    else {
      distinct.push(v);
      cumulative.push(i + 1);
    }
  });
  return {
    values: Float64Array.from(distinct),
    lowest: Float64Array.from(distinct),
    cumulative: Float64Array.from(cumulative),
    total: values.length,
  };
}

const SIZES = [5, 10, 15, 19, 30, 59, 100, 300, 1000];
const QS = [0.5, 0.9, 0.95, 0.99];

describe('coverage: each bound holds at least 95% of the time, whatever the distribution', () => {
  test('exact samples: every distribution, size and quantile', () => {
    const trials = 400;
    const random = mulberry32(20251201);
    const covered = new Map<string, { low: number; high: number }>();
    for (const dist of DISTRIBUTIONS) {
      const truths = QS.map((q) => dist.quantile(q));
      for (const n of SIZES) {
        for (let t = 0; t < trials; t++) {
          const buckets = exactBuckets(Array.from({ length: n }, () => dist.draw(random)));
          for (const [i, q] of QS.entries()) {
            const truth = truths[i];
            const b = quantileBounds(buckets, q, 0.95);
            const key = `${dist.name} n=${n} q=${q}`;
            const cell = covered.get(key) ?? { low: 0, high: 0 };
            // An absent bound claims nothing, so it cannot be wrong.
            if (b.low === undefined || b.low <= truth) cell.low++;
            if (b.high === undefined || b.high >= truth) cell.high++;
            covered.set(key, cell);
          }
        }
      }
    }
    // Per cell, allow three standard errors of Monte Carlo noise around 95%.
    const floor = 0.95 - 3 * Math.sqrt((0.95 * 0.05) / trials);
    const short = [...covered]
      .flatMap(([key, c]) => [
        ...(c.low / trials < floor ? [`${key} lower: ${c.low}/${trials}`] : []),
        ...(c.high / trials < floor ? [`${key} upper: ${c.high}/${trials}`] : []),
      ])
      .sort();
    expect(short).toEqual([]);
    // Over all 180 cells (72,000 samples a side) the noise is under ±0.1%: the coverage is ≥ 95%.
    const sum = (side: 'low' | 'high') => [...covered.values()].reduce((a, c) => a + c[side], 0);
    expect(sum('low') / (covered.size * trials)).toBeGreaterThanOrEqual(0.95);
    expect(sum('high') / (covered.size * trials)).toBeGreaterThanOrEqual(0.95);
  });

  test('through the HDR histogram: the rounding only widens the interval', () => {
    const trials = 150;
    const random = mulberry32(7);
    let lowHits = 0;
    let highHits = 0;
    let total = 0;
    for (const dist of DISTRIBUTIONS) {
      for (const n of [10, 19, 100]) {
        for (const q of [0.5, 0.95]) {
          const truth = dist.quantile(q);
          for (let t = 0; t < trials; t++) {
            const values = Array.from({ length: n }, () => dist.draw(random));
            const histogram = createHistogram();
            for (const v of values) recordMs(histogram, v);
            const hdr = quantileBounds(bucketsOf(histogram), q, 0.95);
            const exact = quantileBounds(exactBuckets(values), q, 0.95);
            // Same ranks; the histogram's bounds are never inside the exact ones (beyond the
            // microsecond rounding of recording).
            expect([hdr.lowRank, hdr.highRank]).toEqual([exact.lowRank, exact.highRank]);
            if (exact.low !== undefined)
              expect(hdr.low! / 1000).toBeLessThanOrEqual(exact.low + 0.0005);
            if (exact.high !== undefined)
              expect(hdr.high! / 1000).toBeGreaterThanOrEqual(exact.high - 0.0005);
            if (hdr.low === undefined || hdr.low / 1000 <= truth) lowHits++;
            if (hdr.high === undefined || hdr.high / 1000 >= truth) highHits++;
            total++;
          }
        }
      }
    }
    expect(lowHits / total).toBeGreaterThanOrEqual(0.95);
    expect(highHits / total).toBeGreaterThanOrEqual(0.95);
  });
});

// ---------------------------------------------------------------------------------------------
// Verdicts at the smallest sizes that can decide

const PERCENTILES = Object.keys(QUANTILES) as BudgetMetric[];

function verdictOf(metric: BudgetMetric, limit: number, values: number[], confidence: number) {
  const result = evaluateEndpoint(
    endpoint({ budget: { [metric]: limit }, confidence }),
    measurementOf(values),
    NO_BASELINE,
  );
  return result.findings[0];
}

describe('an all-over-the-limit sample of any size that can decide is a breach', () => {
  test('from the minimum on, and inconclusive one below it', () => {
    for (const metric of PERCENTILES) {
      const q = QUANTILES[metric];
      for (const confidence of [0.9, 0.95, 0.99]) {
        // The lower bound exists once (1 − q)^n ≤ 1 − confidence: n ≥ ln(1 − c) / ln(1 − q).
        const fewest = Math.max(1, Math.ceil(Math.log(1 - confidence) / Math.log(1 - q) - 1e-9));
        expect(minimumSamples(q, confidence).low).toBe(fewest);
        for (const n of [fewest, fewest + 1, fewest + 7]) {
          const finding = verdictOf(metric, 200, Array<number>(n).fill(250), confidence);
          expect({ metric, confidence, n, verdict: finding.verdict }).toEqual({
            metric,
            confidence,
            n,
            verdict: 'budget-exceeded',
          });
        }
        if (fewest > 1) {
          const finding = verdictOf(metric, 200, Array<number>(fewest - 1).fill(250), confidence);
          expect(finding.verdict).toBe('inconclusive');
        }
      }
    }
  });

  test('property: any size from the minimum, any latencies over the limit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PERCENTILES),
        fc.constantFrom(0.5, 0.8, 0.9, 0.95, 0.99, 0.999),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (metric, confidence, extra, seed) => {
          const q = QUANTILES[metric];
          const n = minimumSamples(q, confidence).low + extra;
          const random = mulberry32(seed);
          // Anything from just over the limit's HDR bucket to a thousand times it.
          const values = Array.from({ length: n }, () => 100.2 * Math.exp(7 * random()));
          const finding = verdictOf(metric, 100, values, confidence);
          expect(finding.verdict).toBe('budget-exceeded');
          expect(finding.interval!.low).toBeGreaterThan(100);
        },
      ),
      { numRuns: 150, seed: 13 },
    );
  });

  test('the mirror image: all far under the limit passes once an upper bound exists', () => {
    for (const metric of PERCENTILES) {
      const q = QUANTILES[metric];
      const fewest = minimumSamples(q, 0.95).high;
      expect(verdictOf(metric, 200, Array<number>(fewest).fill(20), 0.95).verdict).toBe('pass');
      expect(verdictOf(metric, 200, Array<number>(fewest - 1).fill(20), 0.95).verdict).toBe(
        'inconclusive',
      );
    }
  });
});

describe('requestsToSettle: the estimate of how many requests would settle a verdict', () => {
  test('all under the limit: exactly the size that gives an upper bound', () => {
    const buckets = exactBuckets(Array<number>(40).fill(100));
    expect(requestsToSettle(buckets, 0.95, 0.95, 200)).toBe(59);
  });

  test('a sample of the same shape at the estimated size is settled, and one much smaller is not', () => {
    const random = mulberry32(99);
    for (const share of [0.85, 0.9, 0.97, 0.99]) {
      // `share` of the requests at 10 ms, the rest at 500 ms, against a 100 ms p95 limit.
      const n = 20 + Math.floor(random() * 30);
      const under = Math.round(share * n);
      const shaped = (size: number) => {
        const fast = Math.round((under / n) * size);
        return exactBuckets([
          ...Array<number>(fast).fill(10),
          ...Array<number>(size - fast).fill(500),
        ]);
      };
      const total = requestsToSettle(shaped(n), 0.95, 0.95, 100)!;
      expect(total).toBeGreaterThan(n);
      const settled = quantileBounds(shaped(total), 0.95, 0.95);
      const decided =
        (settled.low !== undefined && settled.low > 100) ||
        (settled.high !== undefined && settled.high <= 100);
      expect(decided).toBe(true);
      const half = quantileBounds(shaped(Math.max(n, Math.floor(total / 2))), 0.95, 0.95);
      if (Math.floor(total / 2) > n) {
        expect(
          (half.low !== undefined && half.low > 100) ||
            (half.high !== undefined && half.high <= 100),
        ).toBe(false);
      }
    }
  });

  test('a sample whose share under the limit is exactly q never settles', () => {
    const buckets = exactBuckets([...Array<number>(95).fill(10), ...Array<number>(5).fill(500)]);
    expect(requestsToSettle(buckets, 0.95, 0.95, 100)).toBeUndefined();
  });
});

describe('side by side with too few requests for the bootstrap', () => {
  test('two samples of one distribution are almost never an evident regression', () => {
    // The order statistics decide only when the candidate's lower bound clears the reference's
    // upper bound by the tolerance, each at 97.5%: a false alarm needs a bound to fail, ≤ 5%.
    const random = mulberry32(4242);
    const trials = 200;
    let alarms = 0;
    for (let t = 0; t < trials; t++) {
      const dist = DISTRIBUTIONS[t % DISTRIBUTIONS.length];
      const candidate = Array.from({ length: 5 + Math.floor(random() * 190) }, () =>
        dist.draw(random),
      );
      const reference = Array.from({ length: 60 + Math.floor(random() * 300) }, () =>
        dist.draw(random),
      );
      const result = evaluateEndpoint(
        endpoint({ regression: { p95: { maxIncrease: 0.1, minDelta: 1 } } }),
        measurementOf(candidate),
        { kind: 'reference', source: 'ref', measurement: measurementOf(reference) },
      );
      if (result.findings[0].verdict === 'regression') alarms++;
    }
    // 0 of 200 with this seed: the bounds are conservative and the tolerance adds margin.
    expect(alarms / trials).toBeLessThanOrEqual(0.05);
  });
});
