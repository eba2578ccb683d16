/* eslint-disable */
/**
 * The raw budget file as written (before interpolation, defaults and unit conversion).
 * GENERATED from schemas/perf-budget.schema.json by scripts/generate-types.ts: do not edit,
 * change the schema and run `npm run generate:types`.
 */

/**
 * A duration: text with a unit (`500ms`, `30s`, `5m`, `1h`, `14d`) or a number of seconds.
 */
export type Duration = number | string;
/**
 * A latency: text with a unit (`800us`, `250ms`, `1.5s`) or a number of milliseconds.
 */
export type Latency = number | string;
/**
 * A rate from 0 to 100%: a percentage (`1%`, `0.5%`) or a fraction (`0.01`).
 */
export type Rate = number | string;
/**
 * Confidence of the distribution-free bounds that judge a percentile against a fixed number (a budget, a CloudWatch threshold), from 50% to 99.9%: a percentage (`95%`) or a fraction (`0.95`). A percentile fails its budget only when its lower bound is over the limit and passes only when its upper bound is within it; otherwise it is inconclusive. Higher confidence needs more requests to settle a verdict.
 */
export type Confidence = number | string;
/**
 * Allowed change of a latency metric against the baseline: a relative increase (`10%`), or both a relative and an absolute increase that must be exceeded to flag a regression.
 */
export type LatencyTolerance =
  | Increase
  | {
      'max-increase'?: Increase;
      'min-delta'?: Latency;
    };
/**
 * A relative increase: a percentage (`10%`) or a fraction (`0.1`), at most 1000%.
 */
export type Increase = number | string;
/**
 * Allowed change of the error rate against the baseline: a relative increase (`50%`), or both a relative increase and an absolute one in percentage points that must be exceeded to flag a regression.
 */
export type RateTolerance =
  | Increase
  | {
      'max-increase'?: Increase;
      'min-delta'?: Rate;
    };
/**
 * Allowed change against the baseline for this endpoint, merged metric by metric over `defaults.regression`; `false` turns baseline comparison off for it.
 */
export type EndpointRegression = false | RegressionRules;

/**
 * A perf-gate budget file (perf-budget.yml): the deployment to measure, how to load it, the limits each endpoint must stay within and the baseline it is compared with.
 */
export interface PerfBudgetFile {
  /**
   * Format version of this file. Must be 1.
   */
  version: 1;
  /**
   * Names this gate: the marker of its pull-request comment and the `Gate` dimension of the metrics it publishes. Letters, digits, `.`, `_` and `-`, at most 64. Default `default`; give each gate a different id when one repository runs several.
   */
  id?: string;
  /**
   * Measure an endpoint that breaches a budget or regresses once more before failing, and fail only if the breach repeats. Both measurements are in the report. Compared side by side with adaptive measurement, the next ABBA block is the confirmation instead, within the duration; a breach seen at the last block only is inconclusive.
   */
  confirm?: boolean;
  /**
   * Which endpoints get a latency chart (a mermaid `xychart-beta` block) in the pull-request comment and job summary: `failing` (those with a failing, regressed, accepted or inconclusive finding), `all`, or `none`. Charts are the first thing left out when the comment would be too long.
   */
  charts?: 'failing' | 'all' | 'none';
  /**
   * What an acceptance of a pull request (the accept label, or a `/perf-gate accept <reason>` comment by someone with write, maintain or admin permission) may accept. Regressions always; budget violations only with `budget: true`.
   */
  accept?: {
    /**
     * Let an acceptance also accept the budget violations shown when it was given.
     */
    budget?: boolean;
  };
  /**
   * Measure each endpoint in slices and stop as soon as every budget is settled by confidence bounds that stay valid under the repeated looks (docs/noise.md), after `load.min-duration` and at the latest at `load.duration`, which becomes the cap. Against a CloudWatch or data-branch history the same early stop applies to the regression checks; side by side (`baseline-url`) the comparison runs in ABBA blocks until the regression verdict is settled. `false` keeps the fixed design. Default true.
   */
  adaptive?: boolean;
  target?: Target;
  defaults?: Defaults;
  baseline?: BaselineSettings;
  /**
   * The endpoints to measure, each in its own load run, in this order; at most 200.
   *
   * @minItems 1
   */
  endpoints: Endpoint[];
}
/**
 * The deployment under test. The `target-url` input overrides `url`.
 */
