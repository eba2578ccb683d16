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
  /** Requests that counted as errors (any kind). */
  errors: number;
  /** errors / requests, a fraction; 0 when there were no requests. */
  errorRate: number;
  errorBreakdown: ErrorBreakdown;
  /** Completed requests per second over the recorded duration. */
  throughput: number;
  /** Recorded duration, ms (warmup excluded). */
  durationMs: number;
  /** Percentiles of the recorded histogram (corrected for coordinated omission in the open model). */
  latency: LatencySummary;
  /** Open model only: the histogram without the coordinated-omission correction. */
  uncorrected?: LatencySummary;
  /** Open model only: the uncorrected histogram, so merged rounds keep exact uncorrected percentiles. */
  uncorrectedHistogram?: string;
  /** HDR histogram in microseconds, 3 significant digits, compressed base64 (the one `latency` comes from). */
  histogram: string;
  startedAt: string;
  /** The run was aborted: the figures cover only the part measured before the abort. */
  cancelled?: boolean;
}
