import type { Config, EndpointConfig } from '../config/types.js';
import type { Baseline } from '../baseline/types.js';
import {
  evaluateEndpoint,
  evaluateRun,
  needsConfirmation,
  type EndpointEvaluationInput,
  type EvaluateOptions,
  type RunEvaluation,
} from '../evaluate/evaluate.js';
import type { RunError } from '../evaluate/types.js';
import { measureEndpoint, type AdaptiveOptions, type MeasureProgress } from '../measure/engine.js';
import type { ReadyResult } from '../measure/ready.js';
import { measureSideBySide } from '../measure/side-by-side.js';
import { measureSequentialSideBySide, sequentialSideBySideFor } from './side-by-side-sequential.js';
import { CERTIFICATE_HINT, isCertificateError } from '../measure/tls.js';
import { adaptiveLooks, plannedLoadMs } from '../config/plan.js';
import type { Schedule } from './start-at.js';
import { DEFAULT_CONFIDENCE } from '../config/types.js';
import { lookConfidence, settleBudgets } from '../evaluate/sequential.js';
import { settleAgainstHistory } from '../evaluate/sequential-history.js';
import { bucketsOf } from '../evaluate/stats.js';
import { formatDuration } from '../units/format.js';
import type { Measurement } from '../measure/types.js';
import { waitForTarget } from './ready.js';

/**
 * The gate from a loaded config to verdicts: ready-wait, baselines, measurement (with
 * confirmation of breaches), evaluation. Shared by the action and the CLI; what differs between
 * them (logging, progress, where results go) comes in through `GateInput`.
 */

export interface GateLog {
  info(line: string): void;
  warning(line: string): void;
  debug(line: string): void;
  /** Runs one phase under a heading (a collapsible group in Actions). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface GateInput {
  config: Config;
  /** Reference deployment for side-by-side comparison (the baseline-url input). */
  baselineUrl?: string;
  /**
   * Hard cap on the load, ms of wall-clock time spent measuring (warmups, runs, rounds,
   * confirmations): at the cap the load stops, whatever is running, and every endpoint not
   * measured in full is a run error naming it. A confirmation that would not fit is skipped.
   */
  maxDurationMs?: number;
  signal?: AbortSignal;
  log: GateLog;
  onProgress?: (endpoint: string, progress: MeasureProgress) => void;
  evaluate?: EvaluateOptions;
  /**
   * Reads CloudWatch baselines for the endpoints that have one configured; absent = no
   * CloudWatch. Injected so the AWS SDK is loaded only when the budget file asks for it.
   */
  readCloudWatch?: (config: Config) => Promise<Map<string, Baseline>>;
  /** Where `readCloudWatch` reads the history from, for the log heading. Default CloudWatch. */
  historyName?: string;
  /** A sharded run's common start (gate/start-at.ts): waited for before each endpoint. */
  schedule?: Schedule;
}

export interface GateRun {
  evaluation: RunEvaluation;
  ready?: ReadyResult;
  startedAt: Date;
  finishedAt: Date;
  /** Total recorded + warmup load time spent, ms (what adaptive endpoints actually ran). */
  loadMs: number;
  /** The load time the fixed design would have spent on the same measurements, ms. */
  plannedLoadMs: number;
}

function loadTime(endpoint: EndpointConfig): number {
  return endpoint.load.durationMs + endpoint.load.warmupMs;
}

export async function runGate(input: GateInput): Promise<GateRun> {
  const { config, log, signal } = input;
  const startedAt = new Date();
  const ready = await waitForTarget(config, { baselineUrl: input.baselineUrl, signal, log });
  let history = new Map<string, Baseline>();
  if (!input.baselineUrl && input.readCloudWatch && !signal?.aborted) {
    history = await log.group(`Reading baselines from ${input.historyName ?? 'CloudWatch'}`, () =>
      input.readCloudWatch!(config),
    );
  }
  const run = new Measuring(input, history);
  for (const [index, endpoint] of config.endpoints.entries()) {
    if (input.schedule) {
      const lateMs = await input.schedule.beforeEndpoint(index, signal);
      if (lateMs >= 1000) {
        log.warning(
          `${endpoint.name}: started ${Math.round(lateMs / 1000)} s after its slot from start-at: the shards may not overlap`,
        );
      }
    }
    if (signal?.aborted) break;
    if (run.deadline.reached) {
      run.cut(endpoint, false);
      continue;
    }
    await log.group(`Measuring ${endpoint.method} ${endpoint.name}`, () => run.endpoint(endpoint));
  }

  const evaluation = evaluateRun(run.inputs, {
    ...input.evaluate,
    baselineRequired: config.baseline.required,
    cancelled: signal?.aborted === true,
    errors: run.errors,
  });
  const { loadMs, plannedMs } = run;
  evaluation.summary.load = { spentMs: Math.round(loadMs), plannedMs: Math.round(plannedMs) };
  return { evaluation, ready, startedAt, finishedAt: new Date(), loadMs, plannedLoadMs: plannedMs };
}

