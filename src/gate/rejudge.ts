import type { Baseline } from '../baseline/types.js';
import type { Config } from '../config/types.js';
import { assembleReport, reportConfigFrom, type Report } from '../report/report.js';
import {
  MIN_ROUND_PAIRS,
  evaluateRun,
  summarizeRun,
  worstVerdict,
  type EndpointEvaluationInput,
  type EndpointRules,
  type EvaluateOptions,
} from '../evaluate/evaluate.js';
import { unconfirmedRecord, withoutUnconfirmed } from '../evaluate/confirmation.js';
import type {
  BaselineSummary,
  EndpointResult,
  Finding,
  RunError,
  Summary,
} from '../evaluate/types.js';

/**
 * A saved report is evidence, not a verdict (SPEC §8): the `report` input judges its
 * measurements again by trusted rules (the budget file of the job that reads it, typically the
 * base branch's; the report's own rules only when there is none), and a summary or verdict that
 * disagrees with the measurements is replaced, with a warning. Pure: report and rules in.
 */

export interface RejudgeOptions extends EvaluateOptions {
  /** The trusted rules; absent: the rules the report carries. */
  config?: Config;
}

export interface Rejudged {
  report: Report;
  /** What a person should know: disagreements, endpoints judged by the report's own rules. */
  warnings: string[];
}

/**
 * The baseline to judge against, from what the report kept. A reference deployment's
 * measurement is evidence like the candidate's, and regressions against it are judged again
 * when the request-level test decided them alone (fewer than MIN_ROUND_PAIRS round pairs, as in
 * `compare`). The round pairs of a side-by-side run and CloudWatch's history are not kept in a
 * report, so regressions judged over them cannot be judged again (judged without them, 3 of 4
 * A/A side-by-side reports came out differently).
 */
function baselineOf(summary: BaselineSummary): {
  baseline: Baseline;
  again?: Baseline;
  /** The saved findings against this baseline stand (see keepBaselineFindings). */
  keep?: boolean;
} {
  if (summary.kind === 'reference' && (summary.roundPairs?.length ?? 0) >= MIN_ROUND_PAIRS) {
    // A shard's report, or a merge of them (gate/shards.ts): the round pairs are kept, so the
    // regressions are judged again over them exactly as in the run.
    return {
      baseline: {
        kind: 'reference',
        source: summary.source,
        measurement: summary.measurement,
        rounds: summary.roundPairs,
      },
    };
  }
  if (summary.kind === 'reference' && (summary.rounds ?? 0) >= MIN_ROUND_PAIRS) {
    return {
      baseline: {
        kind: 'none',
        reason: `the saved report does not keep the ${summary.rounds} round pairs its regressions against ${summary.source} were judged over`,
      },
      keep: true,
    };
  }
  if (summary.kind === 'reference') {
    const baseline: Baseline = {
      kind: 'reference',
      source: summary.source,
      measurement: summary.measurement,
    };
    const again: Baseline | undefined = summary.confirmation
      ? { kind: 'reference', source: summary.source, measurement: summary.confirmation }
      : undefined;
    return { baseline, again };
  }
  if (summary.kind === 'cloudwatch') {
    return {
      baseline: {
        kind: 'none',
        reason: `the saved report does not keep the ${summary.store === 'github' ? '' : 'CloudWatch '}history of ${summary.source}, so regressions against it are not judged again`,
      },
      keep: true,
    };
  }
  return {
    baseline: {
      kind: 'none',
      reason: summary.reason,
      ...(summary.configured === false ? { configured: false as const } : {}),
    },
  };
}

/**
 * An endpoint whose baseline evidence the report does not hold (CloudWatch history, side-by-side
 * round pairs): budgets are judged again (above, with no baseline), and the saved findings
 * against the baseline stand where the baseline decided them. A saved regression can only fail
 * the gate, so keeping it trusts the report in the one direction that is safe; a saved pass only
 * replaces "no baseline".
 */
function keepBaselineFindings(judged: EndpointResult, saved: EndpointResult): EndpointResult {
  const findings = judged.findings.map((finding): Finding => {
    const before = saved.findings.find((f) => f.metric === finding.metric);
    const regressed = before?.breaches.includes('regression') ?? false;
    // The budget, judged again, decides whenever it fails or cannot tell.
    if (finding.breaches.length > 0 || finding.verdict === 'inconclusive') {
      if (!regressed || finding.breaches.includes('regression')) return finding;
      return { ...finding, breaches: [...finding.breaches, 'regression'] };
    }
    if (!before) return finding;
    // The budget holds: the saved verdict against the baseline stands, never a budget breach
    // the measurements do not bear out.
    // (A metric with no budget is "no baseline" here: the saved verdict is all there is.)
    // After a sequential run whose breach at the last look went unconfirmed, a saved
    // `inconclusive` may be that breach against the baseline; it stands (it never fails).
    const budgetClaim =
      before.verdict === 'budget-exceeded' ||
      (before.verdict === 'inconclusive' &&
        finding.verdict !== 'no-baseline' &&
        !unconfirmedRecord(judged.measurement));
    const verdict = budgetClaim ? (regressed ? 'regression' : finding.verdict) : before.verdict;
    return { ...before, breaches: regressed ? ['regression'] : [], verdict };
  });
  return {
    ...judged,
    baseline: saved.baseline,
    findings,
    verdict: worstVerdict(findings.map((f) => f.verdict)),
  };
}

