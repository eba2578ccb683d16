/**
 * Decision quality of side-by-side verdicts (npm run bench:decisions).
 *
 * Does perf-gate cry wolf, and does it catch real regressions? Two loopback deployments answer
 * a route with a log-normal latency (median 15 ms, p95 ≈ 31 ms); the candidate's delays are
 * multiplied by a slowdown factor. Every trial judges the candidate's p95 twice, with the same
 * load per side:
 *
 * - side-by-side: perf-gate's own pipeline as run-gate runs it: measureSideBySide (ABBA rounds,
 *   default blocks), evaluateEndpoint with the regression rule, and, when needsConfirmation says
 *   so, a second side-by-side measurement judged with `confirmation`; flagged = p95 breaches after
 *   confirmation;
 * - sequential: what a naive gate does: measure the reference, then the candidate, once each,
 *   and flag when candidate p95 > reference p95 × (1 + tolerance).
 *
 * Both at perf-gate's default tolerance (p95 +10%, min-delta 1 ms) and at a calibrated 5%.
 * Variants: `steady` (only the deployments' own randomness and whatever else runs on the
 * machine), `noisy` (runner noise: every 100–500 ms the machine gets faster or slower by a random
 * factor, log-sd 0.1, plus 0–4 ms of per-request jitter), and `drift` (at a uniformly random moment
 * of each measurement window a neighbour job starts and every delay grows by 25% until the mode
 * ends: in ABBA order it hits both sides, in a sequential comparison mostly the candidate).
 *
 * Processes: the servers run in one child process (this file with `--serve`), each lane's load
 * generator and evaluation in another (`--lane`), and this one only hands out trials. A load
 * generator sharing an event loop with the servers would add its own queueing to every latency;
 * and lanes sharing one would stall each other's measurements while merging histograms or
 * bootstrapping (which we saw: 20–30 ms stalls that inflated whichever side was being measured).
 * Several lanes run at once so the bench fits its time budget; they share the CPUs, as jobs on a
 * shared runner do, and that hits both modes alike.
 *
 * Options: --quick (3 trials per setting), --trials N, --seconds S (load per side per
 * measurement, default 2), --warmup S, --lanes K, --connections C, --variants steady,noisy,drift,
 * --slowdowns 1,1.1 (for every variant), --blocks B (override the default ABBA blocks),
 * --always-confirm and --raw FILE (one JSON line per trial with every round's histogram, to
 * re-evaluate other decision rules offline), --out FILE (default bench/results/decisions.json).
 * --adaptive runs the budget-only speed bench of adaptive measurement instead
 * (bench/adaptive-budgets.ts, bench/results/decisions-adaptive.json). --sequential runs the
 * seeded simulation of sequential side-by-side decisions instead (bench/sequential-simulation.ts,
 * bench/results/decisions-sequential.json).
 */

import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Baseline } from '../src/baseline/types.js';
import type { EndpointConfig, RegressionRules } from '../src/config/types.js';
import { evaluateEndpoint, needsConfirmation } from '../src/evaluate/evaluate.js';
import { mulberry32 } from '../src/evaluate/stats.js';
import type { EndpointResult } from '../src/evaluate/types.js';
import { measureEndpoint } from '../src/measure/engine.js';
import { measureSideBySide, type SideBySideResult } from '../src/measure/side-by-side.js';
import type { Measurement } from '../src/measure/types.js';

// ---------------------------------------------------------------------------------------------
// The route both deployments serve

const ROUTE = { medianMs: 15, sigma: 0.45 };
const NOISE = { episodeMinMs: 100, episodeMaxMs: 500, episodeSigma: 0.1, jitterMs: 4 };
const DRIFT = { multiplier: 1.25 };

type Variant = 'steady' | 'noisy' | 'drift';
type Side = 'reference' | 'candidate';

/** Control requests to the server process, as JSON bodies of POST /control. */
type Control =
  | { type: 'lane'; lane: number }
  | { type: 'set'; lane: number; slowdown: number; noisy: boolean; seed: number }
  | { type: 'drift'; lane: number; multiplier: number };

