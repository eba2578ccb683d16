import { DEFAULT_CONFIDENCE, type EndpointConfig } from '../config/types.js';
import {
  BUDGET_METRICS,
  LATENCY_METRICS,
  QUANTILES,
  type BudgetMetric,
  type RegressionMetric,
} from '../units/metrics.js';
import type { Baseline } from '../baseline/types.js';
import { generatorSaturated, SATURATED_WARNING } from '../measure/saturation.js';
import type { Measurement } from '../measure/types.js';
import { seedFrom } from './stats.js';
import { summarizeBaseline } from './baseline-summary.js';
import { checkBudget, checkPercentileBudget, type BudgetCheck } from './budgets.js';
import {
  breachVerdict,
  confirm,
  confirmationAgainst,
  unconfirmedFinding,
  unconfirmedRecord,
} from './confirmation.js';
import {
  bootstrapMinimum,
  HistogramCache,
  intervalOf,
  metricValue,
  noSamples,
  percentileEvidence,
} from './evidence.js';
import { checkRegression, type RegressionCheck } from './regressions.js';
import type { EvaluateOptions } from './significance.js';
import {
  VERDICT_SEVERITY,
  type EndpointResult,
  type Finding,
  type RunError,
  type Summary,
  type Verdict,
} from './types.js';

// The folder's public face: what evaluating needs from its parts, under the names it always had.
export { TREND_PERIODS } from './baseline-summary.js';
export { needsConfirmation } from './confirmation.js';
export { bootstrapMinimum, metricValue } from './evidence.js';
export { MIN_PERIODS_FOR_BOUND } from './regressions.js';
export { MIN_ROUND_PAIRS, type EvaluateOptions } from './significance.js';

/**
 * Verdicts (docs/architecture.md §4, §5): budgets, regressions against a baseline, significance, sample
 * sufficiency and confirmation. Pure: measurements and baselines in, findings out. This file
 * composes them; each concern has its file: evidence.ts (what a measurement says), budgets.ts,
 * regressions.ts, significance.ts, confirmation.ts, sentences.ts (the words of a reason),
 * baseline-summary.ts.
 */

/** What evaluation reads from an endpoint's configuration (a report's config has exactly this). */
export type EndpointRules = Pick<
  EndpointConfig,
  'name' | 'method' | 'path' | 'line' | 'budget' | 'regression' | 'confidence'
>;

export interface EndpointEvaluationOptions extends EvaluateOptions {
  /** The re-measurement of a breaching endpoint (docs/architecture.md §5). */
  confirmation?: Measurement;
  /** The baseline to judge the confirmation against (a re-measured reference); default: `baseline`. */
  confirmationBaseline?: Baseline;
}

/**
 * The metrics an endpoint is judged on: its budget's and its regression rules', in a fixed order.
 * With no baseline set up at all, the regression rules have nothing to judge and only the
 * budget's metrics are findings (docs/architecture.md §5).
 */
export function evaluatedMetrics(endpoint: EndpointRules, baseline?: Baseline): BudgetMetric[] {
  const compares = endpoint.regression !== false && !unconfigured(baseline);
  return BUDGET_METRICS.filter(
    (metric) =>
      endpoint.budget[metric] !== undefined ||
      (compares &&
        endpoint.regression !== false &&
        metric !== 'min-rps' &&
        endpoint.regression[metric] !== undefined),
  );
}

/** No baseline is set up for the endpoint (not one set up without data). */
function unconfigured(baseline: Baseline | undefined): boolean {
  return baseline?.kind === 'none' && baseline.configured === false;
}

export function evaluateEndpoint(
  endpoint: EndpointRules,
  measurement: Measurement,
  baseline: Baseline,
  options: EndpointEvaluationOptions = {},
): EndpointResult {
  const findings = unreliableWhenSaturated(
    judge(endpoint, measurement, baseline, options),
    measurement,
  );
  const result: EndpointResult = {
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path,
    line: endpoint.line,
    measurement,
    baseline: summarizeBaseline(baseline, options.confidence ?? 0.95, options.keepRoundPairs),
    findings,
    verdict: 'pass',
  };
  if (options.confirmation) {
    const againstBaseline = confirmationAgainst(baseline, options.confirmationBaseline);
    const second = unreliableWhenSaturated(
      judge(endpoint, options.confirmation, againstBaseline, options),
      options.confirmation,
    );
    result.findings = findings.map((first, i) => confirm(first, second[i]));
    result.confirmation = options.confirmation;
    if (
      options.confirmationBaseline?.kind === 'reference' &&
      result.baseline.kind === 'reference'
    ) {
      result.baseline.confirmation = options.confirmationBaseline.measurement;
    }
  }
  if (unconfirmedRecord(measurement)) result.findings = result.findings.map(unconfirmedFinding);
  result.verdict = worstVerdict(result.findings.map((f) => f.verdict));
  return result;
}

