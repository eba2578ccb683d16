import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { createHistogram, quantileMs, recordMs } from '../../src/measure/histogram.js';
import {
  bootstrapMeanRatioCI,
  bootstrapRatioCI,
  bucketsOf,
  exceedanceTest,
  median,
  mulberry32,
  normalCdf,
  normalQuantile,
  predictionInterval,
  predictionUpperBound,
  quantileSorted,
  rankOf,
  resampledQuantile,
  seedFrom,
  tQuantile,
  twoProportionTest,
  valueAtRank,
  type Random,
} from '../../src/evaluate/stats.js';
import { standardNormal } from '../support/random.js';

/** A histogram filled with the given millisecond values. */
function histogramOf(values: number[]) {
  const h = createHistogram();
  for (const v of values) recordMs(h, v);
  return h;
}

/** n log-normal latencies around `medianMs`, seeded. */
function lognormal(random: Random, n: number, medianMs: number, sigma: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(medianMs * Math.exp(sigma * standardNormal(random)));
  }
  return out;
}

describe('seeded generator', () => {
  test('the same seed gives the same stream, another seed another', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
  });

  test('is uniform on [0, 1): mean ½, variance 1/12', () => {
    const random = mulberry32(7);
    const draws = Array.from({ length: 100_000 }, () => random());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });

  test('seedFrom hashes text stably and spreads similar names apart', () => {
    expect(seedFrom('list products|p95')).toBe(seedFrom('list products|p95'));
    expect(seedFrom('list products|p95')).not.toBe(seedFrom('list products|p99'));
    expect(seedFrom('a', 1)).not.toBe(seedFrom('a', 2));
  });
});

describe('order statistics of plain arrays', () => {
  test.each([
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[10, 20], 0.25, 12.5],
    [[7], 0.9, 7],
    [[1, 2, 3, 4, 5], 0, 1],
    [[1, 2, 3, 4, 5], 1, 5],
  ])('quantileSorted(%j, %d) = %d', (values, q, expected) => {
    expect(quantileSorted(values, q)).toBeCloseTo(expected, 10);
  });

  test('median does not depend on order and leaves its input alone', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  test('an empty list has no quantile', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(/empty/);
  });
});

describe('distribution functions', () => {
  test.each([
    [0.975, 1.959964],
    [0.95, 1.644854],
    [0.5, 0],
    [0.001, -3.090232],
  ])('normalQuantile(%d) = %d', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });

  test.each([
    [1.96, 0.975002],
    [0, 0.5],
    [-1.644854, 0.05],
    [3.1944, 0.9993],
  ])('normalCdf(%d) = %d', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 5);
  });

  // Values from the t table.
  test.each([
    [0.975, 1, 12.7062],
    [0.975, 2, 4.3027],
    [0.95, 3, 2.3534],
    [0.95, 4, 2.1318],
    [0.975, 4, 2.7764],
    [0.95, 10, 1.8125],
    [0.975, 30, 2.0423],
    [0.95, 335, 1.6494],
  ])('tQuantile(%d, %d df) = %d within 0.6%%', (p, df, t) => {
    expect(Math.abs(tQuantile(p, df) - t) / t).toBeLessThan(0.006);
  });

  test('rejects probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(1)).toThrow(/0 < p < 1/);
    expect(() => tQuantile(0, 5)).toThrow(/0 < p < 1/);
    expect(() => tQuantile(0.9, 0)).toThrow(/degree of freedom/);
  });
});