interface LaneUrls {
  lane: number;
  reference: string;
  candidate: string;
}

function gaussian(random: () => number): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * The server process: two deployments per lane, reconfigured between trials through a control
 * server on its own port (so a lane reaches it directly, without a hop through the coordinator).
 */
async function serve(): Promise<void> {
  interface Lane {
    slowdown: number;
    noisy: boolean;
    drift: number;
    episode: number;
    episodeUntil: number;
    random: () => number;
    urls?: LaneUrls;
  }
  const lanes = new Map<number, Lane>();

  const delayMs = (lane: Lane, side: Side): number => {
    const now = performance.now();
    if (lane.noisy && now >= lane.episodeUntil) {
      lane.episode = Math.exp(NOISE.episodeSigma * gaussian(lane.random));
      lane.episodeUntil =
        now + NOISE.episodeMinMs + lane.random() * (NOISE.episodeMaxMs - NOISE.episodeMinMs);
    }
    const base = ROUTE.medianMs * Math.exp(ROUTE.sigma * gaussian(lane.random));
    const own = side === 'candidate' ? lane.slowdown : 1;
    const runner = lane.drift * (lane.noisy ? lane.episode : 1);
    return base * own * runner + (lane.noisy ? lane.random() * NOISE.jitterMs : 0);
  };

  const listen = (server: Server): Promise<string> => {
    server.keepAliveTimeout = 60_000;
    return new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      ),
    );
  };

  const deployment = (lane: Lane, side: Side) =>
    createServer((req, res) => {
      req.resume();
      setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
          res.end('{"ok":true}');
        },
        delayMs(lane, side),
      );
    });

  const control = async (message: Control): Promise<LaneUrls | Record<string, never>> => {
    if (message.type === 'lane') {
      let lane = lanes.get(message.lane);
      if (!lane) {
        lane = {
          slowdown: 1,
          noisy: false,
          drift: 1,
          episode: 1,
          episodeUntil: 0,
          random: mulberry32(message.lane + 1),
        };
        lanes.set(message.lane, lane);
        lane.urls = {
          lane: message.lane,
          reference: await listen(deployment(lane, 'reference')),
          candidate: await listen(deployment(lane, 'candidate')),
        };
      }
      return lane.urls!;
    }
    const lane = lanes.get(message.lane);
    if (!lane) throw new Error(`no lane ${message.lane}`);
    if (message.type === 'set') {
      lane.slowdown = message.slowdown;
      lane.noisy = message.noisy;
      lane.drift = 1;
      lane.episode = 1;
      lane.episodeUntil = 0;
      lane.random = mulberry32(message.seed);
    } else {
      lane.drift = message.multiplier;
    }
    return {};
  };

  const controlServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      control(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Control).then(
        (body) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: unknown) => res.writeHead(400).end(String(error)),
      );
    });
  });
  process.send!({ control: await listen(controlServer) });
  // The coordinator closing the channel (or dying) ends this process.
  process.on('disconnect', () => process.exit(0));
}

