import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, readSettings } from '../../src/action/settings.js';
import { BudgetFileError, formatProblem, loadBudgetFile } from '../../src/config/load.js';
import { tempDir } from '../cli/cli-process.js';
import { runAction } from '../e2e/action-runner.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Budget files and action inputs a user (or a hostile pull request) gets wrong: wrong types,
 * absurd values, YAML bombs, huge and deep files, unknown keys, unset variables, conflicts, too
 * much load, other hosts, other schemes, header and log injection. Every one is refused before
 * any request, with a message that says where: file:line:col for a budget file, the input's
 * name for an input. Checked in-process for the whole corpus, and through the bundled action for
 * a sample, against a loopback target that must see no request at all.
 */

const FIXTURES = resolve(import.meta.dirname, '../fixtures/bad-inputs');
const FIFTEEN_MINUTES = 15 * 60_000;

let target: Target;
let env: Record<string, string>;
const generated = tempDir('bad-inputs');

beforeAll(async () => {
  target = await startTarget();
  env = {
    TARGET_URL: target.url,
    EMPTY_SECRET: '',
    MULTILINE: 'a\nX-Injected: 1',
    EVIL_PATH: 'https://victim.example/steal',
  };
});
afterAll(async () => {
  await target?.close();
});

// ---------------------------------------------------------------------------------------------
// Budget files

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yml'))
  .sort();

