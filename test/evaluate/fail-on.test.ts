import { describe, expect, test } from '@jest/globals';
import { formatFailOn, parseFailOn, shouldFail } from '../../src/evaluate/fail-on.js';
import type { Summary } from '../../src/evaluate/types.js';

describe('parseFailOn', () => {
  test.each([
    ['budget,regression', { budget: true, regression: true }],
    ['regression,budget', { budget: true, regression: true }],
    [' Budget , REGRESSION ', { budget: true, regression: true }],
    ['budget', { budget: true, regression: false }],
    ['regression', { budget: false, regression: true }],
    ['none', { budget: false, regression: false }],
    ['', { budget: true, regression: true }],
  ])('%j', (input, expected) => {
    expect(parseFailOn(input)).toEqual(expected);
  });

  test.each([
    [
      'budgets',
      'input fail-on: "budgets" in "budgets" is not a finding kind (did you mean "budget"?); expected "budget", "regression", "budget,regression" or "none"',
    ],
    [
      'budget,,regression',
      'input fail-on: an empty item in "budget,,regression" is not a finding kind; expected "budget", "regression", "budget,regression" or "none"',
    ],
    [
      'none,budget',
      'input fail-on: "none,budget" combines "none" with other findings; expected "budget", "regression", "budget,regression" or "none"',
    ],
    [
      'always',
      'input fail-on: "always" in "always" is not a finding kind; expected "budget", "regression", "budget,regression" or "none"',
    ],
  ])('rejects %j naming the input and the value', (input, message) => {
    expect(() => parseFailOn(input)).toThrow(message);
  });

  test('the input name can be given (the CLI flag)', () => {
    expect(() => parseFailOn('x', '--fail-on')).toThrow(/^input --fail-on: "x"/);
  });

  test('formatFailOn round-trips', () => {
    for (const text of ['budget,regression', 'budget', 'regression', 'none']) {
      expect(formatFailOn(parseFailOn(text))).toBe(text);
    }
  });
});

describe('shouldFail', () => {
  const summary = (over: Partial<Summary>): Summary => ({
    endpoints: 3,
    violations: 0,
    regressions: 0,
    improvements: 0,
    inconclusive: 0,
    noBaseline: 0,
    passed: true,
    ...over,
  });
  const all = parseFailOn('budget,regression');
  const budget = parseFailOn('budget');
  const regression = parseFailOn('regression');
  const none = parseFailOn('none');

  test.each([
    ['clean run', summary({}), [false, false, false, false]],
    ['budget violation', summary({ violations: 1, passed: false }), [true, true, false, false]],
    ['regression', summary({ regressions: 2, passed: false }), [true, false, true, false]],
    [
      'inconclusive and improvements never fail',
      summary({ inconclusive: 4, improvements: 2 }),
      [false, false, false, false],
    ],
    [
      'could not measure',
      summary({ errors: [{ message: 'unreachable' }], passed: false }),
      [true, true, true, true],
    ],
    ['cancelled', summary({ cancelled: true, passed: false }), [true, true, true, true]],
  ])('%s', (_name, s, expected) => {
    expect([all, budget, regression, none].map((f) => shouldFail(s, f))).toEqual(expected);
  });
});
