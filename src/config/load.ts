/**
 * Loading a budget file: bytes → YAML → schema check → `${VAR}` interpolation → normalised
 * `Config`. Every problem found is reported at once in one `BudgetFileError`.
 */
import { open, stat } from 'node:fs/promises';
import type * as Raw from './budget-file.generated.js';
import { BudgetFileError, redact, sortProblems, type PathSegment } from './errors.js';
import { interpolate } from './interpolate.js';
import { normalise, type NormaliseOptions } from './normalise.js';
import { fileProblem, MAX_FILE_BYTES, parseYamlSource, tooLarge } from './source.js';
import type { Config } from './types.js';
import { showValue } from './units.js';
import { credentialsIn } from './urls.js';
import { validateSchema, type LocatedProblem } from './validate.js';
import { ACTION_WORDS, BUDGET_FILE_DOCS } from './words.js';

export { BudgetFileError, formatProblem, type Problem } from './errors.js';
export { DEFAULT_LOAD, DEFAULT_REGRESSION } from './normalise.js';

export interface LoadOptions extends NormaliseOptions {
  /** Where `${VAR}` values come from (process.env at the edge, a literal object in tests). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The target-url input: replaces `target.url`, which is then not interpolated (so an unset
   * variable in it is not an error).
   */
  targetUrl?: string;
  /** The hard cap on total load time (the max-duration input), ms. */
  maxDurationMs?: number;
  /** A baseline-url is set: every endpoint is measured twice, so its load time counts twice. */
  sideBySide?: boolean;
}

/**
 * Parses and checks budget-file text. Pure: no I/O. `file` names the file in messages.
 * @throws BudgetFileError listing every problem, in file order.
 */
export function parseBudget(text: string, file: string, options: LoadOptions): Config {
  const parsed = parseYamlSource(text, file);
  if (!parsed.source) throw new BudgetFileError(sortProblems(parsed.problems));
  const source = parsed.source;

  const contents = source.data;
  if (contents === null || contents === undefined) {
    throw new BudgetFileError([
      {
        ...source.problem(
          [],
          'the budget file is empty: expected a mapping starting with "version: 1"',
        ),
        line: 1,
        col: 1,
      },
    ]);
  }
  if (typeof contents !== 'object' || Array.isArray(contents)) {
    throw new BudgetFileError([
      source.problem(
        [],
        `expected a mapping (keys such as version, target, endpoints) at the top level, found ${showValue(contents)}`,
      ),
    ]);
  }

  const schemaProblems = validateSchema(source);
  const skipTargetUrl = options.targetUrl !== undefined;
  const interpolated = interpolate(
    source,
    options.env,
    (path) => skipTargetUrl && path.length === 2 && path[0] === 'target' && path[1] === 'url',
    (options.words ?? ACTION_WORDS).setVariable,
  );
  const under = (list: LocatedProblem[]) => (path: readonly PathSegment[]) =>
    !list.some((p) => path.every((s, i) => p.segments[i] === s));
  const { config, problems: semanticProblems } = normalise({
    source,
    data: interpolated.data as Raw.PerfBudgetFile,
    secrets: interpolated.secrets,
    options,
    schemaSound: under(schemaProblems),
    textSound: under(interpolated.problems),
  });

  // A value the schema refused needs fixing first; whether its variables are set is beside the point.
  const interpolationProblems = interpolated.problems.filter((p) =>
    under(schemaProblems)(p.segments),
  );
  // Credentials in the target-url input are as secret as any interpolated value.
  const secrets = [
    ...new Set([
      ...interpolated.secrets,
      ...(options.targetUrl === undefined ? [] : credentialsIn(options.targetUrl)),
    ]),
  ];
  config.secrets = secrets;
  const problems = [...schemaProblems, ...interpolationProblems, ...semanticProblems].map((p) => ({
    ...p.problem,
    message: redact(p.problem.message, secrets),
  }));
  if (problems.length) throw new BudgetFileError(sortProblems(problems));
  return config;
}

/**
 * Reads and parses a budget file. The size is checked before reading, and the read is bounded,
 * so a huge file (or one that grows meanwhile) is refused without being loaded into memory.
 * @throws BudgetFileError when the file cannot be read or has problems.
 */
export async function loadBudgetFile(path: string, options: LoadOptions): Promise<Config> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new BudgetFileError([
        fileProblem(
          path,
          `is not a file: ${(options.words ?? ACTION_WORDS).budgetFile} must name a YAML file`,
        ),
      ]);
    }
    size = info.size;
  } catch (e) {
    if (e instanceof BudgetFileError) throw e;
    throw new BudgetFileError([fileProblem(path, readFailure(e, options))]);
  }
  if (size > MAX_FILE_BYTES) throw new BudgetFileError([fileProblem(path, tooLarge(size))]);

  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > MAX_FILE_BYTES) throw new BudgetFileError([fileProblem(path, tooLarge(length))]);
      text = buffer.subarray(0, length).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof BudgetFileError) throw e;
    throw new BudgetFileError([fileProblem(path, readFailure(e, options))]);
  }
  return parseBudget(text, path, options);
}

function readFailure(e: unknown, options: LoadOptions): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const name = (options.words ?? ACTION_WORDS).budgetFile;
    return `no such file: create it (every key is described at ${BUDGET_FILE_DOCS}) or name another file with ${name}`;
  }
  if (code === 'EACCES') return 'cannot be read (permission denied)';
  return `cannot be read: ${e instanceof Error ? e.message : String(e)}`;
}
