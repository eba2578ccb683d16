import * as core from '@actions/core';
import { formatProblem, type Problem } from '../config/load.js';
import { writeSummary } from './finish.js';
import { log } from './log.js';

/**
 * How the action ends a run that could not start: the `passed` output, annotations on the budget
 * file's lines, the job summary, and one failure.
 */

export function fail(message: string): void {
  core.setOutput('passed', 'false');
  log.setFailed(message);
}

/**
 * Annotations and summary lines for a budget file's problems. A pull request can write a file
 * with tens of thousands of problems: the first ones are shown, the rest counted, so the job
 * summary stays far below GitHub's 1 MiB limit and the annotations readable.
 */
export const MAX_SHOWN_PROBLEMS = 50;
/** A single message can quote a long key; beyond this it is cut. */
const MAX_MESSAGE_CHARS = 1000;

/** Every problem as an annotation on its line, the list in the summary, and one failure. */
export async function budgetFileFailed(problems: readonly Problem[], file: string): Promise<void> {
  const shown = problems.slice(0, MAX_SHOWN_PROBLEMS).map((p) => ({
    ...p,
    message: clip(p.message, MAX_MESSAGE_CHARS),
  }));
  const more = problems.length - shown.length;
  const andMore = more > 0 ? `and ${more.toLocaleString('en-US')} more` : '';
  for (const p of shown) {
    const where =
      p.line > 0 ? { startLine: p.line, startColumn: p.col > 0 ? p.col : undefined } : {};
    log.error(p.path ? `${p.path}: ${p.message}` : p.message, {
      title: 'perf-gate: invalid budget file',
      file,
      ...where,
    });
  }
  const count = `${problems.length.toLocaleString('en-US')} problem${problems.length === 1 ? '' : 's'}`;
  await writeSummary(
    [
      `### ❌ perf-gate: the budget file has ${count}`,
      '',
      codeBlock(shown.map(formatProblem).join('\n') + (andMore ? `\n... ${andMore}` : '')),
      '',
      more > 0
        ? `The first ${shown.length} are shown, ${andMore}: ${codeSpan(`perf-gate validate ${file}`)} lists them all. Nothing was measured.`
        : `Nothing was measured. Fix ${codeSpan(file)} (${codeSpan(`perf-gate validate ${file}`)} checks it locally) and push again.`,
      '',
    ].join('\n'),
  );
  fail(
    `${file}: ${count} in the budget file${andMore ? ` (${shown.length} shown as annotations, ${andMore})` : ''}; nothing was measured.`,
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A file name as inline code, whatever backticks it holds. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest > 0 ? ` ${text} ` : text}${fence}`;
}

/** The plan does not fit the runner (ulimit -n): annotated on the lines, summarised, one failure. */
export async function limitsFailed(problems: readonly Problem[], file: string): Promise<void> {
  for (const p of problems) {
    log.error(`${p.path}: ${p.message}`, {
      title: 'perf-gate: more connections than open files',
      file,
      startLine: p.line > 0 ? p.line : undefined,
    });
  }
  await writeSummary(
    [
      '### ❌ perf-gate: the load does not fit the runner’s open-file limit',
      '',
      codeBlock(problems.map(formatProblem).join('\n')),
      '',
      'Nothing was measured.',
      '',
    ].join('\n'),
  );
  fail(`${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
}

/** A fenced block no text can close early: the fence is longer than any backtick run inside. */
export function codeBlock(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
