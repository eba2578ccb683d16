import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { runGate, type GateLog } from '../../src/gate/run-gate.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Adaptive measurement (SPEC §4) end to end through the gate against a loopback target: the
 * plumbing of looks, early stops and the record of why an endpoint stopped. Whether the stopping
 * rule holds its error rate is test/evaluate/sequential.test.ts (seeded simulation); nothing
 * here asserts on wall-clock time, only on the look and reason recorded.
 */

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

function quietLog(lines: string[] = []): GateLog {
  return {
    info: (line) => lines.push(line),
    warning: (line) => lines.push(`warning: ${line}`),
    debug: () => undefined,
    group: (_name, fn) => fn(),
  };
}

function budgetFile(endpoint: string[], options: { adaptive?: boolean; load?: string } = {}) {
  return parseBudget(
    [
      'version: 1',
      'confirm: false',
      ...(options.adaptive === undefined ? [] : [`adaptive: ${options.adaptive}`]),
      'target:',
      `  url: ${target.url}`,
      'defaults:',
      `  load: ${options.load ?? '{ connections: 2, duration: 6s, min-duration: 1s, warmup: 0s, timeout: 2s }'}`,
      'endpoints:',
      ...endpoint.map((line) => `  ${line}`),
    ].join('\n'),
    'perf-budget.yml',
    { env: {} },
  );
}

describe('adaptive measurement through the gate', () => {
  test('a clearly fast endpoint stops at an early look, settled: pass, and passes', async () => {
    const lines: string[] = [];
    const config = budgetFile([
      '- name: fast',
      '  path: /fixed/2',
      '  budget: { p95: 1s, p99: 1s, error-rate: 5% }',
    ]);
    const run = await runGate({ config, log: quietLog(lines) });
    const [endpoint] = run.evaluation.endpoints;
    const record = endpoint!.measurement.adaptive;
    expect(record).toBeDefined();
    expect(record!.looks).toBe(6);
    expect(record!.stop).toBe('settled: pass');
    expect(record!.look).toBeLessThan(record!.looks);
    expect(record!.capMs).toBe(6000);
    expect(record!.minDurationMs).toBe(1000);
    // The verdicts are the evaluation's at the confidence of the look it stopped at.
    expect(record!.confidence).toBeCloseTo(1 - (0.05 * 0.2) / 5, 12);
    expect(endpoint!.findings.map((f) => f.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(endpoint!.findings[0]!.interval?.confidence).toBeCloseTo(record!.confidence!, 12);
    expect(run.evaluation.summary.passed).toBe(true);
    expect(run.loadMs).toBeLessThan(run.plannedLoadMs);
    expect(lines.some((l) => l.includes(`fast: settled: pass at look ${record!.look} of 6`))).toBe(
      true,
    );
  });

  test('an endpoint whose p95 sits on its budget runs to the cap and says "cap"', async () => {
    // 5% of the requests take 100 ms, the rest 5 ms: the p95 is at the step, so the bounds keep
    // one side under and one over a 50 ms budget at every look.
    const config = budgetFile(
      ['- name: near', '  path: /bimodal?fast=5&slow=100&p=0.05&seed=3', '  budget: { p95: 50ms }'],
      { load: '{ connections: 2, duration: 4s, min-duration: 1s, warmup: 0s, timeout: 2s }' },
    );
    const run = await runGate({ config, log: quietLog() });
    const record = run.evaluation.endpoints[0]!.measurement.adaptive;
    expect(record).toMatchObject({ stop: 'cap', look: 4, looks: 4, capMs: 4000 });
    expect(record!.confidence).toBeCloseTo(1 - 0.05 * 0.8, 12);
  });

  test('a breach is caught at a look and stops the endpoint: settled: breach', async () => {
    const config = budgetFile([
      '- name: slow',
      '  path: /fixed/40',
      '  budget: { p95: 10ms, error-rate: 50% }',
    ]);
    const run = await runGate({ config, log: quietLog() });
    const [endpoint] = run.evaluation.endpoints;
    expect(endpoint!.measurement.adaptive).toMatchObject({ stop: 'settled: breach', look: 1 });
    expect(endpoint!.findings.find((f) => f.metric === 'p95')?.verdict).toBe('budget-exceeded');
    expect(run.evaluation.summary.passed).toBe(false);
  });

  test('adaptive: false keeps the fixed design: no looks, the whole duration', async () => {
    for (const lines of [
      { adaptive: false, endpoint: [] as string[] },
      { adaptive: undefined, endpoint: ['  adaptive: false'] },
    ]) {
      const config = budgetFile(
        ['- name: fixed', '  path: /fixed/2', '  budget: { p95: 1s }', ...lines.endpoint],
        {
          ...(lines.adaptive === undefined ? {} : { adaptive: lines.adaptive }),
          load: '{ connections: 2, duration: 2s, min-duration: 1s, warmup: 0s, timeout: 2s }',
        },
      );
      expect(config.endpoints[0]!.adaptive).toBe(false);
      const run = await runGate({ config, log: quietLog() });
      const { measurement, findings } = run.evaluation.endpoints[0]!;
      expect(measurement.adaptive).toBeUndefined();
      // The run is autocannon's whole duration, as before (it ends on a 100 ms tick after it).
      expect(measurement.durationMs).toBeGreaterThanOrEqual(2000);
      expect(findings[0]!.interval?.confidence).toBe(0.95);
      expect(run.loadMs).toBe(run.plannedLoadMs);
    }
  });

  test('the open model stops early too, and counts its arrivals over the shorter window', async () => {
    const config = budgetFile(['- name: paced', '  path: /fixed/2', '  budget: { p95: 1s }'], {
      load: '{ rate: 200, connections: 4, duration: 6s, min-duration: 1s, warmup: 0s, timeout: 2s }',
    });
    const run = await runGate({ config, log: quietLog() });
    const { measurement } = run.evaluation.endpoints[0]!;
    expect(measurement.adaptive).toMatchObject({ stop: 'settled: pass' });
    expect(measurement.adaptive!.look).toBeLessThan(6);
    const arrivals = measurement.arrivals!;
    // Arrivals are due only within the window that ran: rate × window, not rate × cap.
    expect(arrivals.intended).toBeLessThan(200 * 6);
    expect(arrivals.intended).toBeCloseTo((200 * measurement.durationMs) / 1000, -1);
    expect(measurement.requests).toBe(arrivals.sent);
  });
});
