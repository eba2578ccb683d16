import { describe, expect, test } from '@jest/globals';
import { abbaDesign } from '../../src/config/abba-plan.js';
import { plannedLoadMs, runMs } from '../../src/config/plan.js';
import {
  abbaLookLevels,
  abbaStop,
  naive,
  obrienFleming,
  PASS_ERROR,
  pocock,
  SPENDING,
  unconfirmedAtCap,
} from '../../src/evaluate/sequential-abba.js';
import { sequentialTrial } from '../../bench/sequential-simulation.js';

/**
 * Side by side, sequentially (evaluate/sequential-abba.ts): the design, the levels spent over the
 * looks, the stopping rule, and its error under optional stopping by seeded simulation of the
 * exact decision code (judgeAbbaLook + abbaStop on synthetic ABBA rounds, bench/sequential-simulation.ts).
 */

describe('sequential side-by-side design', () => {
  test('30 s a side: 15 blocks of 1 s rounds, the first look once 5 s a side are recorded', () => {
    expect(abbaDesign({ durationMs: 30_000 })).toEqual({
      roundMs: 1000,
      looks: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      capBlocks: 15,
    });
  });

  test('a minimum of 12 s a side puts the first look after 6 blocks; never before 2', () => {
    expect(abbaDesign({ durationMs: 30_000, minDurationMs: 12_000 })?.looks[0]).toBe(6);
    expect(abbaDesign({ durationMs: 30_000, minDurationMs: 1_000 })?.looks[0]).toBe(2);
  });

  test('the cap never passes the written duration, nor what max-duration counted', () => {
    // 31 s is 15 blocks of 2 s: rounds of 1,033 ms would each run 1,100 ms (whole ticks), 33 s.
    expect(abbaDesign({ durationMs: 31_000 })).toMatchObject({ roundMs: 1000, capBlocks: 15 });
    for (let durationMs = 8_000; durationMs <= 120_000; durationMs += 37) {
      const design = abbaDesign({ durationMs })!;
      const aSide = design.capBlocks * 2 * runMs(design.roundMs);
      expect({ durationMs, aSide: aSide <= durationMs, ticks: runMs(design.roundMs) }).toEqual({
        durationMs,
        aSide: true,
        ticks: design.roundMs,
      });
      expect(2 * aSide).toBeLessThanOrEqual(plannedLoadMs({ durationMs, warmupMs: 0 }, true));
      // And it uses the duration: less than one block and a tick a round short of it.
      expect(aSide).toBeGreaterThan(durationMs - 2_000 - design.capBlocks * 2 * 100);
    }
  });

  test('a duration with room for one look only keeps the fixed design', () => {
    expect(abbaDesign({ durationMs: 4_000 })).toBeUndefined();
    expect(abbaDesign({ durationMs: 5_000 })).toBeUndefined();
    expect(abbaDesign({ durationMs: 30_000, minDurationMs: 30_000 })).toBeUndefined();
  });
});

describe('levels spent over the looks', () => {
  const design = abbaDesign({ durationMs: 60_000 })!;
  const looks = design.looks.length;
  const levels = Array.from({ length: looks }, (_, i) => abbaLookLevels(design, i + 1));

  test('the one-sided errors of all looks add up to their totals: the fixed design’s for a breach, PASS_ERROR for a pass', () => {
    const breach = levels.reduce((a, l) => a + (1 - l.regression) / 2, 0);
    const pass = levels.reduce((a, l) => a + (1 - l.pass), 0);
    expect(breach).toBeLessThanOrEqual(0.025 + 1e-12);
    expect(breach).toBeGreaterThan(0.024);
    expect(pass).toBeLessThanOrEqual(PASS_ERROR + 1e-12);
    expect(pass).toBeGreaterThan(PASS_ERROR - 0.001);
    // The naive gate spends the whole error at every look: the sum is looks times over.
    const naiveLevels = Array.from({ length: looks }, (_, i) =>
      abbaLookLevels(design, i + 1, 0.95, 0.95, {
        ...SPENDING,
        breach: naive,
        pass: naive,
        incremental: false,
      }),
    );
    expect(naiveLevels.reduce((a, l) => a + (1 - l.regression) / 2, 0)).toBeCloseTo(0.025 * looks);
  });

  test('both kinds by Pocock: every look gets a share, a little less at every later look', () => {
    expect(SPENDING.breach).toBe(pocock);
    expect(SPENDING.pass).toBe(pocock);
    for (const l of levels) {
      expect(l.regression).toBeLessThan(1);
      expect(l.regression).toBeGreaterThan(0.95);
    }
    // Pocock spends a little less at every later look.
    for (let i = 1; i < looks; i++) {
      expect(levels[i].regression).toBeGreaterThan(levels[i - 1].regression);
      expect(levels[i].pass).toBeGreaterThan(levels[i - 1].pass);
    }
    // The first look (after 3 of 30 blocks) gets Pocock's share of the whole pass error.
    expect(1 - levels[0].pass).toBeCloseTo(PASS_ERROR * Math.log(1 + (Math.E - 1) * 0.1), 10);
    // O'Brien–Fleming, the alternative measured, spends almost nothing early.
    expect(obrienFleming(design.looks[0] / design.capBlocks, 0.025)).toBeLessThan(1e-5);
  });
});