export interface Target {
  /**
   * Base URL (http or https) of the deployment under test, usually `${PREVIEW_URL}`. Endpoint paths are appended to it, path prefix included.
   */
  url?: string;
  headers?: Headers;
  /**
   * Wait until this path answers 2xx before measuring.
   */
  ready?: {
    /**
     * Path polled on the target, e.g. `/healthz`.
     */
    path: string;
    timeout?: Duration;
  };
  /**
   * Query parameters of the target and baseline URLs whose values may be shown, e.g. `[lang]`. Every other query value of those URLs (a preview protection bypass, a signed token) is a secret: masked in all output.
   */
  'public-query'?: string[];
  /**
   * How the target's certificate is checked. Without it every connection (readiness check and load) verifies the certificate against Node's CA store, NODE_EXTRA_CA_CERTS included.
   */
  tls?: {
    /**
     * PEM file of certificate authorities to trust as well (a preview behind a private CA), relative to the budget file.
     */
    ca?: string;
    /**
     * `true` turns certificate checks off on every connection: anyone on the network path can read and change the traffic. Warned about in the log, the summary and the comment; refused when headers carry `${VAR}` values or the target URL carries credentials.
     */
    insecure?: boolean;
  };
}
/**
 * HTTP request headers, name to value. Names are case-insensitive; values may use `${VAR}`. Headers that choose where a request goes (`host`, `forwarded`, `x-forwarded-host`, ...) and hop-by-hop headers (`connection`, `upgrade`, `te`, `trailer`, `keep-alive`, `proxy-*`) are refused.
 */
export interface Headers {
  [k: string]: string | number | undefined;
}
/**
 * Settings every endpoint starts from; an endpoint's own values override them key by key.
 */
export interface Defaults {
  load?: Load;
  budget?: Budget;
  confidence?: Confidence;
  regression?: RegressionRules;
}
/**
 * How load is driven. Closed model by default (`connections` each send the next request when the previous answer arrives); with `rate`, an open model at that many requests per second.
 */
export interface Load {
  /**
   * Concurrent connections (1 to 10000). Default 10.
   */
  connections?: number;
  duration?: Duration;
  'min-duration'?: Duration;
  warmup?: Duration;
  timeout?: Duration;
  /**
   * Open model: requests per second across all connections (fractions such as 1.5 work), due at evenly spaced times. The load does not slow down when the server does; latency is timed from when each request was due, and a request due while every connection is busy is dropped and counted.
   */
  rate?: number;
  /**
   * Load generator threads for this endpoint: a number, or `auto` (the runner's cores minus one, at least 1). Each thread drives its share of the connections and rate with its own histograms, merged exactly. Default 1. More than one measures with the fixed design (adaptive stopping needs one thread).
   */
  workers?: number | 'auto';
}
/**
 * Absolute limits. A latency above its limit, an error rate above its limit or a throughput below `min-rps` is a budget violation.
 */
export interface Budget {
  p50?: Latency;
  p75?: Latency;
  p90?: Latency;
  p95?: Latency;
  p99?: Latency;
  'p99.9'?: Latency;
  mean?: Latency;
  max?: Latency;
  'error-rate'?: Rate;
  /**
   * Lowest allowed throughput: successful responses (an expected status) per second; failed responses do not count.
   */
  'min-rps'?: number;
}
/**
 * Allowed change per metric against the baseline. Metrics not listed are not compared.
 */
