import { describe, expect, test } from '@jest/globals';
import type { Baseline } from '../../src/baseline/types.js';
import type { Tolerance } from '../../src/config/types.js';
import {
  evaluateEndpoint,
  MIN_ROUND_PAIRS,
  needsConfirmation,
} from '../../src/evaluate/evaluate.js';
import { pairedRatioCI, tQuantile } from '../../src/evaluate/stats.js';
import { mergeMeasurements } from '../../src/measure/merge.js';
import type { Measurement } from '../../src/measure/types.js';
import { endpoint, lognormal, measurementOf } from '../support/measurements.js';

/**
 * Significance of side-by-side regressions judged over the ABBA round pairs as well as over the
 * requests: a stall of the runner during one round must not pass for a regression, and a change
 * that holds in every round must still be one.
 */

const TEN_PERCENT: Tolerance = { maxIncrease: 0.1, minDelta: 1 };
const rules = endpoint({ regression: { p95: TEN_PERCENT, mean: TEN_PERCENT } });

type Round = { reference: Measurement; candidate: Measurement };

/** Four round pairs of 1000 log-normal requests each (median 20 ms) per side. */
function rounds(candidateLatencies: (round: number) => number[]): Round[] {
  return Array.from({ length: 4 }, (_, i) => ({
    reference: measurementOf(lognormal(100 + i, 1000, 20, 0.3)),
    candidate: measurementOf(candidateLatencies(i)),
  }));
}

function sideBySide(
  pairs: Round[],
  withRounds = true,
): { candidate: Measurement; baseline: Baseline } {
  const baseline: Baseline = {
    kind: 'reference',
    source: 'https://reference.example',
    measurement: mergeMeasurements(pairs.map((p) => p.reference)),
  };
  if (withRounds) baseline.rounds = pairs;
  return { candidate: mergeMeasurements(pairs.map((p) => p.candidate)), baseline };
}

function p95Finding(pairs: Round[], withRounds = true) {
  const { candidate, baseline } = sideBySide(pairs, withRounds);
  return evaluateEndpoint(rules, candidate, baseline).findings.find((f) => f.metric === 'p95')!;
}

/** A stall of the runner during the second candidate round: 15% of its requests took 80 ms more. */
const stalled = rounds((i) => {
  const latencies = lognormal(200 + i, 1000, 20, 0.3);
  if (i === 1) for (let j = 0; j < 150; j++) latencies[j] += 80;
  return latencies;
});

describe('pairedRatioCI', () => {
  test('is the t-interval of the mean log ratio, exponentiated', () => {
    const pairs = [1.1, 1.2, 1.1, 1.2].map((r) => ({ reference: 100, candidate: 100 * r }));
    const ci = pairedRatioCI(pairs, 0.95);
    const logs = [1.1, 1.2, 1.1, 1.2].map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(logs.reduce((a, d) => a + (d - mean) ** 2, 0) / 3);
    const half = tQuantile(0.975, 3) * (sd / 2);
    expect(ci.pairs).toBe(4);
    expect(ci.ratio).toBeCloseTo(Math.exp(mean), 10);
    expect(ci.low).toBeCloseTo(Math.exp(mean - half), 10);
    expect(ci.high).toBeCloseTo(Math.exp(mean + half), 10);
    // Against the tables: t(0.975, 3) = 3.182, so the interval is about 1.061–1.245.
    expect(ci.low).toBeCloseTo(1.061, 2);
    expect(ci.high).toBeCloseTo(1.245, 2);
  });

  test('is a single point when every pair agrees, and wider at a higher confidence', () => {
    const same = pairedRatioCI([1, 2, 3, 4].map((r) => ({ reference: r, candidate: 1.25 * r })));
    expect(same.low).toBeCloseTo(1.25, 10);
    expect(same.high).toBeCloseTo(1.25, 10);
    const pairs = [0.9, 1.3, 1.0, 1.2, 1.1].map((r) => ({ reference: 10, candidate: 10 * r }));
    const at95 = pairedRatioCI(pairs, 0.95);
    const at99 = pairedRatioCI(pairs, 0.99);
    expect(at99.low).toBeLessThan(at95.low);
    expect(at99.high).toBeGreaterThan(at95.high);
    expect(at95.low).toBeLessThan(at95.ratio);
    expect(at95.high).toBeGreaterThan(at95.ratio);
  });

  test('skips pairs without a positive value on both sides, and needs two usable pairs', () => {
    const ci = pairedRatioCI([
      { reference: 10, candidate: 12 },
      { reference: 0, candidate: 12 },
      { reference: 10, candidate: 11 },
    ]);
    expect(ci.pairs).toBe(2);
    expect(() => pairedRatioCI([{ reference: 10, candidate: 12 }])).toThrow(
      'a paired interval needs at least 2 usable round pairs, got 1',
    );
    expect(() => pairedRatioCI([], 1)).toThrow('confidence must be between 0 and 1, got 1');
  });
});

