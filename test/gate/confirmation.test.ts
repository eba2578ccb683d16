import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { runGate, type GateLog } from '../../src/gate/run-gate.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Confirmation (SPEC: a breach must repeat before it fails) through the gate itself: runGate,
 * the function the action and the CLI both run, against loopback targets whose behaviour
 * changes between the first measurement and the confirmation. The change is made when the gate
 * says it is measuring again, so it falls exactly between the two runs.
 */

let target: Target;
let reference: Target;

beforeAll(async () => {
  [target, reference] = await Promise.all([startTarget({ seed: 1 }), startTarget({ seed: 2 })]);
});
afterAll(async () => {
  await Promise.all([target?.close(), reference?.close()]);
});
beforeEach(() => {
  for (const t of [target, reference]) {
    t.reset();
    t.setSlowdown(1);
  }
});

const CONFIRMING = /measuring once more to confirm/;

/** A gate log that records everything and runs `between` when the confirmation starts. */
function gateLog(between: () => void = () => undefined) {
  const infos: string[] = [];
  const warnings: string[] = [];
  const log: GateLog = {
    info: (line) => {
      infos.push(line);
      if (CONFIRMING.test(line)) between();
    },
    warning: (line) => warnings.push(line),
    debug: () => undefined,
    group: (_name, fn) => fn(),
  };
  return { log, infos, warnings };
}

function budgetConfig(url: string, lines: string[]) {
  return parseBudget(
    [
      'version: 1',
      'target:',
      `  url: ${url}`,
      'defaults:',
      '  load: { connections: 4, duration: 1s, warmup: 0s, timeout: 2s }',
      'endpoints:',
      ...lines,
      '',
    ].join('\n'),
    'perf-budget.yml',
    { env: {} },
  );
}

/** p50 of /fixed/20 is about 20 ms; three times as slow about 60 ms, over a 40 ms budget. */
const OVER_WHEN_SLOW = ['  - name: list', '    path: /fixed/20', '    budget: { p50: 40ms }'];

describe('confirmation through the gate', () => {
  test('a breach that does not repeat passes', async () => {
    target.setSlowdown(3);
    const { log, infos, warnings } = gateLog(() => target.setSlowdown(1));
    const run = await runGate({ config: budgetConfig(target.url, OVER_WHEN_SLOW), log });
    const [list] = run.evaluation.endpoints;
    expect(infos.filter((l) => CONFIRMING.test(l))).toEqual([
      'list: breach found, measuring once more to confirm',
    ]);
    expect(warnings).toEqual([]);
    expect(list.measurement.latency.p50).toBeGreaterThan(40);
    expect(list.confirmation?.latency.p50).toBeLessThan(40);
    const p50 = list.findings.find((f) => f.metric === 'p50')!;
    expect({ verdict: p50.verdict, breaches: p50.breaches, reason: p50.reason }).toMatchObject({
      verdict: 'pass',
      breaches: [],
    });
    expect(p50.confirmation?.verdict).toBe('pass');
    expect(run.evaluation.summary.passed).toBe(true);
  });

  test('a breach that repeats fails', async () => {
    target.setSlowdown(3);
    const { log, infos } = gateLog();
    const run = await runGate({ config: budgetConfig(target.url, OVER_WHEN_SLOW), log });
    const [list] = run.evaluation.endpoints;
    expect(infos.some((l) => CONFIRMING.test(l))).toBe(true);
    expect(list.confirmation?.latency.p50).toBeGreaterThan(40);
    const p50 = list.findings.find((f) => f.metric === 'p50')!;
    expect(p50.verdict).toBe('budget-exceeded');
    expect(p50.breaches).toEqual(['budget']);
    expect(p50.confirmation?.verdict).toBe('budget-exceeded');
    expect(run.evaluation.summary.passed).toBe(false);
  });

  test('no breach, no confirmation: the endpoint is measured once', async () => {
    const { log, infos } = gateLog();
    const run = await runGate({ config: budgetConfig(target.url, OVER_WHEN_SLOW), log });
    expect(infos.some((l) => CONFIRMING.test(l))).toBe(false);
    expect(run.evaluation.endpoints[0].confirmation).toBeUndefined();
    expect(run.evaluation.summary.passed).toBe(true);
  });

  test('when a confirmation would exceed max-duration it is skipped with a warning, and the breach stands', async () => {
    target.setSlowdown(3);
    const { log, infos, warnings } = gateLog(() => target.setSlowdown(1));
    // Room for the first 1 s measurement, not for a second one.
    const run = await runGate({
      config: budgetConfig(target.url, OVER_WHEN_SLOW),
      maxDurationMs: 1600,
      log,
    });
    expect(infos.some((l) => CONFIRMING.test(l))).toBe(false);
    expect(warnings).toEqual([
      'list: breach not confirmed: measuring it again would exceed max-duration',
    ]);
    const [list] = run.evaluation.endpoints;
    expect(list.confirmation).toBeUndefined();
    expect(list.findings.find((f) => f.metric === 'p50')!.verdict).toBe('budget-exceeded');
    expect(run.evaluation.summary.passed).toBe(false);
  });

  test('against a reference deployment, the confirmation is judged against the second reference measurement', async () => {
    // The candidate is three times slower than the reference: a regression. Between the runs
    // the reference becomes as slow as the candidate. Judged against the second reference
    // measurement the confirmation shows no change, so the regression does not repeat; judged
    // against the first it would.
    target.setSlowdown(3);
    const { log, infos } = gateLog(() => reference.setSlowdown(3));
    const config = budgetConfig(target.url, [
      '  - name: list',
      '    path: /fixed/20',
      '    load: { connections: 8, duration: 2s, warmup: 0s, timeout: 2s }',
      '    regression: { p50: { max-increase: 10%, min-delta: 1ms } }',
    ]);
    const run = await runGate({ config, baselineUrl: reference.url, log });
    expect(infos.some((l) => CONFIRMING.test(l))).toBe(true);
    const [list] = run.evaluation.endpoints;
    if (list.baseline.kind !== 'reference') throw new Error(JSON.stringify(list.baseline));
    // The first reference measurement is the fast one, the second the slowed one.
    expect(list.baseline.measurement.latency.p50).toBeLessThan(40);
    expect(list.baseline.confirmation?.latency.p50).toBeGreaterThan(50);
    const p50 = list.findings.find((f) => f.metric === 'p50')!;
    expect(p50.breaches).toEqual([]);
    expect(p50.verdict).toBe('pass');
    // The confirmation's change is measured against the second reference: about none.
    expect(Math.abs(p50.confirmation!.change!)).toBeLessThan(0.1);
    expect(p50.confirmation?.verdict).toBe('pass');
    expect(run.evaluation.summary.passed).toBe(true);
  });
});
