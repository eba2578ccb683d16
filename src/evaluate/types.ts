import type { BudgetMetric, RegressionMetric } from '../config/types.js';
import type { Measurement } from '../measure/types.js';

/** What perf-gate concluded about one metric of one endpoint (docs/architecture.md §5). */
export type Verdict =
  'pass' | 'budget-exceeded' | 'regression' | 'improvement' | 'inconclusive' | 'no-baseline';

/** Most severe first: an endpoint's verdict is the first one any of its findings has. */
export const VERDICT_SEVERITY: readonly Verdict[] = [
  'budget-exceeded',
  'regression',
  'inconclusive',
  'improvement',
  'no-baseline',
  'pass',
];

/** The kinds of check a finding can fail; what `fail-on` selects. */
export type Breach = 'budget' | 'regression';

/** The evidence that a change is more than noise. */
export type Significance =
  /** Percentiles and mean: percentile-bootstrap CI of candidate / reference. */
  | { test: 'bootstrap'; confidence: number; low: number; high: number }
  /** Max: how many candidate requests were slower than the slowest reference request. */
  | { test: 'exceedance'; confidence: number; above: number; pValue: number }
  /** Error rate against a reference: pooled two-proportion z-test. */
  | { test: 'two-proportion'; confidence: number; z: number; pValue: number }
  /** CloudWatch: one-sided prediction bounds of the per-period history. */
  | { test: 'prediction-bound'; confidence: number; periods: number; low: number; high: number };

/** How the finding came out on the confirmation run, when there was one. */
export interface FindingConfirmation {
  current: number;
  change?: number;
  delta?: number;
  verdict: Verdict;
  breaches: Breach[];
  reason: string;
}

/**
 * One metric of one endpoint. Values are in the config's units: latency in ms, `error-rate`
 * as a fraction, `min-rps` in requests per second.
 */
export interface Finding {
  metric: BudgetMetric;
  verdict: Verdict;
  /** The checks that failed and count toward `fail-on` (after confirmation). Empty = nothing fails. */
  breaches: Breach[];
  /** The budget limit (a minimum for `min-rps`, a maximum otherwise). */
  budget?: number;
  /** The baseline's value: the reference's, or the median of the CloudWatch periods. */
  baseline?: number;
  current: number;
  /** Relative change against the baseline (0.12 = +12%); absent when the baseline is 0. */
  change?: number;
  /** Absolute change against the baseline (ms, or fraction points for `error-rate`). */
  delta?: number;
  significance?: Significance;
  /** For percentiles: the requests a verdict needs (docs/architecture.md §4) and what was measured. */
  samples?: { required: number; current: number; baseline?: number };
  /** One or two sentences a person reads. */
  reason: string;
  confirmation?: FindingConfirmation;
}

/** The per-metric statistics of a CloudWatch baseline, as the report shows them. */
export interface CloudWatchMetricSummary {
  /** Median of the per-period values: the baseline value. */
  median: number;
  periods: number;
  /** One-sided prediction bounds (with at least 2 periods). */
  low?: number;
  high?: number;
}

/** A baseline as the report keeps it: enough to show and to compare again, no raw history. */
export type BaselineSummary =
  | {
      kind: 'reference';
      source: string;
      measurement: Measurement;
      /** The reference is a saved report's measurement (`perf-gate compare`), not measured in this run. */
      saved?: true;
      rounds?: number;
      confirmation?: Measurement;
    }
  | {
      kind: 'cloudwatch';
      source: string;
      partial: boolean;
      metrics: Partial<Record<RegressionMetric, CloudWatchMetricSummary>>;
    }
  | { kind: 'none'; reason: string; configured?: false };

export interface EndpointResult {
  name: string;
  method: string;
  path: string;
  /** 1-based line of the endpoint in the budget file, for annotations. */
  line: number;
  measurement: Measurement;
  /** The re-measurement of a breaching endpoint (docs/architecture.md §5). */
  confirmation?: Measurement;
  baseline: BaselineSummary;
  findings: Finding[];
  /** The most severe verdict among the findings (VERDICT_SEVERITY); `pass` with none. */
  verdict: Verdict;
}

/** Something that kept the run from measuring or judging (an endpoint that could not be measured, ...). */
export interface RunError {
  endpoint?: string;
  message: string;
}

export interface Summary {
  endpoints: number;
  /** Findings with a budget breach. */
  violations: number;
  /** Findings with a regression breach. */
  regressions: number;
  improvements: number;
  inconclusive: number;
  noBaseline: number;
  /** Every budget and regression check held, and the run completed without errors (whatever `fail-on` says). */
  passed: boolean;
  cancelled?: boolean;
  errors?: RunError[];
}
