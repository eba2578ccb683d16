import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

/**
 * Amazon CloudWatch on loopback, speaking what @aws-sdk/client-cloudwatch 3.11xx speaks: AWS JSON
 * 1.0 in "query-compatible" mode. Every call is `POST /` with `content-type:
 * application/x-amz-json-1.0`, `x-amz-target: GraniteServiceVersion20100801.<Operation>`,
 * `x-amzn-query-mode: true` and a SigV4 `authorization` header; timestamps are epoch seconds;
 * the SDK gzips request bodies of 10 KiB and more (`content-encoding: gzip`). Errors are a 4xx/5xx
 * JSON body `{ __type, message }` plus `x-amzn-query-error: <Code>;Sender`, which the SDK turns
 * into an exception named after `<Code>` (e.g. `AccessDenied`, `Throttling`, or the modelled
 * `InvalidParameterValueException` for `InvalidParameterValue`).
 *
 * The protocol: AWS JSON 1.0 (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html) with
 * the awsQueryCompatible trait, which adds `x-amzn-query-error`
 * (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait).
 *
 * Implemented: PutMetricData (Value, Values/Counts, StatisticValues, Unit, Dimensions, Timestamp,
 * StorageResolution) with the service's limits, and GetMetricData (MetricStat queries: Stat
 * `pNN[.N]`, `Average`, `Sum`, `SampleCount`, `Minimum`, `Maximum`; Period; ScanBy;
 * MaxDatapoints; NextToken paging; StatusCode Complete/PartialData) over an in-memory store.
 * Every request is recorded, including the ones a mode fails.
 */

export type CloudWatchOperation = 'PutMetricData' | 'GetMetricData';

