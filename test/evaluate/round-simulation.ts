import type { Baseline } from '../../src/baseline/types.js';
import type { EndpointConfig, Tolerance } from '../../src/config/types.js';
import { evaluateEndpoint, needsConfirmation } from '../../src/evaluate/evaluate.js';
import type { EndpointEvaluationOptions } from '../../src/evaluate/evaluate.js';
import { mulberry32 } from '../../src/evaluate/stats.js';
import type { Finding } from '../../src/evaluate/types.js';
import { abbaOrder } from '../../src/measure/side-by-side.js';
import { mergeMeasurements } from '../../src/measure/merge.js';
import type { Measurement } from '../../src/measure/types.js';
import {
  createHistogram,
  encodeHistogram,
  quantileMs,
  recordMs,
} from '../../src/measure/histogram.js';
import { endpoint } from '../support/measurements.js';
import { standardNormal } from '../support/random.js';

/**
 * Side-by-side measurements without sockets: synthetic ABBA rounds drawn from the noise models
 * of `npm run bench:decisions` (bench/decisions.ts), so the exact decision code (evaluateEndpoint,
 * needsConfirmation, the confirmation as run-gate passes it) can be run over hundreds of seeded
 * trials in a few seconds.
 *
 * The route: log-normal latency, median 15 ms, log-sd 0.45 (p95 ≈ 31 ms); the candidate's delays
 * are multiplied by `slowdown`. Time is virtual: the closed-model load of `connections`
 * connections advances the clock by latency / connections per request.
 *
 * - `steady`: the deployments' own randomness only;
 * - `noisy`: runner noise: every 100-500 ms the machine gets faster or slower by a factor
 *   exp(0.1 · N(0,1)), and every request gets 0-4 ms of jitter;
 * - `drift`: at a uniformly random moment of each measurement a neighbour job starts and every
 *   delay from then on is 25% longer (in ABBA order it hits both sides).
 */

export type Variant = 'steady' | 'noisy' | 'drift';

export const ROUTE = { medianMs: 15, sigma: 0.45 };
const NOISE = { episodeMinMs: 100, episodeMaxMs: 500, episodeSigma: 0.1, jitterMs: 4 };
const DRIFT = { multiplier: 1.25 };

export interface SimulationSetup {
  variant: Variant;
  /** Candidate delay multiplier (1 = A/A). */
  slowdown: number;
  /** ABBA blocks per measurement (2 rounds a side per block). */
  blocks: number;
  /** Requests per round and side. */
  requestsPerRound: number;
  connections: number;
}

export interface SideBySide {
  candidate: Measurement;
  baseline: Baseline & { kind: 'reference' };
}

/** One side-by-side measurement, as measureSideBySide returns it and run-gate wraps it. */
export function simulateSideBySide(setup: SimulationSetup, random: () => number): SideBySide {
  const order = abbaOrder(setup.blocks);
  const total = order.length * setup.requestsPerRound;
  const driftAt = setup.variant === 'drift' ? Math.floor(random() * total) : Infinity;
  let clockMs = 0;
  let episode = 1;
  let episodeUntil = -1;
  let index = 0;
  const roundMs = 2000;
  const measured: Record<'candidate' | 'reference', Measurement[]> = {
    candidate: [],
    reference: [],
  };
  for (const side of order) {
    const latencies = new Array<number>(setup.requestsPerRound);
    for (let i = 0; i < setup.requestsPerRound; i++, index++) {
      if (setup.variant === 'noisy' && clockMs >= episodeUntil) {
        episode = Math.exp(NOISE.episodeSigma * standardNormal(random));
        episodeUntil =
          clockMs + NOISE.episodeMinMs + random() * (NOISE.episodeMaxMs - NOISE.episodeMinMs);
      }
      const base = ROUTE.medianMs * Math.exp(ROUTE.sigma * standardNormal(random));
      const own = side === 'candidate' ? setup.slowdown : 1;
      const runner = (index >= driftAt ? DRIFT.multiplier : 1) * episode;
      const ms = base * own * runner + (setup.variant === 'noisy' ? random() * NOISE.jitterMs : 0);
      latencies[i] = ms;
      clockMs += ms / setup.connections;
    }
    measured[side].push(roundMeasurement(latencies, roundMs));
  }
  const rounds = measured.candidate.map((candidate, i) => ({
    candidate,
    reference: measured.reference[i],
  }));
  return {
    candidate: mergeMeasurements(measured.candidate),
    baseline: {
      kind: 'reference',
      source: 'http://127.0.0.1:1',
      measurement: mergeMeasurements(measured.reference),
      rounds,
    },
  };
}

/**
 * One round as the engine reports it: the latencies in perf-gate's HDR histogram, percentiles
 * read from it. The mean and standard deviation come from the plain latencies (the histogram's
 * own walk over its buckets is most of a round's cost, and differs only by its 0.1% bucketing).
 */
function roundMeasurement(latencies: number[], durationMs: number): Measurement {
  const histogram = createHistogram();
  let sum = 0;
  let squares = 0;
  for (const ms of latencies) {
    recordMs(histogram, ms);
    sum += ms;
    squares += ms * ms;
  }
  const n = latencies.length;
  const mean = sum / n;
  return {
    requests: n,
    errors: 0,
    errorRate: 0,
    errorBreakdown: { timeouts: 0, connection: {}, resets: 0, status: {} },
    throughput: n / (durationMs / 1000),
    durationMs,
    latency: {
      p50: quantileMs(histogram, 0.5),
      p75: quantileMs(histogram, 0.75),
      p90: quantileMs(histogram, 0.9),
      p95: quantileMs(histogram, 0.95),
      p99: quantileMs(histogram, 0.99),
      'p99.9': quantileMs(histogram, 0.999),
      mean,
      max: histogram.maxValue / 1000,
      min: histogram.minNonZeroValue / 1000,
      stddev: Math.sqrt(Math.max(0, squares / n - mean * mean)),
    },
    histogram: encodeHistogram(histogram),
    startedAt: '2025-01-01T00:00:00.000Z',
  };
}

export function rulesFor(tolerance: Tolerance): EndpointConfig {
  return endpoint({ regression: { p95: tolerance } });
}

export interface TrialOutcome {
  /** The p95 finding of the first measurement alone. */
  first: Finding;
  /** Whether run-gate would measure again. */
  confirmed: boolean;
  /** The p95 finding the gate reports (after the confirmation, when there is one). */
  final: Finding;
}

/**
 * One gate decision on p95, as run-gate makes it with `confirm: true` and a reference
 * deployment: evaluate, measure again when needsConfirmation says so, judge with the
 * confirmation and the re-measured reference.
 */
export function gateTrial(
  setup: SimulationSetup,
  tolerance: Tolerance,
  seed: number,
  options: EndpointEvaluationOptions = {},
): TrialOutcome {
  const random = mulberry32(seed);
  const rules = rulesFor(tolerance);
  const p95 = (findings: Finding[]) => findings.find((f) => f.metric === 'p95')!;
  const first = simulateSideBySide(setup, random);
  const firstResult = evaluateEndpoint(rules, first.candidate, first.baseline, options);
  if (!needsConfirmation(firstResult)) {
    return { first: p95(firstResult.findings), confirmed: false, final: p95(firstResult.findings) };
  }
  const again = simulateSideBySide(setup, random);
  const finalResult = evaluateEndpoint(rules, first.candidate, first.baseline, {
    ...options,
    confirmation: again.candidate,
    confirmationBaseline: again.baseline,
  });
  return { first: p95(firstResult.findings), confirmed: true, final: p95(finalResult.findings) };
}
