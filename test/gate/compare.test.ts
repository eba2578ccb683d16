import { describe, expect, test } from '@jest/globals';
import type { EndpointConfig, Tolerance } from '../../src/config/types.js';
import { compareReports } from '../../src/gate/compare.js';
import { evaluateRun, type EndpointEvaluationInput } from '../../src/evaluate/evaluate.js';
import type { Measurement } from '../../src/measure/types.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { parseReport, validateReport } from '../../src/report/validate.js';
import { CREATED_AT, ENVIRONMENT, configFor } from '../support/reports.js';
import {
  NO_BASELINE,
  endpoint,
  lognormal,
  measurementOf,
  sequentialCapRecord,
} from '../support/measurements.js';

const TOL: Tolerance = { maxIncrease: 0.1, minDelta: 1 };
const RULES = {
  p50: TOL,
  p95: TOL,
  p99: { maxIncrease: 0.2, minDelta: 1 },
  mean: TOL,
  max: TOL,
  'error-rate': { maxIncrease: 0.5, minDelta: 0.005 },
};

const endpoints: EndpointConfig[] = [
  endpoint({ name: 'list products', budget: { p95: 150 }, regression: RULES, line: 20 }),
  endpoint({
    name: 'create order',
    method: 'POST',
    path: '/api/orders',
    budget: { 'min-rps': 50 },
    regression: RULES,
    line: 25,
  }),
  endpoint({ name: 'search', path: '/api/search?q=shoe', regression: RULES, line: 30 }),
  endpoint({
    name: 'new endpoint',
    path: '/api/new',
    budget: { p95: 100 },
    regression: RULES,
    line: 35,
  }),
];

// Base (main) and head (the pull request): one regression, one improvement, one unchanged, one new.
const base: Record<string, Measurement> = {
  'list products': measurementOf(lognormal(1, 3000, 80, 0.4), { errors: 3 }),
  'create order': measurementOf(lognormal(2, 1500, 150, 0.3)),
  search: measurementOf(lognormal(3, 2500, 60, 0.5), { errors: 5 }),
};
const head: Record<string, Measurement> = {
  'list products': measurementOf(lognormal(4, 3000, 104, 0.4), { errors: 4 }),
  'create order': measurementOf(lognormal(5, 1500, 110, 0.3)),
  search: measurementOf(lognormal(6, 2500, 61, 0.5), { errors: 40 }),
  'new endpoint': measurementOf(lognormal(7, 800, 40, 0.3)),
};
const confirmation = measurementOf(lognormal(8, 3000, 103, 0.4), { errors: 4 });

function reportOf(
  measurements: Record<string, Measurement>,
  createdAt: string,
  confirm?: Record<string, Measurement>,
): Report {
  const inputs: EndpointEvaluationInput[] = endpoints
    .filter((e) => measurements[e.name])
    .map((e) => ({
      endpoint: e,
      measurement: measurements[e.name],
      baseline: NO_BASELINE,
      confirmation: confirm?.[e.name],
    }));
  const evaluation = evaluateRun(inputs);
  return buildReport({
    tool: { name: 'perf-gate', version: '0.1.0' },
    createdAt,
    environment: ENVIRONMENT,
    config: configFor(endpoints.filter((e) => measurements[e.name])),
    endpoints: evaluation.endpoints,
    summary: evaluation.summary,
  });
}

