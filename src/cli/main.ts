import { CloudWatchError } from '../baseline/cloudwatch-errors.js';
import { BudgetFileError, formatProblem } from '../config/errors.js';
import { closest } from '../config/suggest.js';
import { TargetUnreachableError } from '../measure/ready.js';
import { UsageError } from './args.js';
import { calibrateSpec } from './calibrate-command.js';
import { compareSpec } from './compare-command.js';
import { mergeSpec } from './merge-command.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { TOOL_HELP } from './help.js';
import { Output, type CliContext } from './output.js';
import { runCommandSpec, type CommandSpec } from './command.js';
import { reportSpec } from './report-command.js';
import { runSpec } from './run-command.js';
import { validateSpec } from './validate-command.js';
import { VERSION } from '../version.js';

/**
 * The `perf-gate` command line: picks the command, and turns every failure into one clear
 * message and its exit status (docs/architecture.md §7). Importable without side effects; the bin entry
 * (index.ts) only wires the process to it.
 */

const COMMANDS: Record<string, CommandSpec> = Object.fromEntries(
  [runSpec, validateSpec, compareSpec, mergeSpec, reportSpec, calibrateSpec].map((spec) => [
    spec.name,
    spec,
  ]),
);

export async function runCli(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  const output = new Output(context);
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      if (topic !== undefined && COMMANDS[topic])
        return await runCommandSpec(COMMANDS[topic], ['--help'], context, output);
      if (first === undefined) {
        output.err(TOOL_HELP);
        return EXIT.usage;
      }
      output.out(TOOL_HELP);
      return EXIT.passed;
    }
    if (first === '--version' || first === '-v') {
      output.out(VERSION);
      return EXIT.passed;
    }
    const command = COMMANDS[first];
    if (!command) {
      const guess = closest(first.replace(/^-+/, ''), Object.keys(COMMANDS));
      const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`;
      throw new UsageError(
        `${what}${guess ? ` (did you mean "${guess}"?)` : ''}; commands: ${Object.keys(COMMANDS).join(', ')}`,
        '',
      );
    }
    return await runCommandSpec(command, rest, context, output);
  } catch (error) {
    return report(error, output);
  }
}

/** One message per failure, no stack trace: what went wrong, where, and how to fix it. */
function report(error: unknown, output: Output): ExitCode {
  if (error instanceof UsageError) {
    output.err(`perf-gate: ${error.message}`);
    if (error.command !== undefined) {
      output.err(`Run "perf-gate ${error.command ? `${error.command} ` : ''}--help" for usage.`);
    }
    return EXIT.usage;
  }
  if (error instanceof BudgetFileError) {
    // The loader words its messages with the CLI's options (cli/budget.ts), so they print as they are.
    const n = error.problems.length;
    for (const problem of error.problems) output.err(formatProblem(problem));
    const file = error.problems[0]?.file;
    output.err(
      `perf-gate: ${n} problem${n === 1 ? '' : 's'} in ${file ? `the budget file ${file}` : 'the budget file'}`,
    );
    const targetUrl = error.problems.some(
      (p) =>
        p.path === 'target.url' && (p.code === 'variable.unset' || p.code === 'variable.empty'),
    );
    if (targetUrl) output.err('Or pass --target-url URL in place of target.url.');
    return EXIT.usage;
  }
  if (error instanceof TargetUnreachableError) {
    output.err(`perf-gate: could not measure: ${error.message}`);
    return EXIT.unmeasured;
  }
  if (error instanceof CloudWatchError) {
    output.err(`perf-gate: CloudWatch: ${error.message}`);
    return error.kind === 'config' ? EXIT.usage : EXIT.unmeasured;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.err(`perf-gate: could not complete: ${message}`);
  return EXIT.unmeasured;
}
