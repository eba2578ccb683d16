import type { LatencyMetric } from '../config/types.js';
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

/** CloudWatch limits on a metric's dimensions (PutMetricData API reference). */
const MAX_DIMENSIONS = 30;
const MAX_DIMENSION_NAME = 255;
const MAX_DIMENSION_VALUE = 1024;

const RESERVED = ['Gate', 'Endpoint'];

/**
 * The dimensions of perf-gate's own metrics for one endpoint: Gate and Endpoint, then the
 * user's. Throws a `config` CloudWatchError for a set CloudWatch would refuse.
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
  const dimensions = { Gate: gateId, Endpoint: endpointName, ...userDimensions };
  const entries = Object.entries(dimensions);
  if (entries.length > MAX_DIMENSIONS) {
    throw new CloudWatchError(
      'config',
      `baseline.cloudwatch.dimensions: CloudWatch allows ${MAX_DIMENSIONS} dimensions per metric and perf-gate adds Gate and Endpoint; found ${entries.length} in all.`,
    );
  }
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > MAX_DIMENSION_NAME) {
      throw new CloudWatchError(
        'config',
        `baseline.cloudwatch.dimensions: dimension name "${name.slice(0, 40)}" must be 1 to ${MAX_DIMENSION_NAME} characters.`,
      );
    }
    if (value.length === 0 || value.length > MAX_DIMENSION_VALUE) {
      const what =
        name === 'Endpoint' ? 'endpoint name' : name === 'Gate' ? 'gate id' : `dimension ${name}`;
      throw new CloudWatchError(
        'config',
        `the ${what} "${value.slice(0, 40)}" cannot be a CloudWatch dimension value: it must be 1 to ${MAX_DIMENSION_VALUE} characters.`,
      );
    }
  }
  return dimensions;
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

/** 1209600000 → "14d", 3600000 → "1h", 90000 → "90s": the units a budget file uses. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
