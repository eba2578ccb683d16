import { describe, expect, test } from '@jest/globals';
import { BudgetFileError, formatProblem, type Problem } from '../../src/config/errors.js';
import { parseBudget } from '../../src/config/load.js';
import { INVALID_CASES } from './invalid-cases.js';

function problemsOf(yaml: string, options: Parameters<typeof parseBudget>[2]): Problem[] {
  try {
    parseBudget(yaml, 'perf-budget.yml', options);
  } catch (e) {
    if (e instanceof BudgetFileError) return e.problems;
    throw e;
  }
  throw new Error('expected the budget file to be refused');
}

describe('invalid budget files: every problem located and explained', () => {
  test('the table holds at least 40 files', () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(INVALID_CASES.map((c) => c.name)).size).toBe(INVALID_CASES.length);
  });

  test.each(INVALID_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const problems = problemsOf(c.yaml, { env: {}, ...c.options });
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual(c.problems);
    expect(problems.every((p) => p.file === 'perf-budget.yml')).toBe(true);
  });
});

describe('problem format', () => {
  test('reads as in the SPEC: file:line:col path: message', () => {
    const c = INVALID_CASES.find((x) => x.name === 'misspelt budget key (the SPEC example)')!;
    const [problem] = problemsOf(c.yaml, { env: {} });
    expect(formatProblem(problem!)).toBe(
      'perf-budget.yml:14:7 endpoints[1].budget: unknown key "p59" (did you mean "p95"?)',
    );
  });

  test('a problem without a key path or position leaves them out', () => {
    expect(formatProblem({ file: 'b.yml', line: 3, col: 1, path: '', message: 'm' })).toBe(
      'b.yml:3:1 m',
    );
    expect(formatProblem({ file: 'b.yml', line: 0, col: 0, path: '', message: 'm' })).toBe(
      'b.yml: m',
    );
  });

  test('the error message lists every problem, one per line', () => {
    const yaml =
      'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n    budget: { p59: 1ms, p95: fast }\n';
    let error: unknown;
    try {
      parseBudget(yaml, 'perf-budget.yml', { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BudgetFileError);
    expect((error as Error).message).toBe(
      'perf-budget.yml: 2 problems in the budget file\n' +
        '  perf-budget.yml:6:15 endpoints[0].budget: unknown key "p59" (did you mean "p95"?)\n' +
        '  perf-budget.yml:6:30 endpoints[0].budget.p95: expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "fast"',
    );
  });
});

describe('all problems at once', () => {
  test('schema, interpolation and semantic problems of one file come back together, in file order', () => {
    const yaml = [
      'version: 1',
      'id: shop api',
      'target:',
      '  url: ${PREVIEW_URL}',
      '  headers:',
      '    authorization: Bearer ${API_TOKEN}',
      'defaults:',
      '  load: { conections: 5, duration: 0s }',
      'endpoints:',
      '  - name: list',
      '    path: /api/products',
      '    budget: { p95: fast, error-rate: 5 }',
      '  - name: list',
      '    method: POST',
      '    path: https://evil.example/steal',
      '    regression: { p95: { max-inc: 10% } }',
      '  - path: /search',
      '    p95: 150ms',
      '    expect: { status: [200, 700] }',
      '',
    ].join('\n');
    const problems = problemsOf(yaml, {
      env: { PREVIEW_URL: 'http://127.0.0.1:8080' },
      maxDurationMs: 60_000,
    });
    // prettier-ignore
    const expected = [
      [2, 5, 'id', 'expected an id of letters, digits, ".", "_" or "-" (starting with a letter or digit, at most 64), found "shop api"'],
      [6, 27, 'target.headers.authorization', 'environment variable API_TOKEN is not set (used as ${API_TOKEN}): set it in the step\'s env, or write $${ for a literal "${"'],
      [8, 11, 'defaults.load', 'unknown key "conections" (did you mean "connections"?)'],
      [8, 36, 'defaults.load.duration', 'expected a duration of at least 1s (a shorter run measures connection setup, not the endpoint), found "0s"'],
      [12, 20, 'endpoints[0].budget.p95', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "fast"'],
      [12, 38, 'endpoints[0].budget.error-rate', 'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found 5 (did you mean "5%"?)'],
      [13, 11, 'endpoints[1].name', 'duplicate endpoint name "list", also on line 10: names identify endpoints in reports and baselines'],
      [15, 11, 'endpoints[1].path', '"https://evil.example/steal" is not on the target\'s origin: a budget file changed in a pull request must not aim load at third parties; write a path relative to target.url, like "/steal"'],
      [16, 26, 'endpoints[1].regression.p95', 'unknown key "max-inc" (did you mean "max-increase"?)'],
      [18, 5, 'endpoints[2]', 'unknown key "p95" (it belongs under "budget")'],
      [19, 29, 'endpoints[2].expect.status[1]', 'expected a whole number from 100 to 599, found 700'],
    ];
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual(expected);
  });
});
