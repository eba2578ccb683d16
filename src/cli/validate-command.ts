import { formatDuration } from '../units/format.js';
import { durationOption, positionals, urlOption, type ParsedArgs } from './args.js';
import { DEFAULT_BUDGET_FILE, loadBudget, passLoadMs } from './budget.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { VALIDATE_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import type { CommandSpec } from './command.js';

/** `perf-gate validate FILE`: the budget file checked as `run` would load it, no load sent. */

const COMMAND = 'validate';

/** `perf-gate validate`: its options and help (runCli parses them and answers `--help`). */
export const validateSpec: CommandSpec = {
  name: COMMAND,
  options: {
    'target-url': { type: 'string' },
    'max-duration': { type: 'string' },
  },
  help: VALIDATE_HELP,
  run: validateCommand,
};

async function validateCommand(
  parsed: ParsedArgs,
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  // Like run and calibrate, the file defaults to perf-budget.yml.
  const [file = DEFAULT_BUDGET_FILE] =
    parsed.positionals.length === 0 ? [] : positionals(parsed, COMMAND, ['FILE']);
  const targetUrl = urlOption(parsed, 'target-url', COMMAND);
  const maxDurationMs = durationOption(parsed, 'max-duration', '15m', COMMAND);
  const config = await loadBudget(file, { env: context.env, targetUrl, maxDurationMs }, COMMAND);
  output.mask(config.secrets);

  const n = config.endpoints.length;
  const loadMs = passLoadMs(config);
  output.out(
    `${file}: valid: ${n} endpoint${n === 1 ? '' : 's'}, ${formatDuration(loadMs)} of load (warmup included)`,
  );
  return EXIT.passed;
}
