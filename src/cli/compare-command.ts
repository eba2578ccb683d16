import type { Config } from '../config/types.js';
import { compareReports } from '../gate/compare.js';
import { shouldFail } from '../evaluate/fail-on.js';
import type { Report } from '../report/report.js';
import { runEnvironment } from '../gate/report.js';
import { failOnOption, positionals, stringOption, UsageError, type ParsedArgs } from './args.js';
import { loadRules } from './budget.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { COMPARE_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import type { CommandSpec } from './command.js';
import { REPORT_OPTIONS, reportPathsOf, readReport, writeReports } from './report-files.js';
import { renderTable } from '../report/table.js';
import { TOOL } from '../version.js';

/** `perf-gate compare BASE.json HEAD.json`: two saved reports judged against each other, no load. */

const COMMAND = 'compare';

/** `perf-gate compare`: its options and help (runCli parses them and answers `--help`). */
export const compareSpec: CommandSpec = {
  name: COMMAND,
  options: {
    budget: { type: 'string' },
    ...REPORT_OPTIONS,
    'fail-on': { type: 'string' },
  },
  help: COMPARE_HELP,
  run: compareCommand,
};

async function compareCommand(
  parsed: ParsedArgs,
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  const [basePath, headPath] = positionals(parsed, COMMAND, ['BASE.json', 'HEAD.json']);
  const failOn = failOnOption(parsed, COMMAND);
  const paths = reportPathsOf(parsed, COMMAND);
  const budgetFile = stringOption(parsed, 'budget');
  let config: Config | undefined;
  if (budgetFile !== undefined) {
    config = await loadRules(budgetFile, context.env, COMMAND);
    output.mask(config.secrets);
  }

  const base = await readReport(basePath!);
  const head = await readReport(headPath!);
  if (head.endpoints.length === 0) {
    throw new UsageError(
      `${headPath}: the head report has no endpoints: nothing was measured, so there is nothing to compare (was the run cancelled or its budget file empty?)`,
    );
  }
  const headNames = new Set(head.endpoints.map((e) => e.name));
  const baseNames = new Set(base.endpoints.map((e) => e.name));
  const onlyBase = base.endpoints.filter((e) => !headNames.has(e.name)).map((e) => e.name);
  const onlyHead = head.endpoints.filter((e) => !baseNames.has(e.name)).map((e) => e.name);
  const quote = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');
  if (onlyHead.length > 0) {
    output.err(
      `warning: not in the base report (${basePath}), so judged without a baseline: ${quote(onlyHead)}`,
    );
  }
  let report: Report;
  try {
    report = compareReports(base, head, {
      config,
      tool: TOOL,
      createdAt: new Date().toISOString(),
      environment: runEnvironment(context.env),
    });
  } catch (error) {
    throw new UsageError(
      `cannot compare ${basePath} with ${headPath}: ${(error as Error).message}`,
    );
  }
  if (onlyBase.length > 0) {
    // An endpoint the base measured and the head did not is a check that did not run: the gate
    // cannot pass on it.
    const message = `not in the head report (${headPath}), so not measured: ${quote(onlyBase)}`;
    output.err(`error: ${message}`);
    report.summary.errors = [...(report.summary.errors ?? []), { message }];
    report.summary.passed = false;
  }
  const written = await writeReports(report, paths);

  output.out(`Comparing ${headPath} (head) with ${basePath} (base)`);
  output.out('');
  output.out(renderTable(report));
  for (const path of written) output.err(`Report written to ${path}`);
  return shouldFail(report.summary, failOn) ? EXIT.failed : EXIT.passed;
}
