/**
 * Regression rules (`defaults.regression`, an endpoint's `regression`): the largest allowed
 * increase over the baseline, and the smallest change that counts (the noise floor).
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import { get, unit, type NormaliseContext } from './normalise-context.js';
import { parseIncrease } from './plausible.js';
import type { RegressionRules, Tolerance } from './types.js';
import { REGRESSION_METRICS, type RegressionMetric } from '../units/metrics.js';
import { parseLatency, parseRate } from '../units/parse.js';

/** The canary rule, used when the file has no `defaults.regression` (docs/architecture.md §3). */
export const DEFAULT_REGRESSION: Readonly<RegressionRules> = {
  p50: { maxIncrease: 0.1, minDelta: 1 },
  p95: { maxIncrease: 0.1, minDelta: 1 },
  p99: { maxIncrease: 0.2, minDelta: 1 },
  'error-rate': { maxIncrease: 0.5, minDelta: 0.005 },
};

/** `min-delta` of a rule that does not give one: the canary rule's noise floor. */
const DEFAULT_MIN_DELTA = { latency: 1, errorRate: 0.005 };

/** The rules written at `path`; metrics refused or absent are left out. */
export function regressionOf(ctx: NormaliseContext, path: PathSegment[]): RegressionRules {
  const out: RegressionRules = {};
  for (const metric of REGRESSION_METRICS) {
    const tolerance = toleranceOf(ctx, metric, [...path, metric]);
    if (tolerance) out[metric] = tolerance;
  }
  return out;
}

/** One metric's rule: a bare increase, or `max-increase` and `min-delta`. */
export function toleranceOf(
  ctx: NormaliseContext,
  metric: RegressionMetric,
  path: PathSegment[],
): Tolerance | undefined {
  const isRate = metric === 'error-rate';
  const defaultMinDelta = isRate ? DEFAULT_MIN_DELTA.errorRate : DEFAULT_MIN_DELTA.latency;
  const value = get<Raw.LatencyTolerance>(ctx, path);
  if (value === undefined) return undefined;
  if (typeof value !== 'object') {
    const maxIncrease = unit(ctx, 'increase.unit', path, value, parseIncrease);
    return maxIncrease === undefined ? undefined : { maxIncrease, minDelta: defaultMinDelta };
  }
  const rawIncrease = value['max-increase'];
  const rawDelta = value['min-delta'];
  const maxIncrease =
    rawIncrease === undefined
      ? 0
      : unit(ctx, 'increase.unit', [...path, 'max-increase'], rawIncrease, parseIncrease);
  const minDelta =
    rawDelta === undefined
      ? defaultMinDelta
      : isRate
        ? unit(ctx, 'rate.unit', [...path, 'min-delta'], rawDelta, (v) => parseRate(v))
        : unit(ctx, 'latency.unit', [...path, 'min-delta'], rawDelta, parseLatency);
  if (maxIncrease === undefined || minDelta === undefined) return undefined;
  return { maxIncrease, minDelta };
}
