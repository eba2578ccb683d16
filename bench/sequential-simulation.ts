/**
 * Side by side, sequentially: error rates under optional stopping, power and load time, by
 * seeded simulation of ABBA rounds (no sockets), running the exact decision code
 * (evaluate/sequential-abba.ts judgeAbbaLook + abbaStop for the sequential design; evaluateEndpoint,
 * needsConfirmation and a second measurement for the fixed one, as run-gate runs them).
 *
 * `npm run bench:decisions -- --sequential [--trials N] [--variants steady,noisy] [--seconds S]`
 * writes bench/results/decisions-sequential.json. Default: 300 trials per sequential setting
 * (100 per fixed one), 30 s per side (the default duration), about 9 minutes on one core.
 *
 * The rounds: the route and runner noise of bench/decisions.ts (log-normal, median 15 ms,
 * log-sd 0.45; `noisy`: every 100–500 ms the runner gets faster or slower by exp(0.1·N(0,1)) and
 * every request gets 0–4 ms of jitter); 10 connections in a closed model on a virtual clock, so a
 * round of R ms holds the requests 10 connections complete in R ms (about 600 a second). The
 * candidate's delays are multiplied by the slowdown. Runner noise runs on through all rounds of a
 * trial in time order, as on a real runner.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Baseline } from '../src/baseline/types.js';
import { abbaDesign, abbaSideMs, type AbbaDesign } from '../src/config/abba-plan.js';
import { defaultBlocks, roundDurationMs } from '../src/config/plan.js';
import type { Tolerance } from '../src/config/types.js';
import {
  evaluateEndpoint,
  needsConfirmation,
  type EndpointRules,
  type EvaluateOptions,
} from '../src/evaluate/evaluate.js';
import {
  abbaLookLevels,
  abbaStop,
  judgeAbbaLook,
  naive,
  SPENDING,
  type AbbaStop,
  type LookState,
  type SpendingRules,
} from '../src/evaluate/sequential-abba.js';
import { mulberry32, seedFrom } from '../src/evaluate/stats.js';
import { createHistogram, encodeHistogram, summarize, recordMs } from '../src/measure/histogram.js';
import { mergeMeasurements } from '../src/measure/merge.js';
import type { Measurement } from '../src/measure/types.js';

export type Variant = 'steady' | 'noisy';

const ROUTE = { medianMs: 15, sigma: 0.45 };
const NOISE = { episodeMinMs: 100, episodeMaxMs: 500, episodeSigma: 0.1, jitterMs: 4 };
const CONNECTIONS = 10;

/** Rounds in time order, from one seeded runner. */
export class RoundSource {
  private clockMs = 0;
  private episode = 1;
  private episodeUntil = -1;

  constructor(
    private readonly variant: Variant,
    private readonly slowdown: number,
    private readonly random: () => number,
    private readonly connections = CONNECTIONS,
  ) {}

