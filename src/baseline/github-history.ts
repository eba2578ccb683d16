import type { EndpointConfig, GitHubHistoryConfig, LoadSettings } from '../config/types.js';
import type { RegressionMetric } from '../units/metrics.js';
import { LATENCY_METRICS } from '../units/metrics.js';
import { formatDuration } from '../units/format.js';
import type { Measurement } from '../measure/types.js';
import type { Baseline } from './types.js';

/**
 * The history perf-gate keeps in a data branch of the repository (`baseline.github`), as data:
 * the layout of its files, a published run, and the baseline a pull request reads from them.
 * No I/O here: src/github/history-store.ts moves the files, the action wires both.
 *
 * Layout: `perf-gate/<gate id>/<YYYY-MM>.json`, one file per gate and calendar month (UTC) of
 * the runs it holds, each `{ format: "perf-gate-history", version: 1, gate, runs: [...] }`. A
 * run keeps, per endpoint, what the CloudWatch publisher sends (the latency distribution, error
 * rate, throughput): the percentiles the judge reads as numbers, and the compressed HDR histogram
 * (3 significant digits: every percentile within 0.1%) for charts and later merging.
 */

export const HISTORY_FORMAT = 'perf-gate-history';
export const HISTORY_VERSION = 1;
/** Folder of the data branch that holds perf-gate's files. */
export const HISTORY_ROOT = 'perf-gate';
/**
 * Largest data file read. A month of a busy repository (300 pushes × 20 endpoints × ~1.5 KB) is
 * about 9 MB; a file past the cap is refused, not parsed.
 */
export const MAX_HISTORY_FILE_BYTES = 32 * 1024 * 1024;
/** Deepest JSON nesting accepted in a data file (a run is 5 levels deep). */
export const MAX_HISTORY_DEPTH = 16;
/** A stored histogram longer than this (base64 characters) is dropped from the run read. */
export const MAX_STORED_HISTOGRAM_CHARS = 256 * 1024;
/** Below this many matching runs, an endpoint has `no-baseline`: a median of one or two runs is noise. */
export const MIN_HISTORY_RUNS = 3;

/** The load settings a run was measured with: runs are comparable only when these are equal. */
export interface HistoryLoad {
  connections: number;
  durationMs: number;
  timeoutMs: number;
  rate?: number;
}

export interface HistoryEndpoint {
  load: HistoryLoad;
  requests: number;
  errors: number;
  /** Fraction, 0..1. */
  errorRate: number;
  /** Responses per second. */
  throughput: number;
  /** Latency statistics in ms, those the judge reads. */
  latency: Record<(typeof LATENCY_METRICS)[number], number>;
  /** Compressed HDR histogram of the latencies (µs, 3 significant digits). */
  histogram?: string;
}

export interface HistoryRun {
  /** Commit the run measured. */
  sha: string;
  /** Branch it ran on (the base branch of later pull requests). */
  branch: string;
  /** ISO time the run was measured. */
  time: string;
  /** `os/arch` of the runner. */
  runner: string;
  endpoints: Record<string, HistoryEndpoint>;
}

export interface HistoryFile {
  format: typeof HISTORY_FORMAT;
  version: typeof HISTORY_VERSION;
  gate: string;
  runs: HistoryRun[];
}

/** A data file perf-gate cannot use: says which file, what is wrong and how to fix it. */
export class HistoryFileError extends Error {
  override name = 'HistoryFileError';
}

/** Path of the file a run measured at `time` goes in. */
export function historyPath(gateId: string, time: Date): string {
  const month = time.toISOString().slice(0, 7);
  return `${historyFolder(gateId)}/${month}.json`;
}

export function historyFolder(gateId: string): string {
  // Gate ids are free text: keep the path one safe segment whatever they hold.
  const safe = gateId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'default';
  return `${HISTORY_ROOT}/${safe}`;
}

/** `perf-gate/<gate>/2026-11.json` → the first instant of that month, for retention. */
export function monthOfPath(path: string): Date | undefined {
  const m = /\/(\d{4})-(\d{2})\.json$/.exec(path);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
}

export function loadKey(load: LoadSettings): HistoryLoad {
  return {
    connections: load.connections,
    durationMs: load.durationMs,
    timeoutMs: load.timeoutMs,
    ...(load.rate !== undefined ? { rate: load.rate } : {}),
  };
}

function sameLoad(a: HistoryLoad, b: HistoryLoad): boolean {
  return (
    a.connections === b.connections &&
    a.durationMs === b.durationMs &&
    a.timeoutMs === b.timeoutMs &&
    a.rate === b.rate
  );
}

export interface RunToPublish {
  sha: string;
  branch: string;
  time: Date;
  runner: string;
  endpoints: { config: EndpointConfig; measurement: Measurement }[];
}

