/**
 * Budgets (`defaults.budget`, an endpoint's `budget`) and the confidence of percentile bounds:
 * latencies in milliseconds, rates as fractions.
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import { get, unit, type NormaliseContext } from './normalise-context.js';
import type { Budget } from './types.js';
import { BUDGET_METRICS } from '../units/metrics.js';
import { parseLatency, parseRate } from '../units/parse.js';

/** The budget written at `path`; metrics refused or absent are left out. */
export function budgetOf(ctx: NormaliseContext, path: PathSegment[]): Budget {
  const out: Budget = {};
  for (const metric of BUDGET_METRICS) {
    const at = [...path, metric];
    const value = get<Raw.Latency>(ctx, at);
    if (value === undefined) continue;
    let n: number | undefined;
    if (metric === 'min-rps') n = value as number;
    else if (metric === 'error-rate') n = unit(ctx, 'rate.unit', at, value, (v) => parseRate(v));
    else
      n = unit(ctx, 'latency.unit', at, value, parseLatency, (x) =>
        x > 0
          ? undefined
          : {
              code: 'latency.not-positive',
              message: 'expected a latency greater than 0 (no request is that fast)',
            },
      );
    if (n !== undefined) out[metric] = n;
  }
  return out;
}

/** A percentile bounds' confidence (SPEC §4): 50% to 99.9%, as a percentage or a fraction. */
export function confidenceOf(ctx: NormaliseContext, path: PathSegment[]): number | undefined {
  const raw = get<unknown>(ctx, path);
  if (raw === undefined) return undefined;
  return unit(
    ctx,
    'rate.unit',
    path,
    raw,
    (v) => parseRate(v),
    (c) =>
      c >= 0.5 && c <= 0.999
        ? undefined
        : {
            code: 'confidence.range',
            message: 'expected a confidence from 50% to 99.9% (a fraction from 0.5 to 0.999)',
          },
  );
}
