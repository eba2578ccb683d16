import { describe, expect, test } from '@jest/globals';
import { DEFAULT_REGRESSION } from '../../src/config/load.js';
import { evaluateEndpoint } from '../../src/evaluate/evaluate.js';
import { mulberry32 } from '../../src/evaluate/stats.js';
import { gateTrial, rulesFor, simulateSideBySide } from './round-simulation.js';
import type { SimulationSetup, Variant } from './round-simulation.js';

/**
 * The statistics of side-by-side verdicts, tested as rates over many seeded trials of the exact
 * decision code on synthetic ABBA rounds (no sockets; noise models of bench/decisions.ts, see
 * round-simulation.ts). Each claim counts outcomes and compares them with a bound; the trials are
 * seeded, so a run is repeatable and a change to the statistics that breaks a claim fails here.
 *
 * Checked by hand (see the branch notes): with the round-pair interval removed, the zero-tolerance
 * A/A count below rises from 4 to 24 of 300 and the first test fails; with the bootstrap level
 * at 80% instead of 95%, to 23.
 */

/** Two ABBA blocks (4 round pairs: MIN_ROUND_PAIRS), 400 requests a round and side. */
const setup = (variant: Variant, slowdown: number): SimulationSetup => ({
  variant,
  slowdown,
  blocks: 2,
  requestsPerRound: 400,
  connections: 10,
});

const DEFAULT_P95 = DEFAULT_REGRESSION.p95!;

describe('side-by-side decisions over seeded trials', () => {
  test('A/A, zero tolerance: a no-change comparison is a significant p95 regression at most at the nominal one-sided 2.5%', () => {
    // Zero tolerance leaves the significance test alone to decide: at 95% two-sided, a change
    // that is not there must come out significant in at most 2.5% of trials, also when the
    // runner's speed wanders (noisy) or a neighbour starts mid-run (drift).
    const zero = { maxIncrease: 0, minDelta: 0 };
    const rules = rulesFor(zero);
    let trials = 0;
    let falseAlarms = 0;
    const perVariant: Record<string, number> = {};
    for (const variant of ['noisy', 'drift'] as const) {
      perVariant[variant] = 0;
      for (let seed = 1; seed <= 150; seed++) {
        const random = mulberry32(10_000 * (variant === 'noisy' ? 1 : 2) + seed);
        const { candidate, baseline } = simulateSideBySide(setup(variant, 1), random);
        const p95 = evaluateEndpoint(rules, candidate, baseline).findings.find(
          (f) => f.metric === 'p95',
        )!;
        trials++;
        if (p95.breaches.includes('regression')) {
          falseAlarms++;
          perVariant[variant]++;
        }
      }
    }
    expect(trials).toBe(300);
    // At most 7 = 2.5% of 300.
    expect(perVariant.noisy + perVariant.drift).toBe(falseAlarms);
    expect(falseAlarms).toBeLessThanOrEqual(7);
  });

  test('A/A at the default tolerance, through confirmation: no false alarm in 120 trials', () => {
    let falseAlarms = 0;
    let confirmations = 0;
    for (const variant of ['noisy', 'drift'] as const) {
      for (let seed = 1; seed <= 60; seed++) {
        const outcome = gateTrial(setup(variant, 1), DEFAULT_P95, 20_000 + seed);
        if (outcome.confirmed) confirmations++;
        if (outcome.final.breaches.includes('regression')) falseAlarms++;
      }
    }
    expect({ falseAlarms, confirmations }).toEqual({
      falseAlarms: 0,
      confirmations: expect.any(Number),
    });
  });

  test('30% slower, default tolerance, through confirmation: caught in at least 59 of 60 trials', () => {
    let caught = 0;
    for (const variant of ['noisy', 'drift'] as const) {
      for (let seed = 1; seed <= 30; seed++) {
        const outcome = gateTrial(setup(variant, 1.3), DEFAULT_P95, 30_000 + seed);
        if (outcome.final.breaches.includes('regression')) caught++;
      }
    }
    expect(caught).toBeGreaterThanOrEqual(59);
  });
});