export interface EndpointEvaluationInput {
  endpoint: EndpointRules;
  measurement: Measurement;
  baseline: Baseline;
  confirmation?: Measurement;
  confirmationBaseline?: Baseline;
}

export interface RunEvaluationOptions extends EvaluateOptions {
  /** `baseline.required` in the budget file: an endpoint without a baseline is a run error. */
  baselineRequired?: boolean;
  cancelled?: boolean;
  /** Errors from measuring (endpoints that could not be measured, ...). */
  errors?: RunError[];
}

export interface RunEvaluation {
  endpoints: EndpointResult[];
  summary: Summary;
}

export function evaluateRun(
  inputs: readonly EndpointEvaluationInput[],
  options: RunEvaluationOptions = {},
): RunEvaluation {
  const errors = [...(options.errors ?? [])];
  const endpoints = inputs.map((input) => {
    if (options.baselineRequired && input.baseline.kind === 'none') {
      errors.push({
        endpoint: input.endpoint.name,
        message: `${input.endpoint.name}: the budget file requires a baseline, but there is none (${input.baseline.reason})`,
      });
    }
    return evaluateEndpoint(input.endpoint, input.measurement, input.baseline, {
      ...options,
      confirmation: input.confirmation,
      confirmationBaseline: input.confirmationBaseline,
    });
  });
  return { endpoints, summary: summarizeRun(endpoints, { cancelled: options.cancelled, errors }) };
}

/** Counts findings into the run summary; `passed` ignores `fail-on` (docs/architecture.md §2). */
export function summarizeRun(
  endpoints: readonly EndpointResult[],
  extra: { cancelled?: boolean; errors?: RunError[] } = {},
): Summary {
  const findings = endpoints.flatMap((e) => e.findings);
  const count = (test: (f: Finding) => boolean) => findings.filter(test).length;
  const summary: Summary = {
    endpoints: endpoints.length,
    violations: count((f) => f.breaches.includes('budget')),
    regressions: count((f) => f.breaches.includes('regression')),
    improvements: count((f) => f.verdict === 'improvement'),
    inconclusive: count((f) => f.verdict === 'inconclusive'),
    noBaseline: count((f) => f.verdict === 'no-baseline'),
    passed: false,
  };
  if (extra.cancelled) summary.cancelled = true;
  if (extra.errors && extra.errors.length > 0) summary.errors = extra.errors;
  summary.passed =
    summary.violations === 0 && summary.regressions === 0 && !summary.cancelled && !summary.errors;
  return summary;
}

export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return VERDICT_SEVERITY.find((v) => verdicts.includes(v)) ?? 'pass';
}