/** The stored form of one run. Cancelled or empty measurements are left out. */
export function historyRun(run: RunToPublish): HistoryRun {
  const endpoints: Record<string, HistoryEndpoint> = {};
  for (const { config, measurement: m } of run.endpoints) {
    if (m.cancelled || m.requests === 0) continue;
    const latency = Object.fromEntries(
      LATENCY_METRICS.map((metric) => [metric, round(m.latency[metric])]),
    ) as HistoryEndpoint['latency'];
    endpoints[config.name] = {
      load: loadKey(config.load),
      requests: m.requests,
      errors: m.errors,
      errorRate: m.errorRate,
      throughput: round(m.throughput),
      latency,
      ...(m.histogram.length <= MAX_STORED_HISTOGRAM_CHARS ? { histogram: m.histogram } : {}),
    };
  }
  return {
    sha: run.sha,
    branch: run.branch,
    time: run.time.toISOString(),
    runner: run.runner,
    endpoints,
  };
}

/** Microsecond precision is what the histogram holds; more digits only cost bytes. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The data file with `run` appended and runs older than the retention dropped, as the text to
 * commit. `existing` is the file's current text (absent for a new month).
 */
export function appendRun(
  existing: HistoryFile | undefined,
  gateId: string,
  run: HistoryRun,
  now: Date,
  retentionMs: number,
): HistoryFile {
  const keepFrom = now.getTime() - retentionMs;
  const runs = (existing?.runs ?? []).filter((r) => Date.parse(r.time) >= keepFrom);
  runs.push(run);
  runs.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return { format: HISTORY_FORMAT, version: HISTORY_VERSION, gate: gateId, runs };
}

/** Whether a month file holds only runs older than the retention: it can be deleted whole. */
export function monthExpired(path: string, now: Date, retentionMs: number): boolean {
  const start = monthOfPath(path);
  if (!start) return false;
  const end = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
  return end <= now.getTime() - retentionMs;
}

/** Month files that may hold runs within the lookback, newest first. */
export function monthsToRead(paths: readonly string[], now: Date, lookbackMs: number): string[] {
  const from = now.getTime() - lookbackMs;
  return paths
    .filter((p) => {
      const start = monthOfPath(p);
      if (!start) return false;
      const end = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
      return end > from && start.getTime() <= now.getTime();
    })
    .sort()
    .reverse();
}

export function encodeHistoryFile(file: HistoryFile): string {
  // One run per line: small diffs in the data branch, and still one JSON document.
  const runs = file.runs.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  return `{\n  "format": ${JSON.stringify(file.format)},\n  "version": ${file.version},\n  "gate": ${JSON.stringify(file.gate)},\n  "runs": [\n${runs}\n  ]\n}\n`;
}

/**
 * A data file's text, checked: size and nesting capped before parsing, the format and version
 * known, every run and endpoint of the expected shape. Anyone who can push to the data branch
 * can write these files, so nothing in them is trusted.
 */
