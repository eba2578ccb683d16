import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { LATENCY_METRICS } from '../units/metrics.js';
import type { CloudWatchBaselineConfig, EndpointConfig } from '../config/types.js';
import type { RegressionMetric } from '../units/metrics.js';
import type { Baseline } from './types.js';
import { openCloudWatch } from './cloudwatch-client.js';
import type { CloudWatchClientOptions } from './cloudwatch-client.js';
import { CloudWatchError, toCloudWatchError } from './cloudwatch-errors.js';
import { formatDurationExact } from '../units/format.js';
import {
  LATENCY_STATS,
  METRIC,
  describeMetric,
  checkUserDimensions,
  ownDimensions,
  toSdkDimensions,
} from './cloudwatch-metrics.js';

/**
 * Reading baselines from CloudWatch history: one batched GetMetricData (500 queries per call,
 * NextToken-paged) for every endpoint and metric, turned into per-period series.
 */

/** GetMetricData takes at most 500 queries per call. */
const MAX_QUERIES_PER_CALL = 500;
/** Pages followed per call before giving up and calling the data partial. */
const DEFAULT_MAX_PAGES = 200;

/** Converts an external metric's unit to ms. */
const TO_MS: Record<CloudWatchBaselineConfig['unit'], number> = { us: 0.001, ms: 1, s: 1000 };

export interface ReadBaselinesInput {
  gateId: string;
  endpoints: EndpointConfig[];
  /** The file's `baseline.cloudwatch`; an endpoint's own `cloudwatch` overrides it. */
  fileConfig?: CloudWatchBaselineConfig;
  now: Date;
  log?: (line: string) => void;
}

export interface ReadOptions extends CloudWatchClientOptions {
  /** Pages followed per GetMetricData call (default 200); hitting it marks the data partial. */
  maxPages?: number;
}

/** One query: which endpoint and metric its values belong to, and how to scale them. */
interface Wanted {
  id: string;
  endpoint: string;
  metric: RegressionMetric;
  scale: number;
  query: MetricDataQuery;
}

interface Plan {
  endpoint: string;
  cfg: CloudWatchBaselineConfig;
  /** Namespace, metric and dimensions, for messages. */
  metric: string;
  /** The metric with region and window, for Baseline.source. */
  source: string;
  external: boolean;
}

/** Queries sharing a region and a time window, hence calls. */
interface QueryGroup {
  region?: string;
  start: number;
  queries: Wanted[];
}

interface QueryResult {
  points: Map<number, number>;
  partial: boolean;
  messages: string[];
}

/**
 * Baselines per endpoint name. An endpoint without CloudWatch configured, or with regression
 * checks off, gets `none` without any call; the SDK is loaded only when some endpoint needs it.
 * No history is a `none` baseline, not an error; partial data is used, flagged and logged.
 * Throws a CloudWatchError for anything the user must fix (credentials, region, IAM, ...).
 */
