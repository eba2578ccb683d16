import type { Config, EndpointConfig } from '../../src/config/types.js';
import { evaluateRun, type EndpointEvaluationInput } from '../../src/evaluate/evaluate.js';
import { buildReport, type Report, type ReportEnvironment } from '../../src/report/report.js';
import { NO_BASELINE, endpoint, measurementOf, mix } from './measurements.js';

/**
 * Reports built the way a run builds them (evaluation, then buildReport) with a fixed time,
 * environment and budget file, for the report and rendering tests and the fixture reports.
 */

export const CREATED_AT = '2025-03-14T09:26:53.000Z';
export const SECRET = 's3cr3t-token-value';

export const ENVIRONMENT: ReportEnvironment = {
  runner: { os: 'Linux', arch: 'X64' },
  node: 'v24.1.0',
  ci: {
    provider: 'github-actions',
    runUrl: 'https://github.com/acme/shop/actions/runs/123456789/attempts/1',
    repository: 'acme/shop',
    sha: '0123456789abcdef0123456789abcdef01234567',
    ref: 'refs/pull/42/merge',
    event: 'pull_request',
  },
};

export function configFor(endpoints: EndpointConfig[], id = 'api'): Config {
  return {
    version: 1,
    id,
    file: 'perf-budget.yml',
    target: {
      url: 'https://preview-42.shop.example',
      headers: { authorization: `Bearer ${SECRET}` },
      ready: { url: 'https://preview-42.shop.example/healthz', timeoutMs: 300_000 },
    },
    baseline: { required: false },
    confirm: true,
    endpoints,
    secrets: [SECRET],
  };
}

/** The report of a run that measured `inputs`: evaluated with `options`, gate `id`. */
export function reportFrom(
  inputs: EndpointEvaluationInput[],
  options: Parameters<typeof evaluateRun>[1] & { id?: string } = {},
): Report {
  const { id, ...evaluationOptions } = options;
  const evaluation = evaluateRun(inputs, evaluationOptions);
  return buildReport({
    tool: { name: 'perf-gate', version: '0.1.0' },
    createdAt: CREATED_AT,
    environment: ENVIRONMENT,
    config: configFor(
      inputs.map((i) => i.endpoint as EndpointConfig),
      id,
    ),
    endpoints: evaluation.endpoints,
    summary: evaluation.summary,
  });
}

/**
 * One endpoint per name (path `/<name>` unless `pathOf` says otherwise), each with a 50 ms p95
 * budget, 300 requests at 40 ms, 60 ms, 80 ms…: the report the hostile-name tests render.
 */
export function reportNaming(
  names: readonly string[],
  pathOf: (name: string, i: number) => string = (name) => `/${name}`,
): Report {
  return reportFrom(
    names.map((name, i) => ({
      endpoint: endpoint({ name, path: pathOf(name, i), budget: { p95: 50 }, line: i + 1 }),
      measurement: measurementOf(mix([300, 40 + i * 20])),
      baseline: NO_BASELINE,
    })),
  );
}
