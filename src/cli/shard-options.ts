import { parseShard, shardConfig, ShardError, type Shard } from '../config/shard.js';
import type { Config } from '../config/types.js';
import { parseStartAt } from '../gate/start-at.js';
import { stringOption, UsageError, type ParsedArgs } from './args.js';

/** `--shard i/n` and `--start-at TIME` of `perf-gate run` (docs/architecture.md §4). */
export interface Sharding {
  shard: Shard;
  startAt?: Date;
}

export function shardOptions(parsed: ParsedArgs, command: string): Sharding | undefined {
  const shardText = stringOption(parsed, 'shard');
  const startText = stringOption(parsed, 'start-at');
  if (shardText === undefined) {
    if (startText !== undefined) {
      throw new UsageError(
        '--start-at aligns the shards of a sharded run: give --shard i/n as well',
        command,
      );
    }
    return undefined;
  }
  const shard = parseShard(shardText);
  if ('error' in shard) throw new UsageError(`--shard: ${shard.error}`, command);
  if (startText === undefined) return { shard };
  const startAt = parseStartAt(startText);
  if ('error' in startAt) throw new UsageError(`--start-at: ${startAt.error}`, command);
  return { shard, startAt };
}

/**
 * The budget file's config with this shard's share of the load. Shards measure with the fixed
 * design and no confirmation: every shard must load for the same time as the others, and the
 * verdict is the merge's.
 */
export function shardedConfig(config: Config, shard: Shard, command: string): Config {
  try {
    const split = shardConfig(config, shard);
    return {
      ...split,
      confirm: false,
      endpoints: split.endpoints.map((e) => ({ ...e, adaptive: false })),
    };
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(`--shard: ${error.message}`, command);
    throw error;
  }
}
