import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startTarget, type Target } from '../servers/target.js';
import { runAction } from './action-runner.js';

/**
 * `baseline-url` end to end: the bundled action measures a candidate and a reference deployment
 * side by side (ABBA rounds) and judges regressions against the reference.
 */

const BUDGET = [
  'version: 1',
  'id: shop',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 4, duration: 2s, warmup: 0s, timeout: 2s }',
  'endpoints:',
  '  - name: health',
  '    path: /fixed/0',
  '  - name: search',
  '    path: /fixed/20',
  '',
].join('\n');

let reference: Target;
let candidate: Target;
let twin: Target;

beforeAll(async () => {
  reference = await startTarget();
  // Every delay 30% longer: /fixed/20 answers in 26 ms, /fixed/0 still at once.
  candidate = await startTarget({ slowdown: 1.3 });
  twin = await startTarget();
});
afterAll(async () => {
  await Promise.all([reference?.close(), candidate?.close(), twin?.close()]);
});

interface Finding {
  metric: string;
  verdict: string;
  reason: string;
}
interface EndpointResult {
  name: string;
  verdict: string;
  findings: Finding[];
  baseline: { kind: string };
}

async function gate(candidateUrl: string) {
  const run = await runAction({
    inputs: { comment: 'never', 'baseline-url': reference.url },
    env: { PREVIEW_URL: candidateUrl },
    files: { 'perf-budget.yml': BUDGET },
  });
  const report = JSON.parse(readFileSync(run.outputs['report-file'], 'utf8')) as {
    endpoints: EndpointResult[];
  };
  const byName = Object.fromEntries(report.endpoints.map((e) => [e.name, e]));
  const regressed = (name: string) =>
    byName[name]!.findings.filter((f) => f.verdict === 'regression').map((f) => f.metric);
  return { run, byName, regressed };
}

test('a candidate 30% slower on one endpoint is flagged on that endpoint only', async () => {
  const { run, byName, regressed } = await gate(candidate.url);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(1);
  expect(run.outputs.passed).toBe('false');
  expect(byName.search!.baseline.kind).toBe('reference');
  expect(regressed('search')).toContain('p50');
  expect(regressed('health')).toEqual([]);
  expect(run.stdout).toMatch(
    /::error title=perf-gate%3A search,file=perf-budget.yml,line=10::search: p50 rose/,
  );
  expect(run.stdout).not.toMatch(/::error title=perf-gate%3A health/);
  // Both deployments got load, in rounds.
  expect(reference.hits('/fixed/20')).toBeGreaterThan(100);
  expect(candidate.hits('/fixed/20')).toBeGreaterThan(100);
});

test('identical deployments pass', async () => {
  const { run, regressed } = await gate(twin.url);
  expect(run.stderr).toBe('');
  expect(regressed('search')).toEqual([]);
  expect(regressed('health')).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.outputs.passed).toBe('true');
});