function describe(s: Summary): string {
  return `${s.passed ? 'passed' : 'failed'}, ${s.violations} budget violation(s), ${s.regressions} regression(s)`;
}

export function rejudgeReport(saved: Report, options: RejudgeOptions = {}): Rejudged {
  const { config } = options;
  const warnings: string[] = [];
  const trusted = new Map<string, EndpointRules>((config?.endpoints ?? []).map((e) => [e.name, e]));
  const own = new Map<string, EndpointRules>(saved.config.endpoints.map((e) => [e.name, e]));
  const errors: RunError[] = [...(saved.summary.errors ?? [])];
  // A breach unconfirmed at the cap does not count only where the rules ask for confirmation.
  const confirming = config ? config.confirm : saved.config.confirm;
  const ownRules: string[] = [];
  const kept = new Set<string>();

  const inputs: EndpointEvaluationInput[] = [];
  for (const endpoint of saved.endpoints) {
    let rules = config ? trusted.get(endpoint.name) : own.get(endpoint.name);
    if (!rules && config) {
      rules = own.get(endpoint.name);
      if (rules) ownRules.push(endpoint.name);
    }
    if (!rules) {
      errors.push({
        endpoint: endpoint.name,
        message: `"${endpoint.name}" is in the saved report but has no rules in ${config ? config.file : "the report's config"}`,
      });
      continue;
    }
    const { baseline, again, keep } = baselineOf(endpoint.baseline);
    if (keep) kept.add(endpoint.name);
    // The record's `unconfirmed` switches breaches off, so it is honoured only where a run could
    // have set it: the trusted rules confirm breaches, and the baseline was a reference
    // deployment measured side by side. Anywhere else a saved report cannot use it.
    const sideBySide = endpoint.baseline.kind === 'reference';
    const input: EndpointEvaluationInput = {
      endpoint: { ...rules, method: endpoint.method, path: endpoint.path },
      measurement:
        confirming && sideBySide ? endpoint.measurement : withoutUnconfirmed(endpoint.measurement),
      baseline,
    };
    if (endpoint.confirmation) input.confirmation = endpoint.confirmation;
    if (again) input.confirmationBaseline = again;
    inputs.push(input);
  }
  if (config) {
    const measured = new Set(saved.endpoints.map((e) => e.name));
    for (const e of config.endpoints) {
      if (measured.has(e.name)) continue;
      errors.push({
        endpoint: e.name,
        message: `"${e.name}" (${config.file}:${e.line}) is not in the saved report: it was not measured, so the gate cannot pass`,
      });
    }
  }
  if (ownRules.length > 0) {
    warnings.push(
      `${ownRules.map((n) => `"${n}"`).join(', ')} ${ownRules.length === 1 ? 'is' : 'are'} not in ${config!.file}: judged by the rules the saved report carries`,
    );
  }

  const evaluation = evaluateRun(inputs, {
    confidence: options.confidence,
    iterations: options.iterations,
    seed: options.seed,
    keepRoundPairs: options.keepRoundPairs,
    baselineRequired: config?.baseline.required ?? saved.config.baseline.required,
    cancelled: saved.summary.cancelled,
    errors,
  });
  const endpoints = evaluation.endpoints.map((e) => {
    const before = saved.endpoints.find((s) => s.name === e.name);
    return before && kept.has(e.name) ? keepBaselineFindings(e, before) : e;
  });
  const before = saved.summary;
  const after = summarizeRun(endpoints, { cancelled: saved.summary.cancelled, errors });
  // An endpoint differs when its verdict or any finding's verdict or breaches do.
  const verdicts = (e: EndpointResult) =>
    JSON.stringify([
      e.verdict,
      e.findings.map((f) => [f.metric, f.verdict, [...f.breaches].sort()]),
    ]);
  const changed = endpoints.filter((e) => {
    const before = saved.endpoints.find((s) => s.name === e.name);
    return !before || verdicts(before) !== verdicts(e);
  });
  if (
    before.passed !== after.passed ||
    before.violations !== after.violations ||
    before.regressions !== after.regressions ||
    changed.length > 0
  ) {
    warnings.push(
      `the saved report's verdicts do not follow from its measurements and the ${config ? `rules in ${config.file}` : "report's rules"}: ` +
        `it says ${describe(before)}; judged again, ${describe(after)}` +
        (changed.length > 0
          ? ` (${changed.length} endpoint verdict(s) differ, e.g. "${changed[0].name}")`
          : '') +
        '. The saved verdicts are ignored.',
    );
  }
  return {
    report: assembleReport({
      tool: saved.tool,
      createdAt: saved.createdAt,
      environment: saved.environment,
      gateId: config?.id ?? saved.gateId,
      // The trusted file's rules; the target as the run that measured saw it.
      config: config ? { ...reportConfigFrom(config), target: saved.config.target } : saved.config,
      secrets: config?.secrets ?? [],
      endpoints,
      // The load as it was run (planned and spent) is a measurement, not a verdict: it stands.
      summary: before.load ? { ...after, load: before.load } : after,
    }),
    warnings,
  };
}