describe('side-by-side verdicts over the rounds', () => {
  test('a stall in one round that moves the merged p95 is not a regression', () => {
    // Judged over the requests alone, the stall looks like a clear regression...
    const alone = p95Finding(stalled, false);
    expect(alone.change).toBeGreaterThan(0.1);
    expect(alone.verdict).toBe('regression');
    // ...but three of the four round pairs show no change at all.
    const finding = p95Finding(stalled);
    expect(finding.verdict).toBe('pass');
    expect(finding.breaches).toEqual([]);
    expect(finding.change).toBe(alone.change);
    expect(finding.reason).toMatch(
      /^p95 rose \d+\.\d% \(\+\d+(\.\d)? ms\) against the baseline \d+(\.\d)? ms, but 95% CI of the ratio over the requests 1\.\d\d–1\.\d\d excludes 1, over 4 ABBA round pairs 0\.\d\d–\d\.\d\d does not: the change did not hold from round to round$/,
    );
    // The reported interval spans both, so it includes 1 exactly when the change is not significant.
    const significance = finding.significance!;
    expect(significance.test).toBe('bootstrap');
    if (significance.test === 'bootstrap') {
      expect(significance.low).toBeLessThan(1);
      expect(significance.high).toBeGreaterThan(
        alone.significance!.test === 'bootstrap' ? alone.significance!.high : 0,
      );
    }
  });

  test('a slowdown that holds in every round is a regression', () => {
    const slower = rounds((i) => lognormal(300 + i, 1000, 24, 0.3));
    const finding = p95Finding(slower);
    expect(finding.verdict).toBe('regression');
    expect(finding.breaches).toEqual(['regression']);
    expect(finding.reason).toMatch(
      /; 95% CI of the ratio 1\.\d\d–1\.\d\d excludes 1 \(over the requests and over 4 ABBA round pairs\)$/,
    );
    const significance = finding.significance!;
    expect(significance.test === 'bootstrap' && significance.low).toBeGreaterThan(1);
  });

  test('the mean is judged over the rounds too', () => {
    const { candidate, baseline } = sideBySide(stalled);
    const mean = evaluateEndpoint(rules, candidate, baseline).findings.find(
      (f) => f.metric === 'mean',
    )!;
    const { candidate: c2, baseline: b2 } = sideBySide(stalled, false);
    const meanAlone = evaluateEndpoint(rules, c2, b2).findings.find((f) => f.metric === 'mean')!;
    expect(meanAlone.verdict).toBe('regression');
    expect(mean.verdict).toBe('pass');
    expect(mean.reason).toContain('did not hold from round to round');
  });

  test('an improvement that holds in every round is one', () => {
    const faster = rounds((i) => lognormal(400 + i, 1000, 15, 0.3));
    const finding = p95Finding(faster);
    expect(finding.verdict).toBe('improvement');
    expect(finding.reason).toContain('excludes 1 (over the requests and over 4 ABBA round pairs)');
  });

  test(`with fewer than ${MIN_ROUND_PAIRS} round pairs the requests decide alone`, () => {
    const few = stalled.slice(0, MIN_ROUND_PAIRS - 1);
    const withRounds = p95Finding(few);
    const without = p95Finding(few, false);
    expect(withRounds).toEqual(without);
    expect(withRounds.verdict).toBe('regression');
    expect(withRounds.reason).not.toContain('round pairs');
  });
});

describe('confirmation of a suspected regression', () => {
  /** Round pairs with the given candidate and reference medians (ms), 1000 requests a side each. */
  const pairsOf = (candidate: number[], reference: number[], seed: number): Round[] =>
    candidate.map((median, i) => ({
      reference: measurementOf(lognormal(seed + i, 1000, reference[i], 0.3)),
      candidate: measurementOf(lognormal(seed + 50 + i, 1000, median, 0.3)),
    }));
  // 20% slower in three round pairs; in the third the candidate round happened to be fast.
  const first = pairsOf([24, 24, 18, 24], [20, 20, 20, 20], 500);

  test('a rise past the tolerance that the rounds cannot confirm is suspected: measured again', () => {
    const { candidate, baseline } = sideBySide(first);
    const result = evaluateEndpoint(rules, candidate, baseline);
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.change).toBeGreaterThan(0.1);
    expect(p95.verdict).toBe('pass');
    expect(p95.reason).toContain('the change did not hold from round to round');
    expect(needsConfirmation(result)).toBe(true);
  });

  test('it counts once the confirmation, over the round pairs of both runs, is significant', () => {
    const { candidate, baseline } = sideBySide(first);
    const again = sideBySide(pairsOf([24, 24, 24, 24], [20, 20, 20, 20], 600));
    const result = evaluateEndpoint(rules, candidate, baseline, {
      confirmation: again.candidate,
      confirmationBaseline: again.baseline,
    });
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('regression');
    expect(p95.breaches).toEqual(['regression']);
    expect(p95.confirmation!.reason).toContain('over the requests and over 8 ABBA round pairs');
    expect(p95.reason).toMatch(
      /the change did not hold from round to round; measured again, it was a significant regression on the confirmation run \(p95 \d+(\.\d)? ms\)$/,
    );
    expect(result.verdict).toBe('regression');
  });

  test('it passes when the confirmation shows no regression', () => {
    const { candidate, baseline } = sideBySide(first);
    const again = sideBySide(pairsOf([20, 20, 20, 20], [20, 20, 20, 20], 700));
    const result = evaluateEndpoint(rules, candidate, baseline, {
      confirmation: again.candidate,
      confirmationBaseline: again.baseline,
    });
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('pass');
    expect(p95.breaches).toEqual([]);
    expect(p95.reason).toMatch(
      /; measured again, it was not a regression on the confirmation run either \(p95 \d+(\.\d)? ms\)$/,
    );
  });

  test('a change within the tolerance, or a fall, is not suspected', () => {
    const within = sideBySide(pairsOf([21, 21, 21, 21], [20, 20, 20, 20], 800));
    expect(needsConfirmation(evaluateEndpoint(rules, within.candidate, within.baseline))).toBe(
      false,
    );
    const faster = sideBySide(pairsOf([14, 14, 17, 14], [20, 20, 20, 20], 900));
    const result = evaluateEndpoint(rules, faster.candidate, faster.baseline);
    expect(result.findings.find((f) => f.metric === 'p95')!.change).toBeLessThan(-0.1);
    expect(needsConfirmation(result)).toBe(false);
  });
});
