import { describe, expect, test } from '@jest/globals';
import { adaptiveLooks } from '../../src/config/plan.js';
import {
  binomialCdf,
  errorRateState,
  INTERIM_SHARE,
  lookConfidence,
  settleBudgets,
  type Settled,
} from '../../src/evaluate/sequential.js';
import { bucketsOf, mulberry32, type Random } from '../../src/evaluate/stats.js';
import { createHistogram, recordMs } from '../../src/measure/histogram.js';

/**
 * The stopping rule of adaptive measurement (SPEC §4) by seeded simulation: no sockets, no wall
 * clock. Each trial records a known latency distribution second by second and looks at it as
 * the engine does; the error rates are counted over many trials.
 */

/** Lognormal latencies in ms: median `median`, log-sd `sigma`. */
function lognormal(random: Random, median: number, sigma: number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  };
}

const Z95 = 1.6448536269514722;

interface Trial {
  settled?: Settled;
  look: number;
}

/**
 * One adaptive measurement of a p95 budget: `perSecond` latencies a second, looks as planned
 * for a 5 s minimum and a 30 s cap; the rule given per look (the engine's, or a naive one).
 */
function runTrial(
  limitMs: number,
  perSecond: number,
  confidenceAt: (look: number, looks: number) => number,
  draw: () => number,
): Trial {
  const looks = adaptiveLooks({ durationMs: 30_000, minDurationMs: 5_000 });
  const histogram = createHistogram();
  let recordedMs = 0;
  for (let i = 0; i < looks.length; i++) {
    while (recordedMs < looks[i]) {
      for (let k = 0; k < perSecond; k++) recordMs(histogram, draw());
      recordedMs += 1000;
    }
    const settled = settleBudgets(
      { p95: limitMs },
      { buckets: bucketsOf(histogram), requests: histogram.totalCount, errors: 0 },
      confidenceAt(i + 1, looks.length),
    );
    // At the cap the verdict is the evaluation's at the last look's confidence: a breach there
    // fails the endpoint just as an early one does.
    if (settled || i === looks.length - 1) return { settled, look: i + 1 };
  }
  throw new Error('unreachable');
}

describe('the looks', () => {
  test('one at the minimum, one a second after it, the last at the cap', () => {
    const looks = adaptiveLooks({ durationMs: 30_000, minDurationMs: 5_000 });
    expect(looks[0]).toBe(5_000);
    expect(looks[1]).toBe(6_000);
    expect(looks.at(-1)).toBe(30_000);
    expect(looks).toHaveLength(26);
    expect(adaptiveLooks({ durationMs: 3_000, minDurationMs: 5_000 })).toEqual([3_000]);
    expect(adaptiveLooks({ durationMs: 30_000 })[0]).toBe(5_000);
  });

  test('the confidence spent over the looks adds up to the overall error', () => {
    for (const looks of [1, 2, 5, 26, 100]) {
      let spent = 0;
      for (let look = 1; look <= looks; look++) spent += 1 - lookConfidence(0.95, look, looks);
      expect(spent).toBeCloseTo(0.05, 12);
    }
    expect(lookConfidence(0.95, 26, 26)).toBeCloseTo(1 - 0.05 * (1 - INTERIM_SHARE), 12);
    expect(lookConfidence(0.95, 1, 1)).toBe(0.95);
  });
});

