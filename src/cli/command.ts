import { flag, parseCommandArgs, type OptionSpecs, type ParsedArgs } from './args.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliContext, Output } from './output.js';

/** A command of the `perf-gate` CLI: its name, options, help text and what it does. */
export interface CommandSpec {
  name: string;
  options: OptionSpecs;
  help: string;
  run(parsed: ParsedArgs, context: CliContext, output: Output): Promise<ExitCode>;
}

/** Parses a command's arguments (a UsageError names the command) and answers `--help` with its text. */
export async function runCommandSpec(
  spec: CommandSpec,
  args: readonly string[],
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  const parsed = parseCommandArgs(spec.name, args, spec.options);
  if (flag(parsed, 'help')) {
    output.out(spec.help);
    return EXIT.passed;
  }
  return spec.run(parsed, context, output);
}
