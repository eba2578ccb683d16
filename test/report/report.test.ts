import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateRun } from '../../src/evaluate/evaluate.js';
import { decodeHistogram } from '../../src/measure/histogram.js';
import type { Measurement } from '../../src/measure/types.js';
import {
  buildReport,
  environmentFrom,
  reportMeasurement,
  type Report,
} from '../../src/report/report.js';
import { maskText } from '../../src/secrets/secrets.js';
import { parseReport, validateReport } from '../../src/report/validate.js';
import { NO_BASELINE, endpoint, lognormal, measurementOf } from '../support/measurements.js';
import { SCENARIO_NAMES, SCENARIOS } from '../fixtures/reports/scenarios.js';
import { CREATED_AT, ENVIRONMENT, SECRET, configFor } from '../support/reports.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'reports');
const readFixture = (name: string) => readFileSync(join(fixtures, `${name}.json`), 'utf8');
const built = Object.fromEntries(SCENARIO_NAMES.map((name) => [name, SCENARIOS[name]()])) as Record<
  string,
  Report
>;

describe('fixture reports', () => {
  test.each(SCENARIO_NAMES.filter((n) => n !== 'many-endpoints'))(
    '%s.json is what the code builds today',
    (name) => {
      // If this fails after a deliberate change, run `npx tsx test/fixtures/reports/generate.ts` and review the diff.
      expect(JSON.parse(readFixture(name))).toEqual(JSON.parse(JSON.stringify(built[name])));
    },
  );

  test.each(SCENARIO_NAMES)('%s validates against schemas/report.schema.json', (name) => {
    const result = validateReport(JSON.parse(JSON.stringify(built[name])));
    expect(result.valid ? [] : result.errors).toEqual([]);
  });
});

describe('buildReport', () => {
  const report = built['all-pass'];
  const json = JSON.stringify(report);

  test('never holds a header value, a body or an interpolated secret', () => {
    for (const name of SCENARIO_NAMES) expect(JSON.stringify(built[name])).not.toContain(SECRET);
    expect(json).not.toContain('Bearer');
    expect(json).not.toContain('"sku"');
    const order = report.config.endpoints.find((e) => e.name === 'create order')!;
    expect(order.headers).toEqual(['authorization', 'content-type']);
    expect(order.body).toBe(true);
    expect(order.expectStatus).toEqual([201]);
    expect(report.config.target.headers).toEqual(['authorization']);
  });

  test('masks secrets inside any text, e.g. an error message with a URL', () => {
    const errors = built['could-not-measure'].summary.errors!;
    expect(errors[0].message).toBe(
      'create order: POST https://preview-42.shop.example/api/orders?token=***: connect ECONNREFUSED',
    );
  });

  test('strips URL credentials and masks longer secrets first', () => {
    expect(maskText('see https://user:pa55@host.example/x and ftp://a@b', [])).toBe(
      'see https://***@host.example/x and ftp://***@b',
    );
    expect(maskText('token abc-123-xyz and abc', ['abc', 'abc-123-xyz'])).toBe('token *** and ***');
    expect(maskText('nothing to hide', [''])).toBe('nothing to hide');
  });

  test('leaves histograms and timestamps intact even when a secret could match them', () => {
    const m = measurementOf(lognormal(1, 500, 50, 0.3));
    const evaluation = evaluateRun([
      { endpoint: endpoint({ budget: { p95: 100 } }), measurement: m, baseline: NO_BASELINE },
    ]);
    const config = { ...configFor([endpoint()]), secrets: [m.histogram.slice(10, 16), '2025'] };
    const r = buildReport({
      tool: { name: 'perf-gate', version: '0.1.0' },
      createdAt: CREATED_AT,
      environment: ENVIRONMENT,
      config,
      endpoints: evaluation.endpoints,
      summary: evaluation.summary,
    });
    expect(r.endpoints[0].measurement.histogram).toBe(m.histogram);
    expect(decodeHistogram(r.endpoints[0].measurement.histogram).totalCount).toBe(500);
    expect(r.createdAt).toBe(CREATED_AT);
    expect(validateReport(JSON.parse(JSON.stringify(r))).valid).toBe(true);
  });

  test('keeps only the measurement fields the schema knows', () => {
    const m = { ...measurementOf([1, 2, 3]), debugSocket: 'x' } as Measurement;
    expect(reportMeasurement(m)).not.toHaveProperty('debugSocket');
    expect(
      Object.keys(reportMeasurement({ ...m, uncorrectedHistogram: m.histogram, cancelled: true })),
    ).toEqual(expect.arrayContaining(['uncorrectedHistogram', 'cancelled']));
  });

  test('keeps the confirmation and the reference measurement', () => {
    const r = built.regressions;
    expect(r.endpoints[0].confirmation).toBeDefined();
    expect(r.endpoints[0].baseline).toMatchObject({
      kind: 'reference',
      source: 'https://shop.example',
    });
    expect(
      r.endpoints[0].baseline.kind === 'reference' && r.endpoints[0].baseline.measurement.requests,
    ).toBe(3000);
  });
});

