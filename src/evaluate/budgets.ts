import { formatCount, formatMetricValue, metricLabel } from '../units/format.js';
import type { BudgetMetric } from '../units/metrics.js';
import { judgeAgainst } from './quantile-bounds.js';
import type { PercentileEvidence } from './evidence.js';
import { confidenceLabel, describeBounds, distinctValues, settleClause } from './sentences.js';

/**
 * A metric against its budget (docs/architecture.md §4): a percentile by its confidence bounds,
 * the mean, max, error rate and throughput by their measured value.
 */

export type BudgetCheck = {
  outcome: 'pass' | 'exceeded' | 'inconclusive';
  reason: string;
  /** For an inconclusive percentile: the estimated requests that would settle it. */
  moreRequests?: number;
};

/**
 * A percentile against its budget (SPEC §4): over it when the lower confidence bound is above the
 * limit, within it when the upper bound is at or under it, inconclusive otherwise.
 */
export function checkPercentileBudget(p: PercentileEvidence, limit: number): BudgetCheck {
  const label = metricLabel(p.metric);
  const percent = confidenceLabel(p.confidence);
  const measured = `measured ${formatMetricValue(p.metric, p.current)} over ${formatCount(p.samples)} request${p.samples === 1 ? '' : 's'}`;
  const verdict = judgeAgainst(p, limit);
  if (verdict === 'above') {
    const [low, budget] = distinctValues(p.metric, p.low!, limit);
    return {
      outcome: 'exceeded',
      reason: `${label} ≥ ${low} with ${percent} confidence, over the ${budget} budget (${measured})`,
    };
  }
  if (verdict === 'at-or-below') {
    const [high, budget] = distinctValues(p.metric, p.high!, limit);
    return {
      outcome: 'pass',
      reason: `${label} ≤ ${high} with ${percent} confidence, within the ${budget} budget (${measured})`,
    };
  }
  const settle = settleClause(p, limit);
  return {
    outcome: 'inconclusive',
    reason: `${label} may be over or under the ${formatMetricValue(p.metric, limit)} budget: with ${percent} confidence it is ${describeBounds(p)} (${measured}); ${settle.text}`,
    moreRequests: settle.more,
  };
}

export function checkBudget(
  metric: BudgetMetric,
  current: number,
  limit: number,
  shortOf: string | undefined,
): BudgetCheck {
  if (shortOf) return { outcome: 'inconclusive', reason: shortOf };
  const label = metricLabel(metric);
  const [value, budget] = distinctValues(metric, current, limit);
  if (metric === 'min-rps') {
    return current < limit
      ? { outcome: 'exceeded', reason: `${label} ${value} is under the ${budget} minimum` }
      : { outcome: 'pass', reason: `${label} ${value} meets the ${budget} minimum` };
  }
  return current > limit
    ? { outcome: 'exceeded', reason: `${label} ${value} is over the ${budget} budget` }
    : { outcome: 'pass', reason: `${label} ${value} is within the ${budget} budget` };
}
