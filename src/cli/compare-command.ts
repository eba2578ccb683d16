import { readFile, stat } from 'node:fs/promises';
import type { Config } from '../config/types.js';
import { compareReports } from '../evaluate/compare.js';
import { shouldFail } from '../evaluate/fail-on.js';
import { environmentFrom, type Report } from '../report/report.js';
import { parseReport } from '../report/validate.js';
import {
  failOnOption,
  flag,
  parseCommandArgs,
  positionals,
  stringOption,
  UsageError,
} from './args.js';
import { loadBudget } from './budget.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { COMPARE_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import { prepareReportPaths, writeReports } from './report-files.js';
import { renderTable } from '../report/table.js';
import { TOOL } from '../version.js';

/** `perf-gate compare BASE.json HEAD.json`: two saved reports judged against each other, no load. */

const COMMAND = 'compare';

/** Reports are far smaller than this; a bigger file is not one (and must not be read whole). */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export async function compareCommand(
  args: readonly string[],
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  const parsed = parseCommandArgs(COMMAND, args, {
    budget: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    'fail-on': { type: 'string' },
  });
  if (flag(parsed, 'help')) {
    output.out(COMPARE_HELP);
    return EXIT.passed;
  }
  const [basePath, headPath] = positionals(parsed, COMMAND, ['BASE.json', 'HEAD.json']);
  const failOn = failOnOption(parsed, COMMAND);
  const paths = { json: stringOption(parsed, 'json'), markdown: stringOption(parsed, 'markdown') };
  prepareReportPaths(paths, COMMAND);
  const budgetFile = stringOption(parsed, 'budget');
  let config: Config | undefined;
  if (budgetFile !== undefined) {
    // Only the rules are used and no request is sent, so the file's variables (a token, the
    // preview URL) need not be set: an unset one reads as a placeholder.
    const env = new Proxy(context.env, {
      get: (real, name) => (typeof name === 'string' ? (real[name] ?? 'unset') : undefined),
    });
    config = await loadBudget(budgetFile, { env, targetUrl: 'http://compare.invalid' }, COMMAND);
    output.mask(config.secrets);
  }

  const base = await readReport(basePath!);
  const head = await readReport(headPath!);
  let report: Report;
  try {
    report = compareReports(base, head, {
      config,
      tool: TOOL,
      createdAt: new Date().toISOString(),
      environment: environmentFrom({
        env: context.env,
        platform: process.platform,
        arch: process.arch,
        nodeVersion: process.version,
      }),
    });
  } catch (error) {
    throw new UsageError(
      `cannot compare ${basePath} with ${headPath}: ${(error as Error).message}`,
    );
  }
  const written = await writeReports(report, paths);

  output.out(`Comparing ${headPath} (head) with ${basePath} (base)`);
  output.out('');
  output.out(renderTable(report));
  for (const path of written) output.err(`Report written to ${path}`);
  return shouldFail(report.summary, failOn) ? EXIT.failed : EXIT.passed;
}

async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_REPORT_BYTES) {
      throw new UsageError(`${path}: ${size} bytes is too large for a perf-gate report`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a report file'
          : `cannot be read: ${(error as Error).message}`;
    throw new UsageError(`${path}: ${why}`);
  }
  try {
    return parseReport(text, path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