type Measured = { measurement: Measurement; baseline?: Baseline };

/**
 * One run's measuring, endpoint by endpoint: the load-time cap (paused between loads), the time
 * spent and planned, the errors, and what each endpoint hands to evaluation.
 */
class Measuring {
  readonly errors: RunError[] = [];
  readonly inputs: EndpointEvaluationInput[] = [];
  loadMs = 0;
  plannedMs = 0;
  readonly deadline: Deadline;
  private readonly side: 1 | 2;
  private readonly loadSignal: AbortSignal;
  private readonly capText: string;

  constructor(
    private readonly input: GateInput,
    private readonly history: Map<string, Baseline>,
  ) {
    this.side = input.baselineUrl ? 2 : 1;
    this.deadline = new Deadline(input.maxDurationMs);
    this.loadSignal = input.signal
      ? AbortSignal.any([input.signal, this.deadline.signal])
      : this.deadline.signal;
    this.capText = input.maxDurationMs === undefined ? '' : formatDuration(input.maxDurationMs);
  }

  /** An endpoint the cap stopped or never reached: named in the report, never passed. */
  cut(endpoint: EndpointConfig, started: boolean): void {
    const message = started
      ? `${endpoint.name}: cut at max-duration (${this.capText}): its load was stopped before the end, so it is not judged; shorten durations or raise max-duration`
      : `${endpoint.name}: not measured: the load reached max-duration (${this.capText}) before its turn; shorten durations or raise max-duration`;
    this.errors.push({ endpoint: endpoint.name, message });
    this.input.log.warning(message);
  }

  /** Measures one endpoint (and confirms a breach) and keeps what evaluation needs. */
  async endpoint(endpoint: EndpointConfig): Promise<void> {
    const { signal, log } = this.input;
    let first: Measured;
    try {
      first = await this.measureOnce(endpoint);
    } catch (error) {
      if (this.deadline.reached && !signal?.aborted) return this.cut(endpoint, true);
      this.errors.push({
        endpoint: endpoint.name,
        message: `${endpoint.name}: ${messageOf(error)}`,
      });
      log.warning(`${endpoint.name}: could not be measured: ${messageOf(error)}`);
      return;
    }
    if (this.deadline.reached && !signal?.aborted && wasCut(first)) return this.cut(endpoint, true);
    const unanswered = signal?.aborted ? undefined : nothingSucceeded(first);
    if (unanswered) {
      // Latencies of refused, timed-out or failed requests describe the failure, not the
      // endpoint: a gate must not pass a target that is down or a path that only 404s.
      const message = `${endpoint.name}: could not be measured: ${unanswered}`;
      this.errors.push({ endpoint: endpoint.name, message });
      log.warning(message);
    }
    const baseline = this.baselineOf(endpoint, first);
    const entry: EndpointEvaluationInput = { endpoint, measurement: first.measurement, baseline };
    const firstResult = evaluateEndpoint(
      endpoint,
      first.measurement,
      baseline,
      this.input.evaluate,
    );
    // A sequential side-by-side measurement confirmed its breaches within the sequence.
    const confirmedInSequence = first.measurement.adaptive?.blocks !== undefined;
    if (
      this.input.config.confirm &&
      !confirmedInSequence &&
      needsConfirmation(firstResult) &&
      !signal?.aborted &&
      !unanswered
    ) {
      await this.confirm(endpoint, entry);
    }
    this.inputs.push(entry);
  }

  private baselineOf(endpoint: EndpointConfig, first: Measured): Baseline {
    if (endpoint.regression === false) {
      return {
        kind: 'none',
        reason: 'regression checks are off for this endpoint',
        configured: false,
      };
    }
    return (
      first.baseline ??
      this.history.get(endpoint.name) ?? {
        kind: 'none',
        reason: 'no baseline configured',
        configured: false,
      }
    );
  }

