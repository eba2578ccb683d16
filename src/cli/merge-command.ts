import type { Config } from '../config/types.js';
import { shouldFail } from '../evaluate/fail-on.js';
import { mergeShardReports, ShardMergeError } from '../gate/shards.js';
import type { Report } from '../report/report.js';
import { runEnvironment } from '../gate/report.js';
import { renderTable } from '../report/table.js';
import { TOOL } from '../version.js';
import { failOnOption, stringOption, UsageError, type ParsedArgs } from './args.js';
import { loadRules } from './budget.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { MERGE_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import type { CommandSpec } from './command.js';
import { REPORT_OPTIONS, reportPathsOf, readReport, writeReports } from './report-files.js';

/**
 * `perf-gate merge SHARD.json…`: the reports of a sharded run (`run --shard i/n`) added together
 * exactly and judged as one run (docs/architecture.md §4). No load is sent.
 */

const COMMAND = 'merge';

/** `perf-gate merge`: its options and help (runCli parses them and answers `--help`). */
export const mergeSpec: CommandSpec = {
  name: COMMAND,
  options: {
    budget: { type: 'string' },
    ...REPORT_OPTIONS,
    'fail-on': { type: 'string' },
  },
  help: MERGE_HELP,
  run: mergeCommand,
};

async function mergeCommand(
  parsed: ParsedArgs,
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  const files = parsed.positionals;
  if (files.length === 0) {
    throw new UsageError('name the shard reports to merge: perf-gate merge SHARD.json…', COMMAND);
  }
  const failOn = failOnOption(parsed, COMMAND);
  const paths = reportPathsOf(parsed, COMMAND);
  const budgetFile = stringOption(parsed, 'budget');
  let config: Config | undefined;
  if (budgetFile !== undefined) {
    config = await loadRules(budgetFile, context.env, COMMAND);
    output.mask(config.secrets);
  }
  const inputs: { source: string; report: Report }[] = [];
  for (const file of files) inputs.push({ source: file, report: await readReport(file) });

  let merged;
  try {
    merged = mergeShardReports(inputs, {
      config,
      tool: TOOL,
      createdAt: new Date().toISOString(),
      environment: runEnvironment(context.env),
    });
  } catch (error) {
    if (error instanceof ShardMergeError) throw new UsageError(error.message);
    throw error;
  }
  for (const warning of merged.warnings) output.err(`warning: ${warning}`);
  const { report } = merged;
  const written = await writeReports(report, paths);
  output.out(`Merged ${files.length} shard report${files.length === 1 ? '' : 's'}`);
  output.out('');
  output.out(renderTable(report));
  for (const path of written) output.err(`Report written to ${path}`);
  return shouldFail(report.summary, failOn) ? EXIT.failed : EXIT.passed;
}