/** `# expect LINE:COL PATH: MESSAGE` lines at the end of a fixture. */
function expectations(file: string): string[] {
  return [...readFileSync(join(FIXTURES, file), 'utf8').matchAll(/^# expect (.*)$/gm)].map(
    (m) => m[1]!,
  );
}

async function problemsOf(path: string): Promise<string[]> {
  try {
    await loadBudgetFile(path, { env, maxDurationMs: FIFTEEN_MINUTES });
  } catch (error) {
    if (!(error instanceof BudgetFileError)) throw error;
    return error.problems.map((p) => formatProblem({ ...p, file: '' }).replace(/^:/, ''));
  }
  throw new Error(`${path} was accepted`);
}

const H = 'version: 1\ntarget:\n  url: ${TARGET_URL}\n';

/** Cases generated at run time: too large, too deep or too binary to keep as fixtures. */
const GENERATED: { name: string; text: string | Buffer; problem: RegExp }[] = [
  {
    name: 'a file over 1 MiB',
    text: `${H}endpoints:\n  - path: /fixed/1\n    body: "${'x'.repeat(1100 * 1024)}"\n`,
    problem: /^ the budget file is 1\.1 MiB, over the 1 MiB limit/,
  },
  {
    name: '500,000 unclosed [ (the parser alone would take minutes)',
    text: `${H}endpoints:\n  - path: /fixed/1\n    body: ${'['.repeat(500_000)}\n`,
    problem: /^6:75 \[ \] and \{ \} are nested more than 64 levels deep here/,
  },
  {
    name: '20,000 nested mappings, closed',
    text: `${H}endpoints:\n  - path: /fixed/1\n    body: ${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}\n`,
    problem: /^6:267 \[ \] and \{ \} are nested more than 64 levels deep here/,
  },
  {
    name: 'a NUL byte in a path',
    text: `${H}endpoints:\n  - path: /fixed/1\0\n`,
    problem:
      /^5:11 endpoints\[0\]\.path: expected a path on one line, found a line break or NUL character/,
  },
  {
    name: 'binary garbage',
    text: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    problem: /^1:1 expected a mapping \(keys such as version, target, endpoints\) at the top level/,
  },
  {
    name: '150 endpoints of 10 s each (25 minutes of load)',
    text: `${H}defaults:\n  load: { duration: 10s, warmup: 0s }\nendpoints:\n${Array.from({ length: 150 }, (_, i) => `  - path: /fixed/${i}\n`).join('')}`,
    problem: /^6:1 endpoints: the endpoints ask for 25m of load .* over the max-duration of 15m/,
  },
  {
    name: '5,000 endpoints of 0.1 s each (refused for their number and their duration)',
    text: `${H}defaults:\n  load: { duration: 0.1s, warmup: 0s }\nendpoints:\n${Array.from({ length: 5000 }, (_, i) => `  - path: /fixed/${i}\n`).join('')}`,
    problem:
      /^5:21 defaults\.load\.duration: expected a duration of at least 1s .*\n6:1 endpoints: expected at most 200 endpoints, found 5000/,
  },
  {
    name: 'a 900 KiB key',
    text: `${H}${'k'.repeat(900 * 1024)}: 1\nendpoints:\n  - path: /fixed/1\n`,
    problem: /^4:1 YAML syntax error: the : indicator must be at most 1024 chars/,
  },
];

describe('budget files', () => {
  test('the corpus holds at least 60 files, each with its expected problems', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    for (const file of files) expect([file, expectations(file).length > 0]).toEqual([file, true]);
  });

  test.each(files)('%s: refused, every problem located and as expected', async (file) => {
    const problems = await problemsOf(join(FIXTURES, file));
    expect(problems).toEqual(expectations(file));
    for (const p of problems) expect(p).toMatch(/^\d+:\d+ /); // line and column, always
  });

  test.each(GENERATED.map((c) => [c.name, c] as const))(
    '%s: refused before parsing',
    async (_name, c) => {
      const path = join(generated, `${c.name.replace(/\W+/g, '-')}.yml`);
      writeFileSync(path, c.text);
      const problems = await problemsOf(path);
      expect(problems.join('\n')).toMatch(c.problem);
      expect(problems).toHaveLength(c.problem.source.split('\\n').length);
    },
  );

  test.each([
    [
      'a directory',
      () => generated,
      /^ is not a file: the budget-file input must name a YAML file$/,
    ],
    ['a missing file', () => join(generated, 'nope.yml'), /^ no such file: create it/],
    ['a device (endless)', () => '/dev/zero', /^ is not a file/],
  ])('the budget-file input names %s: refused, naming it', async (_name, path, problem) => {
    const problems = await problemsOf(path());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  test('nothing above sent a request', () => {
    expect(target.hits()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Action inputs

const INPUT_CASES: [Record<string, string>, RegExp][] = [
  [
    { comment: 'sometimes' },
    /^input comment: expected always, on-failure or never, found "sometimes"$/,
  ],
  [{ comment: 'ALWAYS' }, /^input comment: .* found "ALWAYS"$/],
  [{ comment: 'never,always' }, /^input comment: .* found "never,always"$/],
  [{ 'fail-on': 'latency' }, /^input fail-on: "latency" in "latency" is not a finding kind/],
  [
    { 'fail-on': 'budget,none' },
    /^input fail-on: "budget,none" combines "none" with other findings/,
  ],
  [{ 'fail-on': ',' }, /^input fail-on: an empty item, an empty item in "," is not a finding kind/],
  [
    { 'fail-on': 'budget;regression' },
    /^input fail-on: "budget;regression" .* is not a finding kind/,
  ],
  [{ publish: 'maybe' }, /^input publish: expected true or false, found "maybe"$/],
  [{ publish: '2' }, /^input publish: expected true or false, found "2"$/],
  [
    { report: 'report.json', publish: 'true' },
    /^input publish: cannot publish with the report input/,
  ],
  [{ 'pr-number': '0' }, /^input pr-number: expected a pull request number such as 42, found "0"$/],
  [{ 'pr-number': '-1' }, /^input pr-number: .* found "-1"$/],
  [{ 'pr-number': '1e3' }, /^input pr-number: .* found "1e3"$/],
  [{ 'pr-number': '0x10' }, /^input pr-number: .* found "0x10"$/],
  [{ 'pr-number': '12345678901' }, /^input pr-number: .* found "12345678901"$/],
  [{ 'pr-number': '7; rm -rf /' }, /^input pr-number: .* found "7; rm -rf \/"$/],
  [
    { 'target-url': 'ftp://files.example' },
    /^input target-url: only http and https URLs can be measured, found "ftp:"$/,
  ],
  [
    { 'target-url': 'file:///etc/passwd' },
    /^input target-url: only http and https .* found "file:"$/,
  ],
  [
    { 'target-url': 'javascript:alert(1)' },
    /^input target-url: only http and https .* found "javascript:"$/,
  ],
  [
    { 'target-url': '127.0.0.1:3000' },
    /^input target-url: expected an absolute http\(s\) URL .* found "127\.0\.0\.1:3000"$/,
  ],
  [{ 'target-url': 'http://' }, /^input target-url: expected an absolute http\(s\) URL/],
  [
    { 'target-url': 'http://bot:s3cr3t-pass@[::1' },
    /^input target-url: expected an absolute .* found "http:\/\/\*\*\*@\[::1"$/,
  ],
  [
    { 'baseline-url': 'ws://127.0.0.1:1' },
    /^input baseline-url: only http and https .* found "ws:"$/,
  ],
  [
    { 'max-duration': '-5m' },
    /^input max-duration: expected a duration of 0 or more, found "-5m"$/,
  ],
  [{ 'max-duration': 'forever' }, /^input max-duration: expected a duration like "30s"/],
  [{ 'max-duration': '1e309' }, /^input max-duration: expected a duration like "30s"/],
  [{ 'max-duration': 'NaN' }, /^input max-duration: expected a duration like "30s"/],
];

describe('action inputs', () => {
  test.each(INPUT_CASES)('%j: refused, naming the input', (inputs, message) => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('INPUT_')) delete process.env[name];
      for (const [name, value] of Object.entries(inputs))
        process.env[`INPUT_${name.toUpperCase()}`] = value;
      let error: unknown;
      try {
        readSettings({ GITHUB_WORKSPACE: generated });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('s3cr3t-pass');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Through the bundled action

const ACTION_FILES = [
  'host-absolute-other-origin.yml',
  'host-userinfo-trick.yml',
  'scheme-target-file.yml',
  'inject-header-crlf.yml',
  'inject-name-workflow-command.yml',
  'yaml-alias-bomb.yml',
  'variable-unset-header.yml',
  'max-duration-exceeded.yml',
];

describe('through the action: refused before any request, located', () => {
  test.concurrent.each(ACTION_FILES)('%s', async (file) => {
    const [first] = expectations(file);
    const [, line, col, rest] = /^(\d+):(\d+) (.*)$/.exec(first!)!;
    const run = await runAction({
      inputs: { comment: 'never' },
      env,
      files: { 'perf-budget.yml': readFileSync(join(FIXTURES, file), 'utf8') },
    });
    expect(run.code).toBe(1);
    // The runner's annotation syntax: properties escape ':' and ',', the message '%' and line breaks.
    const annotation = `::error title=perf-gate%3A invalid budget file,file=perf-budget.yml,line=${line},col=${col}::`;
    const shown = rest!.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    expect(run.stdout).toContain(`${annotation}${shown}`);
    expect(run.stdout).toMatch(
      /::error::perf-budget.yml: \d+ problems? in the budget file; nothing was measured\./,
    );
    expect(run.summary).toContain(`perf-budget.yml:${line}:${col} `);
    expect(run.outputs.passed).toBe('false');
    expect(run.stdout.split('\n').filter((l) => /^::error title=forged/.test(l))).toEqual([]);
    expect(target.hits()).toBe(0);
  });

  test.concurrent('a 500,000-deep file is refused at once, located', async () => {
    const run = await runAction({
      inputs: { comment: 'never' },
      env,
      files: {
        'perf-budget.yml': `${H}endpoints:\n  - path: /fixed/1\n    body: ${'['.repeat(500_000)}\n`,
      },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'file=perf-budget.yml,line=6,col=75::[ ] and { } are nested more than 64 levels deep',
    );
    expect(target.hits()).toBe(0);
  });

  test.concurrent.each([
    [
      { 'fail-on': 'latency' },
      /::error::input fail-on: "latency" in "latency" is not a finding kind/,
    ],
    [
      { 'pr-number': '1e3' },
      /::error::input pr-number: expected a pull request number such as 42, found "1e3"/,
    ],
    [
      { 'target-url': 'gopher://127.0.0.1:70' },
      /::error::input target-url: only http and https URLs can be measured, found "gopher:"/,
    ],
    [{ 'max-duration': 'forever' }, /::error::input max-duration: expected a duration like "30s"/],
    [
      { report: 'report.json', publish: 'true' },
      /::error::input publish: cannot publish with the report input/,
    ],
  ])('inputs %j: refused, naming the input', async (inputs, message) => {
    const run = await runAction({
      inputs: { comment: 'never', ...inputs },
      env,
      files: { 'perf-budget.yml': `${H}endpoints:\n  - path: /fixed/1\n` },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(run.outputs.passed).toBe('false');
    expect(target.hits()).toBe(0);
  });
});