async function sendControl(controlUrl: string, message: Control): Promise<unknown> {
  const response = await fetch(controlUrl, { method: 'POST', body: JSON.stringify(message) });
  if (!response.ok) throw new Error(`control ${message.type}: ${await response.text()}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------------
// Trials

interface Options {
  trials: number;
  secondsPerSide: number;
  warmupSeconds: number;
  connections: number;
  lanes: number;
  variants: Variant[];
  /** Candidate slowdown factors per variant. */
  slowdowns: Record<Variant, number[]>;
  /** ABBA blocks per side-by-side measurement; default: measureSideBySide's own choice. */
  blocks?: number;
  /** Measure the confirmation even when nothing breached (for re-evaluating other rules from --raw). */
  alwaysConfirm: boolean;
  /** Also judge every trial the naive way (off with --no-sequential, to spend the time on side by side). */
  sequential: boolean;
  raw?: string;
  out: string;
}

interface Setting {
  variant: Variant;
  slowdown: number;
}

/** A decision rule for p95: perf-gate's default canary rule, and a tighter calibrated one. */
const RULES: Record<string, RegressionRules> = {
  '10%': { p95: { maxIncrease: 0.1, minDelta: 1 } },
  '5%': { p95: { maxIncrease: 0.05, minDelta: 1 } },
};
type RuleName = keyof typeof RULES;

interface SideBySideOutcome {
  /** Per rule: flagged, after confirmation as run-gate does it. */
  flagged: Record<RuleName, boolean>;
  /** Per rule: the first measurement alone breached. */
  breachedFirst: Record<RuleName, boolean>;
  /** Per rule: needsConfirmation asked for a second measurement. */
  confirmed: Record<RuleName, boolean>;
  ratio: number;
  confirmationRatio?: number;
  requests: { candidate: number; reference: number };
  /** Per rule: load spent (a confirmation only when that rule asked for one). */
  loadMs: Record<RuleName, number>;
}

interface SequentialOutcome {
  flagged: Record<RuleName, boolean>;
  ratio: number;
  requests: { candidate: number; reference: number };
  loadMs: number;
}

interface TrialResult {
  setting: Setting;
  index: number;
  driftAt: number;
  sideBySide: SideBySideOutcome;
  /** Absent with --no-sequential. */
  sequential?: SequentialOutcome;
}

function endpointFor(
  candidateUrl: string,
  options: Options,
  rules: RegressionRules,
): EndpointConfig {
  return {
    name: 'GET /work',
    method: 'GET',
    path: '/work',
    url: `${candidateUrl}/work`,
    headers: {},
    load: {
      connections: options.connections,
      durationMs: options.secondsPerSide * 1000,
      warmupMs: options.warmupSeconds * 1000,
      timeoutMs: 10_000,
    },
    budget: {},
    regression: rules,
    line: 1,
  };
}

function referenceBaseline(result: SideBySideResult, url: string): Baseline {
  return { kind: 'reference', source: url, measurement: result.reference, rounds: result.rounds };
}

function p95Breached(result: EndpointResult): boolean {
  return result.findings.some((f) => f.metric === 'p95' && f.breaches.includes('regression'));
}

async function runTrial(
  controlUrl: string,
  lane: LaneUrls,
  setting: Setting,
  index: number,
  options: Options,
): Promise<{ result: TrialResult; histograms: Record<string, string[]> }> {
  const seed = hashSeed(`${setting.variant}/${setting.slowdown}/${index}`);
  const random = mulberry32(seed);
  const driftAt = random();
  await sendControl(controlUrl, {
    type: 'set',
    lane: lane.lane,
    slowdown: setting.slowdown,
    noisy: setting.variant === 'noisy',
    seed,
  });
  const drift = (multiplier: number) =>
    sendControl(controlUrl, { type: 'drift', lane: lane.lane, multiplier }).catch(
      (error: unknown) => console.error(`drift control failed: ${String(error)}`),
    );
  const sideMs = (options.secondsPerSide + options.warmupSeconds) * 1000;
  /** The neighbour job of the drift variant starts at `driftAt` of a measurement window. */
  const armDrift = (windowMs: number): (() => Promise<unknown>) => {
    if (setting.variant !== 'drift') return async () => {};
    const timer = setTimeout(() => void drift(DRIFT.multiplier), driftAt * windowMs);
    return () => {
      clearTimeout(timer);
      return drift(1);
    };
  };
  const endpoint = endpointFor(lane.candidate, options, RULES['10%']);
  const histograms: Record<string, string[]> = {};
  const keep = (key: string, ms: Measurement[]) => {
    if (options.raw) histograms[key] = ms.map((m) => m.histogram);
  };

  const sideBySide = async (): Promise<SideBySideOutcome> => {
    const disarm = armDrift(2 * sideMs);
    const measure = () =>
      measureSideBySide(endpoint, {
        referenceUrl: lane.reference,
        candidateUrl: lane.candidate,
        ...(options.blocks ? { blocks: options.blocks } : {}),
      });
    try {
      const first = await measure();
      const baseline = referenceBaseline(first, lane.reference);
      const rulesFor = (name: RuleName) => ({ ...endpoint, regression: RULES[name] });
      const names = Object.keys(RULES);
      const firstResults = Object.fromEntries(
        names.map((name) => [name, evaluateEndpoint(rulesFor(name), first.candidate, baseline)]),
      ) as Record<RuleName, EndpointResult>;
      const confirmed = Object.fromEntries(
        names.map((name) => [name, needsConfirmation(firstResults[name])]),
      ) as Record<RuleName, boolean>;
      // One confirmation measurement serves every rule that asks for one.
      const second =
        Object.values(confirmed).some(Boolean) || options.alwaysConfirm
          ? await measure()
          : undefined;
      const flagged = {} as Record<RuleName, boolean>;
      const breachedFirst = {} as Record<RuleName, boolean>;
      const loadMs = {} as Record<RuleName, number>;
      for (const name of names) {
        breachedFirst[name] = p95Breached(firstResults[name]);
        loadMs[name] = (confirmed[name] ? 4 : 2) * sideMs;
        flagged[name] =
          confirmed[name] && second
            ? p95Breached(
                evaluateEndpoint(rulesFor(name), first.candidate, baseline, {
                  confirmation: second.candidate,
                  confirmationBaseline: referenceBaseline(second, lane.reference),
                }),
              )
            : breachedFirst[name];
      }
      keep(
        'sxsCandidate',
        first.rounds.map((r) => r.candidate),
      );
      keep(
        'sxsReference',
        first.rounds.map((r) => r.reference),
      );
      if (second) {
        keep(
          'confirmCandidate',
          second.rounds.map((r) => r.candidate),
        );
        keep(
          'confirmReference',
          second.rounds.map((r) => r.reference),
        );
      }
      return {
        flagged,
        breachedFirst,
        confirmed,
        ratio: first.candidate.latency.p95 / first.reference.latency.p95,
        ...(second
          ? { confirmationRatio: second.candidate.latency.p95 / second.reference.latency.p95 }
          : {}),
        requests: { candidate: first.candidate.requests, reference: first.reference.requests },
        loadMs,
      };
    } finally {
      await disarm();
    }
  };

  const sequential = async (): Promise<SequentialOutcome> => {
    const disarm = armDrift(2 * sideMs);
    try {
      const reference = await measureEndpoint(endpoint, { baseUrl: lane.reference });
      const candidate = await measureEndpoint(endpoint, { baseUrl: lane.candidate });
      keep('seqReference', [reference]);
      keep('seqCandidate', [candidate]);
      const ratio = candidate.latency.p95 / reference.latency.p95;
      const flagged = Object.fromEntries(
        Object.entries(RULES).map(([name, rules]) => [name, ratio > 1 + rules.p95!.maxIncrease]),
      ) as Record<RuleName, boolean>;
      return {
        flagged,
        ratio,
        requests: { candidate: candidate.requests, reference: reference.requests },
        loadMs: 2 * sideMs,
      };
    } finally {
      await disarm();
    }
  };

  // Alternate which mode goes first, so neither always meets a warmer or colder machine.
  let sxs: SideBySideOutcome;
  let seq: SequentialOutcome | undefined;
  if (!options.sequential) {
    sxs = await sideBySide();
  } else if (index % 2 === 0) {
    sxs = await sideBySide();
    seq = await sequential();
  } else {
    seq = await sequential();
    sxs = await sideBySide();
  }
  const result: TrialResult = { setting, index, driftAt, sideBySide: sxs };
  if (seq) result.sequential = seq;
  return { result, histograms };
}

function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

// ---------------------------------------------------------------------------------------------
// Rates and the table

/** Wilson score interval for k successes in n trials (95%). */
export function wilson(k: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

interface Cell {
  variant: Variant;
  slowdown: number;
  mode: string;
  tolerance: string;
  trials: number;
  flagged: number;
  rate: number;
  wilson95: [number, number];
  /** Load seconds per trial in this mode (both sides, warmups and confirmations included). */
  loadSecondsPerTrial: number;
  /** Side-by-side only: trials whose first measurement breached (before confirmation). */
  breachedFirst?: number;
  /** Side-by-side only: trials measured a second time (a breach, or a suspected regression). */
  confirmations?: number;
  medianRatio: number;
  medianRequestsPerSide: number;
}

function tabulate(results: TrialResult[], settings: Setting[]): Cell[] {
  const cells: Cell[] = [];
  for (const setting of settings) {
    const trials = results.filter(
      (r) => r.setting.variant === setting.variant && r.setting.slowdown === setting.slowdown,
    );
    if (trials.length === 0) continue;
    const modes = trials.every((t) => t.sequential)
      ? (['side-by-side', 'sequential'] as const)
      : (['side-by-side'] as const);
    for (const mode of modes) {
      for (const tolerance of Object.keys(RULES)) {
        // `modes` holds 'sequential' only when every trial measured it.
        const outcome = (t: TrialResult) =>
          mode === 'side-by-side' ? t.sideBySide : t.sequential!;
        const flagged = trials.filter((t) => outcome(t).flagged[tolerance]).length;
        const cell: Cell = {
          variant: setting.variant,
          slowdown: setting.slowdown,
          mode,
          tolerance,
          trials: trials.length,
          flagged,
          rate: flagged / trials.length,
          wilson95: wilson(flagged, trials.length),
          loadSecondsPerTrial:
            mean(
              trials.map((t) =>
                mode === 'side-by-side' ? t.sideBySide.loadMs[tolerance] : t.sequential!.loadMs,
              ),
            ) / 1000,
          medianRatio: medianOf(trials.map((t) => outcome(t).ratio)),
          medianRequestsPerSide: medianOf(trials.map((t) => outcome(t).requests.candidate)),
        };
        if (mode === 'side-by-side') {
          cell.breachedFirst = trials.filter((t) => t.sideBySide.breachedFirst[tolerance]).length;
          cell.confirmations = trials.filter((t) => t.sideBySide.confirmed[tolerance]).length;
        }
        cells.push(cell);
      }
    }
  }
  return cells;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function slowdownLabel(slowdown: number): string {
  const change = Math.round((slowdown - 1) * 100);
  return `${change >= 0 ? '+' : ''}${change}%`;
}

function renderTable(cells: Cell[]): string {
  const header = [
    'variant',
    'p95 change',
    'mode',
    'tolerance',
    'what it is',
    'rate',
    'Wilson 95%',
    'flagged/trials',
    'measured twice',
    'load s/trial',
    'median ratio',
  ];
  const rows = cells.map((c) => {
    const change = c.slowdown - 1;
    const tolerance = Number(c.tolerance.replace('%', '')) / 100;
    const meaning =
      change === 0
        ? 'false alarms'
        : Math.abs(change - tolerance) < 1e-9
          ? 'at tolerance'
          : change > tolerance
            ? 'detection'
            : 'within tolerance';
    return [
      c.variant,
      slowdownLabel(c.slowdown),
      c.mode,
      c.tolerance,
      meaning,
      percent(c.rate),
      `${percent(c.wilson95[0])}–${percent(c.wilson95[1])}`,
      `${c.flagged}/${c.trials}`,
      c.confirmations === undefined ? '' : `${c.confirmations}/${c.trials}`,
      c.loadSecondsPerTrial.toFixed(1),
      c.medianRatio.toFixed(3),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

/**
 * The grid: every slowdown on a steady runner; on the noisy and drifting ones the settings that
 * tell the modes apart (no change, and changes at and above the tolerance), to keep the full
 * bench within its time budget.
 */
const DEFAULT_SLOWDOWNS: Record<Variant, number[]> = {
  steady: [1, 1.05, 1.1, 1.2, 1.5],
  noisy: [1, 1.1, 1.2],
  drift: [1, 1.1, 1.2],
};

function slowdownsFor(given: number[] | undefined): Record<Variant, number[]> {
  if (!given) return DEFAULT_SLOWDOWNS;
  for (const f of given) {
    if (!(f >= 1))
      throw new Error(`--slowdowns: ${f} is not a slowdown factor (1 = none, 1.1 = +10%)`);
  }
  return { steady: given, noisy: given, drift: given };
}

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const list = <T>(name: string, parse: (s: string) => T): T[] | undefined =>
    value(name)
      ?.split(',')
      .map((s) => parse(s.trim()));
  const options: Options = {
    trials: Number(value('--trials') ?? (quick ? 3 : 50)),
    secondsPerSide: Number(value('--seconds') ?? 2),
    warmupSeconds: Number(value('--warmup') ?? 0.25),
    connections: Number(value('--connections') ?? 24),
    lanes: Number(value('--lanes') ?? 4),
    variants: list('--variants', (s) => s as Variant) ?? ['steady', 'noisy', 'drift'],
    slowdowns: slowdownsFor(list('--slowdowns', Number)),
    raw: value('--raw'),
    ...(value('--blocks') ? { blocks: Number(value('--blocks')) } : {}),
    alwaysConfirm: argv.includes('--always-confirm'),
    sequential: !argv.includes('--no-sequential'),
    out:
      value('--out') ??
      path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'decisions.json'),
  };
  for (const v of options.variants) {
    if (!['steady', 'noisy', 'drift'].includes(v))
      throw new Error(`--variants: unknown variant "${v}" (steady, noisy or drift)`);
  }
  for (const [name, n] of Object.entries({
    trials: options.trials,
    seconds: options.secondsPerSide,
    connections: options.connections,
    lanes: options.lanes,
  })) {
    if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
  }
  return options;
}

/** Coordinator → lane messages, and back. */
type ToLane = { type: 'trial'; setting: Setting; index: number };
type FromLane =
  { type: 'ready' } | { type: 'result'; result: TrialResult; histograms: Record<string, string[]> };

/**
 * A lane process: its own load generator and evaluation, so the CPU one trial spends merging
 * histograms and bootstrapping never stalls the event loop that times another trial's requests.
 */
async function lane(): Promise<void> {
  const options = JSON.parse(argValue(process.argv, '--options')!) as Options;
  const controlUrl = argValue(process.argv, '--control')!;
  const laneId = Number(argValue(process.argv, '--lane'));
  const urls = (await sendControl(controlUrl, { type: 'lane', lane: laneId })) as LaneUrls;
  process.on('message', (message: ToLane) => {
    runTrial(controlUrl, urls, message.setting, message.index, options).then(
      ({ result, histograms }) =>
        process.send!({ type: 'result', result, histograms } satisfies FromLane),
      (error: unknown) => {
        console.error(error instanceof Error ? error.stack : error);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready' } satisfies FromLane);
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function forkSelf(args: string[]): ChildProcess {
  return fork(fileURLToPath(import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const settings: Setting[] = options.variants.flatMap((variant) =>
    options.slowdowns[variant].map((slowdown) => ({ variant, slowdown })),
  );
  // Round-robin over settings, so every setting sees the machine's early and late minutes alike.
  const queue: { setting: Setting; index: number }[] = [];
  for (let index = 0; index < options.trials; index++)
    for (const setting of settings) queue.push({ setting, index });
  const total = queue.length;

  const rawStream = options.raw ? createWriteStream(options.raw) : undefined;
  console.log(
    `bench:decisions: ${settings.length} settings × ${options.trials} trials, ${options.secondsPerSide}s per side ` +
      `(+${options.warmupSeconds}s warmup), ${options.connections} connections, ${options.lanes} lanes, node ${process.version}`,
  );
  // Other jobs on the machine are part of the noise the verdicts face: record how busy it was.
  const loadAverages: number[] = [];
  const sampleLoad = setInterval(() => loadAverages.push(os.loadavg()[0]), 10_000);
  sampleLoad.unref();
  const server = forkSelf(['--serve']);
  const children: ChildProcess[] = [server];
  const started = performance.now();
  const results: TrialResult[] = [];
  try {
    const controlUrl = await new Promise<string>((resolve, reject) => {
      server.once('message', (m: { control: string }) => resolve(m.control));
      server.once('exit', () => reject(new Error('the server process exited before it listened')));
    });
    await Promise.all(
      Array.from({ length: options.lanes }, (_, id) => {
        const child = forkSelf([
          '--lane',
          String(id),
          '--control',
          controlUrl,
          '--options',
          JSON.stringify(options),
        ]);
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          const next = () => {
            const trial = queue.shift();
            if (!trial) return resolve();
            child.send({ type: 'trial', ...trial } satisfies ToLane);
          };
          child.on('exit', (code) => {
            if (queue.length > 0 || code !== 0) reject(new Error(`lane ${id} exited with ${code}`));
          });
          child.on('message', (message: FromLane) => {
            if (message.type === 'result') {
              results.push(message.result);
              rawStream?.write(
                `${JSON.stringify({ ...message.result, histograms: message.histograms })}\n`,
              );
              if (
                results.length % Math.max(1, Math.floor(total / 20)) === 0 ||
                results.length === total
              ) {
                const elapsed = (performance.now() - started) / 1000;
                const eta = (elapsed / results.length) * (total - results.length);
                console.log(
                  `  ${results.length}/${total} trials, ${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s to go`,
                );
              }
            }
            next();
          });
        });
      }),
    );
  } finally {
    clearInterval(sampleLoad);
    for (const child of children) if (child.connected) child.disconnect();
    rawStream?.end();
  }

  const cells = tabulate(results, settings);
  const elapsedSeconds = (performance.now() - started) / 1000;
  console.log(`\n${renderTable(cells)}\n`);
  console.log(
    `${results.length} trials in ${(elapsedSeconds / 60).toFixed(1)} min; 1-minute load average ` +
      `${loadAverages.length ? `${Math.min(...loadAverages).toFixed(1)}–${Math.max(...loadAverages).toFixed(1)} (median ${medianOf(loadAverages).toFixed(1)})` : 'not sampled'} on ${os.cpus().length} CPUs`,
  );

  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        bench: 'decisions',
        date: new Date().toISOString(),
        node: process.version,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        elapsedSeconds: Math.round(elapsedSeconds),
        loadAverage1m: loadAverages.length
          ? {
              min: Math.min(...loadAverages),
              median: medianOf(loadAverages),
              max: Math.max(...loadAverages),
              samples: loadAverages.length,
            }
          : null,
        settings: {
          trialsPerSetting: options.trials,
          secondsPerSide: options.secondsPerSide,
          warmupSecondsPerSide: options.warmupSeconds,
          connections: options.connections,
          lanes: options.lanes,
          route: ROUTE,
          noise: NOISE,
          drift: DRIFT,
          rules: RULES,
          variants: options.variants,
          slowdowns: Object.fromEntries(options.variants.map((v) => [v, options.slowdowns[v]])),
        },
        results: cells,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), options.out)}`);
}

if (process.argv.includes('--serve')) {
  void serve();
} else if (process.argv.includes('--sequential')) {
  // Side by side, sequentially: seeded simulation of the decision code (bench/sequential-simulation.ts).
  import('./sequential-simulation.js')
    .then((m) => m.runSequentialBench(process.argv.slice(2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
} else if (process.argv.includes('--adaptive')) {
  // Budgets only: adaptive against the fixed design on the example file (bench/adaptive-budgets.ts).
  import('./adaptive-budgets.js')
    .then((m) => m.runAdaptiveBench(process.argv.slice(2)))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    });
} else if (process.argv.includes('--lane')) {
  void lane();
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  });
}