export function decodeHistoryFile(text: string, where: string): HistoryFile {
  const fix = `delete ${where} from the data branch (or reset the branch, see docs/history.md) and publish again`;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_HISTORY_FILE_BYTES) {
    throw new HistoryFileError(
      `${where}: ${bytes.toLocaleString('en-US')} bytes, over the ${MAX_HISTORY_FILE_BYTES / 1024 / 1024} MiB perf-gate reads from a history file; ${fix}`,
    );
  }
  const depth = maxDepth(text);
  if (depth > MAX_HISTORY_DEPTH) {
    throw new HistoryFileError(
      `${where}: JSON nested ${depth} levels deep, over the ${MAX_HISTORY_DEPTH} a history file has; ${fix}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HistoryFileError(
      `${where}: not valid JSON (${(error as Error).message.slice(0, 200)}); ${fix}`,
    );
  }
  if (!isObject(data) || data.format !== HISTORY_FORMAT) {
    throw new HistoryFileError(
      `${where}: not a perf-gate history file (expected "format": "${HISTORY_FORMAT}"); ${fix}`,
    );
  }
  if (data.version !== HISTORY_VERSION) {
    throw new HistoryFileError(
      `${where}: history format version ${JSON.stringify(data.version)}, this perf-gate reads version ${HISTORY_VERSION}; update perf-gate or ${fix}`,
    );
  }
  if (typeof data.gate !== 'string' || !Array.isArray(data.runs)) {
    throw new HistoryFileError(`${where}: expected "gate" (text) and "runs" (a list); ${fix}`);
  }
  const runs: HistoryRun[] = [];
  data.runs.forEach((run, i) => {
    const problem = runProblem(run);
    if (problem) throw new HistoryFileError(`${where}: runs[${i}]: ${problem}; ${fix}`);
    runs.push(run as HistoryRun);
  });
  return { format: HISTORY_FORMAT, version: HISTORY_VERSION, gate: data.gate, runs };
}

function runProblem(run: unknown): string | undefined {
  if (!isObject(run)) return 'expected an object';
  for (const key of ['sha', 'branch', 'time', 'runner'] as const) {
    if (typeof run[key] !== 'string') return `expected "${key}" to be text`;
  }
  if (!Number.isFinite(Date.parse(run.time as string))) return `"time" is not a date`;
  if (!isObject(run.endpoints)) return 'expected "endpoints" to be an object';
  for (const [name, e] of Object.entries(run.endpoints)) {
    const problem = endpointProblem(e);
    if (problem) return `endpoints[${JSON.stringify(name.slice(0, 100))}]: ${problem}`;
  }
  return undefined;
}

function endpointProblem(e: unknown): string | undefined {
  if (!isObject(e)) return 'expected an object';
  if (!isObject(e.load)) return 'expected "load" to be an object';
  for (const key of ['connections', 'durationMs', 'timeoutMs'] as const) {
    if (!isCount(e.load[key])) return `expected load.${key} to be a number ≥ 0`;
  }
  if (e.load.rate !== undefined && !isCount(e.load.rate)) return 'expected load.rate ≥ 0';
  for (const key of ['requests', 'errors', 'throughput'] as const) {
    if (!isCount(e[key])) return `expected "${key}" to be a number ≥ 0`;
  }
  if (!isCount(e.errorRate) || (e.errorRate as number) > 1)
    return 'expected "errorRate" between 0 and 1';
  if (!isObject(e.latency)) return 'expected "latency" to be an object';
  for (const metric of LATENCY_METRICS) {
    if (!isCount(e.latency[metric])) return `expected latency.${metric} to be a number ≥ 0`;
  }
  if (e.histogram !== undefined) {
    if (typeof e.histogram !== 'string' || e.histogram.length > MAX_STORED_HISTOGRAM_CHARS)
      return `expected "histogram" to be base64 text of at most ${MAX_STORED_HISTOGRAM_CHARS} characters`;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(e.histogram)) return 'expected "histogram" to be base64';
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Deepest bracket nesting of a JSON text, strings skipped; cheap enough to run before parsing. */
function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export interface HistoryQuery {
  gateId: string;
  /** The branch whose runs form the baseline: a pull request's base branch, else the run's own. */
  branch: string;
  config: GitHubHistoryConfig;
  endpoints: readonly EndpointConfig[];
  now: Date;
}

/**
 * Each endpoint's baseline from the runs read: only runs of `branch`, within the lookback, with
 * the endpoint's load settings, the newest `runs` of them, oldest first. Their per-run values are
 * the `periods` the CloudWatch judge reads (one run = one period): the same median, prediction
 * bound, tolerance and min-delta decide.
 */
export function historyBaselines(
  files: readonly HistoryFile[],
  query: HistoryQuery,
): Map<string, Baseline> {
  const baselines = new Map<string, Baseline>();
  const from = query.now.getTime() - query.config.lookbackMs;
  const runs = files
    .filter((f) => f.gate === query.gateId)
    .flatMap((f) => f.runs)
    .filter((r) => r.branch === query.branch)
    .filter((r) => {
      const t = Date.parse(r.time);
      return t >= from && t <= query.now.getTime();
    })
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const window = `over the last ${formatDuration(query.config.lookbackMs)}`;
  for (const endpoint of query.endpoints) {
    if (endpoint.regression === false) {
      baselines.set(endpoint.name, {
        kind: 'none',
        reason: 'regression checks are off for this endpoint (regression: false)',
        configured: false,
      });
      continue;
    }
    const want = loadKey(endpoint.load);
    const anyLoad = runs.filter((r) => r.endpoints[endpoint.name] !== undefined);
    const matching = anyLoad
      .filter((r) => sameLoad(r.endpoints[endpoint.name]!.load, want))
      .slice(-query.config.runs);
    if (matching.length < MIN_HISTORY_RUNS) {
      const other = anyLoad.length - matching.length;
      const others =
        other > 0 ? `; ${other} other run${other === 1 ? '' : 's'} used other load settings` : '';
      const have =
        matching.length === 0
          ? 'no run'
          : `only ${matching.length} run${matching.length === 1 ? '' : 's'}`;
      baselines.set(endpoint.name, {
        kind: 'none',
        reason: `${have} of "${query.branch}" with these load settings in the history ${window} (${MIN_HISTORY_RUNS} needed)${others}; publish from ${query.branch} with publish: true`,
      });
      continue;
    }
    const periods: Partial<Record<RegressionMetric, number[]>> = {};
    for (const metric of LATENCY_METRICS) {
      periods[metric] = matching.map((r) => r.endpoints[endpoint.name]!.latency[metric]);
    }
    periods['error-rate'] = matching.map((r) => r.endpoints[endpoint.name]!.errorRate);
    baselines.set(endpoint.name, {
      kind: 'cloudwatch',
      store: 'github',
      source: `data branch ${query.config.branch}, runs of ${query.branch}`,
      periods,
      partial: false,
    });
  }
  return baselines;
}
