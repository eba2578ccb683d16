import { closest } from '../config/suggest.js';
import type { Summary } from './types.js';

/** Which findings fail the step (the `fail-on` input, docs/architecture.md §2). */
export interface FailOn {
  budget: boolean;
  regression: boolean;
}

const KINDS = ['budget', 'regression'] as const;

/**
 * Parses `fail-on`: a comma-separated list of `budget` and `regression`, or `none`.
 * Blank means the default, `budget,regression`. Case and spaces around items are ignored.
 */
export function parseFailOn(value: string, inputName = 'fail-on'): FailOn {
  const text = value.trim();
  if (text === '') return { budget: true, regression: true };
  const items = text.split(',').map((item) => item.trim().toLowerCase());
  const expected = 'expected "budget", "regression", "budget,regression" or "none"';
  if (items.includes('none')) {
    if (items.every((item) => item === 'none')) return { budget: false, regression: false };
    throw new Error(
      `input ${inputName}: "${value}" combines "none" with other findings; ${expected}`,
    );
  }
  const bad = items.filter((item) => !(KINDS as readonly string[]).includes(item));
  if (bad.length > 0) {
    const shown = bad.map((item) => (item === '' ? 'an empty item' : `"${item}"`)).join(', ');
    const guesses = bad.map((item) => closest(item, [...KINDS, 'none'])).filter(Boolean);
    const guess =
      guesses.length === bad.length && bad.length === 1 ? ` (did you mean "${guesses[0]}"?)` : '';
    throw new Error(
      `input ${inputName}: ${shown} in "${value}" is not a finding kind${guess}; ${expected}`,
    );
  }
  return { budget: items.includes('budget'), regression: items.includes('regression') };
}

/** The `fail-on` value that parses to `failOn` (for logs and the report). */
export function formatFailOn(failOn: FailOn): string {
  const kinds = KINDS.filter((kind) => failOn[kind]);
  return kinds.length === 0 ? 'none' : kinds.join(',');
}

/**
 * Whether the step fails. A run that could not measure (errors) or was cancelled always fails
 * (docs/architecture.md §2); otherwise only the finding kinds named in `fail-on` do. `summary.passed` is the
 * verdict regardless of `fail-on`.
 */
export function shouldFail(summary: Summary, failOn: FailOn): boolean {
  if (summary.cancelled || (summary.errors?.length ?? 0) > 0) return true;
  return (
    (failOn.budget && summary.violations > 0) || (failOn.regression && summary.regressions > 0)
  );
}
