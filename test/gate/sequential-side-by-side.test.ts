import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { AbbaDesign } from '../../src/config/abba-plan.js';
import { defaultBlocks } from '../../src/config/plan.js';
import { parseBudget } from '../../src/config/load.js';
import { withoutUnconfirmed } from '../../src/evaluate/confirmation.js';
import { evaluateEndpoint } from '../../src/evaluate/evaluate.js';
import { runGate, type GateLog } from '../../src/gate/run-gate.js';
import {
  measureSequentialSideBySide,
  sequentialSideBySideFor,
} from '../../src/gate/side-by-side-sequential.js';
import { buildReport } from '../../src/report/report.js';
import { validateReport } from '../../src/report/validate.js';
import { CREATED_AT, ENVIRONMENT } from '../support/reports.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Side by side, sequentially (SPEC §5) against two loopback deployments: an A/A comparison
 * stops early as settled, a clear regression stops as a breach once the block after it has
 * confirmed it, and `adaptive: false` keeps today's fixed ABBA design. The measurement tests use
 * a short design (half-second rounds) so each costs a few seconds of load; the gate tests run the
 * default design through runGate.
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

function gateLog() {
  const infos: string[] = [];
  const log: GateLog = {
    info: (line) => infos.push(line),
    warning: (line) => infos.push(`warning: ${line}`),
    debug: () => undefined,
    group: (_name, fn) => fn(),
  };
  return { log, infos };
}

function config(lines: string[], tolerance = '50%') {
  return parseBudget(
    [
      'version: 1',
      'target:',
      `  url: ${target.url}`,
      ...lines,
      'endpoints:',
      '  - name: list',
      '    path: /fixed/20',
      '    regression:',
      `      p50: { max-increase: ${tolerance}, min-delta: 1ms }`,
      `      p95: { max-increase: ${tolerance}, min-delta: 1ms }`,
      `      p99: { max-increase: ${tolerance}, min-delta: 1ms }`,
      '',
    ].join('\n'),
    'perf-budget.yml',
    { env: {} },
  );
}

const load = (duration: string) => [
  'defaults:',
  `  load: { connections: 16, duration: ${duration}, warmup: 0s, timeout: 2s }`,
];

/**
 * The A/A test allows a tenfold rise: on a shared 2-core machine one round of a deployment can be
 * several times slower than the next (seen: round-pair p50 ratios from 0.3 to 6 under load), and
 * these tests are about the stopping, not about how fast equivalence comes (the seeded simulation
 * in test/evaluate/sequential-abba.test.ts is). A twofold slowdown is judged at 50%.
 */
const WIDE = '900%';

/** Half-second rounds, looks after blocks 2, 3 and 4 (2 s of load a block, both sides). */
const SHORT: AbbaDesign = { roundMs: 500, looks: [2, 3, 4], capBlocks: 4 };

describe('sequential side-by-side measurement', () => {
  test('twice as slow: a breach at the first look, confirmed by the next block', async () => {
    target.setSlowdown(2);
    const endpoint = config(load('12s')).endpoints[0];
    const infos: string[] = [];
    const { measurement, baseline } = await measureSequentialSideBySide(endpoint, SHORT, {
      referenceUrl: reference.url,
      source: reference.url,
      confirm: true,
      log: (line) => infos.push(line),
    });
    expect(measurement.adaptive).toMatchObject({ stop: 'settled: breach', look: 2, blocks: 3 });
    expect(baseline.rounds).toHaveLength(6);
    const result = evaluateEndpoint(endpoint, measurement, baseline);
    const p50 = result.findings.find((f) => f.metric === 'p50')!;
    expect(p50.breaches).toEqual(['regression']);
    expect(result.verdict).toBe('regression');
  });

  test('without confirm, the breach stops it at the first look', async () => {
    target.setSlowdown(2);
    const endpoint = config(load('12s')).endpoints[0];
    const progress: unknown[] = [];
    const { measurement } = await measureSequentialSideBySide(endpoint, SHORT, {
      referenceUrl: reference.url,
      source: reference.url,
      confirm: false,
      onProgress: (p) => progress.push(p),
    });
    expect(measurement.adaptive).toMatchObject({ stop: 'settled: breach', look: 1, blocks: 2 });
    // The live progress line: one report per look, with the look taken of those planned.
    expect(progress).toEqual([
      {
        elapsedMs: 2000,
        totalMs: 4000,
        requests: measurement.requests,
        p95: measurement.latency.p95,
        look: { taken: 1, planned: 3 },
      },
    ]);
  });
  test('a breach at the last look only does not count: unconfirmed, inconclusive, warned', async () => {
    target.setSlowdown(2);
    const endpoint = config(load('12s')).endpoints[0];
    const warnings: string[] = [];
    // One look, at the cap: the breach it sees has no block left to repeat in.
    const atCap: AbbaDesign = { roundMs: 500, looks: [2], capBlocks: 2 };
    const { measurement, baseline } = await measureSequentialSideBySide(endpoint, atCap, {
      referenceUrl: reference.url,
      source: reference.url,
      confirm: true,
      warn: (line) => warnings.push(line),
    });
    expect(measurement.adaptive).toMatchObject({
      stop: 'cap',
      look: 1,
      looks: 1,
      blocks: 2,
      unconfirmed: true,
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^list: breach seen at the last look only, not confirmed: the 2 s cap/),
    ]);
    const result = evaluateEndpoint(endpoint, measurement, baseline);
    expect(result.verdict).toBe('inconclusive');
    // The same figures without the record's flag: the regression the look saw.
    const flagless = evaluateEndpoint(endpoint, withoutUnconfirmed(measurement), baseline);
    expect(flagless.verdict).toBe('regression');
  });
});