describe('histogram buckets', () => {
  test('rankOf matches HDR at exact multiples', () => {
    expect(rankOf(0.95, 200)).toBe(190);
    expect(rankOf(0.99, 1000)).toBe(990);
    expect(rankOf(0.999, 10000)).toBe(9990);
    expect(rankOf(0.5, 1)).toBe(1);
    expect(rankOf(0.5, 3)).toBe(2);
  });

  test('valueAtRank reproduces getValueAtPercentile for any quantile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 5000, noNaN: true }), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        (values, q) => {
          const h = histogramOf(values);
          const buckets = bucketsOf(h);
          expect(buckets.total).toBe(values.length);
          expect(valueAtRank(buckets, rankOf(q, buckets.total)) / 1000).toBe(quantileMs(h, q));
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('bootstrapRatioCI', () => {
  const random = mulberry32(2024);
  const base = lognormal(random, 2000, 100, 0.4);

  test('the Beta shortcut draws the same resampled quantile as resampling every request', () => {
    // Full bootstrap on a small sample, done the slow way, against the shortcut.
    const values = lognormal(mulberry32(5), 300, 50, 0.6);
    const buckets = bucketsOf(histogramOf(values));
    const sorted = Array.from({ length: buckets.total }, (_, i) => valueAtRank(buckets, i + 1));
    const k = rankOf(0.95, sorted.length);
    const slowRandom = mulberry32(9);
    const slow: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const resample = Array.from(
        { length: sorted.length },
        () => sorted[Math.floor(slowRandom() * sorted.length)],
      );
      resample.sort((a, b) => a - b);
      slow.push(resample[k - 1]);
    }
    const fastRandom = mulberry32(10);
    const fast = Array.from({ length: 2000 }, () => resampledQuantile(buckets, 0.95, fastRandom));
    slow.sort((a, b) => a - b);
    fast.sort((a, b) => a - b);
    for (const p of [0.025, 0.25, 0.5, 0.75, 0.975]) {
      const a = quantileSorted(slow, p);
      const b = quantileSorted(fast, p);
      expect(Math.abs(a - b) / a).toBeLessThan(0.03);
    }
  });

  test('identical samples: ratio 1 and an interval around it', () => {
    const h = histogramOf(base);
    const ci = bootstrapRatioCI(h, h, 0.95, { seed: 1, iterations: 1000 });
    expect(ci.ratio).toBe(1);
    expect(ci.low).toBeLessThan(1);
    expect(ci.high).toBeGreaterThan(1);
    expect(ci.high - ci.low).toBeLessThan(0.2);
  });

  test('a 30% slowdown is found and the interval holds the true ratio', () => {
    const ref = histogramOf(base);
    const cand = histogramOf(base.map((v) => v * 1.3));
    const ci = bootstrapRatioCI(ref, cand, 0.95, { seed: 3, iterations: 1000 });
    expect(ci.ratio).toBeCloseTo(1.3, 2);
    expect(ci.low).toBeGreaterThan(1);
    expect(ci.low).toBeLessThan(1.3);
    expect(ci.high).toBeGreaterThan(1.3);
  });

  test('is reproducible with a seed, and a higher confidence widens the interval', () => {
    const ref = histogramOf(base);
    const cand = histogramOf(lognormal(mulberry32(77), 2000, 105, 0.4));
    const a = bootstrapRatioCI(ref, cand, 0.99, { seed: 8, iterations: 500 });
    expect(bootstrapRatioCI(ref, cand, 0.99, { seed: 8, iterations: 500 })).toEqual(a);
    const narrow = bootstrapRatioCI(ref, cand, 0.99, { seed: 8, iterations: 500, confidence: 0.8 });
    expect(narrow.low).toBeGreaterThan(a.low);
    expect(narrow.high).toBeLessThan(a.high);
  });

  test('covers the true ratio about 95% of the time for two samples of one distribution', () => {
    const trials = 120;
    const gen = mulberry32(31337);
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const ref = histogramOf(lognormal(gen, 400, 80, 0.5));
      const cand = histogramOf(lognormal(gen, 400, 80, 0.5));
      const ci = bootstrapRatioCI(ref, cand, 0.95, { seed: t, iterations: 400 });
      if (ci.low <= 1 && ci.high >= 1) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.995);
  });

  test('rejects empty histograms, bad quantiles and bad options', () => {
    const h = histogramOf([1, 2, 3]);
    expect(() => bootstrapRatioCI(createHistogram(), h, 0.5)).toThrow(/empty/);
    expect(() => bootstrapRatioCI(h, h, 0)).toThrow(/quantile/);
    expect(() => bootstrapRatioCI(h, h, 0.5, { confidence: 1 })).toThrow(/confidence/);
    expect(() => bootstrapRatioCI(h, h, 0.5, { iterations: 3 })).toThrow(/iterations/);
  });

  test('property: identical inputs are never significant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 200, max: 3000 }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (seed, n, sigma, q) => {
          const h = histogramOf(lognormal(mulberry32(seed), n, 100, sigma));
          const ci = bootstrapRatioCI(h, h, q, { seed, iterations: 300 });
          expect(ci.low).toBeLessThanOrEqual(1);
          expect(ci.high).toBeGreaterThanOrEqual(1);
        },
      ),
      { seed: 4, numRuns: 40 },
    );
  });

  test('property: a tenfold slowdown is always significant given enough samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 200, max: 3000 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.constantFrom(0.5, 0.9, 0.95),
        (seed, n, sigma, q) => {
          const values = lognormal(mulberry32(seed), n, 100, sigma);
          const ci = bootstrapRatioCI(
            histogramOf(values),
            histogramOf(values.map((v) => v * 10)),
            q,
            {
              seed,
              iterations: 300,
            },
          );
          expect(ci.low).toBeGreaterThan(1);
        },
      ),
      { seed: 5, numRuns: 40 },
    );
  });
});

