/**
 * Loading a budget file: bytes → YAML → schema check → `${VAR}` interpolation → normalised
 * `Config`. Every problem found is reported at once in one `BudgetFileError`.
 */
import { constants, readFileSync, statSync } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type * as Raw from './budget-file.generated.js';
import { maskText, urlSecrets } from '../secrets/secrets.js';
import { BudgetFileError, sortProblems, type PathSegment, type Problem } from './errors.js';
import { interpolate } from './interpolate.js';
import { MAX_CA_BYTES, normalise, type NormaliseOptions } from './normalise.js';
import { fileProblem, MAX_FILE_BYTES, parseYamlSource, tooLarge } from './source.js';
import type { Config } from './types.js';
import { showValue } from '../units/parse.js';
import { validateSchema, type LocatedProblem } from './validate.js';
import { ACTION_WORDS, BUDGET_FILE_DOCS, type OptionWords } from './words.js';

export {
  BudgetFileError,
  formatProblem,
  PROBLEM_CODES,
  type Problem,
  type ProblemCode,
} from './errors.js';
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
  /**
   * The folder the budget file must lie in, symlinks resolved (GITHUB_WORKSPACE in a job): a pull
   * request may make the file a symlink to anything on the runner.
   */
  workspace?: string;
}

/**
 * Parses and checks budget-file text. Pure: no I/O. `file` names the file in messages.
 * @throws BudgetFileError listing every problem, in file order.
 */