function judge(
  endpoint: EndpointRules,
  measurement: Measurement,
  baseline: Baseline,
  options: EvaluateOptions,
): Finding[] {
  const histograms = new HistogramCache();
  const confidence = verdictConfidence(endpoint.confidence ?? DEFAULT_CONFIDENCE, measurement);
  return evaluatedMetrics(endpoint, baseline).map((metric) => {
    const current = metricValue(measurement, metric);
    const finding: Finding = { metric, verdict: 'pass', breaches: [], current, reason: '' };
    const limit = endpoint.budget[metric];
    if (limit !== undefined) finding.budget = limit;
    const q = QUANTILES[metric];
    const required = q === undefined ? undefined : bootstrapMinimum(q);
    const shortOf = noSamples(metric, measurement);
    const percentile =
      q === undefined || shortOf
        ? undefined
        : percentileEvidence(metric, current, q, confidence, histograms.get(measurement));

    let budget: BudgetCheck | undefined;
    if (limit !== undefined) {
      budget = percentile
        ? checkPercentileBudget(percentile, limit)
        : checkBudget(metric, current, limit, shortOf);
      if (percentile) finding.interval = intervalOf(percentile, budget.moreRequests);
    }
    const tolerance =
      endpoint.regression === false || metric === 'min-rps' || unconfigured(baseline)
        ? undefined
        : endpoint.regression[metric];
    const regression =
      tolerance === undefined
        ? undefined
        : checkRegression(metric as RegressionMetric, tolerance, measurement, baseline, {
            ...options,
            // Sequential side by side (sequential-abba.ts): judged at the level of its last look.
            ...(measurement.adaptive?.regressionConfidence !== undefined
              ? { confidence: measurement.adaptive.regressionConfidence }
              : {}),
            shortOf,
            quantileConfidence: confidence,
            required,
            percentile,
            histograms,
            seed: seedFrom(`${endpoint.name}\u0000${metric}`, options.seed ?? 0),
          });

    if (regression) {
      if (regression.baseline !== undefined) finding.baseline = regression.baseline;
      if (regression.change !== undefined) finding.change = regression.change;
      if (regression.delta !== undefined) finding.delta = regression.delta;
      if (regression.significance) finding.significance = regression.significance;
      if (regression.interval && !finding.interval) finding.interval = regression.interval;
    }
    if (budget?.outcome === 'exceeded') finding.breaches.push('budget');
    if (regression?.outcome === 'regression') finding.breaches.push('regression');
    finding.verdict = worstVerdict([
      budget?.outcome === 'exceeded'
        ? 'budget-exceeded'
        : budget?.outcome === 'inconclusive'
          ? 'inconclusive'
          : 'pass',
      // A budget that holds is a verdict in itself: without a baseline the metric still passes
      // (the reason says there was nothing to compare with); `no-baseline` is for metrics
      // judged by a regression rule alone.
      regression?.outcome === 'no-baseline' && budget?.outcome === 'pass'
        ? 'pass'
        : (regression?.outcome ?? 'pass'),
    ]);
    finding.reason = joinReasons(finding.verdict, budget, regression);
    return finding;
  });
}

/**
 * The confidence a measurement's percentiles are judged at: an adaptive measurement's bounds are
 * those of the look it stopped at (evaluate/sequential.ts), stricter than the endpoint's own, so
 * the verdict is the one that stopped it. A recorded confidence below the endpoint's is not taken.
 */
export function verdictConfidence(confidence: number, measurement: Measurement): number {
  const recorded = measurement.adaptive?.confidence;
  if (recorded === undefined || !(recorded < 1)) return confidence;
  return Math.max(confidence, recorded);
}

function joinReasons(
  verdict: Verdict,
  budget: BudgetCheck | undefined,
  regression: RegressionCheck | undefined,
): string {
  // The reason that decided the verdict comes first; the other follows when it says something.
  const parts: string[] = [];
  const budgetDecides =
    verdict === 'budget-exceeded' ||
    (verdict === 'inconclusive' && budget?.outcome === 'inconclusive');
  if (budgetDecides && budget) parts.push(budget.reason);
  if (regression && !(budgetDecides && regression.outcome === 'inconclusive'))
    parts.push(regression.reason);
  if (!budgetDecides && budget) parts.push(budget.reason);
  return parts.join('; ');
}

/**
 * A latency budget breach measured by a saturated load generator (SPEC §4) is not failed on that
 * run: the latencies include the generator's own queueing. It is `inconclusive`, saying why, and
 * so not measured again either: the same connections would saturate the generator again.
 */
export function unreliableWhenSaturated(findings: Finding[], measurement: Measurement): Finding[] {
  // Decided again from the figures, not taken from the flag (a saved report is evidence).
  const generator = measurement.generator;
  if (!generator || !generatorSaturated({ ...generator, latencyP50Ms: measurement.latency.p50 }))
    return findings;
  return findings.map((finding) => {
    if (!isLatencyMetric(finding.metric) || !finding.breaches.includes('budget')) return finding;
    const breaches = finding.breaches.filter((b) => b !== 'budget');
    return {
      ...finding,
      breaches,
      verdict: breaches.length > 0 ? breachVerdict(breaches) : 'inconclusive',
      reason: `${finding.reason}; not failed: ${SATURATED_WARNING}`,
    };
  });
}

function isLatencyMetric(metric: BudgetMetric): boolean {
  return (LATENCY_METRICS as readonly string[]).includes(metric);
}
