import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startTarget, type Target } from '../servers/target.js';
import { validateReport } from '../../src/report/validate.js';
import { runAction } from './action-runner.js';

/**
 * Adaptive measurement (SPEC §4) through the committed bundle, on by default: a fast endpoint
 * stops once its budget is settled, a slow one is still caught (and confirmed), and the step
 * fails on it. Asserts the recorded stop reasons and looks, never the time taken.
 */

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

const BUDGET = [
  'version: 1',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 2, duration: 6s, min-duration: 1s, warmup: 0s, timeout: 5s }',
  'endpoints:',
  '  - name: fast',
  '    path: /fixed/2',
  '    budget: { p95: 1s, error-rate: 5% }',
  '  - name: slow',
  '    path: /fixed/100',
  '    budget: { p95: 20ms }',
  '',
].join('\n');

test('with adaptive on by default, a breach still fails the step and a fast endpoint stops early', async () => {
  const r = await runAction({
    inputs: { comment: 'never' },
    env: { PREVIEW_URL: target.url },
    files: { 'perf-budget.yml': BUDGET },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  expect(r.outputs.passed).toBe('false');
  expect(r.outputs.violations).toBe('1');

  const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
  const validation = validateReport(report);
  expect(validation.valid ? [] : validation.errors).toEqual([]);
  const [fast, slow] = report.endpoints;
  expect(fast.verdict).toBe('pass');
  expect(fast.measurement.adaptive).toMatchObject({ stop: 'settled: pass', looks: 6 });
  expect(fast.measurement.adaptive.look).toBeLessThan(6);
  expect(slow.verdict).toBe('budget-exceeded');
  expect(slow.measurement.adaptive).toMatchObject({ stop: 'settled: breach', look: 1 });
  // The confirmation is measured adaptively too, and repeats the breach.
  expect(slow.confirmation.adaptive).toMatchObject({ stop: 'settled: breach' });
  expect(report.summary.load.spentMs).toBeLessThan(report.summary.load.plannedMs);

  expect(r.stdout).toMatch(/fast: settled: pass at look \d of 6/);
  expect(r.summary).toMatch(/adaptive: settled: breach at look 1 of 6/);
  expect(r.summary).toMatch(/saved by adaptive measurement/);
});
