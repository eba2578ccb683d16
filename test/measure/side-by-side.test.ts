import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Baseline } from '../../src/baseline/types.js';
import type { EndpointConfig, RegressionRules } from '../../src/config/types.js';
import { evaluateEndpoint, needsConfirmation } from '../../src/evaluate/evaluate.js';
import type { EndpointResult } from '../../src/evaluate/types.js';
import {
  abbaOrder,
  defaultBlocks,
  measureSideBySide,
  MIN_ROUND_MS,
  type SideBySideResult,
} from '../../src/measure/side-by-side.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Side-by-side measurement against two loopback deployments: the reference, and a candidate
 * whose every delay can be slowed down. The route is bimodal (20 ms, one request in five 60 ms),
 * so p50 lies in the fast mode and p95 in the slow one, and a slowdown moves both.
 */

const ROUTE = '/bimodal?fast=20&slow=60&p=0.2&seed=7';
/** The canary rule (SPEC §3) for the two percentiles under test. */
const RULES: RegressionRules = {
  p50: { maxIncrease: 0.1, minDelta: 1 },
  p95: { maxIncrease: 0.1, minDelta: 1 },
};

let reference: Target;
let candidate: Target;

beforeAll(async () => {
  reference = await startTarget({ seed: 1 });
  candidate = await startTarget({ seed: 2 });
});

afterAll(async () => {
  await Promise.all([reference.close(), candidate.close()]);
});

function endpoint(durationMs: number, connections = 8): EndpointConfig {
  return {
    name: 'GET bimodal',
    method: 'GET',
    path: ROUTE,
    url: candidate.url + ROUTE,
    headers: {},
    load: { connections, durationMs, warmupMs: 200, timeoutMs: 5000 },
    budget: {},
    regression: RULES,
    line: 1,
  };
}

function baselineOf(result: SideBySideResult): Baseline {
  return {
    kind: 'reference',
    source: reference.url,
    measurement: result.reference,
    rounds: result.rounds,
  };
}

/** What run-gate does with `confirm` on: a breaching endpoint is measured once more. */
async function judgeWithConfirmation(ep: EndpointConfig): Promise<EndpointResult> {
  const measure = () =>
    measureSideBySide(ep, { referenceUrl: reference.url, candidateUrl: candidate.url });
  const first = await measure();
  const result = evaluateEndpoint(ep, first.candidate, baselineOf(first));
  if (!needsConfirmation(result)) return result;
  const second = await measure();
  return evaluateEndpoint(ep, first.candidate, baselineOf(first), {
    confirmation: second.candidate,
    confirmationBaseline: baselineOf(second),
  });
}

function verdictOf(result: EndpointResult, metric: 'p50' | 'p95') {
  return result.findings.find((f) => f.metric === metric)?.verdict;
}

describe('abbaOrder', () => {
  test('each block is candidate, reference, reference, candidate', () => {
    expect(abbaOrder(2)).toEqual([
      'candidate',
      'reference',
      'reference',
      'candidate',
      'candidate',
      'reference',
      'reference',
      'candidate',
    ]);
  });
});