  /** Measures a breaching endpoint once more, when that fits under the cap. */
  private async confirm(endpoint: EndpointConfig, entry: EndpointEvaluationInput): Promise<void> {
    const { signal, log } = this.input;
    if (this.deadline.remainingMs() < plannedLoadMs(endpoint.load, this.side === 2)) {
      log.warning(
        `${endpoint.name}: breach not confirmed: measuring it again would exceed max-duration`,
      );
      return;
    }
    log.info(`${endpoint.name}: breach found, measuring once more to confirm`);
    try {
      const second = await this.measureOnce(endpoint);
      if (this.deadline.reached && !signal?.aborted && wasCut(second)) {
        // Half a confirmation proves nothing either way: the first measurement stands.
        log.warning(
          `${endpoint.name}: breach not confirmed: the confirmation was cut at max-duration (${this.capText})`,
        );
      } else {
        entry.confirmation = second.measurement;
        if (second.baseline) entry.confirmationBaseline = second.baseline;
      }
    } catch (error) {
      log.warning(`${endpoint.name}: confirmation failed: ${messageOf(error)}`);
    }
  }

  /** One measurement under the cap, counting the load time it spent and the fixed design's. */
  private async measureOnce(endpoint: EndpointConfig): Promise<Measured> {
    this.plannedMs += loadTime(endpoint) * this.side;
    this.deadline.resume();
    let spent = loadTime(endpoint) * this.side;
    try {
      const result = await this.measureUnderCap(endpoint);
      const record = result.measurement.adaptive;
      if (record?.blocks !== undefined && result.baseline?.kind === 'reference') {
        spent =
          2 * endpoint.load.warmupMs +
          result.measurement.durationMs +
          result.baseline.measurement.durationMs;
      } else if (record) spent = endpoint.load.warmupMs + result.measurement.durationMs;
      return result;
    } finally {
      this.loadMs += spent;
      this.deadline.pause();
    }
  }

  private async measureUnderCap(endpoint: EndpointConfig): Promise<Measured> {
    const { input, loadSignal } = this;
    const onProgress =
      input.onProgress && ((p: MeasureProgress) => input.onProgress!(endpoint.name, p));
    if (input.baselineUrl) {
      // Sequential side by side (gate/side-by-side-sequential.ts); undefined: the fixed design.
      const design = sequentialSideBySideFor(endpoint);
      if (design) {
        return measureSequentialSideBySide(endpoint, design, {
          referenceUrl: input.baselineUrl,
          source: displayOrigin(input.baselineUrl),
          confirm: input.config.confirm,
          evaluate: input.evaluate,
          signal: loadSignal,
          log: input.log.info,
          warn: input.log.warning,
          onProgress,
        });
      }
      const result = await measureSideBySide(endpoint, {
        referenceUrl: input.baselineUrl,
        signal: loadSignal,
        log: input.log.info,
      });
      return {
        measurement: result.candidate,
        baseline: {
          kind: 'reference',
          source: displayOrigin(input.baselineUrl),
          measurement: result.reference,
          rounds: result.rounds,
        },
      };
    }
    const adaptive = adaptiveFor(
      endpoint,
      endpoint.regression !== false ? this.history.get(endpoint.name) : undefined,
      input.evaluate?.confidence,
    );
    const measurement = await measureEndpoint(endpoint, {
      signal: loadSignal,
      log: input.log.info,
      onProgress,
      ...(adaptive ? { adaptive } : {}),
    });
    if (measurement.adaptive) {
      const { look, looks } = measurement.adaptive;
      measurement.adaptive.confidence = lookConfidence(confidenceOf(endpoint), look, looks);
    }
    return { measurement };
  }
}

function confidenceOf(endpoint: EndpointConfig): number {
  return endpoint.confidence ?? DEFAULT_CONFIDENCE;
}

/**
 * The adaptive design for an endpoint measured alone (SPEC §4), or undefined for the fixed one:
 * when it asks for it and has budgets or a history baseline (CloudWatch, the data branch) to
 * settle. It stops once both are settled (evaluate/sequential.ts, sequential-history.ts), or on
 * the first breach.
 */