export function parseBudget(text: string, file: string, options: LoadOptions): Config {
  const words = options.words ?? ACTION_WORDS;
  const parsed = parseYamlSource(text, file, words);
  if (!parsed.source) throw new BudgetFileError(sortProblems(parsed.problems));
  const source = parsed.source;

  const contents = source.data;
  if (contents === null || contents === undefined) {
    throw new BudgetFileError([
      {
        ...source.problem(
          'file.empty',
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
        'file.not-mapping',
        [],
        // Not quoted: a file that is not a budget file (an .env, a key) must not be echoed.
        `expected a mapping (keys such as version, target, endpoints) at the top level, found ${kindOf(contents)}`,
      ),
    ]);
  }

  const schemaProblems = validateSchema(source);
  const skipTargetUrl = options.targetUrl !== undefined;
  const interpolated = interpolate(
    source,
    options.env,
    (path) => skipTargetUrl && path.length === 2 && path[0] === 'target' && path[1] === 'url',
    words.setVariable,
  );
  const schemaSound = soundPaths(schemaProblems);
  const { config, problems: semanticProblems } = normalise({
    source,
    data: interpolated.data as Raw.PerfBudgetFile,
    secrets: interpolated.secrets,
    options,
    schemaSound,
    textSound: soundPaths(interpolated.problems),
  });

  // A value the schema refused needs fixing first; whether its variables are set is beside the point.
  const interpolationProblems = interpolated.problems.filter((p) => schemaSound(p.segments));
  // The target URL's credentials and query values (whether from the file or the target-url
  // input) are as secret as any interpolated value.
  const secrets = [
    ...new Set([
      ...interpolated.secrets,
      ...urlSecrets(config.target.url, config.target.publicQuery),
      ...(options.targetUrl === undefined
        ? []
        : urlSecrets(options.targetUrl, config.target.publicQuery)),
    ]),
  ];
  config.secrets = secrets;
  const problems = [...schemaProblems, ...interpolationProblems, ...semanticProblems].map((p) => ({
    ...p.problem,
    message: maskText(p.problem.message, secrets),
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
  const words = options.words ?? ACTION_WORDS;
  const notAFile = fileProblem(
    path,
    'file.not-a-file',
    `is not a file: ${words.budgetFile} must name a YAML file`,
  );
  let real: string;
  let size: number;
  try {
    real = await realpath(path);
    const outside = await outsideWorkspace(real, options.workspace, words);
    if (outside) throw new BudgetFileError([fileProblem(path, 'file.outside-workspace', outside)]);
    const info = await stat(real);
    if (!info.isFile()) throw new BudgetFileError([notAFile]);
    size = info.size;
  } catch (e) {
    if (e instanceof BudgetFileError) throw e;
    throw new BudgetFileError([readFailure(path, e, words)]);
  }
  if (size > MAX_FILE_BYTES) {
    throw new BudgetFileError([fileProblem(path, 'file.too-large', tooLarge(size, words))]);
  }

  let text: string;
  try {
    // The resolved path, opened without following a link: a symlink swapped in meanwhile fails.
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) throw new BudgetFileError([notAFile]);
      const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > MAX_FILE_BYTES) {
        throw new BudgetFileError([fileProblem(path, 'file.too-large', tooLarge(length, words))]);
      }
      if (opened.size === 0 && length > 0) {
        // Files under /proc and /sys report no size yet have content: not a budget file.
        throw new BudgetFileError([
          fileProblem(
            path,
            'file.special',
            `is a special file (it reports no size but has content, as files under /proc do): ${words.budgetFile} must name a YAML file`,
          ),
        ]);
      }
      text = buffer.subarray(0, length).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof BudgetFileError) throw e;
    throw new BudgetFileError([readFailure(path, e, words)]);
  }
  return parseBudget(text, path, { readFile: readBoundedFile, ...options });
}

/** A file the budget file names: a regular file of at most MAX_CA_BYTES. */
function readBoundedFile(path: string): Buffer {
  const info = statSync(path);
  if (info.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
  if (info.size > MAX_CA_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
  return readFileSync(path);
}

/** Why `real` (a resolved path) is not inside `workspace`; undefined when it is, or with no workspace. */
async function outsideWorkspace(
  real: string,
  workspace: string | undefined,
  words: OptionWords,
): Promise<string | undefined> {
  if (workspace === undefined) return undefined;
  let root: string;
  try {
    root = await realpath(workspace);
  } catch {
    root = resolve(workspace);
  }
  const rel = relative(root, real);
  if (rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
    return undefined;
  return `is outside the workspace once symlinks are resolved: ${words.budgetFile} must name a file in the repository, and a symlink there must not point out of it`;
}

/** What a value is, without quoting it. */
function kindOf(value: unknown): string {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true or false';
  if (Array.isArray(value)) return 'a list';
  return showValue(value);
}

/**
 * Whether no problem of `list` lies at or under a path. The problems' paths are kept as a tree,
 * so each question costs the depth of the path, not the number of problems: a file with 20,000
 * problems asks it hundreds of thousands of times.
 */
function soundPaths(list: readonly LocatedProblem[]): (path: readonly PathSegment[]) => boolean {
  interface Branch {
    children: Map<PathSegment, Branch>;
  }
  const root: Branch = { children: new Map() };
  for (const p of list) {
    let branch = root;
    for (const s of p.segments) {
      let next = branch.children.get(s);
      if (!next) branch.children.set(s, (next = { children: new Map() }));
      branch = next;
    }
  }
  return (path) => {
    if (list.length === 0) return true;
    let branch: Branch | undefined = root;
    // List indices are numbers and mapping keys strings, as in the problems' paths.
    for (const s of path) if (!(branch = branch.children.get(s))) return true;
    return false;
  };
}

function readFailure(path: string, e: unknown, words: OptionWords): Problem {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return fileProblem(
      path,
      'file.not-found',
      `no such file: create it (every key is described at ${BUDGET_FILE_DOCS}) or name another file with ${words.budgetFile}`,
    );
  }
  if (code === 'EACCES')
    return fileProblem(path, 'file.unreadable', 'cannot be read (permission denied)');
  return fileProblem(
    path,
    'file.unreadable',
    `cannot be read: ${e instanceof Error ? e.message : String(e)}`,
  );
}
