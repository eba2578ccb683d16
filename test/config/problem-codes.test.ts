import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  BudgetFileError,
  loadBudgetFile,
  parseBudget,
  PROBLEM_CODES,
  type LoadOptions,
  type Problem,
  type ProblemCode,
} from '../../src/config/load.js';
import { ACTION_WORDS, CLI_WORDS, type OptionWords } from '../../src/config/words.js';
import { connectionLimitProblems } from '../../src/measure/fd-limit.js';
import { INVALID_CASES } from './invalid-cases.js';

const HEAD = 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\n';
const ONE = 'endpoints:\n  - path: /a\n';

function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (e) {
    if (e instanceof BudgetFileError) return e.problems;
    throw e;
  }
  return [];
}

async function loadProblems(path: string, options: LoadOptions): Promise<Problem[]> {
  try {
    await loadBudgetFile(path, options);
  } catch (e) {
    if (e instanceof BudgetFileError) return e.problems;
    throw e;
  }
  return [];
}

const parse = (yaml: string, options: Partial<LoadOptions> = {}): Problem[] =>
  problemsOf(() => parseBudget(yaml, 'perf-budget.yml', { env: {}, ...options }));

/** A billion-laughs file: anchors expanded far beyond the alias limit. */
function aliasBomb(): string {
  const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 12; i++) {
    const prev = String.fromCharCode(96 + i);
    levels.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`,
    );
  }
  return ['version: 1', ...levels, ONE].join('\n');
}

const endpoints = (n: number): string =>
  'endpoints:\n' + Array.from({ length: n }, (_, i) => `  - path: /e${i}\n`).join('');

/** Budget files that produce one code each, beyond those of the invalid-files table. */
const TEXT_CASES: readonly [ProblemCode, string, Partial<LoadOptions>?][] = [
  ['yaml.syntax-more', 'version: 1\n' + 'a: b: c\n'.repeat(12)],
  ['yaml.too-deep', `version: 1\nx: ${'['.repeat(70)}${']'.repeat(70)}\n`],
  ['yaml.aliases', aliasBomb()],
  [
    'budget-file.too-many-keys',
    `${HEAD}baseline:\n  cloudwatch:\n    dimensions: {${Array.from({ length: 31 }, (_, i) => `d${i}: v`).join(', ')}}\n${ONE}`,
  ],
  ['confidence.range', `${HEAD}${ONE}    confidence: 20%\n`],
  [
    'ready.timeout-over-max-duration',
    `${HEAD}  ready: { path: /healthz, timeout: 20m }\n${ONE}`,
    { maxDurationMs: 15 * 60_000 },
  ],
  [
    'tls.ca-file',
    `${HEAD}  tls: { ca: missing.pem }\n${ONE}`,
    {
      readFile: () => {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      },
    },
  ],
  [
    'tls.insecure-with-secrets',
    'version: 1\ntarget:\n  url: http://user:pass@127.0.0.1:8080\n  tls: { insecure: true }\n' +
      ONE,
  ],
  ['header.routing', `${HEAD}  headers: { host: example.com }\n${ONE}`],
  ['header.hop-by-hop', `${HEAD}  headers: { connection: close }\n${ONE}`],
  [
    'load.min-duration-over-duration',
    `${HEAD}${ONE}    load: { duration: 10s, min-duration: 20s }\n`,
  ],
  ['baseline.two-histories', `${HEAD}baseline:\n  github: {}\n  cloudwatch: {}\n${ONE}`],
  [
    'history.retention-under-lookback',
    `${HEAD}baseline:\n  github: { lookback: 30d, retention: 10d }\n${ONE}`,
  ],
  ['endpoints.too-many', `${HEAD}${endpoints(201)}`],
  [
    'endpoint.name-look-alike',
    `${HEAD}endpoints:\n  - path: /a\n    name: a\n  - path: /b\n    name: "\u0430"\n`,
  ],
  ['endpoint.name-invisible', `${HEAD}endpoints:\n  - path: /a\n    name: "\\u200B"\n`],
  ['endpoint.name-line-break', `${HEAD}endpoints:\n  - path: /a\n    name: "a\\nb"\n`],
];

/**
 * Codes kept for problems no budget file reaches today: the schema's fallback for a keyword it
 * does not translate, and a `const` other than `version` (the only other one is inside a union).
 */
const DEFENSIVE: readonly ProblemCode[] = ['budget-file.invalid', 'budget-file.const'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perf-gate-codes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every problem of every file the loader is given here, with the code each was expected to show. */
async function everyProblem(): Promise<
  { expected: ProblemCode | undefined; problems: Problem[] }[]
> {
  const out: { expected: ProblemCode | undefined; problems: Problem[] }[] = [];
  for (const c of INVALID_CASES)
    out.push({ expected: undefined, problems: parse(c.yaml, c.options) });
  for (const [code, yaml, options] of TEXT_CASES)
    out.push({ expected: code, problems: parse(yaml, options) });

  const good = join(dir, 'good.yml');
  await writeFile(good, `${HEAD}${ONE}`);
  const folder = join(dir, 'folder.yml');
  await mkdir(folder, { recursive: true });
  const huge = join(dir, 'huge.yml');
  await writeFile(huge, 'version: 1\n');
  await truncate(huge, 2 * 1024 * 1024);
  const elsewhere = join(dir, 'workspace');
  await mkdir(elsewhere, { recursive: true });
  const files: [ProblemCode, string, Partial<LoadOptions>?][] = [
    ['file.not-found', join(dir, 'nope.yml')],
    ['file.not-a-file', folder],
    ['file.too-large', huge],
    ['file.outside-workspace', good, { workspace: elsewhere }],
    // A path through a file: the system refuses it (ENOTDIR), whoever runs the test.
    ['file.unreadable', join(good, 'below.yml')],
    // Files under /proc report no size and have content.
    ['file.special', '/proc/self/status'],
  ];
  for (const [code, path, options] of files) {
    out.push({ expected: code, problems: await loadProblems(path, { env: {}, ...options }) });
  }

  const config = parseBudget(`${HEAD}${ONE}    load: { connections: 100 }\n`, 'b.yml', { env: {} });
  out.push({
    expected: 'load.connections-over-file-limit',
    problems: connectionLimitProblems(config, 20),
  });
  return out;
}

describe('problem codes', () => {
  test('every problem the loader produces has a known code, and every code is produced', async () => {
    const runs = await everyProblem();
    const known = new Set<string>(PROBLEM_CODES);
    const seen = new Set<string>();
    for (const { expected, problems } of runs) {
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) {
        expect(known.has(p.code)).toBe(true);
        seen.add(p.code);
      }
      if (expected) expect(problems.map((p) => p.code)).toContain(expected);
    }
    expect(PROBLEM_CODES.filter((c) => !seen.has(c) && !DEFENSIVE.includes(c))).toEqual([]);
    expect(DEFENSIVE.filter((c) => seen.has(c))).toEqual([]);
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
  });
});

/** The message with each front-end word replaced by its slot's name. */
function unworded(message: string, words: OptionWords): string {
  // Longest first: one word may contain another ("the --baseline-url deployment").
  const slots = (Object.entries(words) as [keyof OptionWords, string][]).sort(
    (a, b) => b[1].length - a[1].length,
  );
  let out = message;
  for (const [slot, word] of slots) out = out.split(word).join(`<${slot}>`);
  return out;
}

/** Budget files whose problems name something set outside the file. */
const WORDED: readonly [string, string, Partial<LoadOptions>][] = [
  ['no target URL', `version: 1\n${ONE}`, {}],
  ['bad target URL option', `${HEAD}${ONE}`, { targetUrl: 'ftp://x' }],
  ['unset variable', 'version: 1\ntarget:\n  url: ${PREVIEW_URL}\n' + ONE, {}],
  [
    'empty variable',
    'version: 1\ntarget:\n  url: ${PREVIEW_URL}\n' + ONE,
    { env: { PREVIEW_URL: '' } },
  ],
  [
    'load over max-duration, side by side',
    `${HEAD}${endpoints(3)}`,
    { maxDurationMs: 60_000, sideBySide: true },
  ],
  [
    'ready timeout over max-duration',
    `${HEAD}  ready: { path: /healthz, timeout: 20m }\n${ONE}`,
    { maxDurationMs: 15 * 60_000 },
  ],
  ['routing header', `${HEAD}  headers: { host: example.com }\n${ONE}`, {}],
  [
    'insecure with credentials in the option',
    `version: 1\ntarget:\n  tls: { insecure: true }\n${ONE}`,
    { targetUrl: 'http://user:pass@127.0.0.1:8080' },
  ],
  ['too large', 'version: 1\n' + '#'.repeat(1024 * 1024) + '\n', {}],
];

describe('front ends word the same problem', () => {
  test.each(WORDED)(
    '%s: CLI and action messages differ only in their words',
    (_n, yaml, options) => {
      const action = parse(yaml, { ...options, words: ACTION_WORDS });
      const cli = parse(yaml, { ...options, words: CLI_WORDS });
      expect(action.length).toBeGreaterThan(0);
      // The same problems, at the same places...
      expect(cli.map((p) => [p.code, p.line, p.col, p.path])).toEqual(
        action.map((p) => [p.code, p.line, p.col, p.path]),
      );
      // ...worded for each front end, and only there.
      expect(cli.map((p) => unworded(p.message, CLI_WORDS))).toEqual(
        action.map((p) => unworded(p.message, ACTION_WORDS)),
      );
      expect(cli.some((p) => p.message !== action[cli.indexOf(p)]!.message)).toBe(true);
      for (const p of cli) expect(p.message).not.toMatch(/\binput\b|step's env|budget-file\b/);
      for (const p of action) expect(p.message).not.toMatch(/(^|\s)--[a-z]/);
    },
  );

  test('problems with the file itself: CLI and action messages differ only in their words', async () => {
    const good = join(dir, 'worded.yml');
    await writeFile(good, `${HEAD}${ONE}`);
    const folder = join(dir, 'worded-folder.yml');
    await mkdir(folder, { recursive: true });
    const workspace = join(dir, 'worded-workspace');
    await mkdir(workspace, { recursive: true });
    const cases: [string, Partial<LoadOptions>][] = [
      [join(dir, 'missing.yml'), {}],
      [folder, {}],
      [good, { workspace }],
    ];
    for (const [path, options] of cases) {
      const action = await loadProblems(path, { env: {}, ...options, words: ACTION_WORDS });
      const cli = await loadProblems(path, { env: {}, ...options, words: CLI_WORDS });
      expect(cli.map((p) => p.code)).toEqual(action.map((p) => p.code));
      expect(cli.map((p) => unworded(p.message, CLI_WORDS))).toEqual(
        action.map((p) => unworded(p.message, ACTION_WORDS)),
      );
      expect(cli[0]!.message).toContain(CLI_WORDS.budgetFile);
      expect(action[0]!.message).toContain(ACTION_WORDS.budgetFile);
    }
  });

  test('without words, the loader speaks the action’s', () => {
    const yaml = `version: 1\n${ONE}`;
    expect(parse(yaml)).toEqual(parse(yaml, { words: ACTION_WORDS }));
  });
});
