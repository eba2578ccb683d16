import { describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { BudgetFileError, formatProblem } from '../../src/config/errors.js';

/** `adaptive` and `load.min-duration` (SPEC §4): defaults, overrides, and the cap as the worst case. */

const file = (top: string, defaults: string, endpoints: string) =>
  `version: 1\n${top}target:\n  url: http://127.0.0.1:8080\n${defaults}endpoints:\n${endpoints}`;

function problemsOf(yaml: string, maxDurationMs?: number): string[] {
  try {
    parseBudget(yaml, 'b.yml', { env: {}, ...(maxDurationMs ? { maxDurationMs } : {}) });
  } catch (error) {
    if (error instanceof BudgetFileError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('adaptive', () => {
  test('on by default; off at the top level; an endpoint overrides either way', () => {
    const on = parseBudget(file('', '', '  - path: /a\n'), 'b.yml', { env: {} });
    expect(on.endpoints[0]!.adaptive).toBe(true);
    expect(on.endpoints[0]!.load.minDurationMs).toBeUndefined();
    const mixed = parseBudget(
      file('adaptive: false\n', '', '  - path: /a\n  - path: /b\n    adaptive: true\n'),
      'b.yml',
      { env: {} },
    );
    expect(mixed.endpoints.map((e) => e.adaptive)).toEqual([false, true]);
  });

  test('min-duration from the defaults or the endpoint', () => {
    const config = parseBudget(
      file(
        '',
        'defaults:\n  load: { duration: 30s, min-duration: 8s }\n',
        '  - path: /a\n  - path: /b\n    load: { min-duration: 2s }\n',
      ),
      'b.yml',
      { env: {} },
    );
    expect(config.endpoints.map((e) => e.load.minDurationMs)).toEqual([8000, 2000]);
  });

  test('a minimum over the cap, or under 1s, is an error at its line', () => {
    expect(
      problemsOf(file('', '', '  - path: /a\n    load: { duration: 5s, min-duration: 10s }\n')),
    ).toEqual([
      'b.yml:6:41 endpoints[0].load.min-duration: expected a minimum duration of at most the duration (the cap), 5s, found 10s: shorten min-duration or lengthen duration',
    ]);
    expect(
      problemsOf(
        file('', 'defaults:\n  load: { duration: 2s, min-duration: 3s }\n', '  - path: /a\n'),
      ),
    ).toEqual([
      'b.yml:5:39 defaults.load.min-duration: expected a minimum duration of at most the duration (the cap), 2s for endpoint "/a", found 3s: shorten min-duration or lengthen duration',
    ]);
    expect(problemsOf(file('', '', '  - path: /a\n    load: { min-duration: 500ms }\n'))).toEqual([
      expect.stringMatching(/min-duration: expected a minimum duration of at least 1s/),
    ]);
  });

  test('max-duration counts every endpoint at its cap, not its minimum', () => {
    const yaml = file(
      '',
      'defaults:\n  load: { duration: 30s, min-duration: 5s, warmup: 0s }\n',
      '  - path: /a\n  - path: /b\n',
    );
    expect(problemsOf(yaml, 60_000)).toEqual([]);
    expect(problemsOf(yaml, 59_000)).toEqual([
      expect.stringMatching(/ask for 1m of load .* over the max-duration of 59s/),
    ]);
  });
});
