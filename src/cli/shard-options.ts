import { parseShard, ShardError, type Shard } from '../config/shard.js';
import { shardedConfig as configOfShard } from '../gate/shards.js';
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
  if (!(startAt instanceof Date)) throw new UsageError('--start-at: expected a time', command);
  return { shard, startAt };
}

/** The budget file's config with this shard's share of the load (gate/shards.ts). */
export function shardedConfig(config: Config, shard: Shard, command: string): Config {
  try {
    return configOfShard(config, shard);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(`--shard: ${error.message}`, command);
    throw error;
  }
}
