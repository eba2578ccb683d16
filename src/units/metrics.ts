/**
 * The metrics perf-gate measures, budgets and compares, and the quantile behind each
 * percentile. The ground floor: config, evaluation and printing all speak of these.
 */

/** Latency statistics perf-gate can budget and compare. */
export const LATENCY_METRICS = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Every metric a budget may name (docs/architecture.md §3). `min-rps` is a budget only, never a regression. */
export const BUDGET_METRICS = [...LATENCY_METRICS, 'error-rate', 'min-rps'] as const;
export type BudgetMetric = (typeof BUDGET_METRICS)[number];

export const REGRESSION_METRICS = [...LATENCY_METRICS, 'error-rate'] as const;
export type RegressionMetric = (typeof REGRESSION_METRICS)[number];

/** The quantile (0..1) behind each percentile metric. */
export const QUANTILES: Readonly<Record<string, number>> = {
  p50: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  'p99.9': 0.999,
};
