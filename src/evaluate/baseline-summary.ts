import type { Baseline } from '../baseline/types.js';
import type { RegressionMetric } from '../units/metrics.js';
import { median, predictionInterval } from './stats.js';
import type { BaselineSummary, CloudWatchMetricSummary } from './types.js';

/** What a report keeps of the baseline an endpoint was judged against. */

/** How many of a CloudWatch baseline's latest periods the report keeps per metric, for trends. */
export const TREND_PERIODS = 336;

export function summarizeBaseline(
  baseline: Baseline,
  confidence: number,
  keepRoundPairs = false,
): BaselineSummary {
  if (baseline.kind === 'none') {
    return baseline.configured === false
      ? { kind: 'none', reason: baseline.reason, configured: false }
      : { kind: 'none', reason: baseline.reason };
  }
  if (baseline.kind === 'reference') {
    const summary: BaselineSummary = {
      kind: 'reference',
      source: baseline.source,
      measurement: baseline.measurement,
    };
    if (baseline.saved) summary.saved = true;
    if (baseline.rounds) summary.rounds = baseline.rounds.length;
    if (baseline.rounds && keepRoundPairs) summary.roundPairs = baseline.rounds;
    return summary;
  }
  const metrics: Extract<BaselineSummary, { kind: 'cloudwatch' }>['metrics'] = {};
  for (const [metric, values] of Object.entries(baseline.periods) as [
    RegressionMetric,
    number[] | undefined,
  ][]) {
    const finite = (values ?? []).filter((v) => Number.isFinite(v));
    if (finite.length === 0) continue;
    const entry: CloudWatchMetricSummary = {
      median: median(finite),
      periods: finite.length,
      // The latest periods, oldest first, for the trend charts (report/charts.ts, report/html.ts).
      values: finite.slice(-TREND_PERIODS),
    };
    if (finite.length >= 2) {
      const interval = predictionInterval(finite, confidence);
      entry.low = interval.low;
      entry.high = interval.high;
    }
    metrics[metric] = entry;
  }
  return {
    kind: 'cloudwatch',
    ...(baseline.store ? { store: baseline.store } : {}),
    source: baseline.source,
    partial: baseline.partial,
    metrics,
  };
}
