import { mkdtemp, rm, truncate, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BudgetFileError, type Problem } from '../../src/config/errors.js';
import { loadBudgetFile, parseBudget } from '../../src/config/load.js';

async function problemsOf(run: () => unknown): Promise<Problem[]> {
  try {
    await run();
  } catch (e) {
    if (e instanceof BudgetFileError) return e.problems;
    throw e;
  }
  throw new Error('expected the budget file to be refused');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perf-gate-budget-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resource limits', () => {
  test('a YAML alias bomb (billion laughs) is refused, not expanded', async () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    // Fully expanded this would be 9^12 ≈ 2.8e11 strings.
    const yaml = ['version: 1', ...levels, 'endpoints:', '  - path: /a', ''].join('\n');
    const problems = await problemsOf(() => parseBudget(yaml, 'bomb.yml', { env: {} }));
    expect(problems).toEqual([
      {
        code: 'yaml.aliases',
        file: 'bomb.yml',
        line: 3,
        col: 8,
        path: '',
        message:
          'aliases are limited: this file expands its anchors (&name / *name) more than 100 times, as a "billion laughs" attack would; write the values out or use defaults',
      },
    ]);
  });

  test('a few aliases are fine', () => {
    const yaml =
      'version: 1\ntarget: { url: "http://127.0.0.1:8080" }\nendpoints:\n  - path: /a\n    budget: &fast { p95: 50ms }\n  - path: /b\n    budget: *fast\n';
    const config = parseBudget(yaml, 'b.yml', { env: {} });
    expect(config.endpoints.map((e) => e.budget)).toEqual([{ p95: 50 }, { p95: 50 }]);
  });

  test('a 50 MB file is refused from its size alone, before any of it is read', async () => {
    const file = join(dir, 'huge.yml');
    await writeFile(file, 'version: 1\n');
    await truncate(file, 50 * 1024 * 1024);
    const problems = await problemsOf(() => loadBudgetFile(file, { env: {} }));
    // A rejection after a bounded read could not know the size: the stat did it.
    expect(problems).toEqual([
      {
        code: 'file.too-large',
        file,
        line: 0,
        col: 0,
        path: '',
        message:
          'the budget file is 50 MiB, over the 1 MiB limit: budget files are small YAML, check that the budget-file input points at the right file',
      },
    ]);
    await rm(file);
  });

  test('text over 1 MiB is refused by the pure parser too', async () => {
    const text = 'version: 1\n' + '#'.repeat(1024 * 1024) + '\n';
    const problems = await problemsOf(() => parseBudget(text, 'big.yml', { env: {} }));
    expect(problems.map((p) => p.message)).toEqual([
      'the budget file is 1048588 bytes, over the 1 MiB limit: budget files are small YAML, check that the budget-file input points at the right file',
    ]);
  });

  test('a missing file and a directory get clear messages', async () => {
    const missing = join(dir, 'nope.yml');
    expect(await problemsOf(() => loadBudgetFile(missing, { env: {} }))).toEqual([
      {
        code: 'file.not-found',
        file: missing,
        line: 0,
        col: 0,
        path: '',
        message:
          'no such file: create it (every key is described at https://github.com/perf-gate/perf-gate#the-budget-file) or name another file with the budget-file input',
      },
    ]);
    const sub = join(dir, 'sub.yml');
    await mkdir(sub);
    expect((await problemsOf(() => loadBudgetFile(sub, { env: {} })))[0]?.message).toBe(
      'is not a file: the budget-file input must name a YAML file',
    );
  });

  test('a file of exactly 1 MiB is read whole', async () => {
    const head = 'version: 1\ntarget: { url: "http://127.0.0.1:8080" }\nendpoints:\n  - path: /a\n';
    const file = join(dir, 'exact.yml');
    await writeFile(file, head + '#'.repeat(1024 * 1024 - head.length - 1) + '\n');
    const config = await loadBudgetFile(file, { env: {} });
    expect(config.endpoints).toHaveLength(1);
  });
});