export interface StoredDatum {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Epoch ms. */
  timestamp: number;
  unit?: string;
  /** Raw values with their counts (from Value or Values/Counts). Empty for a statistic set. */
  values: number[];
  counts: number[];
  statisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

export interface CloudWatchRequest {
  operation: string;
  /** Header names lower-cased, as Node parses them. */
  headers: IncomingHttpHeaders;
  /** Whether the body arrived gzip-compressed. */
  gzip: boolean;
  /** Body size on the wire, and once decompressed. */
  wireBytes: number;
  bodyBytes: number;
  /** The parsed JSON body. */
  body: unknown;
  /** The region from the SigV4 credential scope. */
  region?: string;
  status: number;
  /** The error code answered, if any (`AccessDenied`, `Throttling`, `InvalidParameterValue`, ...). */
  errorCode?: string;
}

/**
 * How the server misbehaves. `throttle` with `times` throttles that many matching requests and
 * then behaves again; without `times`, always. `operations` limits a mode (default: both).
 * `partial-data` answers every GetMetricData result with `StatusCode: PartialData` and a message,
 * the way the service flags results it could not complete.
 */
export type CloudWatchMode =
  | { kind: 'normal' }
  | { kind: 'access-denied'; operations?: CloudWatchOperation[] }
  | { kind: 'throttle'; times?: number; operations?: CloudWatchOperation[] }
  | { kind: 'partial-data' };

export interface CloudWatchServerOptions {
  /** Largest page GetMetricData returns, in datapoints (the service's default is 100,800). */
  pageSize?: number;
  /** The service's clock, for PutMetricData's timestamp window. Default: Date.now. */
  now?: () => number;
  /** The principal named in AccessDenied messages. */
  principal?: string;
}

export interface CloudWatchServer {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_CLOUDWATCH` or the client's `endpoint`. */
  url: string;
  requests: CloudWatchRequest[];
  store: MetricStore;
  setMode(mode: CloudWatchMode): void;
  setPageSize(datapoints: number | undefined): void;
  /** How percentiles are ranked (see PercentileRule); default `nearest-rank`. */
  setPercentileRule(rule: PercentileRule): void;
  close(): Promise<void>;
}

/**
 * Service limits: 1 MB and 1,000 metrics per PutMetricData request (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html),
 * 150 values and 30 dimensions per datum (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html), 500 queries and 100,800
 * datapoints per GetMetricData call (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 */
/** Service limits (PutMetricData and GetMetricData API references). */
export const LIMITS = {
  requestBytes: 1_048_576,
  datumsPerPut: 1000,
  valuesPerDatum: 150,
  dimensionsPerMetric: 30,
  queriesPerGet: 500,
  maxDatapoints: 100_800,
} as const;

/** The units a datum may carry (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html, `Unit`). */
const STANDARD_UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

// "up to two weeks in the past and up to two hours into the future" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;

// Codes and statuses: the operations' own errors (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html#API_PutMetricData_Errors,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html#API_GetMetricData_Errors) and the common ones (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html).
/** The error shapes CloudWatch answers with, by query-protocol code. */
const ERROR_SHAPES: Record<string, { status: number; type: string }> = {
  InvalidParameterValue: {
    status: 400,
    type: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
  },
  InvalidParameterCombination: {
    status: 400,
    type: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
  },
  MissingParameter: {
    status: 400,
    type: 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
  },
  InvalidNextToken: { status: 400, type: 'com.amazonaws.cloudwatch#InvalidNextToken' },
  AccessDenied: { status: 403, type: 'com.amazon.coral.service#AccessDeniedException' },
  Throttling: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException' },
  MissingAuthenticationToken: {
    status: 403,
    type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
  },
  UnknownOperationException: {
    status: 400,
    type: 'com.amazon.coral.service#UnknownOperationException',
  },
  SerializationException: {
    status: 400,
    type: 'com.amazon.coral.service#SerializationException',
  },
  RequestEntityTooLarge: {
    status: 413,
    type: 'com.amazon.coral.service#RequestEntityTooLargeException',
  },
};

/** One GetMetricData query's datapoints, in ScanBy order. */
interface Series {
  id: string;
  label: string;
  points: { t: number; v: number }[];
}

/**
 * The `Dimension` rules, for PutMetricData's datums and GetMetricData's metrics alike
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html):
 * "Dimension names must contain only ASCII characters, must include at least one
 * non-whitespace character, and cannot start with a colon (:). ASCII control characters are not
 * supported"; names are 1-255 characters. Values: only ASCII, at least one non-whitespace
 * character, no ASCII control characters, 1-1024 characters. The service answers a breach with
 * InvalidParameterValue naming the parameter; its exact wording is not documented, so tests
 * match the code and the parameter path only.
 */
function dimensionTextValid(text: unknown, max: number): text is string {
  return (
    typeof text === 'string' &&
    text.length >= 1 &&
    text.length <= max &&
    // ASCII without control characters: 0x20 (space) to 0x7e (~).
    /^[\x20-\x7e]*$/.test(text) &&
    /[^\s]/.test(text)
  );
}

function checkDimension(
  dim: { Name?: unknown; Value?: unknown },
  where: string,
): asserts dim is { Name: string; Value: string } {
  if (!dimensionTextValid(dim.Name, 255) || dim.Name.startsWith(':')) {
    throw new ServiceError('InvalidParameterValue', `The parameter ${where}.Name is invalid.`);
  }
  if (!dimensionTextValid(dim.Value, 1024)) {
    throw new ServiceError('InvalidParameterValue', `The parameter ${where}.Value is invalid.`);
  }
}

class ServiceError extends Error {
  constructor(
    readonly code: keyof typeof ERROR_SHAPES,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How CloudWatch ranks a percentile. Its statistics page defines `p95` only as the value "95
 * percent of the data within the period is lower than", with no rank or interpolation rule
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html),
 * and it calls some statistics "an interpolated approximation". The real rule being unknown,
 * the imitation offers both readings and the tests run under both:
 * - `nearest-rank` (default): the smallest value with at least ceil(q · n) values at or below it;
 * - `interpolated`: linear interpolation between the order statistics around q · (n − 1).
 */
export type PercentileRule = 'nearest-rank' | 'interpolated';

/**
 * Nearest-rank percentile of a weighted sample: the smallest value whose cumulative count
 * reaches ceil(q * total). `q` in 0..1.
 */
export function percentileOfValues(values: number[], counts: number[], q: number): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const total = counts.reduce((s, c) => s + c, 0);
  // Shave an ulp-sized amount so 0.95 * 1000 reaches 950, not 951, as HdrHistogram does.
  const target = Math.max(Math.ceil(q * total * (1 - 1e-12)), Number.MIN_VALUE);
  let cumulative = 0;
  for (const i of order) {
    cumulative += counts[i];
    if (cumulative >= target) return values[i];
  }
  return values[order[order.length - 1]];
}

/** Linearly interpolated percentile of a weighted sample at position q · (total − 1). */
export function interpolatedPercentileOfValues(
  values: number[],
  counts: number[],
  q: number,
): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const total = counts.reduce((s, c) => s + c, 0);
  const position = q * (total - 1);
  const below = Math.floor(position);
  // The value at 0-based position k of the expanded sample.
  const at = (k: number) => {
    let cumulative = 0;
    for (const i of order) {
      cumulative += counts[i];
      if (cumulative > k) return values[i];
    }
    return values[order[order.length - 1]];
  };
  const low = at(below);
  const fraction = position - below;
  return fraction === 0 ? low : low + fraction * (at(below + 1) - low);
}

/** One statistic over the datums of one period; undefined when CloudWatch would not give one. */
export function computeStatistic(
  datums: StoredDatum[],
  stat: string,
  rule: PercentileRule = 'nearest-rank',
): number | undefined {
  let sampleCount = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  const values: number[] = [];
  const counts: number[] = [];
  let percentilesAvailable = true;
  for (const d of datums) {
    if (d.statisticValues) {
      const s = d.statisticValues;
      sampleCount += s.SampleCount;
      sum += s.Sum;
      minimum = Math.min(minimum, s.Minimum);
      maximum = Math.max(maximum, s.Maximum);
      // A statistic set hides the distribution unless it holds a single distinct value.
      if (s.SampleCount === 1 || s.Minimum === s.Maximum) {
        values.push(s.Minimum);
        counts.push(s.SampleCount);
      } else percentilesAvailable = false;
      continue;
    }
    for (let i = 0; i < d.values.length; i++) {
      sampleCount += d.counts[i];
      sum += d.values[i] * d.counts[i];
      minimum = Math.min(minimum, d.values[i]);
      maximum = Math.max(maximum, d.values[i]);
      values.push(d.values[i]);
      counts.push(d.counts[i]);
    }
  }
  if (sampleCount === 0) return undefined;
  switch (stat) {
    case 'SampleCount':
      return sampleCount;
    case 'Sum':
      return sum;
    case 'Average':
      return sum / sampleCount;
    case 'Minimum':
      return minimum;
    case 'Maximum':
      return maximum;
  }
  const q = percentileOf(stat);
  if (q === undefined) return undefined;
  // CloudWatch gives no percentiles over negative values or summarised statistic sets.
  if (!percentilesAvailable || minimum < 0) return undefined;
  return rule === 'interpolated'
    ? interpolatedPercentileOfValues(values, counts, q)
    : percentileOfValues(values, counts, q);
}

function percentileOf(stat: string): number | undefined {
  const m = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (!m) return undefined;
  const p = Number(m[1]);
  return p >= 0 && p <= 100 ? p / 100 : undefined;
}

function isSupportedStat(stat: unknown): stat is string {
  if (typeof stat !== 'string') return false;
  return (
    ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'].includes(stat) ||
    percentileOf(stat) !== undefined
  );
}

/** The metrics PutMetricData stored, queried the way GetMetricData matches them. */
export class MetricStore {
  readonly datums: StoredDatum[] = [];
  private readonly keys = new WeakMap<StoredDatum, string>();

  clear(): void {
    this.datums.length = 0;
  }

  /** Datums of exactly this metric: a metric is its namespace, name and full dimension set. */
  find(
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    unit?: string,
  ): StoredDatum[] {
    const key = dimensionKey(dimensions);
    return this.datums.filter(
      (d) =>
        d.namespace === namespace &&
        d.metricName === metricName &&
        this.keyOf(d) === key &&
        (unit === undefined || d.unit === unit),
    );
  }

  private keyOf(d: StoredDatum): string {
    let key = this.keys.get(d);
    if (key === undefined) {
      key = dimensionKey(d.dimensions);
      this.keys.set(d, key);
    }
    return key;
  }
}

function dimensionKey(dimensions: Record<string, string>): string {
  return JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export async function startCloudWatch(
  options: CloudWatchServerOptions = {},
): Promise<CloudWatchServer> {
  const store = new MetricStore();
  const requests: CloudWatchRequest[] = [];
  const now = options.now ?? Date.now;
  const principal =
    options.principal ?? 'arn:aws:sts::123456789012:assumed-role/perf-gate-ci/GitHubActions';
  let mode: CloudWatchMode = { kind: 'normal' };
  let throttled = 0;
  let pageSize = options.pageSize;
  let percentileRule: PercentileRule = 'nearest-rank';
  const issuedTokens = new Map<string, { offset: number; fingerprint: string; series: Series[] }>();

  function modeApplies(operation: string, operations?: CloudWatchOperation[]): boolean {
    return !operations || operations.includes(operation as CloudWatchOperation);
  }

  function misbehave(operation: string): ServiceError | undefined {
    if (mode.kind === 'access-denied' && modeApplies(operation, mode.operations)) {
      return new ServiceError(
        'AccessDenied',
        `User: ${principal} is not authorized to perform: cloudwatch:${operation} because no identity-based policy allows the cloudwatch:${operation} action`,
      );
    }
    // Throttling: HTTP 400 (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html).
    if (mode.kind === 'throttle' && modeApplies(operation, mode.operations)) {
      if (mode.times !== undefined && throttled >= mode.times) return undefined;
      throttled++;
      return new ServiceError('Throttling', 'Rate exceeded');
    }
    return undefined;
  }

  function putMetricData(body: Record<string, unknown>, bodyBytes: number): unknown {
    // "Each PutMetricData request is limited to 1 MB in size for HTTP POST requests"
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
    if (bodyBytes > LIMITS.requestBytes) {
      throw new ServiceError(
        'RequestEntityTooLarge',
        `Request size ${bodyBytes} exceeded ${LIMITS.requestBytes} bytes`,
      );
    }
    const namespace = body.Namespace;
    if (typeof namespace !== 'string' || namespace.length === 0) {
      throw new ServiceError('MissingParameter', 'The parameter Namespace is required.');
    }
    // 1-255 characters, and "AWS/" is reserved for AWS services (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
    if (namespace.length > 255 || namespace.startsWith('AWS/')) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The value ${namespace.slice(0, 4)} for parameter Namespace is invalid.`,
      );
    }
    const data = body.MetricData;
    if (!Array.isArray(data) || data.length === 0) {
      throw new ServiceError('MissingParameter', 'The parameter MetricData is required.');
    }
    // At most 1,000 metrics per request (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
    if (data.length > LIMITS.datumsPerPut) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The collection MetricData must not have a size greater than ${LIMITS.datumsPerPut}.`,
      );
    }
    // Validate everything before storing anything: one bad datum fails the whole request.
    const parsed = data.map((raw, i) => parseDatum(namespace, raw, `MetricData.member.${i + 1}`));
    store.datums.push(...parsed);
    return {};
  }

  function parseDatum(namespace: string, raw: unknown, path: string): StoredDatum {
    const d = (raw ?? {}) as Record<string, unknown>;
    if (typeof d.MetricName !== 'string' || d.MetricName.length === 0) {
      throw new ServiceError('MissingParameter', `The parameter ${path}.MetricName is required.`);
    }
    // MetricName: required, 1-255 characters (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
    if (d.MetricName.length > 255) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The parameter ${path}.MetricName must be no longer than 255 characters.`,
      );
    }
    const dims = (d.Dimensions ?? []) as { Name?: unknown; Value?: unknown }[];
    // Dimensions: at most 30 (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
    if (dims.length > LIMITS.dimensionsPerMetric) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The collection ${path}.Dimensions must not have a size greater than ${LIMITS.dimensionsPerMetric}.`,
      );
    }
    const dimensions: Record<string, string> = {};
    dims.forEach((dim, j) => {
      const where = `${path}.Dimensions.member.${j + 1}`;
      checkDimension(dim, where);
      // A dimension name once per metric (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html: a metric is identified by its
      // dimensions' names and values).
      if (dim.Name in dimensions) {
        throw new ServiceError(
          'InvalidParameterValue',
          `No metric may have duplicate dimensions: ${dim.Name} appears twice in ${path}.Dimensions.`,
        );
      }
      dimensions[dim.Name] = dim.Value;
    });
    // Unit: one of the listed values (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
    if (d.Unit !== undefined && !STANDARD_UNITS.has(d.Unit as string)) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The value ${String(d.Unit)} for parameter ${path}.Unit is not a valid unit.`,
      );
    }
    // StorageResolution: 1 (high resolution) or 60 (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
    if (d.StorageResolution !== undefined && ![1, 60].includes(d.StorageResolution as number)) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The parameter ${path}.StorageResolution must be 1 or 60.`,
      );
    }
    const received = now();
    const timestamp = d.Timestamp === undefined ? received : Number(d.Timestamp) * 1000;
    if (!Number.isFinite(timestamp)) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The parameter ${path}.Timestamp is invalid.`,
      );
    }
    // Timestamps within two weeks past and two hours ahead (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
    if (timestamp < received - TWO_WEEKS_MS) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The parameter ${path}.Timestamp must specify a time no more than two weeks in the past.`,
      );
    }
    if (timestamp > received + TWO_HOURS_MS) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The parameter ${path}.Timestamp must specify a time no more than two hours in the future.`,
      );
    }
    // Value, Values (with Counts) or StatisticValues, one of them: "you can use either the
    // Value, Values or StatisticValues ... but not more than one" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
    const given = ['Value', 'Values', 'StatisticValues'].filter((k) => d[k] !== undefined);
    if (given.length === 0) {
      throw new ServiceError(
        'MissingParameter',
        `The parameter ${path} must contain one of Value, Values or StatisticValues.`,
      );
    }
    if (given.length > 1) {
      throw new ServiceError(
        'InvalidParameterCombination',
        `The parameters ${given.map((k) => `${path}.${k}`).join(' and ')} are mutually exclusive and you have specified both.`,
      );
    }
    const base = {
      namespace,
      metricName: d.MetricName,
      dimensions,
      timestamp,
      unit: d.Unit as string | undefined,
    };
    if (d.Value !== undefined) {
      return { ...base, values: [checkNumber(d.Value, `${path}.Value`)], counts: [1] };
    }
    if (d.Values !== undefined) {
      const values = d.Values as unknown[];
      // Values: at most 150; Counts as many as Values (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
      if (values.length > LIMITS.valuesPerDatum) {
        throw new ServiceError(
          'InvalidParameterValue',
          `The collection ${path}.Values must not have a size greater than ${LIMITS.valuesPerDatum}.`,
        );
      }
      const counts = (d.Counts as unknown[] | undefined) ?? values.map(() => 1);
      if (counts.length !== values.length) {
        throw new ServiceError(
          'InvalidParameterValue',
          `The parameters ${path}.Values and ${path}.Counts must be of the same size.`,
        );
      }
      return {
        ...base,
        values: values.map((v, k) => checkNumber(v, `${path}.Values.member.${k + 1}`)),
        counts: counts.map((c, k) => {
          const n = checkNumber(c, `${path}.Counts.member.${k + 1}`);
          if (n < 0) {
            throw new ServiceError(
              'InvalidParameterValue',
              `The parameter ${path}.Counts.member.${k + 1} must not be negative.`,
            );
          }
          return n;
        }),
      };
    }
    // StatisticValues: SampleCount, Sum, Minimum, Maximum, all required (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_StatisticSet.html).
    const s = d.StatisticValues as Record<string, unknown>;
    return {
      ...base,
      values: [],
      counts: [],
      statisticValues: {
        SampleCount: checkNumber(s.SampleCount, `${path}.StatisticValues.SampleCount`),
        Sum: checkNumber(s.Sum, `${path}.StatisticValues.Sum`),
        Minimum: checkNumber(s.Minimum, `${path}.StatisticValues.Minimum`),
        Maximum: checkNumber(s.Maximum, `${path}.StatisticValues.Maximum`),
      },
    };
  }

  function getMetricData(body: Record<string, unknown>): unknown {
    const queries = body.MetricDataQueries;
    // MetricDataQueries, StartTime and EndTime are required; at most 500 queries
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
    if (!Array.isArray(queries) || queries.length === 0) {
      throw new ServiceError('MissingParameter', 'The parameter MetricDataQueries is required.');
    }
    if (queries.length > LIMITS.queriesPerGet) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The collection MetricDataQueries must not have a size greater than ${LIMITS.queriesPerGet}.`,
      );
    }
    if (typeof body.StartTime !== 'number' || typeof body.EndTime !== 'number') {
      throw new ServiceError(
        'MissingParameter',
        'The parameters StartTime and EndTime are required.',
      );
    }
    const startMs = roundStart(body.StartTime * 1000, now());
    const endMs = body.EndTime * 1000;
    if (startMs >= endMs) {
      throw new ServiceError(
        'InvalidParameterValue',
        'The parameter StartTime must be less than the parameter EndTime.',
      );
    }
    // ScanBy: TimestampDescending (default) or TimestampAscending; MaxDatapoints caps what is
    // returned, the rest comes with a NextToken (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
    const scanBy = body.ScanBy ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
      throw new ServiceError(
        'InvalidParameterValue',
        `The value ${String(scanBy)} for parameter ScanBy is not valid.`,
      );
    }
    const maxDatapoints = body.MaxDatapoints ?? LIMITS.maxDatapoints;
    if (
      typeof maxDatapoints !== 'number' ||
      !Number.isInteger(maxDatapoints) ||
      maxDatapoints < 1
    ) {
      throw new ServiceError(
        'InvalidParameterValue',
        'The parameter MaxDatapoints must be a positive integer.',
      );
    }
    const ids = new Set<string>();
    const specs = queries.map((raw, i) => {
      const q = raw as Record<string, unknown>;
      const path = `MetricDataQueries.member.${i + 1}`;
      // Id: unique, starts with a lower-case letter, letters, digits and underscores, up to 255
      // characters; exactly one of MetricStat and Expression (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html).
      if (typeof q.Id !== 'string' || !/^[a-z][A-Za-z0-9_]*$/.test(q.Id) || q.Id.length > 255) {
        throw new ServiceError(
          'InvalidParameterValue',
          `The value ${String(q.Id)} for parameter ${path}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`,
        );
      }
      if (ids.has(q.Id)) {
        throw new ServiceError(
          'InvalidParameterValue',
          `The value ${q.Id} for parameter ${path}.Id is not unique.`,
        );
      }
      ids.add(q.Id);
      if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
        throw new ServiceError(
          'InvalidParameterCombination',
          `Exactly one of ${path}.MetricStat and ${path}.Expression must be specified.`,
        );
      }
      if (q.Expression !== undefined) {
        throw new ServiceError(
          'InvalidParameterValue',
          `${path}.Expression: metric math is not implemented by this loopback CloudWatch.`,
        );
      }
      const ms = q.MetricStat as Record<string, unknown>;
      const metric = (ms.Metric ?? {}) as Record<string, unknown>;
      if (typeof metric.Namespace !== 'string' || typeof metric.MetricName !== 'string') {
        throw new ServiceError(
          'MissingParameter',
          `The parameters ${path}.MetricStat.Metric.Namespace and MetricName are required.`,
        );
      }
      // Period: 1, 5, 10, 20, 30 (high resolution) or a multiple of 60 seconds; Stat: a statistic or
      // an extended statistic such as p95 (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html,
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html).
      const period = ms.Period;
      if (
        typeof period !== 'number' ||
        !Number.isInteger(period) ||
        period < 1 ||
        !([1, 5, 10, 20, 30].includes(period) || period % 60 === 0)
      ) {
        throw new ServiceError(
          'InvalidParameterValue',
          `The parameter ${path}.MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of 60.`,
        );
      }
      if (!isSupportedStat(ms.Stat)) {
        throw new ServiceError(
          'InvalidParameterValue',
          `The value ${String(ms.Stat)} for parameter ${path}.MetricStat.Stat is not a valid statistic.`,
        );
      }
      const dimensions: Record<string, string> = {};
      ((metric.Dimensions ?? []) as { Name?: unknown; Value?: unknown }[]).forEach((dim, j) => {
        checkDimension(dim, `${path}.MetricStat.Metric.Dimensions.member.${j + 1}`);
        dimensions[dim.Name] = dim.Value;
      });
      return {
        id: q.Id,
        label: typeof q.Label === 'string' ? q.Label : metric.MetricName,
        namespace: metric.Namespace,
        metricName: metric.MetricName,
        dimensions,
        unit: ms.Unit as string | undefined,
        periodMs: period * 1000,
        stat: ms.Stat,
      };
    });

    // NextToken, InvalidNextToken and the PartialData status code (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html,
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html).
    // A token is good only for the request it was issued for, as the service checks; its
    // pages read the series as they were when the first page was asked for.
    const fingerprint = JSON.stringify({ ...body, NextToken: undefined });
    let offset = 0;
    let series: Series[];
    if (body.NextToken !== undefined) {
      const issued = issuedTokens.get(String(body.NextToken));
      if (!issued || issued.fingerprint !== fingerprint) {
        throw new ServiceError(
          'InvalidNextToken',
          'The service cannot process the NextToken provided.',
        );
      }
      offset = issued.offset;
      series = issued.series;
    } else {
      series = specs.map((spec) => {
        const byPeriod = new Map<number, StoredDatum[]>();
        for (const d of store.find(spec.namespace, spec.metricName, spec.dimensions, spec.unit)) {
          if (d.timestamp < startMs || d.timestamp >= endMs) continue;
          const bucket =
            startMs + Math.floor((d.timestamp - startMs) / spec.periodMs) * spec.periodMs;
          byPeriod.set(bucket, [...(byPeriod.get(bucket) ?? []), d]);
        }
        const points: { t: number; v: number }[] = [];
        for (const [t, ds] of byPeriod) {
          const v = computeStatistic(ds, spec.stat, percentileRule);
          if (v !== undefined) points.push({ t, v });
        }
        points.sort((a, b) => (scanBy === 'TimestampAscending' ? a.t - b.t : b.t - a.t));
        return { id: spec.id, label: spec.label, points };
      });
    }
    const size = Math.min(maxDatapoints, pageSize ?? LIMITS.maxDatapoints);
    const end = offset + size;
    let before = 0;
    const results = series.map((s) => {
      const from = Math.max(0, offset - before);
      const to = Math.max(0, Math.min(s.points.length, end - before));
      const page = s.points.slice(from, to);
      const complete = before + s.points.length <= end;
      before += s.points.length;
      const partial = mode.kind === 'partial-data' || !complete;
      return {
        Id: s.id,
        Label: s.label,
        Timestamps: page.map((p) => p.t / 1000),
        Values: page.map((p) => p.v),
        StatusCode: partial ? 'PartialData' : 'Complete',
        Messages:
          mode.kind === 'partial-data'
            ? [
                {
                  Code: 'MaxQueryTimeRangeExceed',
                  Value: 'Some datapoints could not be retrieved.',
                },
              ]
            : [],
      };
    });
    const out: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
    if (before > end) {
      const token = randomUUID();
      issuedTokens.set(token, { offset: end, fingerprint, series });
      out.NextToken = token;
    }
    return out;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });

  function handle(req: IncomingMessage, res: ServerResponse, wire: Buffer): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^GraniteServiceVersion20100801\./, '');
    const gzip = /\bgzip\b/.test(String(req.headers['content-encoding'] ?? ''));
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/monitoring\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    )?.[1];
    const record: CloudWatchRequest = {
      operation,
      headers: req.headers,
      gzip,
      wireBytes: wire.length,
      bodyBytes: wire.length,
      body: undefined,
      region,
      status: 200,
    };
    requests.push(record);
    try {
      // POST / with the JSON 1.0 content type and X-Amz-Target
      // (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
        throw new ServiceError(
          'UnknownOperationException',
          `No operation at ${req.method} ${req.url}`,
        );
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) {
        throw new ServiceError(
          'SerializationException',
          'Expected content-type application/x-amz-json-1.0',
        );
      }
      // Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-request.html);
      // unsigned requests: MissingAuthenticationToken, HTTP 403 (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html).
      if (
        !/^AWS4-HMAC-SHA256 Credential=.+, SignedHeaders=.+, Signature=[0-9a-f]{64}$/.test(
          String(req.headers.authorization ?? ''),
        )
      ) {
        throw new ServiceError(
          'MissingAuthenticationToken',
          'Request is missing Authentication Token',
        );
      }
      let raw = wire;
      // "You can send a payload compressed by gzip" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
      if (gzip) raw = gunzipSync(wire);
      record.bodyBytes = raw.length;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
      }
      record.body = body;
      if (operation !== 'PutMetricData' && operation !== 'GetMetricData') {
        throw new ServiceError('UnknownOperationException', `Unknown operation ${target}`);
      }
      const failure = misbehave(operation);
      if (failure) throw failure;
      const out =
        operation === 'PutMetricData' ? putMetricData(body, raw.length) : getMetricData(body);
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
      });
      res.end(JSON.stringify(out));
    } catch (error) {
      const e =
        error instanceof ServiceError
          ? error
          : new ServiceError('SerializationException', String(error));
      const shape = ERROR_SHAPES[e.code];
      record.status = shape.status;
      record.errorCode = e.code;
      res.writeHead(shape.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        'x-amzn-query-error': `${e.code};Sender`,
      });
      res.end(JSON.stringify({ __type: shape.type, message: e.message }));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    store,
    setMode(next) {
      mode = next;
      throttled = 0;
    },
    setPercentileRule(rule) {
      percentileRule = rule;
    },
    setPageSize(datapoints) {
      pageSize = datapoints;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * "CloudWatch rejects values that are either too small or too large. Values must be in the range
 * of -2^360 to 2^360"; NaN and infinities are refused (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
 */
function checkNumber(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 2 ** 360) {
    throw new ServiceError(
      'InvalidParameterValue',
      `The value ${String(v)} for parameter ${path} is invalid: values must be finite and within -2^360..2^360.`,
    );
  }
  return v;
}

// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html#API_GetMetricData_RequestParameters (StartTime).
/** StartTime rounding the GetMetricData reference documents, by how far back it lies. */
function roundStart(startMs: number, nowMs: number): number {
  const age = nowMs - startMs;
  const unit = age < 15 * 86_400_000 ? 60_000 : age < 63 * 86_400_000 ? 300_000 : 3_600_000;
  return Math.floor(startMs / unit) * unit;
}