describe('the stopping rule', () => {
  test.each([
    [['pass'], 6, true, 'settled: pass'],
    [[undefined, 'breach'], 6, true, undefined],
    [['breach', 'breach'], 6, true, 'settled: breach'],
    [['breach', undefined, 'breach'], 6, true, undefined],
    [['breach'], 6, false, 'settled: breach'],
    [[undefined, undefined, undefined], 3, true, 'cap'],
    // The cap is the duration, confirmation included: a breach first seen there stops the run.
    [[undefined, undefined, 'breach'], 3, true, 'cap'],
    [[undefined, 'breach', 'breach'], 3, true, 'settled: breach'],
  ] as const)('%j of %i looks, confirm %s: %s', (states, looks, confirm, expected) => {
    expect(abbaStop(states, looks, confirm)).toBe(expected);
  });

  test.each([
    [[undefined, undefined, 'breach'], 3, true, true],
    [[undefined, 'breach', 'breach'], 3, true, false],
    [[undefined, undefined, 'breach'], 3, false, false],
    [[undefined, undefined, undefined], 3, true, false],
    [[undefined, 'breach'], 3, true, false],
  ] as const)(
    'unconfirmed at the cap: %j of %i looks, confirm %s: %s',
    (states, looks, confirm, expected) => {
      expect(unconfirmedAtCap(states, looks, confirm)).toBe(expected);
    },
  );
});

describe('error under optional stopping, by seeded simulation', () => {
  test('A/A on the noisy runner at zero tolerance: wrong breaches within 2.5%, wrong passes within PASS_ERROR', () => {
    // Zero tolerance leaves significance alone to decide a breach, and a pass needs the upper
    // bound under a ratio of 1: in A/A a breach is an error of the regression bound (2.5% over all
    // looks) and a pass is a pass of a change exactly at the tolerance (PASS_ERROR over all
    // looks), the worst case of optional stopping. 2 s rounds, looks after blocks 2..6; without
    // confirmation, so a single wrong look stops the trial. Checked by hand: with the naive
    // boundary (the full error at every look, `naive` spending) the same 100 trials settle 4 as
    // breaches and 46 as passes; spent, 1 and 16.
    const design = { roundMs: 2000, looks: [2, 3, 4, 5, 6], capBlocks: 6 };
    const zero = { maxIncrease: 0, minDelta: 0 };
    const stops: Record<string, number> = {};
    for (let seed = 1; seed <= 100; seed++) {
      const outcome = sequentialTrial(design, 'noisy', 1, zero, 7000 + seed, SPENDING, false, 3, {
        evaluate: { iterations: 400 },
      });
      stops[outcome.stop] = (stops[outcome.stop] ?? 0) + 1;
    }
    const breaches = stops['settled: breach'] ?? 0;
    const passes = stops['settled: pass'] ?? 0;
    expect(stops.cap + breaches + passes).toBe(100);
    expect(breaches).toBeLessThanOrEqual(3);
    expect(passes).toBeLessThanOrEqual(100 * PASS_ERROR);
  }, 120_000);
});
