import type { Baseline } from '../baseline/types.js';
import type { Config } from '../config/types.js';

/**
 * Which baseline a run is judged against, and how the gate reads it: the one decision both front
 * ends share (docs/architecture.md §5). A reference deployment (baseline-url) wins over any
 * history; the budget file sets up at most one history kind (the loader refuses both).
 */

/** Where a run's baseline comes from. */
export type BaselineSource =
  /** A reference deployment measured side by side in the same run. */
  | { kind: 'reference'; url: string }
  /** Runs of the base branch kept in a data branch of the repository (`baseline.github`). */
  | { kind: 'github'; branch: string }
  /** CloudWatch history (`baseline.cloudwatch`, in the file's defaults or on an endpoint). */
  | { kind: 'cloudwatch' }
  /** None set up: budgets only. */
  | { kind: 'none' };

/** The baseline a config (and an optional reference deployment) asks for. */
export function baselineSource(config: Config, baselineUrl?: string): BaselineSource {
  if (baselineUrl !== undefined) return { kind: 'reference', url: baselineUrl };
  if (config.baseline.github) return { kind: 'github', branch: config.baseline.github.branch };
  const cloudwatch =
    config.baseline.cloudwatch !== undefined ||
    config.endpoints.some((e) => e.cloudwatch !== undefined);
  return cloudwatch ? { kind: 'cloudwatch' } : { kind: 'none' };
}

export type HistoryReader = (config: Config) => Promise<Map<string, Baseline>>;

export interface BaselineReading {
  source: BaselineSource;
  /** Reads the history before measuring (GateInput.readCloudWatch); absent: nothing to read. */
  readCloudWatch?: HistoryReader;
  /** Where the history is read from, for the log heading (GateInput.historyName). */
  historyName?: string;
  /**
   * A history the budget file sets up that this front end cannot read (the data branch needs the
   * workflow's token): the run judges budgets only, and the front end says so in its own words.
   */
  unread?: Extract<BaselineSource, { kind: 'github' }>;
}

export interface BaselineReadingOptions {
  baselineUrl?: string;
  /** Progress lines of the CloudWatch read. */
  log: (line: string) => void;
  /** Reads the data branch; only a front end with the repository's token has one. */
  readGitHub?: HistoryReader;
}

/** How the gate reads the baseline a config asks for. */
export function baselineReading(config: Config, options: BaselineReadingOptions): BaselineReading {
  const source = baselineSource(config, options.baselineUrl);
  switch (source.kind) {
    case 'github':
      if (!options.readGitHub) return { source, unread: source };
      return {
        source,
        readCloudWatch: options.readGitHub,
        historyName: `the data branch ${source.branch}`,
      };
    case 'cloudwatch':
      return {
        source,
        readCloudWatch: (c) => readCloudWatch(c, options.log),
      };
    default:
      return { source };
  }
}

/** Loaded on demand: the AWS SDK is large, and most runs never need it. */
async function readCloudWatch(config: Config, log: (line: string) => void) {
  const { readBaselines } = await import('../baseline/cloudwatch-read.js');
  return readBaselines({
    gateId: config.id,
    endpoints: config.endpoints,
    fileConfig: config.baseline.cloudwatch,
    now: new Date(),
    log,
  });
}
