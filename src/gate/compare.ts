import type { Baseline } from '../baseline/types.js';
import type { Config } from '../config/types.js';
import { withoutUnconfirmed } from '../evaluate/confirmation.js';
import {
  assembleReport,
  reportConfigFrom,
  type Report,
  type ReportEnvironment,
} from '../report/report.js';
import {
  evaluateRun,
  type EndpointEvaluationInput,
  type EndpointRules,
  type EvaluateOptions,
} from '../evaluate/evaluate.js';

/**
 * `perf-gate compare BASE.json HEAD.json`: the base report's measurements become `reference`
 * baselines for the head report's endpoints (matched by name), judged exactly as a live
 * side-by-side run would judge them. Pure: reports in, report out.
 */

export interface CompareOptions extends EvaluateOptions {
  /** The rules to judge by (e.g. today's budget file); default: the head report's config. */
  config?: Config;
  /** Default: the head report's. */
  createdAt?: string;
  environment?: ReportEnvironment;
  tool?: { name: string; version: string };
}

export function compareReports(base: Report, head: Report, options: CompareOptions = {}): Report {
  const rulesByName = new Map<string, EndpointRules>(
    (options.config?.endpoints ?? head.config.endpoints).map((e) => [e.name, e]),
  );
  const baseByName = new Map(base.endpoints.map((e) => [e.name, e]));
  const source = base.environment.ci?.runUrl ?? `base report of ${base.createdAt}`;

  const inputs: EndpointEvaluationInput[] = head.endpoints.map((endpoint) => {
    const rules = rulesByName.get(endpoint.name);
    if (!rules) {
      throw new Error(
        `endpoint "${endpoint.name}" of the head report has no rules in ${options.config ? options.config.file : "the head report's config"}; compare reports written from the same budget file, or pass the budget file that names it`,
      );
    }
    const before = baseByName.get(endpoint.name);
    const baseline: Baseline = before
      ? { kind: 'reference', source, measurement: before.measurement, saved: true }
      : { kind: 'none', reason: `"${endpoint.name}" is not in the base report` };
    const input: EndpointEvaluationInput = {
      // Position in the file comes from the report; the rules may come from a newer file.
      endpoint: { ...rules, method: endpoint.method, path: endpoint.path, line: rules.line },
      // The head run's "breach unconfirmed at the cap" was about its own reference; against
      // the base report every breach is judged afresh.
      measurement: withoutUnconfirmed(endpoint.measurement),
      baseline,
    };
    if (endpoint.confirmation) input.confirmation = endpoint.confirmation;
    return input;
  });

  const evaluation = evaluateRun(inputs, {
    confidence: options.confidence,
    iterations: options.iterations,
    seed: options.seed,
    cancelled: head.summary.cancelled,
    errors: head.summary.errors,
  });
  return assembleReport({
    tool: options.tool ?? head.tool,
    createdAt: options.createdAt ?? head.createdAt,
    environment: options.environment ?? head.environment,
    gateId: options.config?.id ?? head.gateId,
    config: options.config ? reportConfigFrom(options.config) : head.config,
    secrets: options.config?.secrets ?? [],
    endpoints: evaluation.endpoints,
    summary: evaluation.summary,
  });
}
