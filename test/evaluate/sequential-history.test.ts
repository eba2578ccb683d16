import { describe, expect, test } from '@jest/globals';
import type { Baseline } from '../../src/baseline/types.js';
import { adaptiveLooks } from '../../src/config/plan.js';
import { lookConfidence } from '../../src/evaluate/sequential.js';
import { settleAgainstHistory } from '../../src/evaluate/sequential-history.js';
import { bucketsOf, mulberry32, predictionInterval } from '../../src/evaluate/stats.js';
import { adaptiveFor } from '../../src/gate/run-gate.js';
import { createHistogram, recordMs } from '../../src/measure/histogram.js';
import { endpoint } from '../support/measurements.js';

/**
 * Adaptive measurement against a history baseline (CloudWatch or the data branch): the early
 * stop against the verdict's threshold (tolerance above the median, and the prediction bound).
 */

const Z95 = 1.6448536269514722;
/** Log-normal latencies: median `median` ms, log-sd 0.5. */
function sample(median: number, n: number, seed: number) {
  const random = mulberry32(seed);
  const histogram = createHistogram();
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    const v = random();
    recordMs(
      histogram,
      median * Math.exp(0.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)),
    );
  }
  return histogram;
}
const p95Of = (median: number) => median * Math.exp(0.5 * Z95);

/** p95 history around 30 ms over 12 periods, its prediction bound over the 10% tolerance; error rates around 0.1%. */
const history: Baseline = {
  kind: 'cloudwatch',
  source: 'PerfGate p95 {Service=checkout}',
  partial: false,
  periods: {
    p95: [26, 30, 34, 30, 27, 33, 30, 28, 32, 30, 29, 31],
    'error-rate': [0.001, 0.002, 0.001, 0, 0.001, 0.001, 0.002, 0.001, 0.001, 0, 0.001, 0.001],
  },
};
const P95_RULE = { p95: { maxIncrease: 0.1, minDelta: 1 } };
const threshold = Math.max(33, predictionInterval(history.periods.p95!, 0.95).high);

const live = (median: number, n: number, seed: number, errors = 0) => ({
  buckets: bucketsOf(sample(median, n, seed)),
  requests: n,
  errors,
});

describe('settling against a history baseline', () => {
  test('far under the threshold: pass; far over: breach; near it with few requests: open', () => {
    // The prediction bound, not the tolerance, sets the threshold here.
    expect(threshold).toBeGreaterThan(33);
    expect(settleAgainstHistory(P95_RULE, history, live(10, 2000, 1), 0.99)).toBe('pass');
    expect(settleAgainstHistory(P95_RULE, history, live(40, 2000, 2), 0.99)).toBe('breach');
    const near = threshold / Math.exp(0.5 * Z95);
    expect(settleAgainstHistory(P95_RULE, history, live(near, 300, 3), 0.99)).toBeUndefined();
  });

  test('the error rate by its exact binomial bounds against the history threshold', () => {
    const rule = { 'error-rate': { maxIncrease: 0.5, minDelta: 0.005 } };
    // Threshold about 0.6%: no error in 5,000 requests settles it; 100 errors in 5,000 breach it.
    expect(settleAgainstHistory(rule, history, live(10, 5000, 4), 0.99)).toBe('pass');
    expect(settleAgainstHistory(rule, history, live(10, 5000, 5, 100), 0.99)).toBe('breach');
    expect(settleAgainstHistory(rule, history, live(10, 200, 6, 1), 0.99)).toBeUndefined();
  });

  test('a metric without a bound here (mean) keeps it open; one without history does not', () => {
    const mean = { mean: { maxIncrease: 0.1, minDelta: 1 } };
    const meanHistory: Baseline = { ...history, periods: { ...history.periods, mean: [20, 21] } };
    expect(settleAgainstHistory(mean, meanHistory, live(10, 2000, 7), 0.99)).toBeUndefined();
    expect(settleAgainstHistory({ p99: P95_RULE.p95 }, history, live(10, 2000, 8), 0.99)).toBe(
      'pass',
    );
  });

  test('true p95 at the threshold, looked at after every slice: a breach in at most 5% of 300 trials', () => {
    // The bound's own error (one-sided 95%) must hold under the looks of a 30 s cap (26 looks),
    // 100 requests a second: the error is spent over the looks as for budgets.
    const looks = adaptiveLooks({ durationMs: 30_000, minDurationMs: 5_000 });
    const median = threshold / Math.exp(0.5 * Z95);
    let breaches = 0;
    for (let trial = 0; trial < 300; trial++) {
      const random = mulberry32(50_000 + trial);
      const histogram = createHistogram();
      let recorded = 0;
      for (let i = 0; i < looks.length; i++) {
        while (recorded < looks[i]) {
          for (let k = 0; k < 100; k++) {
            const u = 1 - random();
            const v = random();
            recordMs(
              histogram,
              median * Math.exp(0.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)),
            );
          }
          recorded += 1000;
        }
        const settled = settleAgainstHistory(
          P95_RULE,
          history,
          { buckets: bucketsOf(histogram), requests: histogram.totalCount, errors: 0 },
          lookConfidence(0.95, i + 1, looks.length),
        );
        if (settled) {
          if (settled === 'breach') breaches++;
          break;
        }
      }
    }
    expect(breaches).toBeLessThanOrEqual(15);
  }, 60_000);
});

describe('adaptive measurement with a history baseline, as the gate plans it', () => {
  const budgetless = endpoint({
    adaptive: true,
    load: { connections: 10, durationMs: 30_000, warmupMs: 0, timeoutMs: 10_000 },
    regression: P95_RULE,
  });

  test('an endpoint with no budget but a history baseline is measured adaptively', () => {
    expect(adaptiveFor(budgetless, undefined)).toBeUndefined();
    const plan = adaptiveFor(budgetless, history)!;
    expect(plan.looks).toHaveLength(26);
    const fast = sample(10, 2000, 9);
    const slow = sample(60, 2000, 10);
    expect(plan.decide(1, { histogram: fast, requests: 2000, errors: 0 })).toBe('pass');
    expect(plan.decide(1, { histogram: slow, requests: 2000, errors: 0 })).toBe('breach');
  });

  test('with a budget too, it stops only once both are settled', () => {
    const both = { ...budgetless, budget: { p95: p95Of(10) * 1.02 } };
    const plan = adaptiveFor(both, history)!;
    // p95 settled under the history threshold, but not yet within a budget this close to it.
    expect(plan.decide(1, { histogram: sample(10, 500, 11), requests: 500, errors: 0 })).toBe(
      undefined,
    );
    expect(adaptiveFor({ ...both, adaptive: false }, history)).toBeUndefined();
  });
});