export async function readBaselines(
  input: ReadBaselinesInput,
  options: ReadOptions = {},
): Promise<Map<string, Baseline>> {
  const baselines = new Map<string, Baseline>();
  const plans: Plan[] = [];
  const wanted: Wanted[] = [];
  for (const endpoint of input.endpoints) {
    const cfg = endpoint.cloudwatch ?? input.fileConfig;
    if (!cfg) {
      baselines.set(endpoint.name, {
        kind: 'none',
        reason: 'no baseline configured',
        configured: false,
      });
      continue;
    }
    if (endpoint.regression === false) {
      baselines.set(endpoint.name, {
        kind: 'none',
        reason: 'regression checks are off for this endpoint (regression: false)',
        configured: false,
      });
      continue;
    }
    checkWindow(cfg);
    const plan = planEndpoint(input.gateId, endpoint.name, cfg);
    plans.push(plan);
    wanted.push(...queriesFor(input.gateId, endpoint.name, cfg, wanted.length));
  }
  if (wanted.length === 0) return baselines;

  const results = await fetchAll(input, plans, wanted, options);

  for (const plan of plans) {
    const mine = wanted.filter((w) => w.endpoint === plan.endpoint);
    const periods: Partial<Record<RegressionMetric, number[]>> = {};
    let partial = false;
    const messages = new Set<string>();
    let count = 0;
    for (const w of mine) {
      const r = results.get(w.id);
      if (!r) continue;
      partial ||= r.partial;
      r.messages.forEach((m) => messages.add(m));
      const series = [...r.points.entries()].sort(([a], [b]) => a - b).map(([, v]) => v * w.scale);
      if (series.length > 0) periods[w.metric] = series;
      count = Math.max(count, series.length);
    }
    if (count === 0) {
      const window = `over the last ${formatDurationExact(plan.cfg.lookbackMs)}`;
      const reason = plan.external
        ? `no CloudWatch data for ${plan.metric} ${window}: check the namespace, metric name, dimensions and region`
        : `no CloudWatch history yet for ${plan.metric} ${window} (publish from main with publish: true)`;
      baselines.set(plan.endpoint, {
        kind: 'none',
        reason: partial ? `${reason}; CloudWatch said the data was partial` : reason,
      });
      continue;
    }
    if (partial) {
      const why = messages.size > 0 ? ` (${[...messages].join('; ')})` : '';
      input.log?.(
        `CloudWatch returned partial data for "${plan.endpoint}"${why}; using the ${count} period(s) it returned`,
      );
    }
    baselines.set(plan.endpoint, { kind: 'cloudwatch', source: plan.source, periods, partial });
  }
  return baselines;
}

function checkWindow(cfg: CloudWatchBaselineConfig): void {
  if (!Number.isInteger(cfg.periodMs / 60_000) || cfg.periodMs <= 0) {
    throw new CloudWatchError(
      'config',
      `baseline.cloudwatch.period must be a whole number of minutes (CloudWatch's standard resolution); found ${formatDurationExact(cfg.periodMs)}.`,
    );
  }
  if (cfg.lookbackMs < cfg.periodMs) {
    throw new CloudWatchError(
      'config',
      `baseline.cloudwatch.lookback (${formatDurationExact(cfg.lookbackMs)}) must be at least one period (${formatDurationExact(cfg.periodMs)}).`,
    );
  }
}

function planEndpoint(gateId: string, endpoint: string, cfg: CloudWatchBaselineConfig): Plan {
  const external = cfg.metric !== undefined;
  if (external) checkUserDimensions(cfg.dimensions);
  const metric = describeMetric(
    cfg.namespace,
    cfg.metric ?? METRIC.latency.name,
    external ? cfg.dimensions : ownDimensions(gateId, endpoint, cfg.dimensions),
  );
  const window = `${cfg.region ?? 'default region'}, ${formatDurationExact(cfg.periodMs)} periods over ${formatDurationExact(cfg.lookbackMs)}`;
  return { endpoint, cfg, metric, source: `CloudWatch ${metric} (${window})`, external };
}

function queriesFor(
  gateId: string,
  endpoint: string,
  cfg: CloudWatchBaselineConfig,
  firstIndex: number,
): Wanted[] {
  const Period = cfg.periodMs / 1000;
  const external = cfg.metric !== undefined;
  const Dimensions = toSdkDimensions(
    external ? cfg.dimensions : ownDimensions(gateId, endpoint, cfg.dimensions),
  );
  const latencyMetric = {
    Namespace: cfg.namespace,
    MetricName: cfg.metric ?? METRIC.latency.name,
    Dimensions,
  };
  const scale = external ? TO_MS[cfg.unit] : 1;
  const out: Wanted[] = [];
  const add = (metric: RegressionMetric, query: Omit<MetricDataQuery, 'Id'>, factor: number) => {
    const id = `m${firstIndex + out.length}`;
    out.push({
      id,
      endpoint,
      metric,
      scale: factor,
      query: { Id: id, ReturnData: true, ...query },
    });
  };
  for (const metric of LATENCY_METRICS) {
    add(
      metric,
      { MetricStat: { Metric: latencyMetric, Period, Stat: LATENCY_STATS[metric] } },
      scale,
    );
  }
  if (!external) {
    const errorRate = { Namespace: cfg.namespace, MetricName: METRIC.errorRate.name, Dimensions };
    add('error-rate', { MetricStat: { Metric: errorRate, Period, Stat: 'Average' } }, 1 / 100);
  }
  return out;
}