export function adaptiveFor(
  endpoint: EndpointConfig,
  history: Baseline | undefined,
  predictionConfidence?: number,
): { looks: number[]; decide: AdaptiveOptions['decide'] } | undefined {
  if (endpoint.adaptive !== true) return undefined;
  const judged = history?.kind === 'cloudwatch' ? history : undefined;
  const budgets = Object.keys(endpoint.budget).length > 0;
  if (!budgets && !judged) return undefined;
  const looks = adaptiveLooks(endpoint.load);
  if (looks.length < 2) return undefined;
  const confidence = confidenceOf(endpoint);
  return {
    looks,
    decide: (look, recorded) => {
      const sample = {
        buckets: bucketsOf(recorded.histogram),
        requests: recorded.requests,
        errors: recorded.errors,
      };
      const at = lookConfidence(confidence, look, looks.length);
      const states = [
        budgets ? settleBudgets(endpoint.budget, sample, at) : 'pass',
        judged
          ? settleAgainstHistory(endpoint.regression, judged, sample, at, predictionConfidence)
          : 'pass',
      ];
      if (states.includes('breach')) return 'breach';
      return states.every((s) => s === 'pass') ? 'pass' : undefined;
    },
  };
}

/** Whether the cap stopped a measurement (on either side of a side-by-side one). */
function wasCut(result: { measurement: Measurement; baseline?: Baseline }): boolean {
  return (
    result.measurement.cancelled === true ||
    (result.baseline?.kind === 'reference' && result.baseline.measurement.cancelled === true)
  );
}

/** Longest delay a Node timer takes; a longer one fires at once (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The max-duration cap, on the wall-clock time the load runs: it runs while a measurement is
 * under way (between `resume` and `pause`), not while the gate logs or evaluates between them,
 * and aborts its signal the moment the load has run for the cap. No cap: never reached.
 */
class Deadline {
  private readonly controller = new AbortController();
  /** Load time before the current measurement, ms. */
  private spentMs = 0;
  /** When the current measurement started; undefined between measurements. */
  private runningSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly capMs: number | undefined) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get reached(): boolean {
    return this.controller.signal.aborted;
  }

  resume(): void {
    if (this.capMs === undefined || this.runningSince !== undefined) return;
    this.runningSince = performance.now();
    this.schedule();
  }

  pause(): void {
    if (this.runningSince === undefined) return;
    this.spentMs += performance.now() - this.runningSince;
    this.runningSince = undefined;
    clearTimeout(this.timer);
  }

  remainingMs(): number {
    if (this.capMs === undefined) return Infinity;
    const running = this.runningSince === undefined ? 0 : performance.now() - this.runningSince;
    return this.capMs - this.spentMs - running;
  }

  private schedule(): void {
    const left = this.remainingMs();
    if (left <= 0) {
      this.controller.abort();
      return;
    }
    // A cap beyond the longest timer is reached in steps.
    this.timer = setTimeout(() => this.schedule(), Math.min(left, MAX_TIMER_MS));
    this.timer.unref();
  }
}

/**
 * Why a measurement (or its side-by-side reference) holds no successful response at all, or
 * undefined when at least one request succeeded. Cancelled measurements are not judged.
 */
export function nothingSucceeded(result: {
  measurement: Measurement;
  baseline?: Baseline;
}): string | undefined {
  const sides: [string, Measurement][] = [['', result.measurement]];
  if (result.baseline?.kind === 'reference') {
    sides.push([
      ` on the reference deployment ${result.baseline.source}`,
      result.baseline.measurement,
    ]);
  }
  for (const [where, m] of sides) {
    if (m.cancelled || (m.requests > 0 && m.errors < m.requests)) continue;
    if (m.requests === 0) return `no request was completed${where} in the load time`;
    if (Object.keys(m.errorBreakdown.connection).some(isCertificateError)) {
      return `none of its ${m.requests} requests${where} succeeded (${describeErrors(m)}): ${CERTIFICATE_HINT}`;
    }
    return (
      `none of its ${m.requests} requests${where} succeeded (${describeErrors(m)}): ` +
      'check that the target is up, that the URL and path are right, and that expect.status lists the statuses it answers with'
    );
  }
  return undefined;
}

/** `ECONNREFUSED ×120, HTTP 404 ×3, 2 timed out`: the error breakdown in a few words. */
export function describeErrors(m: Measurement): string {
  const b = m.errorBreakdown;
  const parts = [
    ...Object.entries(b.connection).map(([code, n]) => `${code} ×${n}`),
    ...Object.entries(b.status).map(([status, n]) => `HTTP ${status} ×${n}`),
  ];
  if (b.timeouts > 0) parts.push(`${b.timeouts} timed out`);
  if (b.resets > 0) parts.push(`${b.resets} reset`);
  return parts.length > 0 ? parts.join(', ') : 'no response';
}

/** Origin and path of a URL without credentials, query or fragment (safe to print). */
export function displayOrigin(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
