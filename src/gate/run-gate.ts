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
import { measureEndpoint, type MeasureProgress } from '../measure/engine.js';
import { checkReachable, waitForReady, type ReadyResult } from '../measure/ready.js';
import { measureSideBySide } from '../measure/side-by-side.js';
import type { Measurement } from '../measure/types.js';

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
  /** Hard cap on total load time, ms; a confirmation that would exceed it is skipped. */
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
}

export interface GateRun {
  evaluation: RunEvaluation;
  ready?: ReadyResult;
  startedAt: Date;
  finishedAt: Date;
  /** Total recorded + warmup load time spent, ms. */
  loadMs: number;
}

/** The reference deployment's URL for a URL of the target (same path and query). */
function onReference(url: string, config: Config, referenceUrl: string): string {
  const target = config.target.url.replace(/\/+$/, '');
  const rest = url.startsWith(target)
    ? url.slice(target.length)
    : new URL(url).pathname + new URL(url).search;
  return referenceUrl.replace(/\/+$/, '') + rest;
}

function loadTime(endpoint: EndpointConfig): number {
  return endpoint.load.durationMs + endpoint.load.warmupMs;
}

export async function runGate(input: GateInput): Promise<GateRun> {
  const { config, log, signal } = input;
  const startedAt = new Date();
  const errors: RunError[] = [];
  let ready: ReadyResult | undefined;

  if (config.target.ready) {
    const { url, timeoutMs } = config.target.ready;
    ready = await log.group('Waiting for the target to be ready', async () => {
      const result = await waitForReady(url, {
        timeoutMs,
        headers: config.target.headers,
        signal,
        log: log.info,
      });
      if (input.baselineUrl) {
        await waitForReady(onReference(url, config, input.baselineUrl), {
          timeoutMs,
          headers: config.target.headers,
          signal,
          log: log.info,
        });
      }
      return result;
    });
  } else {
    // A slow first answer is left for the measurement to judge, within the load's own timeout.
    const timeoutMs = config.endpoints[0]?.load.timeoutMs;
    for (const url of [config.target.url, input.baselineUrl]) {
      if (url) await checkReachable(url, { headers: config.target.headers, signal, timeoutMs });
    }
  }

  let cloudwatch = new Map<string, Baseline>();
  if (!input.baselineUrl && input.readCloudWatch && !signal?.aborted) {
    cloudwatch = await log.group('Reading baselines from CloudWatch', () =>
      input.readCloudWatch!(config),
    );
  }

  const side = input.baselineUrl ? 2 : 1;
  let loadMs = 0;
  const measureOnce = async (
    endpoint: EndpointConfig,
  ): Promise<{ measurement: Measurement; baseline?: Baseline }> => {
    loadMs += loadTime(endpoint) * side;
    const onProgress =
      input.onProgress && ((p: MeasureProgress) => input.onProgress!(endpoint.name, p));
    if (input.baselineUrl) {
      const result = await measureSideBySide(endpoint, {
        referenceUrl: input.baselineUrl,
        signal,
        log: log.info,
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
    return { measurement: await measureEndpoint(endpoint, { signal, log: log.info, onProgress }) };
  };

  const inputs: EndpointEvaluationInput[] = [];
  for (const endpoint of config.endpoints) {
    if (signal?.aborted) break;
    await log.group(`Measuring ${endpoint.method} ${endpoint.name}`, async () => {
      let first: { measurement: Measurement; baseline?: Baseline };
      try {
        first = await measureOnce(endpoint);
      } catch (error) {
        errors.push({ endpoint: endpoint.name, message: `${endpoint.name}: ${messageOf(error)}` });
        log.warning(`${endpoint.name}: could not be measured: ${messageOf(error)}`);
        return;
      }
      const unanswered = signal?.aborted ? undefined : nothingSucceeded(first);
      if (unanswered) {
        // Latencies of refused, timed-out or failed requests describe the failure, not the
        // endpoint: a gate must not pass a target that is down or a path that only 404s.
        const message = `${endpoint.name}: could not be measured: ${unanswered}`;
        errors.push({ endpoint: endpoint.name, message });
        log.warning(message);
      }
      const baseline: Baseline =
        endpoint.regression === false
          ? {
              kind: 'none',
              reason: 'regression checks are off for this endpoint',
              configured: false,
            }
          : (first.baseline ??
            cloudwatch.get(endpoint.name) ?? {
              kind: 'none',
              reason: 'no baseline configured',
              configured: false,
            });
      const entry: EndpointEvaluationInput = { endpoint, measurement: first.measurement, baseline };
      const firstResult = evaluateEndpoint(endpoint, first.measurement, baseline, input.evaluate);
      if (config.confirm && needsConfirmation(firstResult) && !signal?.aborted && !unanswered) {
        const cap = input.maxDurationMs ?? Infinity;
        if (loadMs + loadTime(endpoint) * side > cap) {
          log.warning(
            `${endpoint.name}: breach not confirmed: measuring it again would exceed max-duration`,
          );
        } else {
          log.info(`${endpoint.name}: breach found, measuring once more to confirm`);
          try {
            const second = await measureOnce(endpoint);
            entry.confirmation = second.measurement;
            if (second.baseline) entry.confirmationBaseline = second.baseline;
          } catch (error) {
            log.warning(`${endpoint.name}: confirmation failed: ${messageOf(error)}`);
          }
        }
      }
      inputs.push(entry);
    });
  }

  const evaluation = evaluateRun(inputs, {
    ...input.evaluate,
    baselineRequired: config.baseline.required,
    cancelled: signal?.aborted === true,
    errors,
  });
  return { evaluation, ready, startedAt, finishedAt: new Date(), loadMs };
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