/**
 * Runs the queries: one client per region, calls grouped by time window (queries sharing a
 * window share calls), at most 500 queries per call, every page followed.
 */
async function fetchAll(
  input: ReadBaselinesInput,
  plans: Plan[],
  wanted: Wanted[],
  options: ReadOptions,
): Promise<Map<string, QueryResult>> {
  const endMs = Math.floor(input.now.getTime() / 60_000) * 60_000;
  const cfgOf = new Map(plans.map((p) => [p.endpoint, p.cfg]));
  const groups = new Map<string, QueryGroup>();
  for (const w of wanted) {
    const cfg = cfgOf.get(w.endpoint)!;
    const start = endMs - cfg.lookbackMs;
    const key = `${cfg.region ?? ''}\n${start}`;
    const group = groups.get(key) ?? { region: cfg.region, start, queries: [] };
    group.queries.push(w);
    groups.set(key, group);
  }
  const results = new Map<string, QueryResult>();
  const byRegion = new Map<string | undefined, QueryGroup[]>();
  for (const g of groups.values()) byRegion.set(g.region, [...(byRegion.get(g.region) ?? []), g]);

  for (const [region, regionGroups] of byRegion) {
    const { sdk, client } = await openCloudWatch(region, options);
    try {
      for (const group of regionGroups) {
        for (let i = 0; i < group.queries.length; i += MAX_QUERIES_PER_CALL) {
          const chunk = group.queries.slice(i, i + MAX_QUERIES_PER_CALL);
          for (const w of chunk)
            results.set(w.id, { points: new Map(), partial: false, messages: [] });
          let token: string | undefined;
          let pages = 0;
          do {
            let out;
            try {
              out = await client.send(
                new sdk.GetMetricDataCommand({
                  MetricDataQueries: chunk.map((w) => w.query),
                  StartTime: new Date(group.start),
                  EndTime: new Date(endMs),
                  ScanBy: 'TimestampAscending',
                  NextToken: token,
                }),
              );
            } catch (error) {
              throw toCloudWatchError(error, 'GetMetricData');
            }
            pages++;
            for (const m of out.Messages ?? [])
              input.log?.(`CloudWatch: ${m.Code ?? ''} ${m.Value ?? ''}`.trim());
            for (const r of out.MetricDataResults ?? []) {
              const result = r.Id ? results.get(r.Id) : undefined;
              if (!result) continue;
              const timestamps = r.Timestamps ?? [];
              const values = r.Values ?? [];
              timestamps.forEach((t, k) => {
                if (Number.isFinite(values[k])) result.points.set(t.getTime(), values[k]);
              });
              // Only the last page's status tells whether the series is complete.
              result.partial = r.StatusCode !== undefined && r.StatusCode !== 'Complete';
              for (const m of r.Messages ?? []) {
                const text = `${m.Code ?? ''}: ${m.Value ?? ''}`;
                if (!result.messages.includes(text)) result.messages.push(text);
              }
            }
            token = out.NextToken;
          } while (token && pages < (options.maxPages ?? DEFAULT_MAX_PAGES));
          if (token) {
            for (const w of chunk) {
              const r = results.get(w.id)!;
              r.partial = true;
              r.messages.push(`stopped after ${pages} pages`);
            }
          }
        }
      }
    } finally {
      client.destroy();
    }
  }
  return results;
}
