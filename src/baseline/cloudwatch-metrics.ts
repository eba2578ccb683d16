import { createHash } from 'node:crypto';
import type { LatencyMetric } from '../units/metrics.js';
import { CloudWatchError } from './cloudwatch-errors.js';

/**
 * The metrics perf-gate publishes and reads back: names, units, dimensions and statistics live
 * here once, so a published distribution is always found again by the reader.
 */

export const DEFAULT_NAMESPACE = 'PerfGate';

export const METRIC = {
  /** The latency distribution, as Values/Counts in ms, so CloudWatch can compute percentiles. */
  latency: { name: 'Latency', unit: 'Milliseconds' },
  /** errors / requests of one run, in percent. */
  errorRate: { name: 'ErrorRate', unit: 'Percent' },
  /** Completed requests per second of one run. */
  throughput: { name: 'Throughput', unit: 'Count/Second' },
} as const;

/** The CloudWatch statistic behind each latency metric. */
export const LATENCY_STATS: Record<LatencyMetric, string> = {
  p50: 'p50',
  p75: 'p75',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
  'p99.9': 'p99.9',
  mean: 'Average',
  max: 'Maximum',
};

/**
 * CloudWatch's rules for a metric's dimensions, from the `Dimension` API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html): at most
 * 30 per metric; names and values ASCII only, no ASCII control characters, at least one
 * non-whitespace character; names 1-255 characters and not starting with `:`, values 1-1024.
 */
const MAX_DIMENSIONS = 30;
const MAX_DIMENSION_NAME = 255;
const MAX_DIMENSION_VALUE = 1024;
/** Printable ASCII: no control characters (0x00-0x1f, 0x7f) and nothing beyond 0x7f. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const RESERVED = ['Gate', 'Endpoint'];

/** Why CloudWatch would refuse `text` as a dimension name or value, or undefined if it takes it. */
function dimensionProblem(text: string, max: number, isName: boolean): string | undefined {
  if (text.length === 0 || text.length > max) return `it must be 1 to ${max} characters`;
  if (!PRINTABLE_ASCII.test(text)) {
    return 'it must be printable ASCII (no accents, symbols beyond ASCII or control characters)';
  }
  if (text.trim().length === 0) return 'it must contain a non-whitespace character';
  if (isName && text.startsWith(':')) return 'it must not start with ":"';
  return undefined;
}

/**
 * The `Endpoint` dimension value of an endpoint name. A name CloudWatch takes is used as it is;
 * any other (non-ASCII, control characters, only whitespace, over 1024 characters) is folded to
 * ASCII (accents dropped, other characters become spaces, whitespace collapsed) and given
 * ` ~` plus the first 8 hex digits of the SHA-256 of the name's UTF-8, so two names that fold
 * alike stay apart and the same name always maps to the same value, run after run.
 * `Suche – café ✓` becomes `Suche cafe ~` + 8 hex digits; `" "` becomes `~` + 8 hex digits.
 */
export function endpointDimensionValue(name: string): string {
  if (dimensionProblem(name, MAX_DIMENSION_VALUE, false) === undefined) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\x21-\x7e]+/g, ' ')
    .trim()
    .slice(0, MAX_DIMENSION_VALUE - 10)
    .trim();
  return folded.length > 0 ? `${folded} ~${hash}` : `~${hash}`;
}

/**
 * Checks the user's own dimensions (baseline.cloudwatch.dimensions) against CloudWatch's rules.
 * They are used as written (an external metric's dimensions must match exactly), so a value
 * CloudWatch would refuse is a `config` CloudWatchError naming it.
 */
export function checkUserDimensions(userDimensions: Record<string, string>): void {
  for (const [name, value] of Object.entries(userDimensions)) {
    const nameProblem = dimensionProblem(name, MAX_DIMENSION_NAME, true);
    if (nameProblem) {
      throw new CloudWatchError(
        'config',
        `baseline.cloudwatch.dimensions: dimension name ${JSON.stringify(name.slice(0, 40))} cannot be a CloudWatch dimension name: ${nameProblem}.`,
      );
    }
    const valueProblem = dimensionProblem(value, MAX_DIMENSION_VALUE, false);
    if (valueProblem) {
      throw new CloudWatchError(
        'config',
        `baseline.cloudwatch.dimensions: the value ${JSON.stringify(value.slice(0, 40))} of dimension ${name} cannot be a CloudWatch dimension value: ${valueProblem}.`,
      );
    }
  }
}

/**
 * The dimensions of perf-gate's own metrics for one endpoint: Gate and Endpoint (the name as
 * `endpointDimensionValue` maps it), then the user's. Throws a `config` CloudWatchError for a
 * set CloudWatch would refuse.
 */
export function ownDimensions(
  gateId: string,
  endpointName: string,
  userDimensions: Record<string, string>,
): Record<string, string> {
  for (const name of RESERVED) {
    if (name in userDimensions) {
      throw new CloudWatchError(
        'config',
        `baseline.cloudwatch.dimensions: "${name}" is set by perf-gate itself (the gate id and endpoint name); rename your dimension.`,
      );
    }
  }
  const entries = Object.entries(userDimensions).length + RESERVED.length;
  if (entries > MAX_DIMENSIONS) {
    throw new CloudWatchError(
      'config',
      `baseline.cloudwatch.dimensions: CloudWatch allows ${MAX_DIMENSIONS} dimensions per metric and perf-gate adds Gate and Endpoint; found ${entries} in all.`,
    );
  }
  checkUserDimensions(userDimensions);
  const gateProblem = dimensionProblem(gateId, MAX_DIMENSION_VALUE, false);
  if (gateProblem) {
    throw new CloudWatchError(
      'config',
      `the gate id ${JSON.stringify(gateId.slice(0, 40))} cannot be a CloudWatch dimension value: ${gateProblem}.`,
    );
  }
  return { Gate: gateId, Endpoint: endpointDimensionValue(endpointName), ...userDimensions };
}

export function toSdkDimensions(
  dimensions: Record<string, string>,
): { Name: string; Value: string }[] {
  return Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
}

/** `PerfGate/Latency {Gate=api, Endpoint=list}` for messages and Baseline.source. */
export function describeMetric(
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
): string {
  const dims = Object.entries(dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${namespace}/${metricName} {${dims}}`;
}
