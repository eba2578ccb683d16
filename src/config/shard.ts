/**
 * Sharded load (docs/architecture.md §4): `shard: i/n` measures every endpoint with the i-th of
 * n shares of its load, so that n runners together drive what the budget file asks for. The
 * shares add up exactly to the file's numbers (connections, and an open model's rate in
 * thousandths of a request per second); a split that leaves a shard with nothing is refused.
 * Pure: the merge (gate/shards.ts) adds the shards' histograms back together.
 */
import type { Config, EndpointConfig, LoadSettings } from './types.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** More shards than any runner matrix needs; GitHub allows 256 jobs per matrix. */
export const MAX_SHARDS = 256;

/** `2/3` → { index: 2, count: 3 }; a message saying what is wrong otherwise. */
export function parseShard(text: string): Shard | { error: string } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) {
    return { error: `"${text}" is not a shard: write i/n, e.g. 1/3 for the first of three shards` };
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) {
    return { error: `"${text}": the shard count must be from 1 to ${MAX_SHARDS}` };
  }
  if (index < 1 || index > count) {
    return {
      error: `"${text}": the shard number must be from 1 to ${count} (shards are counted from 1)`,
    };
  }
  return { index, count };
}

/** The i-th of n integer shares of `total`: the first `total % n` shares get one more. */
export function shareOf(total: number, shard: Shard): number {
  const base = Math.floor(total / shard.count);
  return base + (shard.index <= total % shard.count ? 1 : 0);
}

/** An open model's rate is split in thousandths of a request per second, so shares add up exactly. */
const RATE_STEP = 1000;

/** The load one shard drives for an endpoint. */
export function shardLoad(load: LoadSettings, shard: Shard): LoadSettings {
  const split: LoadSettings = { ...load, connections: shareOf(load.connections, shard) };
  if (load.rate !== undefined) {
    split.rate = shareOf(Math.round(load.rate * RATE_STEP), shard) / RATE_STEP;
  }
  return split;
}

export class ShardError extends Error {}

/**
 * The config one shard measures: every endpoint's connections and rate split. Throws a
 * ShardError naming every endpoint whose share would be empty.
 */
export function shardConfig(config: Config, shard: Shard): Config {
  // Every shard refuses a split that leaves any shard empty, so no shard measures alone.
  const empty: string[] = [];
  for (const endpoint of config.endpoints) {
    const { connections, rate } = endpoint.load;
    if (connections < shard.count) {
      empty.push(
        `"${endpoint.name}" (line ${endpoint.line}) has ${connections} connection${connections === 1 ? '' : 's'}`,
      );
    } else if (rate !== undefined && Math.round(rate * RATE_STEP) < shard.count) {
      empty.push(`"${endpoint.name}" (line ${endpoint.line}) has a rate of ${rate}/s`);
    }
  }
  if (empty.length > 0) {
    const most = Math.min(...config.endpoints.map((e) => e.load.connections));
    throw new ShardError(
      `${shard.count} shards would leave a shard with no load: ${empty.join('; ')}; use at most ${most} shard${most === 1 ? '' : 's'}, or raise the connections`,
    );
  }
  const endpoints = config.endpoints.map((endpoint): EndpointConfig => ({
    ...endpoint,
    load: shardLoad(endpoint.load, shard),
  }));
  return { ...config, endpoints };
}
