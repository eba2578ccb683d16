import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { runGate, type GateLog } from '../../src/gate/run-gate.js';
import { startTarget, type Target } from '../servers/target.js';
import { budgetText } from './budget-text.js';

/**
 * `max-duration` is a wall-clock cap on the load, enforced while the load runs (issue
 * "Hardening", case 4): the budget-file check refuses a plan over the cap, but a run can still
 * outlast its plan (a confirmation, a slow runner). Here the cap is given to the gate below the
 * plan on purpose, against a real loopback target: the load stops at the cap, the endpoint
 * running then and every later one are run errors naming them, none is judged as passed, and
 * the target sees no request for an endpoint after the cap.
 */

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

function logs(): { log: GateLog; warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    log: {
      info: () => undefined,
      warning: (line) => warnings.push(line),
      debug: () => undefined,
      group: (_name, fn) => fn(),
    },
  };
}

describe('the load stops at max-duration', () => {
  test('an endpoint running at the cap is cut, later ones are not measured, none passes', async () => {
    target.reset();
    const config = parseBudget(
      budgetText({
        url: target.url,
        load: '{ connections: 2, duration: 2s, warmup: 0s, timeout: 1s }',
        endpoints: [
          { name: 'first', path: '/fixed/5' },
          { name: 'second', path: '/fixed/6' },
          { name: 'third', path: '/fixed/7' },
        ],
      }),
      'perf-budget.yml',
      { env: {} },
    );
    const { log, warnings } = logs();
    const run = await runGate({ config, maxDurationMs: 3000, log });

    const { endpoints, summary } = run.evaluation;
    expect(endpoints.map((e) => e.name)).toEqual(['first']);
    expect(endpoints[0]!.measurement.cancelled).toBeUndefined();
    expect(summary.passed).toBe(false);
    expect(summary.cancelled).toBeUndefined();
    expect(summary.errors).toEqual([
      {
        endpoint: 'second',
        message:
          'second: cut at max-duration (3s): its load was stopped before the end, so it is not judged; shorten durations or raise max-duration',
      },
      {
        endpoint: 'third',
        message:
          'third: not measured: the load reached max-duration (3s) before its turn; shorten durations or raise max-duration',
      },
    ]);
    expect(warnings).toEqual(summary.errors!.map((e) => e.message));
    expect(target.hits('/fixed/5')).toBeGreaterThan(0);
    expect(target.hits('/fixed/6')).toBeGreaterThan(0);
    expect(target.hits('/fixed/7')).toBe(0);
  });

  test('a confirmation that cannot fit under the cap is skipped, and the breach stands', async () => {
    target.reset();
    const config = parseBudget(
      [
        'version: 1',
        'target:',
        `  url: ${target.url}`,
        'defaults:',
        '  load: { connections: 2, duration: 2s, warmup: 0s, timeout: 1s }',
        'endpoints:',
        '  - name: slow',
        '    path: /fixed/20',
        '    budget: { p50: 1ms }',
        '',
      ].join('\n'),
      'perf-budget.yml',
      { env: {} },
    );
    const { log, warnings } = logs();
    const run = await runGate({ config, maxDurationMs: 3000, log });
    expect(warnings).toEqual([
      'slow: breach not confirmed: measuring it again would exceed max-duration',
    ]);
    expect(run.evaluation.endpoints[0]!.confirmation).toBeUndefined();
    expect(run.evaluation.summary.violations).toBeGreaterThan(0);
    expect(run.evaluation.summary.passed).toBe(false);
  });

  test('a cap beyond the longest Node timer does not fire at once', async () => {
    target.reset();
    const config = parseBudget(
      budgetText({
        url: target.url,
        load: '{ connections: 2, duration: 1s, warmup: 0s, timeout: 1s }',
        endpoints: [{ name: 'only', path: '/fixed/1' }],
      }),
      'perf-budget.yml',
      { env: {} },
    );
    const { log, warnings } = logs();
    // 30 days: a plain setTimeout would be clamped to 1 ms and cut the load at once.
    const run = await runGate({ config, maxDurationMs: 30 * 86_400_000, log });
    expect(warnings).toEqual([]);
    expect(run.evaluation.summary.errors).toBeUndefined();
    expect(run.evaluation.endpoints[0]!.measurement.cancelled).toBeUndefined();
    expect(run.evaluation.endpoints[0]!.measurement.requests).toBeGreaterThan(0);
  });
});
