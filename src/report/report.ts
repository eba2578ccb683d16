import type {
  Budget,
  ChartsMode,
  CloudWatchBaselineConfig,
  Config,
  LoadSettings,
  RegressionRules,
} from '../config/types.js';
import type { EndpointResult, RunError, Summary } from '../evaluate/types.js';
import type { AcceptanceAudit } from '../evaluate/accept.js';
import type { Measurement } from '../measure/types.js';
import { displayUrl, Secrets } from '../secrets/secrets.js';

/**
 * The JSON report (schemas/report.schema.json): everything a run found, self-contained, so it
 * can be rendered, gated on, merged or compared later without the budget file or the network.
 * It never holds a header value, a request body or a `${VAR}` value.
 */

/**
 * Version 2: percentile findings carry `interval` (order-statistic confidence bounds) instead of
 * version 1's `samples`; endpoint configs may carry `confidence`. Version 1 is refused on reading
 * (report/validate.ts): its percentile verdicts came from the old sample-count rule.
 */
export const REPORT_SCHEMA_VERSION = 2;

export interface ReportEnvironment {
  runner: { os: string; arch: string };
  /** Node.js version, e.g. "v24.1.0". */
  node: string;
  /** Present on GitHub Actions. */
  ci?: {
    provider: 'github-actions';
    /** Link to the workflow run. */
    runUrl?: string;
    repository?: string;
    sha?: string;
    ref?: string;
    event?: string;
  };
}

/** An endpoint's settings as the report shows them: headers by name only, no body. */
export interface ReportEndpointConfig {
  name: string;
  method: string;
  path: string;
  line: number;
  /** Header names sent (values are never stored). */
  headers: string[];
  /** Whether a request body is sent (the body itself is never stored). */
  body: boolean;
  expectStatus?: number[];
  load: LoadSettings;
  budget: Budget;
  regression: RegressionRules | false;
  /** The percentile bounds' confidence, when the budget file set one. */
  confidence?: number;
  cloudwatch?: CloudWatchBaselineConfig;
}

export interface ReportConfig {
  /** The budget file, as given. */
  file: string;
  target: {
    /** Credentials stripped, query values (unless public) and interpolated values masked. */
    url: string;
    headers: string[];
    ready?: { url: string; timeoutMs: number };
    /** `insecure`: certificates were not checked; `ca`: the CA file trusted as well. */
    tls?: { insecure: boolean; ca?: string };
  };
  baseline: { cloudwatch?: CloudWatchBaselineConfig; required: boolean };
  confirm: boolean;
  /** The budget file's `charts`, when it set one (absent = `failing`). */
  charts?: ChartsMode;
  endpoints: ReportEndpointConfig[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** ISO 8601. */
  createdAt: string;
  environment: ReportEnvironment;
  /** The gate's `id` (comment marker, CloudWatch dimension). */
  gateId: string;
  config: ReportConfig;
  endpoints: EndpointResult[];
  summary: Summary;
  /** The audit of acceptances that applied or were ignored (src/evaluate/accept.ts). */
  acceptance?: AcceptanceAudit;
  /** One shard's report (`shard: i/n`): gates nothing by itself; merged by gate/shards.ts. */
  shard?: ShardRecord;
  /** A report merged from shards: their count and, per endpoint, how much of the time they all ran. */
  shards?: { count: number; overlap: Record<string, number> };
}

export interface ShardRecord {
  index: number;
  count: number;
  /** SHA-256 (hex) of the unsplit report config's endpoints and rules (gate/shards.ts budgetDigest). */
  budget: string;
  /** The common start the shard waited for, ISO 8601. */
  startAt?: string;
}

export interface BuildReportInput {
  tool: { name: string; version: string };
  createdAt: string;
  environment: ReportEnvironment;
  config: Config;
  endpoints: readonly EndpointResult[];
  summary: Summary;
}

/**
 * Assembles the report. Pure: the time and environment are passed in. Every string in it is
 * masked for the config's secrets and URL credentials (histograms excepted: they are binary).
 */
export function buildReport(input: BuildReportInput): Report {
  return assembleReport({
    ...input,
    gateId: input.config.id,
    config: reportConfigFrom(input.config),
    secrets: input.config.secrets,
  });
}

export interface AssembleReportInput extends Omit<BuildReportInput, 'config'> {
  gateId: string;
  config: ReportConfig;
  /** Values to mask everywhere (the config's interpolated values). */
  secrets: readonly string[];
}

/** buildReport for a config that is already in report form (re-evaluating a saved report). */
export function assembleReport(input: AssembleReportInput): Report {
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: input.tool.name, version: input.tool.version },
    createdAt: input.createdAt,
    environment: structuredClone(input.environment),
    gateId: input.gateId,
    config: structuredClone(input.config),
    endpoints: input.endpoints.map(reportEndpoint),
    summary: reportSummary(input.summary),
  };
  return maskReport(report, input.secrets);
}

