/**
 * Sharded runs (docs/architecture.md §4): n runs each drive a share of every endpoint's load
 * (config/shard.ts) and write a report that gates nothing; the merge checks that the reports are
 * the n shards of one gate and one budget file, adds their histograms exactly (the merged
 * percentiles are those of the union of the shards' responses), sums counts and throughputs, and
 * judges the whole with the same rules as any saved report (evaluate/rejudge.ts). Pure.
 */
import { createHash } from 'node:crypto';
import { shardConfig, type Shard } from '../config/shard.js';
import type { Config } from '../config/types.js';
import { rejudgeReport } from './rejudge.js';
import type { BaselineSummary, EndpointResult } from '../evaluate/types.js';
import { mergeMeasurements } from '../measure/merge.js';
import type { Measurement } from '../measure/types.js';
import type { Report, ReportConfig, ShardRecord } from '../report/report.js';

/**
 * The config a shard measures: its share of every endpoint's load, with the fixed design and no
 * confirmation (every shard must load for the same time as the others, and the verdict is the
 * merge's). Throws config/shard.ts's ShardError when a shard would be left with nothing.
 */
export function shardedConfig(config: Config, shard: Shard): Config {
  const split = shardConfig(config, shard);
  return {
    ...split,
    confirm: false,
    endpoints: split.endpoints.map((e) => ({ ...e, adaptive: false })),
  };
}

/** Below this share of the merged window with every shard loading, the merge warns. */
export const MIN_OVERLAP = 0.9;

export class ShardMergeError extends Error {}

export interface ShardInput {
  /** Where the report came from (a file name), for messages. */
  source: string;
  report: Report;
}

export interface MergedShards {
  report: Report;
  warnings: string[];
}

/** Rates compared and summed in thousandths of a request per second (config/shard.ts splits them so). */
const RATE_STEP = 1000;

/**
 * The identity of a budget file's whole load and rules: the report config (as the report shows
 * it, so a shard and the merge of saved shards compute it alike) with every endpoint's load
 * replaced by the unsplit one.
 */
export function budgetDigest(
  config: ReportConfig,
  loads: readonly { connections: number; rate?: number }[],
): string {
  const whole = {
    ...config,
    endpoints: config.endpoints.map((endpoint, i) => ({
      ...endpoint,
      load: {
        ...endpoint.load,
        connections: loads[i].connections,
        rate:
          loads[i].rate === undefined
            ? undefined
            : Math.round(loads[i].rate! * RATE_STEP) / RATE_STEP,
      },
    })),
  };
  return createHash('sha256').update(stableJson(whole)).digest('hex');
}

/** The shard record of a shard's report: its place, and the digest of the unsplit budget. */
export function shardRecord(
  report: Report,
  whole: Config,
  shard: { index: number; count: number },
  startAt?: string,
): ShardRecord {
  const loads = whole.endpoints.map((e) => e.load);
  return {
    index: shard.index,
    count: shard.count,
    budget: budgetDigest(report.config, loads),
    ...(startAt !== undefined ? { startAt } : {}),
  };
}

export interface MergeOptions {
  /** The trusted rules (a budget file given to the merge); absent: the rules the shards carry. */
  config?: Config;
  tool: { name: string; version: string };
  createdAt: string;
  environment: Report['environment'];
}

export function mergeShardReports(
  inputs: readonly ShardInput[],
  options: MergeOptions,
): MergedShards {
  const shards = checkSet(inputs);
  const first = shards[0].report;
  const count = shards.length;
  const warnings: string[] = [];

  // The whole load: each endpoint's connections and rate summed over the shards.
  const loads = first.config.endpoints.map((_endpoint, i) => {
    const parts = shards.map((s) => s.report.config.endpoints[i].load);
    const rates = parts.map((p) => p.rate);
    return {
      connections: parts.reduce((a, p) => a + p.connections, 0),
      ...(rates.every((r) => r !== undefined)
        ? { rate: rates.reduce((a, r) => a + Math.round(r * RATE_STEP), 0) / RATE_STEP }
        : {}),
    };
  });
  const digest = budgetDigest(first.config, loads);
  for (const shard of shards) {
    if (shard.report.shard!.budget !== digest) {
      throw new ShardMergeError(
        `${shard.source} (shard ${shard.report.shard!.index}/${count}) was measured with a different budget file or settings than ${shards[0].source}: merge only the shards of one run (same budget file, same target, same shard count)`,
      );
    }
  }

  const overlap: Record<string, number> = {};
  const dropped: string[] = [];
  const endpoints: EndpointResult[] = first.endpoints.map((endpoint) => {
    const results = shards.map((s) => s.report.endpoints.find((e) => e.name === endpoint.name)!);
    const measurements = results.map((r) => r.measurement);
    overlap[endpoint.name] = overlapOf(measurements);
    if (overlap[endpoint.name] < MIN_OVERLAP) {
      warnings.push(
        `${endpoint.name}: the shards loaded the target together for only ${Math.round(overlap[endpoint.name] * 100)}% of the merged window, so the merged numbers describe a load that only partly happened at once; start every shard with the same start-at`,
      );
    }
    const baseline = mergedBaseline(results.map((r) => r.baseline));
    if (baseline.kind === 'none' && endpoint.baseline.kind !== 'none') dropped.push(endpoint.name);
    if (
      baseline.kind === 'reference' &&
      !baseline.roundPairs &&
      results.some((r) => r.baseline.kind === 'reference' && r.baseline.roundPairs)
    ) {
      warnings.push(
        `${endpoint.name}: the shards measured different numbers of side-by-side rounds, so they cannot be paired: regressions are judged over the requests only`,
      );
    }
    return {
      name: endpoint.name,
      method: endpoint.method,
      path: endpoint.path,
      line: endpoint.line,
      measurement: mergeMeasurements(measurements, 'at once'),
      baseline,
      findings: [],
      verdict: 'pass',
    };
  });
  if (dropped.length > 0) {
    warnings.push(
      `judged against budgets only: CloudWatch and history baselines are not merged across shards yet (${dropped.join(', ')})`,
    );
  }
  const merged: Report = {
    ...first,
    tool: { ...options.tool },
    createdAt: options.createdAt,
    environment: structuredClone(options.environment),
    config: {
      ...first.config,
      endpoints: first.config.endpoints.map((e, i) => ({
        ...e,
        load: { ...e.load, ...loads[i] },
      })),
    },
    endpoints,
    summary: {
      ...first.summary,
      errors: shards.flatMap((s) =>
        (s.report.summary.errors ?? []).map((error) => ({
          ...error,
          message: `shard ${s.report.shard!.index}/${count}: ${error.message}`,
        })),
      ),
    },
  };
  delete merged.shard;
  delete merged.acceptance;
  if (merged.summary.errors!.length === 0) delete merged.summary.errors;
  const { report, warnings: judged } = rejudgeReport(merged, {
    config: options.config,
    keepRoundPairs: true,
  });
  report.shards = { count, overlap };
  return { report, warnings: [...warnings, ...judged] };
}

