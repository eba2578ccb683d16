import { describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { BudgetFileError, formatProblem } from '../../src/config/errors.js';

/** `baseline.github`: the history kept in a data branch, and one history kind per endpoint. */

const file = (baseline: string, endpoints = '  - path: /a\n') =>
  `version: 1\ntarget:\n  url: http://127.0.0.1:8080\n${baseline}endpoints:\n${endpoints}`;

function problemsOf(yaml: string): string[] {
  try {
    parseBudget(yaml, 'b.yml', { env: {} });
  } catch (error) {
    if (error instanceof BudgetFileError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('baseline.github', () => {
  test('defaults: perf-gate-history, 14 days, 30 runs, 90 days retention', () => {
    const config = parseBudget(file('baseline:\n  github: {}\n'), 'b.yml', { env: {} });
    expect(config.baseline.github).toEqual({
      branch: 'perf-gate-history',
      lookbackMs: 14 * 86_400_000,
      runs: 30,
      retentionMs: 90 * 86_400_000,
    });
  });

  test('settings as written', () => {
    const config = parseBudget(
      file(
        'baseline:\n  github: { branch: perf/data, lookback: 30d, runs: 50, retention: 365d }\n',
      ),
      'b.yml',
      { env: {} },
    );
    expect(config.baseline.github).toMatchObject({
      branch: 'perf/data',
      lookbackMs: 30 * 86_400_000,
      runs: 50,
    });
  });

  test.each([
    [
      'both kinds in the file',
      file('baseline:\n  cloudwatch: { region: us-east-1 }\n  github: { runs: 10 }\n'),
      /^b\.yml:6:3 baseline\.github: expected one history kind, found both baseline\.cloudwatch and baseline\.github/,
    ],
    [
      'an endpoint with cloudwatch under a file with github',
      file(
        'baseline:\n  github: {}\n',
        '  - path: /a\n    baseline:\n      cloudwatch: { namespace: AWS/ApplicationELB, metric: TargetResponseTime, unit: s }\n',
      ),
      /^b\.yml:9:7 endpoints\[0\]\.baseline\.cloudwatch: expected one history kind per endpoint/,
    ],
    [
      'a retention shorter than the lookback',
      file('baseline:\n  github: { lookback: 30d, retention: 7d }\n'),
      /retention.*at least the lookback/,
    ],
    [
      'a branch git refuses',
      file('baseline:\n  github: { branch: "a..b" }\n'),
      /baseline\.github\.branch/,
    ],
    ['zero runs', file('baseline:\n  github: { runs: 0 }\n'), /baseline\.github\.runs/],
  ])('refuses %s with a located message', (_, yaml, message) => {
    const problems = problemsOf(yaml);
    expect(problems.some((p) => message.test(p))).toBe(true);
  });
});