  private gaussian(): number {
    let u = this.random();
    while (u === 0) u = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  /** One round of `roundMs` on one side, as the engine reports it. */
  round(side: 'candidate' | 'reference', roundMs: number): Measurement {
    const histogram = createHistogram();
    const noisy = this.variant === 'noisy';
    const end = this.clockMs + roundMs;
    let n = 0;
    while (this.clockMs < end) {
      if (noisy && this.clockMs >= this.episodeUntil) {
        this.episode = Math.exp(NOISE.episodeSigma * this.gaussian());
        this.episodeUntil =
          this.clockMs +
          NOISE.episodeMinMs +
          this.random() * (NOISE.episodeMaxMs - NOISE.episodeMinMs);
      }
      const base = ROUTE.medianMs * Math.exp(ROUTE.sigma * this.gaussian());
      const own = side === 'candidate' ? this.slowdown : 1;
      const ms =
        base * own * (noisy ? this.episode : 1) + (noisy ? this.random() * NOISE.jitterMs : 0);
      recordMs(histogram, ms);
      this.clockMs += ms / this.connections;
      n++;
    }
    return {
      requests: n,
      errors: 0,
      errorRate: 0,
      errorBreakdown: { timeouts: 0, connection: {}, resets: 0, status: {} },
      throughput: n / (roundMs / 1000),
      durationMs: roundMs,
      latency: summarize(histogram),
      histogram: encodeHistogram(histogram),
      startedAt: '2026-01-01T00:00:00.000Z',
    };
  }
}

export function rulesFor(tolerance: Tolerance): EndpointRules {
  return {
    name: 'simulated',
    method: 'GET',
    path: '/simulated',
    line: 1,
    budget: {},
    regression: { p95: tolerance },
  };
}

function sideBySide(rounds: { candidate: Measurement; reference: Measurement }[]): {
  candidate: Measurement;
  baseline: Baseline & { kind: 'reference' };
} {
  return {
    candidate: mergeMeasurements(rounds.map((r) => r.candidate)),
    baseline: {
      kind: 'reference',
      source: 'http://127.0.0.1:1',
      measurement: mergeMeasurements(rounds.map((r) => r.reference)),
      rounds,
    },
  };
}

/** Measures one ABBA block: C R R C, two round pairs. */
function block(
  source: RoundSource,
  roundMs: number,
): { candidate: Measurement; reference: Measurement }[] {
  const c1 = source.round('candidate', roundMs);
  const r1 = source.round('reference', roundMs);
  const r2 = source.round('reference', roundMs);
  const c2 = source.round('candidate', roundMs);
  return [
    { candidate: c1, reference: r1 },
    { candidate: c2, reference: r2 },
  ];
}

export interface SequentialOutcome {
  stop: AbbaStop;
  /** The look it stopped at. */
  look: number;
  blocks: number;
  /** Whether the gate reports a p95 regression. */
  flagged: boolean;
  /** Recorded load per side, ms. */
  loadMsPerSide: number;
}

/** One sequential side-by-side trial, as run-gate runs it with `confirm`. */
export function sequentialTrial(
  design: AbbaDesign,
  variant: Variant,
  slowdown: number,
  tolerance: Tolerance,
  seed: number,
  spending: SpendingRules = SPENDING,
  confirm = true,
  connections = CONNECTIONS,
  variantOptions: { evaluate?: EvaluateOptions } = {},
): SequentialOutcome {
  const source = new RoundSource(variant, slowdown, mulberry32(seed), connections);
  const rules = rulesFor(tolerance);
  const rounds: { candidate: Measurement; reference: Measurement }[] = [];
  const states: LookState[] = [];
  // Merged so far, added to block by block (merging is what a trial spends most of its time on).
  let candidate: Measurement | undefined;
  let reference: Measurement | undefined;
  for (let blocks = 1; blocks <= design.capBlocks; blocks++) {
    const pairs = block(source, design.roundMs);
    rounds.push(...pairs);
    const add = (so: Measurement | undefined, parts: Measurement[]) =>
      mergeMeasurements(so ? [so, ...parts] : parts);
    candidate = add(
      candidate,
      pairs.map((p) => p.candidate),
    );
    reference = add(
      reference,
      pairs.map((p) => p.reference),
    );
    if (blocks < design.looks[0]) continue;
    const look = blocks - design.looks[0] + 1;
    const levels = abbaLookLevels(design, look, 0.95, 0.95, spending);
    const baseline: Baseline & { kind: 'reference' } = {
      kind: 'reference',
      source: 'http://127.0.0.1:1',
      measurement: reference,
      rounds: [...rounds],
    };
    states.push(
      judgeAbbaLook({
        endpoint: rules,
        candidate,
        baseline,
        levels,
        options: variantOptions.evaluate,
      }),
    );
    const stop = abbaStop(states, design.looks.length, confirm);
    if (stop) {
      return {
        stop,
        look,
        blocks,
        // At the cap a breach counts only once confirmed, so a flagged run always settled.
        flagged: stop === 'settled: breach',
        loadMsPerSide: abbaSideMs(design, blocks),
      };
    }
  }
  throw new Error('the stopping rule never stopped');
}

export interface FixedOutcome {
  flagged: boolean;
  confirmed: boolean;
  loadMsPerSide: number;
}

/** One trial of today's fixed design: default blocks, a confirmation measurement when needed. */
export function fixedTrial(
  durationMs: number,
  variant: Variant,
  slowdown: number,
  tolerance: Tolerance,
  seed: number,
): FixedOutcome {
  const source = new RoundSource(variant, slowdown, mulberry32(seed));
  const rules = rulesFor(tolerance);
  const blocks = defaultBlocks(durationMs);
  const roundMs = roundDurationMs(durationMs, blocks);
  const measure = () => {
    const rounds: { candidate: Measurement; reference: Measurement }[] = [];
    for (let b = 0; b < blocks; b++) rounds.push(...block(source, roundMs));
    return sideBySide(rounds);
  };
  const first = measure();
  const firstResult = evaluateEndpoint(rules, first.candidate, first.baseline);
  const perSide = blocks * 2 * roundMs;
  const p95 = (r: typeof firstResult) => r.findings.find((f) => f.metric === 'p95')!;
  if (!needsConfirmation(firstResult)) {
    return {
      flagged: p95(firstResult).breaches.includes('regression'),
      confirmed: false,
      loadMsPerSide: perSide,
    };
  }
  const again = measure();
  const final = evaluateEndpoint(rules, first.candidate, first.baseline, {
    confirmation: again.candidate,
    confirmationBaseline: again.baseline,
  });
  return {
    flagged: p95(final).breaches.includes('regression'),
    confirmed: true,
    loadMsPerSide: 2 * perSide,
  };
}

export function wilsonUpper(k: number, n: number): number {
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  return (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Setting {
  variant: Variant;
  slowdown: number;
  tolerance: string;
  design: 'sequential' | 'sequential-naive' | 'fixed';
}

export const TOLERANCES: Record<string, Tolerance> = {
  default: { maxIncrease: 0.1, minDelta: 1 },
  '5%': { maxIncrease: 0.05, minDelta: 1 },
};

export interface Row extends Setting {
  trials: number;
  flagged: number;
  flaggedRate: number;
  flaggedWilson95Upper: number;
  medianLoadSecondsPerSide: number;
  maxLoadSecondsPerSide: number;
  stops: Record<string, number>;
  medianStopBlock?: number;
  seconds: number;
}

export interface Speed {
  variant: Variant;
  tolerance: string;
  sequentialMedianSeconds: number;
  fixedMedianSeconds: number;
  ratio: number;
}

/** The design at `seconds` a side with the default 5 s minimum. */
export function designFor(seconds: number): AbbaDesign {
  const design = abbaDesign({ durationMs: seconds * 1000, minDurationMs: 5_000 });
  if (!design) throw new Error(`${seconds} s per side leaves no room for a sequential design`);
  return design;
}

/**
 * Runs every setting: the sequential design's rows `trials` times (they carry the error-rate
 * and power claims), the fixed design's and the naive boundary's fewerTrials(trials) times. A
 * trial's seed depends on its setting and its number only, so a setting gives the same trials in
 * any selection of settings.
 */
export function runSettings(settings: readonly Setting[], trials: number, seconds: number): Row[] {
  const fewer = fewerTrials(trials);
  const durationMs = seconds * 1000;
  const design = designFor(seconds);
  const rows: Row[] = [];
  for (const s of settings) {
    const t0 = performance.now();
    const n = s.design === 'sequential' ? trials : fewer;
    const base = seedFrom(`${s.variant}|${s.slowdown}|${s.tolerance}|${s.design}`);
    let flagged = 0;
    const load: number[] = [];
    const stops: Record<string, number> = {};
    const stopBlocks: number[] = [];
    for (let t = 0; t < n; t++) {
      const seed = (base + t) >>> 0;
      if (s.design === 'fixed') {
        const o = fixedTrial(durationMs, s.variant, s.slowdown, TOLERANCES[s.tolerance], seed);
        if (o.flagged) flagged++;
        load.push(o.loadMsPerSide);
        stops[o.confirmed ? 'confirmed' : 'single'] =
          (stops[o.confirmed ? 'confirmed' : 'single'] ?? 0) + 1;
      } else {
        const spending =
          s.design === 'sequential-naive'
            ? { ...SPENDING, breach: naive, pass: naive, incremental: false }
            : SPENDING;
        const o = sequentialTrial(
          design,
          s.variant,
          s.slowdown,
          TOLERANCES[s.tolerance],
          seed,
          spending,
        );
        if (o.flagged) flagged++;
        load.push(o.loadMsPerSide);
        stops[o.stop] = (stops[o.stop] ?? 0) + 1;
        stopBlocks.push(o.blocks);
      }
    }
    const row: Row = {
      ...s,
      trials: n,
      flagged,
      flaggedRate: flagged / n,
      flaggedWilson95Upper: Number(wilsonUpper(flagged, n).toFixed(4)),
      medianLoadSecondsPerSide: median(load) / 1000,
      maxLoadSecondsPerSide: Math.max(...load) / 1000,
      stops,
      ...(stopBlocks.length ? { medianStopBlock: median(stopBlocks) } : {}),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    };
    rows.push(row);
    console.log(
      `${s.variant.padEnd(6)} ×${s.slowdown.toFixed(2)} ${s.tolerance.padEnd(7)} ${s.design.padEnd(16)} flagged ${flagged}/${n} (${(100 * row.flaggedRate).toFixed(1)}%, Wilson upper ${(100 * row.flaggedWilson95Upper).toFixed(1)}%)  median load ${row.medianLoadSecondsPerSide.toFixed(1)} s/side  ${JSON.stringify(stops)}  [${row.seconds}s]`,
    );
  }
  return rows;
}

/** Trials of the fixed design's and the naive boundary's rows for `trials` sequential ones. */
export function fewerTrials(trials: number): number {
  return Math.max(Math.min(trials, 100), Math.round(trials / 3));
}

/** A/A settings: both designs, every runner and tolerance. */
export function aaSettings(variants: readonly Variant[]): Setting[] {
  return variants.flatMap((variant) =>
    Object.keys(TOLERANCES).flatMap((tolerance) =>
      (['sequential', 'fixed'] as const).map((design) => ({
        variant,
        slowdown: 1,
        tolerance,
        design,
      })),
    ),
  );
}

/** Speed: median A/A load of the sequential design against the fixed one, same cap. */
export function speedOf(rows: readonly Row[]): Speed[] {
  const speed = rows
    .filter((r) => r.slowdown === 1 && r.design === 'sequential')
    .map((r) => {
      const fixed = rows.find(
        (f) =>
          f.design === 'fixed' &&
          f.variant === r.variant &&
          f.tolerance === r.tolerance &&
          f.slowdown === 1,
      )!;
      return {
        variant: r.variant,
        tolerance: r.tolerance,
        sequentialMedianSeconds: r.medianLoadSecondsPerSide,
        fixedMedianSeconds: fixed.medianLoadSecondsPerSide,
        ratio: Number((r.medianLoadSecondsPerSide / fixed.medianLoadSecondsPerSide).toFixed(3)),
      };
    });
  for (const s of speed) {
    console.log(
      `speed ${s.variant} ${s.tolerance}: A/A median ${s.sequentialMedianSeconds} s vs fixed ${s.fixedMedianSeconds} s per side = ${(100 * s.ratio).toFixed(0)}%`,
    );
  }
  return speed;
}

export function runSequentialBench(argv: string[]): void {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  // The sequential design's rows carry the error-rate and power claims: --trials each (default
  // 300); the fixed design's reference rows and the naive boundary get a third as many, but 100
  // when that is more (and never more than --trials).
  const trials = Number(value('--trials') ?? (argv.includes('--quick') ? 20 : 300));
  const seconds = Number(value('--seconds') ?? 30);
  const variants = (value('--variants')?.split(',') as Variant[] | undefined) ?? [
    'steady',
    'noisy',
  ];
  const design = designFor(seconds);
  const settings: Setting[] = [];
  for (const variant of variants) {
    settings.push(...aaSettings([variant]));
    settings.push({ variant, slowdown: 1, tolerance: 'default', design: 'sequential-naive' });
    // A change under the tolerance (flagging it is the price of looking often), one exactly at
    // it (a pass that stopped early is the pass side's error, PASS_ERROR at most), and power.
    for (const [slowdown, tolerance] of [
      [1.03, '5%'],
      [1.05, '5%'],
      [1.1, '5%'],
      [1.2, 'default'],
    ] as const) {
      settings.push({ variant, slowdown, tolerance, design: 'sequential' });
      settings.push({ variant, slowdown, tolerance, design: 'fixed' });
    }
  }
  const started = performance.now();
  const rows = runSettings(settings, trials, seconds);
  const speed = speedOf(rows);
  // A/A per runner, both tolerances pooled: the error-rate claim's trial count.
  const aa = variants.map((variant) => {
    const pooled = rows.filter(
      (r) => r.variant === variant && r.slowdown === 1 && r.design === 'sequential',
    );
    const flagged = pooled.reduce((a, r) => a + r.flagged, 0);
    const n = pooled.reduce((a, r) => a + r.trials, 0);
    return {
      variant,
      trials: n,
      flagged,
      flaggedWilson95Upper: Number(wilsonUpper(flagged, n).toFixed(4)),
    };
  });
  for (const a of aa) {
    console.log(
      `A/A ${a.variant}, both tolerances: flagged ${a.flagged}/${a.trials} (Wilson upper ${(100 * a.flaggedWilson95Upper).toFixed(2)}%)`,
    );
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const out = value('--out') ?? path.join(root, 'bench/results/decisions-sequential.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        bench: 'decisions --sequential',
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        elapsedSeconds: Math.round((performance.now() - started) / 1000),
        settings: {
          trialsPerSetting: trials,
          secondsPerSide: seconds,
          design,
          route: ROUTE,
          noise: NOISE,
          connections: CONNECTIONS,
          tolerances: TOLERANCES,
          spending: {
            breach: 'Pocock, (1 − 0.95)/2 one-sided',
            pass: `Pocock, ${SPENDING.passError} one-sided`,
          },
        },
        rows,
        aaPooled: aa,
        speed,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