/** The config as stored in a report: rules and load settings, header names, no values. */
export function reportConfigFrom(config: Config): ReportConfig {
  const out: ReportConfig = {
    file: config.file,
    target: {
      url: displayUrl(config.target.url, config.target.publicQuery),
      headers: Object.keys(config.target.headers).sort(),
    },
    baseline: { required: config.baseline.required },
    confirm: config.confirm,
    ...(config.charts ? { charts: config.charts } : {}),
    endpoints: config.endpoints.map((e) => {
      const endpoint: ReportEndpointConfig = {
        name: e.name,
        method: e.method,
        path: e.path,
        line: e.line,
        headers: Object.keys(e.headers).sort(),
        body: e.body !== undefined,
        load: { ...e.load },
        budget: { ...e.budget },
        regression: e.regression === false ? false : structuredClone(e.regression),
      };
      if (e.expectStatus) endpoint.expectStatus = [...e.expectStatus];
      if (e.confidence !== undefined) endpoint.confidence = e.confidence;
      if (e.cloudwatch) endpoint.cloudwatch = structuredClone(e.cloudwatch);
      return endpoint;
    }),
  };
  if (config.target.ready) {
    out.target.ready = {
      url: displayUrl(config.target.ready.url, config.target.publicQuery),
      timeoutMs: config.target.ready.timeoutMs,
    };
  }
  const tls = config.target.tls;
  if (tls) {
    out.target.tls = { insecure: tls.insecure, ...(tls.caFile ? { ca: tls.caFile } : {}) };
  }
  if (config.baseline.cloudwatch)
    out.baseline.cloudwatch = structuredClone(config.baseline.cloudwatch);
  return out;
}

/** Only the fields the schema knows, so a field added to Measurement later cannot leak into reports. */
export function reportMeasurement(m: Measurement): Measurement {
  const out: Measurement = {
    requests: m.requests,
    errors: m.errors,
    errorRate: m.errorRate,
    errorBreakdown: {
      timeouts: m.errorBreakdown.timeouts,
      connection: { ...m.errorBreakdown.connection },
      resets: m.errorBreakdown.resets,
      status: { ...m.errorBreakdown.status },
    },
    throughput: m.throughput,
    durationMs: m.durationMs,
    latency: { ...m.latency },
    histogram: m.histogram,
    startedAt: m.startedAt,
  };
  if (m.uncorrected) out.uncorrected = { ...m.uncorrected };
  if (m.uncorrectedHistogram) out.uncorrectedHistogram = m.uncorrectedHistogram;
  if (m.errorLatency) out.errorLatency = { ...m.errorLatency };
  if (m.errorHistogram) out.errorHistogram = m.errorHistogram;
  if (m.workers) out.workers = m.workers;
  if (m.arrivals) {
    const { rate, intended, sent, dropped } = m.arrivals;
    out.arrivals = { rate, intended, sent, dropped };
  }
  if (m.generator) {
    const g = m.generator;
    out.generator = {
      eventLoopUtilization: g.eventLoopUtilization,
      eventLoopDelayP50Ms: g.eventLoopDelayP50Ms,
      eventLoopDelayP99Ms: g.eventLoopDelayP99Ms,
      eventLoopDelayMaxMs: g.eventLoopDelayMaxMs,
      saturated: g.saturated,
    };
  }
  if (m.warnings) out.warnings = [...m.warnings];
  if (m.adaptive) out.adaptive = { ...m.adaptive };
  if (m.cancelled) out.cancelled = true;
  return out;
}