describe('the stopping rule under optional stopping (seeded simulation)', () => {
  const TRIALS = 400;
  const median = 20;
  const sigma = 0.5;
  const trueP95 = median * Math.exp(sigma * Z95);

  function breachRate(confidenceAt: (look: number, looks: number) => number): number {
    const random = mulberry32(20261201);
    const draw = lognormal(random, median, sigma);
    let breaches = 0;
    for (let t = 0; t < TRIALS; t++) {
      if (runTrial(trueP95, 100, confidenceAt, draw).settled === 'breach') breaches++;
    }
    return breaches / TRIALS;
  }

  test('a limit equal to the true p95 is flagged in at most 5% of trials', () => {
    const rate = breachRate((look, looks) => lookConfidence(0.95, look, looks));
    expect(rate).toBeLessThanOrEqual(0.05);
  });

  test('looking at a fixed 95% after every slice would flag it more often (the rule matters)', () => {
    expect(breachRate(() => 0.95)).toBeGreaterThan(0.05);
  });

  test('an endpoint far under its budget settles at the first look; one far over it too', () => {
    const random = mulberry32(7);
    const draw = lognormal(random, median, sigma);
    const spend = (look: number, looks: number) => lookConfidence(0.95, look, looks);
    for (let t = 0; t < 20; t++) {
      expect(runTrial(300, 100, spend, draw)).toEqual({ settled: 'pass', look: 1 });
      expect(runTrial(10, 100, spend, draw)).toEqual({ settled: 'breach', look: 1 });
    }
  });

  test('an endpoint near its budget mostly runs to the cap', () => {
    const random = mulberry32(11);
    const draw = lognormal(random, median, sigma);
    let capped = 0;
    for (let t = 0; t < 50; t++) {
      const trial = runTrial(trueP95 * 1.01, 100, lookConfidence.bind(null, 0.95), draw);
      if (trial.look === 26) capped++;
    }
    expect(capped).toBeGreaterThan(40);
  });
});

describe('error-rate budgets: exact binomial bounds', () => {
  /** An independent binomial CDF from log-factorials. */
  function naiveCdf(x: number, n: number, p: number): number {
    let logFact = [0];
    for (let i = 1; i <= n; i++) logFact.push(logFact[i - 1] + Math.log(i));
    let sum = 0;
    for (let k = 0; k <= x; k++)
      sum += Math.exp(
        logFact[n] - logFact[k] - logFact[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p),
      );
    logFact = [];
    return Math.min(1, sum);
  }

  test('the CDF agrees with an independent computation', () => {
    for (const [x, n, p] of [
      [0, 100, 0.01],
      [3, 500, 0.01],
      [10, 500, 0.01],
      [40, 1000, 0.05],
      [2, 5000, 0.001],
    ] as const) {
      expect(binomialCdf(x, n, p)).toBeCloseTo(naiveCdf(x, n, p), 10);
    }
  });

  test('clear cases settle, an even one stays open, and limits of 0 and 1', () => {
    expect(errorRateState(0, 1000, 0.01, 0.99)).toBe('pass');
    expect(errorRateState(100, 1000, 0.01, 0.99)).toBe('breach');
    expect(errorRateState(10, 1000, 0.01, 0.99)).toBe('open');
    expect(errorRateState(1, 1000, 0, 0.99)).toBe('breach');
    expect(errorRateState(0, 1000, 0, 0.99)).toBe('open');
    expect(errorRateState(5, 10, 1, 0.99)).toBe('pass');
    expect(errorRateState(0, 0, 0.01, 0.99)).toBe('open');
  });

  test('an error rate equal to the limit is flagged as a breach in at most 5% of trials', () => {
    const random = mulberry32(99);
    const looks = adaptiveLooks({ durationMs: 30_000, minDurationMs: 5_000 });
    const limit = 0.02;
    let breaches = 0;
    const TRIALS = 400;
    for (let t = 0; t < TRIALS; t++) {
      let requests = 0;
      let errors = 0;
      let recordedMs = 0;
      for (let i = 0; i < looks.length; i++) {
        while (recordedMs < looks[i]) {
          for (let k = 0; k < 100; k++) {
            requests++;
            if (random() < limit) errors++;
          }
          recordedMs += 1000;
        }
        const state = errorRateState(
          errors,
          requests,
          limit,
          lookConfidence(0.95, i + 1, looks.length),
        );
        if (state === 'breach') breaches++;
        if (state !== 'open') break;
      }
    }
    expect(breaches / TRIALS).toBeLessThanOrEqual(0.05);
  });
});
