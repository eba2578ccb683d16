import { describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { BudgetFileError, formatProblem } from '../../src/config/errors.js';

/** `defaults.confidence` and an endpoint's `confidence`: the percentile bounds' level (SPEC §4). */

const file = (defaults: string, endpoints: string) =>
  `version: 1\ntarget:\n  url: http://127.0.0.1:8080\n${defaults}endpoints:\n${endpoints}`;

function problemsOf(yaml: string): string[] {
  try {
    parseBudget(yaml, 'b.yml', { env: {} });
  } catch (error) {
    if (error instanceof BudgetFileError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('confidence', () => {
  test('absent: the endpoint carries none and evaluation uses 95%', () => {
    const config = parseBudget(file('', '  - path: /a\n'), 'b.yml', { env: {} });
    expect(config.endpoints[0]!.confidence).toBeUndefined();
  });

  test('a default for every endpoint, overridden per endpoint; percentages or fractions', () => {
    const config = parseBudget(
      file(
        'defaults:\n  confidence: 99%\n',
        '  - path: /a\n  - path: /b\n    confidence: 0.9\n  - path: /c\n    confidence: 99.9%\n',
      ),
      'b.yml',
      { env: {} },
    );
    expect(config.endpoints.map((e) => e.confidence)).toEqual([0.99, 0.9, 0.999]);
  });

  test.each([
    ['0.3', /b\.yml:6:17 endpoints\[0\]\.confidence: .*0\.5.*0\.999.*0\.3/],
    [
      '"40%"',
      /b\.yml:6:17 endpoints\[0\]\.confidence: expected a confidence from 50% to 99\.9% .*found "40%"/,
    ],
    ['"100%"', /endpoints\[0\]\.confidence: expected a confidence from 50% to 99\.9%/],
    ['1', /endpoints\[0\]\.confidence: .*0\.999/],
    ['high', /endpoints\[0\]\.confidence:/],
  ])('confidence %s is refused with its place and the range', (value, message) => {
    const problems = problemsOf(file('', `  - path: /a\n    confidence: ${value}\n`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