describe('measureSideBySide against two loopback deployments', () => {
  test('alternates the deployments in ABBA rounds, each side getting the endpoint duration', async () => {
    candidate.setSlowdown(1);
    const ep = endpoint(2000);
    // Which deployment received requests during each round, from the servers' own hit counts.
    const served: { side: string; reference: number; candidate: number }[] = [];
    let before = { reference: 0, candidate: 0 };
    const snapshot = () => ({
      reference: reference.hits('/bimodal'),
      candidate: candidate.hits('/bimodal'),
    });
    const closeRound = () => {
      const now = snapshot();
      const last = served.at(-1);
      if (last) {
        last.reference = now.reference - before.reference;
        last.candidate = now.candidate - before.candidate;
      }
      before = now;
    };
    reference.reset();
    candidate.reset();
    const result = await measureSideBySide(ep, {
      referenceUrl: reference.url,
      candidateUrl: candidate.url,
      blocks: 2,
      log: (line) => {
        const round = /round \d+\/\d+ \((candidate|reference)\)/.exec(line);
        if (!round) return;
        closeRound();
        served.push({ side: round[1], reference: 0, candidate: 0 });
      },
    });
    closeRound();

    expect(served.map((r) => r.side)).toEqual(abbaOrder(2));
    for (const round of served) {
      const own = round.side as 'candidate' | 'reference';
      const other = own === 'candidate' ? 'reference' : 'candidate';
      // A request the previous round sent just before it stopped can reach its server a moment
      // after this round began: at most one per connection.
      expect(round[other]).toBeLessThanOrEqual(ep.load.connections);
      expect(round[own]).toBeGreaterThan(10 * ep.load.connections);
    }

    // The rounds are reported pairwise, in the order they ran: C1 R1 R2 C2 C3 R3 R4 C4.
    expect(result.rounds).toHaveLength(4);
    const started = (side: 'candidate' | 'reference', i: number) =>
      Date.parse(result.rounds[i][side].startedAt);
    const sequence = [
      started('candidate', 0),
      started('reference', 0),
      started('reference', 1),
      started('candidate', 1),
      started('candidate', 2),
      started('reference', 2),
      started('reference', 3),
      started('candidate', 3),
    ];
    expect([...sequence].sort((a, b) => a - b)).toEqual(sequence);

    // Each side gets the endpoint's whole duration, split over its four rounds; autocannon ends a
    // run on a 100 ms tick, so a round can run a tick long.
    for (const side of ['candidate', 'reference'] as const) {
      const merged = result[side];
      const rounds = result.rounds.map((r) => r[side]);
      expect(merged.durationMs).toBe(rounds.reduce((a, r) => a + r.durationMs, 0));
      expect(merged.durationMs).toBeGreaterThanOrEqual(1900);
      expect(merged.durationMs).toBeLessThanOrEqual(2600);
      expect(merged.requests).toBe(rounds.reduce((a, r) => a + r.requests, 0));
      // Requests still in flight when a round stops reach the server but are not measured.
      const hits = served.filter((r) => r.side === side).reduce((a, r) => a + r[side], 0);
      expect(hits).toBeGreaterThanOrEqual(merged.requests);
    }
  });

  test('a candidate three times slower is a regression on p50 and p95, confirmed over both runs', async () => {
    // Plumbing, not statistics: how often perf-gate catches a 30% slowdown, and how rarely it
    // cries wolf, is measured over hundreds of seeded trials in
    // test/evaluate/decision-simulation.test.ts. Here the slowdown is so large that no stall of a
    // shared machine can hide it (a reference round's p95 would have to pass the candidate's
    // 180 ms), so one run must find it: no retries.
    candidate.setSlowdown(3);
    const ep = endpoint(3000, 16);
    const first = await measureSideBySide(ep, {
      referenceUrl: reference.url,
      candidateUrl: candidate.url,
    });
    const firstResult = evaluateEndpoint(ep, first.candidate, baselineOf(first));
    // Each round pair shows the slowdown, and both sides have enough requests for the bootstrap.
    expect(first.rounds).toHaveLength(4);
    for (const round of first.rounds) {
      expect(round.candidate.latency.p50).toBeGreaterThan(2 * round.reference.latency.p50);
    }
    expect(first.candidate.requests).toBeGreaterThanOrEqual(200);
    expect(needsConfirmation(firstResult)).toBe(true);

    // The confirmation as run-gate makes it: measured again, judged over both runs' round pairs.
    const second = await measureSideBySide(ep, {
      referenceUrl: reference.url,
      candidateUrl: candidate.url,
    });
    const result = evaluateEndpoint(ep, first.candidate, baselineOf(first), {
      confirmation: second.candidate,
      confirmationBaseline: baselineOf(second),
    });
    const why = result.findings.map((f) => `${f.metric} ${f.verdict}: ${f.reason}`);
    expect({ p50: verdictOf(result, 'p50'), p95: verdictOf(result, 'p95'), why }).toEqual({
      p50: 'regression',
      p95: 'regression',
      why: expect.anything(),
    });
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.change).toBeGreaterThan(1);
    expect(p95.reason).toMatch(/over the requests and over \d+ ABBA round pairs/);
    expect(result.confirmation).toBeDefined();
    expect(result.baseline.kind === 'reference' && result.baseline.confirmation).toBeDefined();
  });

  test('identical deployments pass', async () => {
    candidate.setSlowdown(1);
    const result = await judgeWithConfirmation(endpoint(2000));
    expect(verdictOf(result, 'p50')).toBe('pass');
    expect(verdictOf(result, 'p95')).toBe('pass');
  });
});

describe('defaultBlocks', () => {
  test.each([
    [1_500, 1], // two blocks would need rounds under MIN_ROUND_MS
    [2_000, 2],
    [10_000, 2],
    [30_000, 3],
    [60_000, 6],
    [600_000, 6],
  ])('%i ms per side: %i blocks', (durationMs, blocks) => {
    expect(defaultBlocks(durationMs)).toBe(blocks);
  });

  test('never makes a round shorter than MIN_ROUND_MS once a duration allows two blocks', () => {
    for (let durationMs = 2_000; durationMs <= 120_000; durationMs += 500) {
      const rounds = 2 * defaultBlocks(durationMs);
      expect(durationMs / rounds).toBeGreaterThanOrEqual(MIN_ROUND_MS);
    }
  });
});