export interface RegressionRules {
  p50?: LatencyTolerance;
  p75?: LatencyTolerance;
  p90?: LatencyTolerance;
  p95?: LatencyTolerance;
  p99?: LatencyTolerance;
  'p99.9'?: LatencyTolerance;
  mean?: LatencyTolerance;
  max?: LatencyTolerance;
  'error-rate'?: RateTolerance;
}
/**
 * The history each endpoint is compared with when no `baseline-url` is given.
 */
export interface BaselineSettings {
  /**
   * Read the baseline from the CloudWatch metrics perf-gate publishes (`publish: true` on the main branch).
   */
  cloudwatch?: {
    /**
     * AWS region. Default: the SDK's (AWS_REGION).
     */
    region?: string;
    /**
     * Metric namespace. Default `PerfGate`, where perf-gate publishes.
     */
    namespace?: string;
    dimensions?: Dimensions;
    lookback?: Duration;
    period?: Duration;
  };
  /**
   * Read the baseline from runs published to a data branch of this repository (`publish: true` on pushes to main or a release branch; no AWS needed). A pull request reads its base branch's runs with the same load settings. Not together with `cloudwatch`: one history kind per endpoint.
   */
  github?: {
    /**
     * The data branch the runs are kept in (created by the first publish). Default `perf-gate-history`.
     */
    branch?: string;
    lookback?: Duration;
    /**
     * At most this many of the newest matching runs form the baseline. Default 30.
     */
    runs?: number;
    retention?: Duration;
  };
  /**
   * Fail the run when an endpoint has no baseline (no history yet, no access) instead of reporting `no-baseline`.
   */
  required?: boolean;
}
/**
 * CloudWatch dimensions, name to value (at most 30); values may use `${VAR}`.
 */
export interface Dimensions {
  [k: string]: string | undefined;
}
/**
 * One endpoint to measure.
 */
export interface Endpoint {
  /**
   * Name shown in reports and comments; unique in the file. Default: method and path.
   */
  name?: string;
  /**
   * HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS. Default GET.
   */
  method?: string;
  /**
   * Path relative to the target URL (query string included), appended to the target's own path. It must stay under the target's path once `..` and percent-escapes are resolved; an absolute URL is accepted only on the target's origin and under its path.
   */
  path: string;
  headers?: Headers;
  /**
   * Request body: text as is, or a mapping or list sent as JSON (with `content-type: application/json` unless set).
   */
  body?: string | {} | unknown[];
  /**
   * What counts as a successful response.
   */
  expect?: {
    /**
     * Accepted status codes. Default: any 2xx. Any other status counts as an error.
     *
     * @minItems 1
     */
    status?: number[];
  };
  load?: Load;
  budget?: Budget;
  confidence?: Confidence;
  /**
   * Adaptive measurement for this endpoint, over the top-level `adaptive`; `false` measures it for its whole `load.duration`.
   */
  adaptive?: boolean;
  regression?: EndpointRegression;
  baseline?: EndpointBaseline;
}
/**
 * This endpoint's own baseline source.
 */
export interface EndpointBaseline {
  /**
   * Read this endpoint's baseline from CloudWatch, e.g. an existing load-balancer metric; unset keys come from the top-level `baseline.cloudwatch`.
   */
  cloudwatch?: {
    /**
     * AWS region. Default: `baseline.cloudwatch.region`, else the SDK's (AWS_REGION).
     */
    region?: string;
    /**
     * Metric namespace, e.g. `AWS/ApplicationELB`. Default: `baseline.cloudwatch.namespace`, else `PerfGate`.
     */
    namespace?: string;
    /**
     * An existing latency metric (e.g. `TargetResponseTime`) to use instead of the metrics perf-gate publishes. Needs `namespace` and `unit`.
     */
    metric?: string;
    /**
     * Unit of `metric`'s values: `us`, `ms` or `s` (ALB TargetResponseTime is in seconds).
     */
    unit?: 'us' | 'ms' | 's';
    dimensions?: Dimensions;
    lookback?: Duration;
    period?: Duration;
  };
}
