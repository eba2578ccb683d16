/**
 * Baseline histories: `baseline.cloudwatch` (file-wide, overridden per endpoint key by key) and
 * `baseline.github` (runs kept on a data branch).
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import {
  add,
  get,
  isMapping,
  unit,
  type Complaint,
  type NormaliseContext,
} from './normalise-context.js';
import type { CloudWatchBaselineConfig, GitHubHistoryConfig } from './types.js';
import { parseDuration } from '../units/parse.js';
import { formatDuration } from '../units/format.js';
import { dataAt } from './validate.js';

export const DEFAULT_NAMESPACE = 'PerfGate';
const DEFAULT_LOOKBACK_MS = 14 * 86_400_000;
const DEFAULT_PERIOD_MS = 3_600_000;
export const DEFAULT_HISTORY_BRANCH = 'perf-gate-history';
const DEFAULT_HISTORY_LOOKBACK_MS = 14 * 86_400_000;
const DEFAULT_HISTORY_RUNS = 30;
const DEFAULT_HISTORY_RETENTION_MS = 90 * 86_400_000;
/** CloudWatch keeps hourly data for 455 days. */
const MAX_LOOKBACK_MS = 455 * 86_400_000;

const positive = (n: number): Complaint | undefined =>
  n > 0
    ? undefined
    : { code: 'duration.not-positive', message: 'expected a duration greater than 0' };

/** `baseline.github`: undefined when absent or refused. */
export function gitHubHistoryOf(
  ctx: NormaliseContext,
  path: PathSegment[],
): GitHubHistoryConfig | undefined {
  if (!isMapping(dataAt(ctx.data, path))) return undefined;
  const before = ctx.problems.length;
  const rawLookback = get<string | number>(ctx, [...path, 'lookback']);
  const rawRetention = get<string | number>(ctx, [...path, 'retention']);
  const lookbackMs =
    rawLookback === undefined
      ? DEFAULT_HISTORY_LOOKBACK_MS
      : unit(ctx, 'duration.unit', [...path, 'lookback'], rawLookback, parseDuration, positive);
  const retentionMs =
    rawRetention === undefined
      ? Math.max(DEFAULT_HISTORY_RETENTION_MS, lookbackMs ?? 0)
      : unit(ctx, 'duration.unit', [...path, 'retention'], rawRetention, parseDuration, positive);
  if (
    rawRetention !== undefined &&
    lookbackMs !== undefined &&
    retentionMs !== undefined &&
    retentionMs < lookbackMs
  ) {
    add(
      ctx,
      'history.retention-under-lookback',
      [...path, 'retention'],
      `expected a retention of at least the lookback (${formatDuration(lookbackMs)}), found ${formatDuration(retentionMs)}: pruning would delete runs the baseline still reads`,
    );
  }
  if (!ctx.schemaSound(path) || ctx.problems.length > before) return undefined;
  if (lookbackMs === undefined || retentionMs === undefined) return undefined;
  const branch = get<string>(ctx, [...path, 'branch']);
  const runs = get<number>(ctx, [...path, 'runs']);
  return {
    branch: typeof branch === 'string' ? branch : DEFAULT_HISTORY_BRANCH,
    lookbackMs,
    runs: typeof runs === 'number' ? runs : DEFAULT_HISTORY_RUNS,
    retentionMs,
  };
}

/** `baseline.cloudwatch` at `path`, keys not given taken from `inherited`; undefined when absent or refused. */
export function cloudWatchOf(
  ctx: NormaliseContext,
  path: PathSegment[],
  inherited: CloudWatchBaselineConfig | undefined,
): CloudWatchBaselineConfig | undefined {
  if (!isMapping(dataAt(ctx.data, path))) return undefined;
  const raw = Object.fromEntries(
    ['region', 'namespace', 'metric', 'unit', 'dimensions', 'lookback', 'period'].map((k) => [
      k,
      get(ctx, [...path, k]),
    ]),
  ) as NonNullable<Raw.EndpointBaseline['cloudwatch']>;
  const before = ctx.problems.length;
  const periodMs =
    raw.period === undefined
      ? (inherited?.periodMs ?? DEFAULT_PERIOD_MS)
      : unit(ctx, 'duration.unit', [...path, 'period'], raw.period, parseDuration, (n) =>
          n > 0 && n % 60_000 === 0
            ? undefined
            : {
                code: 'cloudwatch.period',
                message: 'expected a period that is a whole number of minutes (60s, 5m, 1h)',
              },
        );
  const lookbackMs =
    raw.lookback === undefined
      ? (inherited?.lookbackMs ?? DEFAULT_LOOKBACK_MS)
      : unit(ctx, 'duration.unit', [...path, 'lookback'], raw.lookback, parseDuration, (n) =>
          n <= 0
            ? positive(n)
            : n > MAX_LOOKBACK_MS
              ? {
                  code: 'cloudwatch.lookback-too-long',
                  message: 'expected at most 455d (CloudWatch keeps metrics for 15 months)',
                }
              : undefined,
        );
  if (periodMs !== undefined && lookbackMs !== undefined && lookbackMs < periodMs) {
    add(
      ctx,
      'cloudwatch.lookback-under-period',
      [...path, raw.lookback !== undefined ? 'lookback' : 'period'],
      `the lookback (${formatDuration(lookbackMs)}) is shorter than one period (${formatDuration(periodMs)}): it would never hold a full period`,
    );
  }
  if (!ctx.schemaSound(path) || ctx.problems.length > before) return undefined;
  if (periodMs === undefined || lookbackMs === undefined) return undefined;
  const region = raw.region ?? inherited?.region;
  return {
    ...(region !== undefined ? { region } : {}),
    namespace: raw.namespace ?? inherited?.namespace ?? DEFAULT_NAMESPACE,
    ...(raw.metric !== undefined ? { metric: raw.metric } : {}),
    unit: raw.unit ?? 'ms',
    dimensions: { ...(raw.dimensions ?? inherited?.dimensions ?? {}) } as Record<string, string>,
    lookbackMs,
    periodMs,
  };
}
