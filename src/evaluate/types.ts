import type { BudgetMetric, RegressionMetric } from '../units/metrics.js';
import type { Measurement } from '../measure/types.js';
import type { QuantileBounds } from './quantile-bounds.js';

/** What perf-gate concluded about one metric of one endpoint (docs/architecture.md §5). */
export type Verdict =
  | 'pass'
  | 'budget-exceeded'
  | 'regression'
  | 'improvement'
  | 'inconclusive'
  | 'no-baseline'
  /** A regression (or, where the budget file allows it, a budget breach) accepted by a writer. */
  | 'accepted';

/** Most severe first: an endpoint's verdict is the first one any of its findings has. */
export const VERDICT_SEVERITY: readonly Verdict[] = [
  'budget-exceeded',
  'regression',
  'accepted',
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

/**
 * Distribution-free one-sided confidence bounds of a percentile from the order statistics of the
 * recorded latencies (exact binomial; evaluate/quantile-bounds.ts). Each bound holds with at least
 * `confidence` on its own. A bound is absent when too few requests were measured to give one.
 */
export interface PercentileInterval extends QuantileBounds {
  /**
   * When the verdict was inconclusive: an estimate of how many more requests, at the latency
   * distribution measured so far, would settle it. Absent when none would (the percentile sits
   * on the limit) or it would take more than a billion.
   */
  moreRequests?: number;
}

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
  /**
   * For a percentile judged against a fixed number (a budget, a CloudWatch threshold): its
   * distribution-free confidence bounds from this measurement (SPEC §4).
   */
  interval?: PercentileInterval;
  /** One or two sentences a person reads. */
  reason: string;
  confirmation?: FindingConfirmation;
  /** Who accepted this finding's breach (src/evaluate/accept.ts), when someone did. */
  acceptance?: FindingAcceptance;
}

/** An authorised acceptance as a finding shows it. */
export interface FindingAcceptance {
  via: 'label' | 'comment';
  /** GitHub login. */
  by: string;
  /** ISO 8601. */
  at: string;
  reason: string;
  /** The head commit the acceptance was first recorded on, when known. */
  head?: string;
  /** The breaches accepted, and the verdict before: what a saved report is judged again from. */
  breaches: Breach[];
  verdict: Verdict;
}

/** The per-metric statistics of a CloudWatch baseline, as the report shows them. */
export interface CloudWatchMetricSummary {
  /** Median of the per-period values: the baseline value. */
  median: number;
  periods: number;
  /** One-sided prediction bounds (with at least 2 periods). */
  low?: number;
  high?: number;
  /** The latest per-period values (at most evaluate.ts TREND_PERIODS), oldest first: the trend. */
  values?: number[];
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
      /**
       * The round pairs themselves, kept in a shard's report (`shard: i/n`) so that the merge
       * can pair the shards' rounds and judge over them again (gate/shards.ts).
       */
      roundPairs?: { reference: Measurement; candidate: Measurement }[];
      confirmation?: Measurement;
    }
  | {
      kind: 'cloudwatch';
      /** The history is a data branch's runs (`baseline.github`), not CloudWatch's periods. */
      store?: 'github';
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
  /** Findings whose breaches an authorised acceptance covers (verdict `accepted`). */
  accepted?: number;
  /** Every budget and regression check held, and the run completed without errors (whatever `fail-on` says). */
  passed: boolean;
  cancelled?: boolean;
  errors?: RunError[];
  /** Load time of the run (warmups included), ms: spent, and what the fixed design would have spent. */
  load?: { spentMs: number; plannedMs: number };
}