describe('bootstrapMeanRatioCI', () => {
  test.each([50, 5000])(
    'finds a 20%% slower mean with %d samples and not an identical one',
    (n) => {
      const values = lognormal(mulberry32(n), n, 40, 0.3);
      const ref = histogramOf(values);
      const same = bootstrapMeanRatioCI(ref, ref, { seed: 1, iterations: 500 });
      expect(same.ratio).toBe(1);
      expect(same.low).toBeLessThan(1);
      expect(same.high).toBeGreaterThan(1);
      const slower = bootstrapMeanRatioCI(ref, histogramOf(values.map((v) => v * 1.2)), {
        seed: 1,
        iterations: 500,
      });
      expect(slower.ratio).toBeCloseTo(1.2, 2);
      expect(slower.low).toBeGreaterThan(1);
    },
  );
});

test('a heavy tail never drives a resampled mean to zero or below', () => {
  // 199 requests at 1 ms and one at an hour: the normal approximation alone would go negative.
  const values = [...Array<number>(199).fill(1), 3_600_000];
  const h = histogramOf(values);
  const ci = bootstrapMeanRatioCI(h, h, { seed: 2, iterations: 2000 });
  expect(Number.isFinite(ci.low) && Number.isFinite(ci.high)).toBe(true);
  expect(ci.low).toBeGreaterThan(0);
});

describe('exceedanceTest', () => {
  const ref = histogramOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  test('counts the candidate samples above the reference maximum; p by hand', () => {
    const cand = histogramOf([1, 2, 3, 4, 5, 6, 7, 20, 30, 40]);
    const { above, pValue } = exceedanceTest(ref, cand);
    expect(above).toBe(3);
    expect(pValue).toBeCloseTo((10 / 20) * (9 / 19) * (8 / 18), 12);
  });

  test('no sample above the maximum: p = 1', () => {
    expect(exceedanceTest(ref, histogramOf([1, 5, 10]))).toEqual({ above: 0, pValue: 1 });
  });

  test('one slow outlier is not significant, many are', () => {
    const big = histogramOf(Array.from({ length: 1000 }, (_, i) => 1 + i / 100));
    const oneOutlier = histogramOf([...Array.from({ length: 999 }, (_, i) => 1 + i / 100), 500]);
    expect(exceedanceTest(big, oneOutlier).pValue).toBeGreaterThan(0.4);
    const manySlow = histogramOf([
      ...Array.from({ length: 990 }, (_, i) => 1 + i / 100),
      ...Array(10).fill(500),
    ]);
    expect(exceedanceTest(big, manySlow).pValue).toBeLessThan(0.002);
  });
});

describe('twoProportionTest', () => {
  test('10/1000 against 30/1000, by hand', () => {
    const se = Math.sqrt(0.02 * 0.98 * (2 / 1000));
    const { z, pValue } = twoProportionTest(10, 1000, 30, 1000);
    expect(z).toBeCloseTo(0.02 / se, 10);
    expect(pValue).toBeCloseTo(2 * (1 - normalCdf(0.02 / se)), 10);
    expect(pValue).toBeLessThan(0.002);
  });

  test('no errors anywhere, or no requests, is no evidence', () => {
    expect(twoProportionTest(0, 1000, 0, 1000)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionTest(0, 0, 5, 10)).toEqual({ z: 0, pValue: 1 });
  });

  test('the sign says which way it moved', () => {
    expect(twoProportionTest(30, 1000, 10, 1000).z).toBeLessThan(0);
  });
});

describe('prediction bounds', () => {
  test('median ± t·1.4826·MAD·√(1+π/2n), by hand, ignoring an incident period', () => {
    const values = [10, 11, 12, 13, 14, 100];
    const scale = 1.4826 * 1.5; // deviations from 12.5: 2.5 1.5 0.5 0.5 1.5 87.5 → MAD 1.5
    const t = 2.015048; // t(0.95, 5)
    const expected = 12.5 + t * scale * Math.sqrt(1 + Math.PI / 12);
    const interval = predictionInterval(values);
    expect(interval.center).toBe(12.5);
    expect(interval.scale).toBeCloseTo(scale, 10);
    expect(interval.high).toBeCloseTo(expected, 2);
    expect(interval.low).toBeCloseTo(25 - expected, 2);
    expect(predictionUpperBound(values)).toBe(interval.high);
    // The 100 ms incident does not hide a 40 ms regression, as mean + t·s would.
    expect(predictionUpperBound(values)).toBeLessThan(20);
  });

  test('is about 95% one-sided for normal periods', () => {
    const random = mulberry32(99);
    const gauss = () => standardNormal(random);
    let above = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const periods = Array.from({ length: 30 }, () => 100 + 10 * gauss());
      if (100 + 10 * gauss() > predictionUpperBound(periods)) above++;
    }
    expect(above / trials).toBeGreaterThan(0.02);
    expect(above / trials).toBeLessThan(0.09);
  });

  test('needs two finite periods', () => {
    expect(() => predictionInterval([5])).toThrow(/at least 2 periods/);
    expect(() => predictionInterval([5, Number.NaN])).toThrow(/at least 2 periods/);
  });
});
