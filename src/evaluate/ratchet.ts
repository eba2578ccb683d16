import { LATENCY_METRICS, type LatencyMetric } from '../units/metrics.js';
import type { EndpointResult } from './types.js';

/**
 * Ratchet: when a latency budget has room, suggest a tighter one. Pure.
 *
 * A budgeted latency metric has room when everything known about it stays below half its limit:
 * this run's upper confidence bound (or its value when there is no bound) and the baseline's
 * upper side (the CloudWatch history's upper prediction bound, or the reference measured side by
 * side). The suggestion is that upper value plus the headroom the observed noise needs (at least
 * 25%, or three times the relative spread seen between the baseline's median and its upper bound
 * or between this run's value and its upper bound), rounded up to two significant digits, and
 * only when it is below the current limit.
 */

export interface RatchetSuggestion {
  endpoint: string;
  metric: LatencyMetric;
  /** The current limit (ms). */
  limit: number;
  /** The highest value the evidence allows (ms). */
  upper: number;
  /** Relative headroom added above `upper`. */
  headroom: number;
  /** The suggested limit (ms). */
  suggested: number;
}

export const MIN_HEADROOM = 0.25;
export const NOISE_FACTOR = 3;

/** Rounds up to two significant digits: 37.2 → 38, 143 → 150, 0.812 → 0.82. */
export function roundUp2(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return value;
  const step = 10 ** (Math.floor(Math.log10(value)) - 1);
  const rounded = Math.ceil(value / step - 1e-9) * step;
  return Number(rounded.toPrecision(2));
}

function baselineUpper(
  endpoint: EndpointResult,
  metric: LatencyMetric,
): { upper: number; spread: number } | undefined {
  const b = endpoint.baseline;
  if (b.kind === 'cloudwatch') {
    const m = b.metrics[metric];
    if (!m || m.periods < 5 || m.high === undefined || !(m.median > 0)) return undefined;
    return { upper: m.high, spread: (m.high - m.median) / m.median };
  }
  if (b.kind === 'reference') {
    const value = b.measurement.latency[metric];
    return typeof value === 'number' ? { upper: value, spread: 0 } : undefined;
  }
  return undefined;
}

export function ratchetSuggestions(endpoints: readonly EndpointResult[]): RatchetSuggestion[] {
  const out: RatchetSuggestion[] = [];
  for (const endpoint of endpoints) {
    if (endpoint.measurement.generator?.saturated || endpoint.measurement.cancelled) continue;
    for (const finding of endpoint.findings) {
      const metric = finding.metric as LatencyMetric;
      if (!(LATENCY_METRICS as readonly string[]).includes(metric)) continue;
      // Judged by its bounds alone: a comparison with the baseline may still be inconclusive
      // while the budget is far off, but nothing may have failed or been accepted.
      if (finding.budget === undefined || finding.breaches.length > 0) continue;
      if (finding.verdict === 'budget-exceeded' || finding.verdict === 'accepted') continue;
      const base = baselineUpper(endpoint, metric);
      if (!base) continue;
      const runUpper = finding.interval?.high ?? finding.current;
      const runSpread = finding.current > 0 ? (runUpper - finding.current) / finding.current : 0;
      const upper = Math.max(base.upper, runUpper);
      if (!(upper > 0) || upper >= finding.budget / 2) continue;
      const headroom = Math.max(MIN_HEADROOM, NOISE_FACTOR * Math.max(base.spread, runSpread));
      const suggested = roundUp2(upper * (1 + headroom));
      if (suggested >= finding.budget) continue;
      out.push({
        endpoint: endpoint.name,
        metric,
        limit: finding.budget,
        upper,
        headroom,
        suggested,
      });
    }
  }
  return out;
}
