import * as hdr from 'hdr-histogram-js';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { decodeHistogram } from '../measure/histogram.js';
import type { Histogram } from '../measure/histogram.js';
import type { Measurement } from '../measure/types.js';
import { openCloudWatch } from './cloudwatch-client.js';
import type { CloudWatchClientOptions } from './cloudwatch-client.js';
import { toCloudWatchError } from './cloudwatch-errors.js';
import {
  DEFAULT_NAMESPACE,
  METRIC,
  endpointDimensionValue,
  ownDimensions,
  toSdkDimensions,
} from './cloudwatch-metrics.js';

/**
 * Publishing a run's distributions to CloudWatch (the `publish` input), so runs on main build
 * the history that later pull requests are compared with.
 */

/** CloudWatch accepts at most this many distinct values per datum. */
export const MAX_VALUES_PER_DATUM = 150;

/**
 * Adjacent histogram buckets whose values lie within this ratio of the first are merged into
 * one value. Any percentile then moves by at most 0.5%, half the 1% the baseline promises.
 */
export const BIN_RATIO = 1.005;

/** PutMetricData limits: datums per request, and bytes (1 MiB; we keep a margin under it). */
const MAX_DATUMS_PER_REQUEST = 1000;
const MAX_REQUEST_BYTES = 1_000_000;

export interface ValuesCounts {
  /** Latency values in ms, ascending, at most MAX_VALUES_PER_DATUM. */
  values: number[];
  counts: number[];
}

/**
 * A latency histogram (µs) as CloudWatch Values/Counts in ms, split into datums of at most 150
 * values. Buckets are merged into log-spaced bins of width BIN_RATIO, each represented by its
 * count-weighted mean, so the mean is kept exactly and every percentile computed from the
 * result lies within 0.5% of the histogram's own.
 */
export function histogramToValuesCounts(histogram: Histogram): ValuesCounts[] {
  if (!(histogram instanceof hdr.JsHistogram)) {
    throw new Error(
      'histogramToValuesCounts needs a JavaScript HDR histogram (useWebAssembly: false)',
    );
  }
  const bins: { value: number; count: number }[] = [];
  let binStart = 0;
  let weighted = 0;
  let count = 0;
  const close = () => {
    if (count > 0) bins.push({ value: roundMs(weighted / count / 1000), count });
  };
  const it = histogram.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const step = it.next();
    // The bucket's highest equivalent value is what the histogram's percentiles report.
    const value = step.valueIteratedTo;
    const n = step.countAtValueIteratedTo;
    if (count > 0 && value > binStart * BIN_RATIO) {
      close();
      weighted = 0;
      count = 0;
    }
    if (count === 0) binStart = value;
    weighted += value * n;
    count += n;
  }
  close();
  const datums: ValuesCounts[] = [];
  for (let i = 0; i < bins.length; i += MAX_VALUES_PER_DATUM) {
    const slice = bins.slice(i, i + MAX_VALUES_PER_DATUM);
    datums.push({ values: slice.map((b) => b.value), counts: slice.map((b) => b.count) });
  }
  return datums;
}

/** Six significant digits: exact enough for any latency, short on the wire. */
function roundMs(ms: number): number {
  return Number(ms.toPrecision(6));
}

export interface PublishInput {
  gateId: string;
  /** Default PerfGate. */
  namespace?: string;
  /** The user's dimensions (baseline.cloudwatch.dimensions); Gate and Endpoint are added. */
  dimensions: Record<string, string>;
  /** Default: the SDK's (AWS_REGION). */
  region?: string;
  endpoints: { name: string; measurement: Measurement }[];
  /** When the run happened; every datum carries it. */
  timestamp: Date;
  log?: (line: string) => void;
}

export interface PublishResult {
  /** Datums sent. */
  datums: number;
  /** PutMetricData calls made. */
  requests: number;
}

/** The datums of one run: Latency (Values/Counts), ErrorRate and Throughput per endpoint. */
export function measurementDatums(input: PublishInput): MetricDatum[] {
  const datums: MetricDatum[] = [];
  for (const { name, measurement } of input.endpoints) {
    const Dimensions = toSdkDimensions(ownDimensions(input.gateId, name, input.dimensions));
    const common = { Dimensions, Timestamp: input.timestamp };
    for (const { values, counts } of histogramToValuesCounts(
      decodeHistogram(measurement.histogram),
    )) {
      datums.push({
        MetricName: METRIC.latency.name,
        Unit: METRIC.latency.unit,
        Values: values,
        Counts: counts,
        ...common,
      });
    }
    if (measurement.requests > 0) {
      datums.push({
        MetricName: METRIC.errorRate.name,
        Unit: METRIC.errorRate.unit,
        Value: roundMs(measurement.errorRate * 100),
        ...common,
      });
      datums.push({
        MetricName: METRIC.throughput.name,
        Unit: METRIC.throughput.unit,
        Value: roundMs(measurement.throughput),
        ...common,
      });
    }
  }
  return datums;
}

/** Size of a datum as the SDK serialises it (AWS JSON 1.0: timestamps in epoch seconds). */
function wireBytes(datum: MetricDatum): number {
  const timestamp = datum.Timestamp ? datum.Timestamp.getTime() / 1000 : undefined;
  return Buffer.byteLength(JSON.stringify({ ...datum, Timestamp: timestamp }));
}

/** Splits datums into PutMetricData requests within the service's count and size limits. */
export function batchDatums(namespace: string, datums: MetricDatum[]): MetricDatum[][] {
  const envelope = Buffer.byteLength(JSON.stringify({ Namespace: namespace, MetricData: [] }));
  const batches: MetricDatum[][] = [];
  let batch: MetricDatum[] = [];
  let bytes = envelope;
  for (const datum of datums) {
    const size = wireBytes(datum) + 1; // the separating comma
    if (
      batch.length > 0 &&
      (batch.length >= MAX_DATUMS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)
    ) {
      batches.push(batch);
      batch = [];
      bytes = envelope;
    }
    batch.push(datum);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Publishes one run's measurements. Throws a CloudWatchError (credentials, region, access
 * denied, throttled after the SDK's retries, ...) with a message that says how to fix it.
 */
export async function publishMeasurements(
  input: PublishInput,
  options: CloudWatchClientOptions = {},
): Promise<PublishResult> {
  const namespace = input.namespace ?? DEFAULT_NAMESPACE;
  const datums = measurementDatums(input);
  if (datums.length === 0) return { datums: 0, requests: 0 };
  const batches = batchDatums(namespace, datums);
  const { sdk, client } = await openCloudWatch(input.region, options);
  try {
    for (const MetricData of batches) {
      try {
        await client.send(new sdk.PutMetricDataCommand({ Namespace: namespace, MetricData }));
      } catch (error) {
        throw toCloudWatchError(error, 'PutMetricData');
      }
    }
  } finally {
    client.destroy();
  }
  for (const { name } of input.endpoints) {
    const value = endpointDimensionValue(name);
    if (value !== name) {
      input.log?.(
        `endpoint ${JSON.stringify(name)} is published with CloudWatch dimension Endpoint=${JSON.stringify(value)} (dimension values must be printable ASCII with a non-whitespace character)`,
      );
    }
  }
  input.log?.(
    `published ${datums.length} CloudWatch datums for ${input.endpoints.length} endpoint(s) to ${namespace} in ${batches.length} request(s)`,
  );
  return { datums: datums.length, requests: batches.length };
}