describe('compareReports', () => {
  // Saved to disk and read back, as `perf-gate compare BASE.json HEAD.json` does.
  const roundTrip = (r: Report, file: string) => parseReport(JSON.stringify(r, null, 2), file);
  const baseReport = roundTrip(reportOf(base, '2025-03-13T08:00:00.000Z'), 'base.json');
  const headReport = roundTrip(
    reportOf(head, CREATED_AT, { 'list products': confirmation }),
    'head.json',
  );
  const compared = compareReports(baseReport, headReport);

  test('gives the same findings as judging the head against the base live, side by side', () => {
    const live = evaluateRun(
      endpoints.map((e) => ({
        endpoint: e,
        measurement: head[e.name],
        baseline: base[e.name]
          ? {
              kind: 'reference' as const,
              source: 'http://127.0.0.1:9090',
              measurement: base[e.name],
            }
          : { kind: 'none' as const, reason: `"${e.name}" is not in the base report` },
        confirmation: e.name === 'list products' ? confirmation : undefined,
      })),
    );
    expect(compared.endpoints.map((e) => e.findings)).toEqual(
      live.endpoints.map((e) => e.findings),
    );
    expect(compared.summary).toEqual(live.summary);
    // And the comparison found what the data holds (list products also regressed: see its findings).
    expect(
      compared.endpoints[0].findings.filter((f) => f.verdict === 'regression').length,
    ).toBeGreaterThan(0);
    expect(compared.endpoints.map((e) => e.verdict)).toEqual([
      'budget-exceeded',
      'improvement',
      'regression',
      'no-baseline',
    ]);
  });

  test('the base measurements become reference baselines, matched by name', () => {
    const [listProducts, , , newEndpoint] = compared.endpoints;
    expect(listProducts.baseline).toMatchObject({
      kind: 'reference',
      source: ENVIRONMENT.ci!.runUrl,
    });
    expect(
      listProducts.baseline.kind === 'reference' && listProducts.baseline.measurement.histogram,
    ).toBe(baseReport.endpoints[0].measurement.histogram);
    expect(listProducts.confirmation?.histogram).toBe(confirmation.histogram);
    expect(newEndpoint.baseline).toEqual({
      kind: 'none',
      reason: '"new endpoint" is not in the base report',
    });
  });

  test('the result is a valid report of the head run', () => {
    expect(validateReport(JSON.parse(JSON.stringify(compared))).valid).toBe(true);
    expect(compared.createdAt).toBe(CREATED_AT);
    expect(compared.config).toEqual(headReport.config);
    expect(compared.summary.passed).toBe(false);
  });

  test('judges by another budget file when given one', () => {
    const lenient = configFor(endpoints.map((e) => ({ ...e, regression: false, budget: {} })));
    const result = compareReports(baseReport, headReport, {
      config: lenient,
      createdAt: '2025-03-15T00:00:00.000Z',
    });
    expect(result.endpoints.every((e) => e.findings.length === 0)).toBe(true);
    expect(result.summary.passed).toBe(true);
    expect(result.createdAt).toBe('2025-03-15T00:00:00.000Z');
  });

  test('an endpoint without rules is an error that says how to fix it', () => {
    const other = configFor([endpoints[0]]);
    expect(() =>
      compareReports(baseReport, headReport, { config: { ...other, file: 'other.yml' } }),
    ).toThrow(
      'endpoint "create order" of the head report has no rules in other.yml; compare reports written from the same budget file, or pass the budget file that names it',
    );
  });

  test('a breach the head run left unconfirmed at its cap is judged afresh against the base', () => {
    // The head's flag was about its own reference; against the base report it means nothing.
    const flagged = structuredClone(headReport);
    const list = flagged.endpoints.find((e) => e.name === 'list products')!;
    list.measurement.adaptive = sequentialCapRecord();
    const again = compareReports(baseReport, flagged);
    const verdictsOf = (r: Report) =>
      r.endpoints[0].findings.map((f) => [f.metric, f.verdict, f.breaches]);
    expect(verdictsOf(again)).toEqual(verdictsOf(compared));
    expect(again.endpoints[0].verdict).toBe('budget-exceeded');
  });

  test('keeps the head run’s errors and cancellation', () => {
    const cancelled = {
      ...headReport,
      summary: { ...headReport.summary, cancelled: true, errors: [{ message: 'x' }] },
    };
    expect(compareReports(baseReport, cancelled).summary).toMatchObject({
      cancelled: true,
      errors: [{ message: 'x' }],
      passed: false,
    });
  });
});