function reportEndpoint(e: EndpointResult): EndpointResult {
  const out: EndpointResult = {
    name: e.name,
    method: e.method,
    path: e.path,
    line: e.line,
    measurement: reportMeasurement(e.measurement),
    baseline: structuredClone(e.baseline),
    findings: structuredClone(e.findings),
    verdict: e.verdict,
  };
  if (e.baseline.kind === 'reference') {
    const baseline = { ...e.baseline, measurement: reportMeasurement(e.baseline.measurement) };
    if (e.baseline.confirmation) baseline.confirmation = reportMeasurement(e.baseline.confirmation);
    if (e.baseline.roundPairs) {
      baseline.roundPairs = e.baseline.roundPairs.map((pair) => ({
        reference: reportMeasurement(pair.reference),
        candidate: reportMeasurement(pair.candidate),
      }));
    }
    out.baseline = baseline;
  }
  if (e.confirmation) out.confirmation = reportMeasurement(e.confirmation);
  return out;
}

function reportSummary(s: Summary): Summary {
  const out: Summary = { ...s };
  if (s.load) out.load = { ...s.load };
  if (s.errors) out.errors = s.errors.map((e: RunError) => ({ ...e }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Masking

/**
 * Values perf-gate itself writes (encoded histograms, timestamps, enums): never user text, and
 * masking them could only corrupt them (a secret "2025" would break every timestamp).
 */
const UNMASKED_KEYS = new Set([
  'histogram',
  'uncorrectedHistogram',
  'errorHistogram',
  'createdAt',
  'startedAt',
  'verdict',
  'metric',
  'kind',
  'test',
  'provider',
  'breaches',
  'stop',
]);
function maskReport(report: Report, values: readonly string[]): Report {
  const secrets = new Secrets(values);
  const walk = (value: unknown, key?: string): unknown => {
    if (key !== undefined && UNMASKED_KEYS.has(key)) return value;
    if (typeof value === 'string') return secrets.mask(value);
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [secrets.mask(k), walk(v, k)]),
      );
    }
    return value;
  };
  return walk(report) as Report;
}

// ---------------------------------------------------------------------------------------------
// Environment

export interface EnvironmentFacts {
  /** process.env, or any map of the same variables. */
  env: Readonly<Record<string, string | undefined>>;
  /** process.platform */
  platform: string;
  /** process.arch */
  arch: string;
  /** process.version */
  nodeVersion: string;
}

/** The report's environment from the runner's variables (pass process.env and friends at the edge). */
export function environmentFrom(facts: EnvironmentFacts): ReportEnvironment {
  const { env } = facts;
  const environment: ReportEnvironment = {
    runner: { os: env.RUNNER_OS ?? facts.platform, arch: env.RUNNER_ARCH ?? facts.arch },
    node: facts.nodeVersion,
  };
  if (env.GITHUB_ACTIONS === 'true') {
    const ci: NonNullable<ReportEnvironment['ci']> = { provider: 'github-actions' };
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
      const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
      ci.runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`;
    }
    if (env.GITHUB_REPOSITORY) ci.repository = env.GITHUB_REPOSITORY;
    if (env.GITHUB_SHA) ci.sha = env.GITHUB_SHA;
    if (env.GITHUB_REF) ci.ref = env.GITHUB_REF;
    if (env.GITHUB_EVENT_NAME) ci.event = env.GITHUB_EVENT_NAME;
    environment.ci = ci;
  }
  return environment;
}