/** The shards in order, after checking they are one complete set of one gate. */
function checkSet(inputs: readonly ShardInput[]): ShardInput[] {
  if (inputs.length === 0) throw new ShardMergeError('no shard reports to merge');
  for (const input of inputs) {
    if (!input.report.shard) {
      throw new ShardMergeError(
        `${input.source} is not a shard's report (it has no "shard" record): merge the reports of runs made with shard i/n`,
      );
    }
  }
  const count = inputs[0].report.shard!.count;
  const bySlot = new Map<number, ShardInput>();
  for (const input of inputs) {
    const { index, count: theirs } = input.report.shard!;
    if (theirs !== count) {
      throw new ShardMergeError(
        `${input.source} is shard ${index}/${theirs} but ${inputs[0].source} is one of ${count} shards: merge the shards of one run`,
      );
    }
    if (input.report.gateId !== inputs[0].report.gateId) {
      throw new ShardMergeError(
        `${input.source} belongs to gate "${input.report.gateId}", ${inputs[0].source} to "${inputs[0].report.gateId}": merge the shards of one gate`,
      );
    }
    const twin = bySlot.get(index);
    if (twin) {
      throw new ShardMergeError(
        `shard ${index}/${count} is given twice (${twin.source} and ${input.source}): each shard's report once`,
      );
    }
    bySlot.set(index, input);
  }
  const missing = [...Array(count).keys()].map((i) => i + 1).filter((i) => !bySlot.has(i));
  if (missing.length > 0) {
    throw new ShardMergeError(
      `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: ${inputs.length} of ${count} reports given; a merge of part of the load would judge less load than the budget file asks for`,
    );
  }
  const shards = [...Array(count).keys()].map((i) => bySlot.get(i + 1)!);
  const names = (r: Report) => r.endpoints.map((e) => e.name).join('\n');
  for (const shard of shards) {
    if (names(shard.report) !== names(shards[0].report)) {
      throw new ShardMergeError(
        `${shard.source} measured other endpoints than ${shards[0].source} (a run cut short, or another budget file): every shard must measure every endpoint`,
      );
    }
  }
  return shards;
}

/**
 * The share of the merged window (first start to last end) in which every shard was loading:
 * 1 when they ran exactly together, 0 when some ran after another had finished.
 */
export function overlapOf(parts: readonly Measurement[]): number {
  const starts = parts.map((p) => Date.parse(p.startedAt));
  const ends = parts.map((p, i) => starts[i] + p.durationMs);
  const span = Math.max(...ends) - Math.min(...starts);
  if (!(span > 0)) return 1;
  return Math.max(0, Math.min(...ends) - Math.max(...starts)) / span;
}

/**
 * A reference deployment measured by every shard is merged like the candidate, round by round
 * when the shards kept their round pairs (so the regressions are judged over the pairs again),
 * else over its requests. Histories are not merged yet: the endpoint is judged against its
 * budgets.
 */
function mergedBaseline(parts: readonly BaselineSummary[]): BaselineSummary {
  if (parts.every((p) => p.kind === 'reference')) {
    const references = parts as Extract<BaselineSummary, { kind: 'reference' }>[];
    const merged: BaselineSummary = {
      kind: 'reference',
      source: references[0].source,
      measurement: mergeMeasurements(
        references.map((p) => p.measurement),
        'at once',
      ),
    };
    // Every shard ran the same ABBA schedule from the common start: round i of each shard ran
    // at the same time, so round i of the whole load is their merge, and the pairs line up.
    const counts = references.map((p) => p.roundPairs?.length ?? 0);
    if (counts[0] > 0 && counts.every((n) => n === counts[0])) {
      merged.roundPairs = Array.from({ length: counts[0] }, (_, i) => ({
        reference: mergeMeasurements(
          references.map((p) => p.roundPairs![i].reference),
          'at once',
        ),
        candidate: mergeMeasurements(
          references.map((p) => p.roundPairs![i].candidate),
          'at once',
        ),
      }));
      merged.rounds = counts[0];
    }
    return merged;
  }
  if (parts[0].kind === 'none') return parts[0];
  return {
    kind: 'none',
    reason: 'the shards’ baselines are not merged: judged against budgets',
  };
}

/** JSON with object keys sorted, so equal values hash alike whatever order they were built in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}
