/**
 * What every part of normalisation shares: the budget file, the options it is read with, the
 * problems found so far, and the small helpers that read a sound value or report a problem.
 * A plain object passed down, so each part is a function of it that a test can call.
 */
import type * as Raw from './budget-file.generated.js';
import type { ProblemCode } from './codes.js';
import type { PathSegment } from './errors.js';
import type { BudgetSource } from './source.js';
import { showValue, UnitError } from '../units/parse.js';
import { dataAt, type LocatedProblem } from './validate.js';
import { ACTION_WORDS, type OptionWords } from './words.js';

export interface NormaliseOptions {
  /** Replaces `target.url` (the target-url input). */
  targetUrl?: string;
  /** Cap on the load the endpoints generate, as the engine runs them (measure/plan.ts), ms. */
  maxDurationMs?: number;
  /** Every endpoint is measured on the target and on a reference deployment. */
  sideBySide?: boolean;
  /**
   * Reads a file the budget file names (`target.tls.ca`), resolved against the budget file's
   * folder; absent = such a file is not read (pure parsing: the CA is then not checked).
   */
  readFile?: (path: string) => Buffer;
  /** How messages name the options set outside the file; default: the action's inputs. */
  words?: OptionWords;
}

export interface NormaliseInput {
  source: BudgetSource;
  /** Interpolated data; schema-valid wherever `schemaSound` holds. */
  data: Raw.PerfBudgetFile;
  secrets: string[];
  options: NormaliseOptions;
  /** No schema problem at or under this path. */
  schemaSound: (path: readonly PathSegment[]) => boolean;
  /** The text value at this path interpolated without problems. */
  textSound: (path: readonly PathSegment[]) => boolean;
}

export interface NormaliseContext extends NormaliseInput {
  words: OptionWords;
  /** Every problem found so far; parts compare its length to tell whether they added one. */
  problems: LocatedProblem[];
}

/** A check's verdict on a value that parsed: why it is refused. */
export interface Complaint {
  code: ProblemCode;
  message: string;
}

export function createContext(input: NormaliseInput): NormaliseContext {
  return { ...input, words: input.options.words ?? ACTION_WORDS, problems: [] };
}

export function add(
  ctx: NormaliseContext,
  code: ProblemCode,
  path: readonly PathSegment[],
  message: string,
  at: 'key' | 'value' = 'value',
): void {
  ctx.problems.push({ segments: [...path], problem: ctx.source.problem(code, path, message, at) });
}

/** A problem with a key: reported under its mapping, located at the key. */
export function addKey(
  ctx: NormaliseContext,
  code: ProblemCode,
  mapping: readonly PathSegment[],
  key: string,
  message: string,
): void {
  const at = ctx.source.locate([...mapping, key], 'key');
  ctx.problems.push({
    segments: [...mapping, key],
    problem: { ...ctx.source.problem(code, mapping, message), ...at },
  });
}

/**
 * The (interpolated) value at `path` when it passed the schema, so it has the generated type;
 * undefined when absent or unsound (its problems are reported already).
 */
export function get<T>(ctx: NormaliseContext, path: readonly PathSegment[]): T | undefined {
  return ctx.schemaSound(path) ? (dataAt(ctx.data, path) as T | undefined) : undefined;
}

/** The value as written in the file, safe to quote (not interpolated). */
export function written(ctx: NormaliseContext, path: readonly PathSegment[]): string {
  return showValue(dataAt(ctx.source.data, path));
}

/**
 * A value in a unit: parsed, then checked. A value that does not parse is reported with
 * `code`; one the check refuses, with the check's code and the value as written.
 */
export function unit<T extends number>(
  ctx: NormaliseContext,
  code: ProblemCode,
  path: PathSegment[],
  value: unknown,
  parse: (v: unknown) => T,
  check?: (n: T) => Complaint | undefined,
): T | undefined {
  try {
    const n = parse(value);
    const complaint = check?.(n);
    if (complaint) {
      add(ctx, complaint.code, path, `${complaint.message}, found ${written(ctx, path)}`);
      return undefined;
    }
    return n;
  } catch (e) {
    if (!(e instanceof UnitError)) throw e;
    add(ctx, code, path, e.message);
    return undefined;
  }
}

/** Characters that end a line somewhere (the job log, a terminal, an editor), and NUL. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const LINE_BREAK = /[\r\n\u0000\u0085\u2028\u2029]/;

/** `U+000A` for the first line break of `text`. */
export function describeLineBreak(text: string): string {
  const c = LINE_BREAK.exec(text)?.[0] ?? '';
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** How a text value is quoted in messages: as written, with the variables it came from. */
export function describeText(source: BudgetSource, path: readonly PathSegment[]): string {
  const writtenValue = dataAt(source.data, path);
  const shown = showValue(writtenValue);
  return typeof writtenValue === 'string' && writtenValue.includes('${')
    ? `${shown} as interpolated`
    : shown;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function variablesIn(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
}
