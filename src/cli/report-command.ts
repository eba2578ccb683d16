import { readReportFile } from '../report/read.js';
import type { Report } from '../report/report.js';
import { positionals, stringOption, UsageError, type ParsedArgs } from './args.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { REPORT_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import type { CommandSpec } from './command.js';
import { prepareReportPaths, writeReports } from './report-files.js';

/**
 * `perf-gate report REPORT.json --html OUT`: renders a saved report as it is (a fork's artifact,
 * a report from another machine). Nothing is judged again here: the files show what the report
 * says, escaped as everything from a report is.
 */

const COMMAND = 'report';

/** `perf-gate report`: its options and help (runCli parses them and answers `--help`). */
export const reportSpec: CommandSpec = {
  name: COMMAND,
  options: {
    html: { type: 'string' },
    markdown: { type: 'string' },
  },
  help: REPORT_HELP,
  run: reportCommand,
};

async function reportCommand(
  parsed: ParsedArgs,
  _context: CliContext,
  output: Output,
): Promise<ExitCode> {
  const [path] = positionals(parsed, COMMAND, ['REPORT.json']);
  const paths = { html: stringOption(parsed, 'html'), markdown: stringOption(parsed, 'markdown') };
  if (paths.html === undefined && paths.markdown === undefined) {
    throw new UsageError(
      'name what to write: --html OUT (e.g. --html report.html) and/or --markdown OUT',
      COMMAND,
    );
  }
  prepareReportPaths(paths, COMMAND);
  let report: Report;
  try {
    report = await readReportFile(path!);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  for (const written of await writeReports(report, paths)) {
    output.err(`Report written to ${written}`);
  }
  return EXIT.passed;
}
