import type { Config } from '../config/types.js';
import { shouldFail } from '../evaluate/fail-on.js';
import { baselineReading } from '../gate/baselines.js';
import { gateReport, unmeasuredReport } from '../gate/report.js';
import { runGate, type GateRun } from '../gate/run-gate.js';
import { formatDuration as formatMs } from '../units/format.js';
import { displayUrl, urlSecrets } from '../secrets/secrets.js';
import type { Report } from '../report/report.js';
import {
  durationOption,
  failOnOption,
  flag,
  positionals,
  stringOption,
  urlOption,
  type ParsedArgs,
} from './args.js';
import { DEFAULT_BUDGET_FILE, loadBudget } from './budget.js';
import { BudgetFileError } from '../config/errors.js';
import { connectionLimitProblems, openFileLimit } from '../measure/fd-limit.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { RUN_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import type { CommandSpec } from './command.js';
import { createProgress } from './progress.js';
import { connectionErrors, neverConnected } from './reachability.js';
import { REPORT_OPTIONS, reportPathsOf, writeReports } from './report-files.js';
import { renderTable } from '../report/table.js';
import { shardOptions, shardedConfig } from './shard-options.js';
import { shardRecord } from '../gate/shards.js';
import { scheduleFrom } from '../gate/start-at.js';

/** `perf-gate run`: the gate, from budget file to verdicts, on a laptop or any CI system. */

const COMMAND = 'run';

/** `perf-gate run`: its options and help (runCli parses them and answers `--help`). */
export const runSpec: CommandSpec = {
  name: COMMAND,
  options: {
    budget: { type: 'string' },
    'target-url': { type: 'string' },
    'baseline-url': { type: 'string' },
    ...REPORT_OPTIONS,
    'fail-on': { type: 'string' },
    'max-duration': { type: 'string' },
    verbose: { type: 'boolean' },
    shard: { type: 'string' },
    'start-at': { type: 'string' },
  },
  help: RUN_HELP,
  run: runCommand,
};

async function runCommand(
  parsed: ParsedArgs,
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  positionals(parsed, COMMAND, []);
  const budgetFile = stringOption(parsed, 'budget') ?? DEFAULT_BUDGET_FILE;
  const targetUrl = urlOption(parsed, 'target-url', COMMAND);
  const baselineUrl = urlOption(parsed, 'baseline-url', COMMAND);
  const failOn = failOnOption(parsed, COMMAND);
  const maxDurationMs = durationOption(parsed, 'max-duration', '15m', COMMAND);
  const paths = reportPathsOf(parsed, COMMAND);
  const sharding = shardOptions(parsed, COMMAND);

  const whole = await loadBudget(
    budgetFile,
    { env: context.env, targetUrl, maxDurationMs, sideBySide: baselineUrl !== undefined },
    COMMAND,
  );
  const config = sharding ? shardedConfig(whole, sharding.shard, COMMAND) : whole;
  if (baselineUrl !== undefined) {
    config.secrets = [
      ...new Set([...config.secrets, ...urlSecrets(baselineUrl, config.target.publicQuery)]),
    ];
  }
  output.mask(config.secrets);
  const tooMany = connectionLimitProblems(config, openFileLimit());
  if (tooMany.length > 0) throw new BudgetFileError(tooMany);
  const progress = createProgress(output, { verbose: flag(parsed, 'verbose') });

  const controller = new AbortController();
  const unsubscribe = context.onInterrupt?.((signal) => {
    progress.settle();
    output.err(
      `perf-gate: ${signal}: stopping the load; the partial report is written, marked cancelled (again to quit at once)`,
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  });

  try {
    // The gate itself checks the target first (ready-wait, or one request): a wrong URL fails
    // in a second with TargetUnreachableError, which runCli turns into exit 3.
    const baselines = baselineReading(config, { baselineUrl, log: progress.log.info });
    if (baselines.unread) {
      // The data branch is read with the workflow's token and event (base branch): the action's.
      progress.log.info(
        `baseline.github (the ${baselines.unread.branch} data branch) is read by the GitHub Action; this run judges budgets only (--baseline-url compares with a reference deployment)`,
      );
    }
    let gate: GateRun | undefined;
    try {
      gate = await runGate({
        config,
        baselineUrl,
        maxDurationMs,
        signal: controller.signal,
        log: progress.log,
        onProgress: progress.onProgress,
        schedule: sharding?.startAt
          ? scheduleFrom(sharding.startAt, config, baselineUrl !== undefined)
          : undefined,
        readCloudWatch: baselines.readCloudWatch,
        historyName: baselines.historyName,
        // A shard keeps its round pairs so the merge can line them up (gate/shards.ts).
        ...(sharding ? { evaluate: { keepRoundPairs: true } } : {}),
      });
    } catch (error) {
      progress.settle();
      // Interrupted while waiting for the target or reading baselines: nothing was measured,
      // but the report still records that the run was cancelled.
      if (!controller.signal.aborted) throw error;
    }
    progress.settle();

    const report = gate
      ? gateReport(config, gate, context.env)
      : unmeasuredReport(config, { cancelled: true }, context.env);
    if (sharding) {
      report.shard = shardRecord(report, whole, sharding.shard, sharding.startAt?.toISOString());
    }
    const written = await writeReports(report, paths);

    output.out('');
    output.out(renderTable(report));
    if (gate) {
      const saved = gate.plannedLoadMs - gate.loadMs;
      output.err(
        saved >= 1000
          ? `Load time: ${formatMs(gate.loadMs)} of the ${formatMs(gate.plannedLoadMs)} planned (${formatMs(saved)} saved by adaptive measurement).`
          : `Load time: ${formatMs(gate.loadMs)}.`,
      );
    }
    for (const path of written) output.err(`Report written to ${path}`);
    if (sharding) {
      const { index, count } = sharding.shard;
      output.err(
        `Shard ${index} of ${count}: this run gates nothing by itself; merge the ${count} shards' reports with "perf-gate merge" to judge the whole load.`,
      );
    }

    return exitCode(report, config, baselineUrl, output, () =>
      sharding ? false : shouldFail(report.summary, failOn),
    );
  } finally {
    unsubscribe?.();
  }
}

function exitCode(
  report: Report,
  config: Config,
  baselineUrl: string | undefined,
  output: Output,
  fails: () => boolean,
): ExitCode {
  if (report.summary.cancelled) return EXIT.unmeasured;
  if (report.endpoints.length === 0) {
    output.err('perf-gate: could not measure: no endpoint could be measured (see Errors above)');
    return EXIT.unmeasured;
  }
  if (report.endpoints.every((e) => neverConnected(e.measurement))) {
    const why = connectionErrors(report.endpoints[0]!.measurement);
    output.err(
      `perf-gate: could not measure: no request to ${displayUrl(config.target.url, config.target.publicQuery)}` +
        `${baselineUrl ? ` or ${displayUrl(baselineUrl, config.target.publicQuery)}` : ''} got an answer (${why}). ` +
        'Check that the target is running and the URL is right.',
    );
    return EXIT.unmeasured;
  }
  return fails() ? EXIT.failed : EXIT.passed;
}