describe('sequential side by side through the gate', () => {
  test('adaptive by default: an A/A comparison stops settled, with no separate confirmation', async () => {
    const { log, infos } = gateLog();
    const cfg = config(load('12s'), WIDE);
    expect(sequentialSideBySideFor(cfg.endpoints[0])).toEqual({
      roundMs: 1000,
      looks: [3, 4, 5, 6],
      capBlocks: 6,
    });
    const run = await runGate({ config: cfg, baselineUrl: reference.url, log });
    const [list] = run.evaluation.endpoints;
    expect(list.measurement.adaptive).toMatchObject({
      stop: 'settled: pass',
      look: 1,
      looks: 4,
      blocks: 3,
    });
    expect(list.baseline).toMatchObject({ kind: 'reference', rounds: 6 });
    expect(list.confirmation).toBeUndefined();
    expect(infos.some((l) => /measuring once more/.test(l))).toBe(false);
    expect(run.evaluation.summary.passed).toBe(true);
    // Spent: 3 blocks of 1 s rounds, both sides (autocannon ends a round on its next tick);
    // planned: the whole 12 s a side.
    expect(run.loadMs).toBeGreaterThanOrEqual(12_000);
    expect(run.loadMs).toBeLessThan(14_000);
    expect(run.plannedLoadMs).toBe(24_000);
    expect(infos.filter((l) => l.includes('settled'))).toEqual([
      'list: settled: pass at look 1 of 4 (3 ABBA blocks, 6 s a side of the 12 s cap)',
    ]);
    // The verdict, judged at the look's recorded levels, is the one that stopped it.
    expect(list.findings.every((f) => f.verdict === 'pass')).toBe(true);
    // The report keeps the record (blocks, levels) and is valid against its schema.
    const report = buildReport({
      tool: { name: 'perf-gate', version: '0.1.0' },
      createdAt: CREATED_AT,
      environment: ENVIRONMENT,
      config: cfg,
      endpoints: run.evaluation.endpoints,
      summary: run.evaluation.summary,
    });
    const saved = validateReport(JSON.parse(JSON.stringify(report)));
    expect(saved.valid && saved.report.endpoints[0].measurement.adaptive).toMatchObject({
      stop: 'settled: pass',
      blocks: 3,
      regressionConfidence: expect.any(Number),
    });
  });

  test('adaptive: false keeps the fixed design: its default blocks, and no adaptive record', async () => {
    const { log } = gateLog();
    const cfg = config(['adaptive: false', ...load('4s')]);
    expect(sequentialSideBySideFor(cfg.endpoints[0])).toBeUndefined();
    const run = await runGate({ config: cfg, baselineUrl: reference.url, log });
    const [list] = run.evaluation.endpoints;
    expect(list.measurement.adaptive).toBeUndefined();
    expect(list.baseline).toMatchObject({ kind: 'reference', rounds: 2 * defaultBlocks(4_000) });
    // 4 s a side, and as much again when the fixed design measured it once more to confirm.
    expect(run.loadMs).toBe(8_000 * (list.confirmation ? 2 : 1));
  });
});
