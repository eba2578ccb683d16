/**
 * Problems found in a budget file. Each names the file, the line and column of the offending
 * key or value, the key path and what was expected, so the whole list can be fixed in one go.
 */

import type { ProblemCode } from './codes.js';

export { PROBLEM_CODES, type ProblemCode } from './codes.js';

/** One key of a path: a mapping key or a list index. */
export type PathSegment = string | number;

export interface Problem {
  /** What the problem is, whatever its wording (codes.ts). */
  code: ProblemCode;
  /** The budget file as given. */
  file: string;
  /** 1-based; 0 when the problem concerns the file as a whole (too large, unreadable). */
  line: number;
  /** 1-based; 0 with `line` 0. */
  col: number;
  /** Key path such as `endpoints[1].budget`; empty for the top level. */
  path: string;
  message: string;
}

/** `endpoints[1].budget`, `budget["p99.9"]`: dotted where a key reads as a word. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** `perf-budget.yml:14:7 endpoints[1].budget: unknown key "p59" (did you mean "p95"?)` */
export function formatProblem(p: Omit<Problem, 'code'>): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : `${p.file}:`;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where} ${p.message}`;
}

/** The budget file cannot be used; `problems` lists every reason, in file order. */
export class BudgetFileError extends Error {
  override name = 'BudgetFileError';
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const n = problems.length;
    const file = problems[0]?.file ?? 'budget file';
    super(
      `${file}: ${n} problem${n === 1 ? '' : 's'} in the budget file\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** Problems in file order, each once. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path))
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