describe('environmentFrom', () => {
  test('on GitHub Actions: runner, node and a link to the run', () => {
    expect(
      environmentFrom({
        env: {
          GITHUB_ACTIONS: 'true',
          RUNNER_OS: 'Linux',
          RUNNER_ARCH: 'X64',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'acme/shop',
          GITHUB_RUN_ID: '42',
          GITHUB_RUN_ATTEMPT: '2',
          GITHUB_SHA: 'abc',
          GITHUB_REF: 'refs/heads/main',
          GITHUB_EVENT_NAME: 'push',
        },
        platform: 'linux',
        arch: 'x64',
        nodeVersion: 'v24.1.0',
      }),
    ).toEqual({
      runner: { os: 'Linux', arch: 'X64' },
      node: 'v24.1.0',
      ci: {
        provider: 'github-actions',
        runUrl: 'https://github.com/acme/shop/actions/runs/42/attempts/2',
        repository: 'acme/shop',
        sha: 'abc',
        ref: 'refs/heads/main',
        event: 'push',
      },
    });
  });

  test('on a laptop: the platform only', () => {
    expect(
      environmentFrom({ env: {}, platform: 'darwin', arch: 'arm64', nodeVersion: 'v24.0.0' }),
    ).toEqual({
      runner: { os: 'darwin', arch: 'arm64' },
      node: 'v24.0.0',
    });
  });
});

describe('validateReport and parseReport', () => {
  const good = () => JSON.parse(readFixture('regressions')) as Record<string, unknown>;

  test.each([
    [
      'a missing summary',
      (r: Record<string, unknown>) => delete r.summary,
      '(top level): missing "summary"',
    ],
    [
      'an unknown key',
      (r: Record<string, unknown>) => (r.extra = 1),
      '(top level): unknown key "extra"',
    ],
    [
      'an unknown verdict',
      (r: Record<string, unknown>) => ((r.endpoints as { verdict: string }[])[0].verdict = 'meh'),
      '/endpoints/0/verdict: must be equal to one of the allowed values',
    ],
    [
      'a header value smuggled into the config',
      (r: Record<string, unknown>) =>
        ((r.config as { target: { headers: unknown } }).target.headers = { authorization: 'x' }),
      '/config/target/headers: must be array',
    ],
    [
      'a histogram that is not base64',
      (r: Record<string, unknown>) =>
        ((r.endpoints as { measurement: { histogram: string } }[])[0].measurement.histogram =
          '<x>'),
      '/endpoints/0/measurement/histogram: must match pattern',
    ],
  ])('rejects %s', (_name, mutate, message) => {
    const r = good();
    mutate(r);
    const result = validateReport(r);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.errors.join('\n')).toContain(message);
  });

  test('parseReport names the file and every problem', () => {
    expect(() => parseReport('{', 'base.json')).toThrow(
      /^base\.json: not a perf-gate report: invalid JSON/,
    );
    expect(() => parseReport('{"a":1}', 'base.json')).toThrow(
      'base.json: not a perf-gate report: no schemaVersion',
    );
    expect(() => parseReport('{"schemaVersion":3}', 'head.json')).toThrow(
      'head.json: report schemaVersion 3 is not supported; this perf-gate reads version 2',
    );
    // Version 1's percentile verdicts came from the old sample-count rule: refused, saying why.
    expect(() =>
      parseReport(
        readFixture('cloudwatch').replace('"schemaVersion": 2', '"schemaVersion": 1'),
        'old.json',
      ),
    ).toThrow(
      'old.json: report schemaVersion 1 was written by perf-gate 0.1, whose percentile verdicts came from a fixed sample-count rule; this perf-gate reads version 2 only: measure again with this version (see docs/report-format.md)',
    );
    expect(() => parseReport('{"schemaVersion":2}', 'head.json')).toThrow(
      /^head\.json: not a valid perf-gate report:\n {2}\(top level\): missing "tool"/,
    );
  });

  test('parseReport returns a valid report unchanged', () => {
    expect(parseReport(readFixture('cloudwatch'), 'cloudwatch.json')).toEqual(
      JSON.parse(readFixture('cloudwatch')),
    );
  });
});
