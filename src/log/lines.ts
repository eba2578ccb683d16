import { registry, type Secrets } from '../secrets/secrets.js';

/**
 * The one rule for every line perf-gate prints, in the action (stdout) and the CLI (stderr and
 * stdout) alike (SPEC §8). A GitHub runner reads each line of a step's output, stdout and stderr,
 * for workflow commands: a line starting with `::` (after any blanks) is a command
 * (`::set-output`, `::stop-commands::`, `::error`, `::add-mask::`), and so is `##[` anywhere in a
 * line, the older syntax. Names, paths and messages come from the budget file, the target or a
 * saved report, so no text may end a line, start one, or carry one of those openings:
 *
 * - secrets are masked first (src/secrets/secrets.ts), so no rule below can split one apart;
 * - every line break (CR, LF, NEL, LS, PS, VT, FF) becomes a space, other control characters
 *   (terminal escapes, NUL) are dropped;
 * - a line that would start with `::` is prefixed with `> `;
 * - `##[` becomes `%23%23[` (the toolkit's percent escape of `#`).
 *
 * Workflow commands perf-gate itself issues (`::warning::`, `::group::`) are written by
 * @actions/core, which escapes their data (`%`, CR, LF); their messages pass `commandMessage`.
 */

const BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]/g;
const COMMAND_START = /^\s*::/;
const OLD_COMMAND = /##\[/g;

/** Shown before a line that would otherwise start with `::`. */
export const COMMAND_GUARD = '> ';

/** One line as it may be printed: masked, on one line, never a workflow command. */
export function logLine(text: string, secrets: Secrets = registry): string {
  const line = secrets
    .mask(text)
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '')
    .replace(OLD_COMMAND, '%23%23[');
  return COMMAND_START.test(line) ? `${COMMAND_GUARD}${line}` : line;
}

/**
 * The message of a workflow command perf-gate issues (`::warning::…`, `::error …::…`): masked,
 * `##[` escaped; @actions/core escapes its line breaks and `%` itself.
 */
export function commandMessage(text: string, secrets: Secrets = registry): string {
  return secrets.mask(text).replace(OLD_COMMAND, '%23%23[');
}

/**
 * Text of several lines (a table, help, a list of problems): each line by `logLine`, the line
 * breaks between them kept.
 */
export function logLines(text: string, secrets: Secrets = registry): string {
  return secrets
    .mask(text)
    .split(/\r?\n/)
    .map((line) => logLine(line, secrets))
    .join('\n');
}
