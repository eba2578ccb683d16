/** What measuring one endpoint produces (docs/architecture.md §4). All latencies in milliseconds. */

export interface LatencySummary {
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  'p99.9': number;
  mean: number;
  max: number;
  min: number;
  stddev: number;
}

export interface ErrorBreakdown {
  /** Requests that got no answer within the timeout (recorded at the timeout value). */
  timeouts: number;
  /** Connection refused, DNS failures and other socket errors, by error code (ECONNREFUSED, ...). */
  connection: Record<string, number>;
  /** Connections reset by the server mid-request. */
  resets: number;
  /** Responses whose status was not expected, by status code. */
  status: Record<string, number>;
}

export interface Measurement {
  /** Requests that completed or failed (responses + timeouts + connection errors). */
  requests: number;
  /** Requests that counted as errors: unexpected statuses, connection errors, timeouts. */
  errors: number;
  /** errors / requests, a fraction; 0 when there were no requests. */
  errorRate: number;
  errorBreakdown: ErrorBreakdown;
  /** Successful responses (expected status) per second over the recorded duration. */
  throughput: number;
  /** Recorded duration, ms (warmup excluded). */
  durationMs: number;
  /**
   * Percentiles of successful responses plus timeouts (at the timeout); in the open model timed
   * from each request's intended send time.
   */
  latency: LatencySummary;
  /** Open model only: the same responses timed from their actual send. */
  uncorrected?: LatencySummary;
  /** Open model only: the uncorrected histogram, so merged rounds keep exact uncorrected percentiles. */
  uncorrectedHistogram?: string;
  /** HDR histogram in microseconds, 3 significant digits, compressed base64 (the one `latency` comes from). */
  histogram: string;
  startedAt: string;
  /** Latency of failed requests (unexpected statuses, connection errors); reported, not judged. */
  errorLatency?: LatencySummary;
  /** Their HDR histogram, encoded like `histogram`. */
  errorHistogram?: string;
  /** Open model only: the arrival process. */
  arrivals?: Arrivals;
  /** How loaded the load generator's own event loop was during the run. */
  generator?: GeneratorState;
  /** Conditions that make the figures less trustworthy (dropped requests, a saturated generator). */
  warnings?: string[];
  /** Adaptive measurement (SPEC §4): when and why it stopped. Absent = the fixed design. */
  adaptive?: AdaptiveRecord;
  /** Load generator threads it was merged from (measure/workers.ts); absent = one. */
  workers?: number;
  /** The run was aborted: the figures cover only the part measured before the abort. */
  cancelled?: boolean;
}

export interface Arrivals {
  /** Requests per second asked for. */
  rate: number;
  /** Requests due in the recorded window (rate × duration). */
  intended: number;
  sent: number;
  /** Due while every connection was still waiting for an answer, and not sent. */
  dropped: number;
}

export interface GeneratorState {
  eventLoopUtilization: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** The generator was the bottleneck: latency findings are not failed on this run alone. */
  saturated: boolean;
}

export interface AdaptiveRecord {
  /** Looks planned: one at the minimum, one per slice after it, the last at the cap. */
  looks: number;
  /** The look it stopped at (1-based); `looks` when it ran to the cap. */
  look: number;
  /** Why it stopped: its budgets were settled (pass or breach) at a look, or it reached the cap. */
  stop: 'settled: pass' | 'settled: breach' | 'cap';
  /** The cap (the written duration), ms of recorded load. */
  capMs: number;
  /** Recorded load before the first look, ms. */
  minDurationMs: number;
  /** One-sided confidence of each bound at the look it stopped at (evaluate/sequential.ts). */
  confidence?: number;
  /**
   * Side by side, sequentially (evaluate/sequential-abba.ts): the two-sided confidence the
   * regression is judged at, that of the look it stopped at.
   */
  regressionConfidence?: number;
  /** Side by side, sequentially: ABBA blocks measured (2 rounds a side each). */
  blocks?: number;
  /**
   * Side by side, sequentially, with `confirm`: the breach was seen at the last look only; the
   * cap (the duration) left no block to confirm it in, so it does not count (evaluate gives
   * `inconclusive` for it).
   */
  unconfirmed?: true;
}
