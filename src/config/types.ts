import type { BudgetMetric, RegressionMetric } from '../units/metrics.js';

/**
 * The normalised budget configuration: what the loader returns once a budget file has been
 * parsed, validated, interpolated and had its defaults applied. Every later phase reads only
 * this, never the raw YAML. Units are fixed here so nobody has to guess:
 * latencies and durations in milliseconds, rates (error rate, tolerances) as fractions,
 * throughput in requests per second.
 */

/** Confidence of percentile bounds when the budget file does not choose one (SPEC §4). */
export const DEFAULT_CONFIDENCE = 0.95;

export interface LoadSettings {
  /** Concurrent connections (closed model), or the connections sharing `rate` (open model). */
  connections: number;
  /** Recorded load time, ms. */
  durationMs: number;
  /** Unrecorded warmup before it, ms (0 = none). */
  warmupMs: number;
  /**
   * Adaptive measurement: recorded load an endpoint always gets before it may stop early, ms
   * (absent = DEFAULT_MIN_DURATION_MS, never more than `durationMs`, which is then the cap).
   */
  minDurationMs?: number;
  /** Per-request timeout, ms; a timed-out request is an error recorded at this value. */
  timeoutMs: number;
  /** Open model: total requests per second across all connections. Absent = closed model. */
  rate?: number;
  /** Load generator threads (measure/workers.ts); `auto` = cores minus one. Absent = 1. */
  workers?: number | 'auto';
}

/**
 * Absolute limits. Latency metrics in ms, `error-rate` as a fraction (0.01 = 1%),
 * `min-rps` in requests per second.
 */
export type Budget = Partial<Record<BudgetMetric, number>>;

/** Allowed change against a baseline; a metric regresses only when both are exceeded. */
export interface Tolerance {
  /** Relative increase, as a fraction (0.1 = +10%). */
  maxIncrease: number;
  /** Absolute increase: ms for latency metrics, fraction points for `error-rate` (0.005 = 0.5 points). */
  minDelta: number;
}

export type RegressionRules = Partial<Record<RegressionMetric, Tolerance>>;

/** `baseline.github`: runs published to a data branch of the repository (docs/history.md). */
export interface GitHubHistoryConfig {
  /** The data branch, e.g. `perf-gate-history`. */
  branch: string;
  /** How far back the runs used as a baseline reach. */
  lookbackMs: number;
  /** At most this many of the newest matching runs form a baseline. */
  runs: number;
  /** A publish prunes runs older than this. */
  retentionMs: number;
}

export interface CloudWatchBaselineConfig {
  /** AWS region; absent = the SDK's default (AWS_REGION). */
  region?: string;
  namespace: string;
  /**
   * An existing metric (e.g. ALB TargetResponseTime) instead of the metrics perf-gate publishes.
   * Absent = perf-gate's own metrics.
   */
  metric?: string;
  /** Unit of an external metric's values; converted to ms. perf-gate's own metrics are ms. */
  unit: 'us' | 'ms' | 's';
  dimensions: Record<string, string>;
  lookbackMs: number;
  periodMs: number;
}

export interface EndpointConfig {
  name: string;
  method: string;
  /** As written in the file (relative path, or a same-origin absolute URL). */
  path: string;
  /** Resolved absolute URL against the target. */
  url: string;
  /** Target headers merged with the endpoint's (endpoint wins), names lower-cased. */
  headers: Record<string, string>;
  /** Request body as sent; an object in the file is serialised as JSON. */
  body?: string;
  /** Accepted status codes; absent = any 2xx. */
  expectStatus?: number[];
  load: LoadSettings;
  budget: Budget;
  /** `false` turns baseline comparison off for this endpoint. */
  regression: RegressionRules | false;
  /**
   * One-sided confidence of the bounds that judge a percentile against a fixed number (SPEC §4),
   * 0.5–0.999. Absent = DEFAULT_CONFIDENCE.
   */
  confidence?: number;
  /**
   * Measured adaptively (SPEC §4): in slices, stopping once the budgets are settled. Absent =
   * the fixed design (the budget file's default, `true`, is filled in by the normaliser).
   */
  adaptive?: boolean;
  /** Endpoint-level CloudWatch baseline (overrides the file's `baseline.cloudwatch`). */
  cloudwatch?: CloudWatchBaselineConfig;
  /** 1-based line of this endpoint's entry in the budget file, for annotations. */
  line: number;
  /** The target's `tls` settings, for every connection to it; absent = verified by Node's CAs. */
  tls?: TlsSettings;
}

/** How the target's certificates are checked (SPEC §8): always, unless `insecure`. */
export interface TlsSettings {
  /** PEM text of the CAs in `target.tls.ca`, trusted as well as Node's own. */
  ca?: string;
  /** That file, as given in the budget file. */
  caFile?: string;
  /** Certificates are not checked at all (`target.tls.insecure: true`). */
  insecure: boolean;
}

export interface Config {
  version: 1;
  /** Names the gate: the PR comment marker and the CloudWatch dimension. Default "default". */
  id: string;
  /** Path of the budget file as given (for annotations). */
  file: string;
  target: {
    url: string;
    headers: Record<string, string>;
    ready?: { url: string; timeoutMs: number };
    /** Query parameters of the target and baseline URLs whose values are not secret. */
    publicQuery?: string[];
    /** Absent = every certificate checked against Node's CA store. */
    tls?: TlsSettings;
  };
  baseline: {
    cloudwatch?: CloudWatchBaselineConfig;
    /** History kept in a data branch of the repository; never together with `cloudwatch`. */
    github?: GitHubHistoryConfig;
    /** A missing baseline fails the run instead of being `no-baseline`. */
    required: boolean;
  };
  /** Re-measure a breaching endpoint once before failing it (docs/architecture.md §5). */
  confirm: boolean;
  /** Which endpoints get a chart in the comment (report/charts.ts); absent = `failing`. */
  charts?: ChartsMode;
  /** `accept.budget`: an acceptance may also accept budget violations (default false). */
  acceptBudget?: boolean;
  endpoints: EndpointConfig[];
  /** Every value that came from `${VAR}` interpolation: masked in all output. */
  secrets: string[];
}

/** `charts` in the budget file: which endpoints get a latency chart in the comment. */
export type ChartsMode = 'failing' | 'all' | 'none';
