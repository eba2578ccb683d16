import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rejudgeReport } from '../../src/gate/rejudge.js';
import { rederiveMeasurements } from '../../src/report/read.js';
import type { Report } from '../../src/report/report.js';
import type { Measurement } from '../../src/measure/types.js';
import {
  endpoint,
  measurementOf,
  mix,
  NO_BASELINE,
  sequentialCapRecord,
} from '../support/measurements.js';
import { configFor, reportFrom } from '../support/reports.js';
import { parseReport } from '../../src/report/validate.js';

/** Saved reports judged again from their measurements (pure; the action's use is in test/security). */

const DIR = join(import.meta.dirname, '../fixtures/reports');
const load = (name: string) =>
  rederiveMeasurements(JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Report, name);
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('rejudgeReport', () => {
  test.each(fixtures)('%s: a genuine report is judged as it was, without a warning', (name) => {
    const saved = load(name);
    const { report, warnings } = rejudgeReport(saved);
    expect(warnings).toEqual([]);
    expect(report.summary).toEqual(saved.summary);
    expect(report.endpoints.map((e) => e.verdict)).toEqual(saved.endpoints.map((e) => e.verdict));
  });

  test('percentiles edited under the budget are recomputed from the histogram', () => {
    const saved = load('budget-failures.json');
    const list = saved.endpoints.find((e) => e.name === 'list products')!;
    const forged = structuredClone(saved);
    const edited = forged.endpoints.find((e) => e.name === 'list products')!;
    edited.measurement.latency = { ...edited.measurement.latency, p95: 1, p99: 1 };
    for (const f of edited.findings) Object.assign(f, { verdict: 'pass', breaches: [] });
    const { report, warnings } = rejudgeReport(rederiveMeasurements(forged, 'forged.json'));
    const again = report.endpoints.find((e) => e.name === 'list products')!;
    expect(again.measurement.latency.p95).toBe(list.measurement.latency.p95);
    expect(again.verdict).toBe('budget-exceeded');
    expect(warnings).toHaveLength(1);
  });

  test('a regression against CloudWatch history (not in the report) stands as saved', () => {
    const saved = load('cloudwatch.json');
    expect(saved.summary.regressions).toBeGreaterThan(0);
    // Even judged by rules with no regression section at all, the saved regression still fails.
    const { report } = rejudgeReport(saved);
    expect(report.summary.regressions).toBe(saved.summary.regressions);
    expect(report.summary.passed).toBe(false);
    expect(report.endpoints.map((e) => e.baseline.kind)).toEqual(
      saved.endpoints.map((e) => e.baseline.kind),
    );
  });

  test('a regression a sequential run left unconfirmed at the cap stays inconclusive, with no warning', () => {
    // Side by side, sequentially, stopped at the cap on a p95 regression seen at the last look
    // only; the p95 budget holds. The report keeps the round count, not the pairs.
    const reference = measurementOf(mix([1000, 100]));
    const candidate: Measurement = {
      ...measurementOf(mix([1000, 130])),
      adaptive: sequentialCapRecord(),
    };
    const rules = endpoint({
      budget: { p95: 500 },
      regression: { p95: { maxIncrease: 0.1, minDelta: 1 } },
    });
    const rounds = Array.from({ length: 6 }, () => ({ reference, candidate }));
    const report = reportFrom([
      {
        endpoint: rules,
        measurement: candidate,
        baseline: {
          kind: 'reference',
          source: 'http://127.0.0.1:9090',
          measurement: reference,
          rounds,
        },
      },
    ]);
    // Saved and read back as the action reads it: the schema takes the record's `unconfirmed`.
    const saved = rederiveMeasurements(
      parseReport(JSON.stringify(report), 'saved.json'),
      'saved.json',
    );
    const p95 = (r: Report) => r.endpoints[0].findings.find((f) => f.metric === 'p95')!;
    expect(p95(saved).verdict).toBe('inconclusive');
    expect(p95(saved).reason).toMatch(/seen at the last look only/);
    const { report: again, warnings } = rejudgeReport(saved);
    expect(warnings).toEqual([]);
    expect(p95(again).verdict).toBe('inconclusive');
    expect(again.summary).toEqual(saved.summary);
  });

  test('a budget breach a saved report calls unconfirmed fails where no run could have said so', () => {
    // p95 130 ms over a 100 ms budget, the record claiming the breach went unconfirmed at the cap.
    const measurement: Measurement = {
      ...measurementOf(mix([1000, 130])),
      adaptive: sequentialCapRecord(),
    };
    const rules = endpoint({ budget: { p95: 100 } });
    const reference = measurementOf(mix([1000, 125]));
    const sideBySide = {
      kind: 'reference' as const,
      source: 'http://127.0.0.1:9090',
      measurement: reference,
      rounds: Array.from({ length: 6 }, () => ({ reference, candidate: measurement })),
    };
    const saved = (baseline: typeof sideBySide | typeof NO_BASELINE) =>
      rederiveMeasurements(
        parseReport(JSON.stringify(reportFrom([{ endpoint: rules, measurement, baseline }])), 's'),
        's',
      );
    // Genuine where a run could set it: side by side, and the rules confirm breaches.
    const genuine = saved(sideBySide);
    expect(genuine.endpoints[0].verdict).toBe('inconclusive');
    expect(rejudgeReport(genuine).warnings).toEqual([]);
    // The trusted rules do not confirm breaches: the breach fails, and the report is called out.
    const strict = { ...configFor([rules]), confirm: false };
    const unconfirming = rejudgeReport(genuine, { config: strict });
    expect(unconfirming.report.endpoints[0].verdict).toBe('budget-exceeded');
    expect(unconfirming.report.summary.passed).toBe(false);
    expect(unconfirming.warnings).toEqual([expect.stringMatching(/do not follow/)]);
    // No reference deployment, so no ABBA blocks: the flag is forged, and ignored.
    const forged = saved(NO_BASELINE);
    expect(forged.endpoints[0].verdict).toBe('inconclusive');
    const { report, warnings } = rejudgeReport(forged);
    expect(report.endpoints[0].verdict).toBe('budget-exceeded');
    expect(warnings).toEqual([expect.stringMatching(/do not follow/)]);
  });

  test('errors and cancellation in the saved summary are kept: a report can only fail itself', () => {
    const saved = load('could-not-measure.json');
    const { report } = rejudgeReport(saved);
    expect(report.summary.cancelled).toBe(true);
    expect(report.summary.errors).toEqual(saved.summary.errors);
    expect(report.summary.passed).toBe(false);
  });
});
