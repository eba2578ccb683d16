import { Document, type YAMLMap } from 'yaml';
import { QUANTILES, type RegressionMetric, type Tolerance } from '../config/types.js';
import { median } from '../evaluate/stats.js';
import { requiredSamples } from '../evaluate/evaluate.js';
import { formatChange, formatMetricValue, metricLabel } from '../report/format.js';
import type { Measurement } from '../measure/types.js';
import { oneLine } from '../report/table.js';

/**
 * `perf-gate calibrate`: how much an unchanged target's metrics move from run to run, and the
 * regression tolerances that noise would not trip. Pure: measurements in, numbers and text out.
 *
 * The rule (also in `perf-gate calibrate --help`):
 *   max-increase = 3 × (max − min) / median, rounded up to a multiple of 5%,
 *                  at least 5% for latencies and 50% for the error rate;
 *   min-delta    = 3 × (max − min), rounded up to 1, 2 or 5 × a power of ten,
 *                  at least 1 ms for latencies and 0.5 points for the error rate.
 * Three times the observed range leaves room for runs noisier than the few observed; the floors
 * are the canary rule's own minimums (and 5%, below which no shared runner is steady).
 */

export const CALIBRATED_METRICS = [
  'p50',
  'p95',
  'p99',
  'error-rate',
] as const satisfies readonly RegressionMetric[];
export type CalibratedMetric = (typeof CALIBRATED_METRICS)[number];

const FLOOR: Record<'latency' | 'rate', Tolerance> = {
  latency: { maxIncrease: 0.05, minDelta: 1 },
  rate: { maxIncrease: 0.5, minDelta: 0.005 },
};
const NOISE_MULTIPLE = 3;

export interface Spread {
  min: number;
  median: number;
  max: number;
  /** max − min, in the metric's unit. */
  absolute: number;
  /** (max − min) / median; absent when the median is 0. */
  relative?: number;
}

export interface MetricCalibration {
  metric: CalibratedMetric;
  /** One value per run, in run order (ms, or a fraction for the error rate). */
  values: number[];
  spread: Spread;
  suggestion: Tolerance;
  /** Some run had fewer requests than a verdict on this percentile needs (SPEC §4). */
  tooFewSamples: boolean;
}

export interface EndpointCalibration {
  name: string;
  runs: number;
  metrics: MetricCalibration[];
}

export function spreadOf(values: readonly number[]): Spread {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mid = median(values);
  const spread: Spread = { min, median: mid, max, absolute: max - min };
  if (mid > 0) spread.relative = (max - min) / mid;
  return spread;
}

/** Rounds up to a multiple of 5% (0.05). */
export function roundUpToFivePercent(fraction: number): number {
  // toFixed absorbs float error, so 0.15 stays 15% and is not bumped to 20%.
  const steps = Math.ceil(Number((fraction / 0.05).toFixed(9)));
  return Number((steps * 0.05).toFixed(2));
}

/** Rounds up to 1, 2 or 5 × a power of ten: 0.7 → 1, 3 → 5, 12 → 20, 0.0031 → 0.005. */
export function roundUpToNice(value: number): number {
  if (!(value > 0)) return 0;
  const exponent = Math.floor(Math.log10(value));
  for (const e of [exponent - 1, exponent, exponent + 1]) {
    for (const m of [1, 2, 5]) {
      const candidate = Number((m * 10 ** e).toPrecision(12));
      if (candidate >= Number(value.toPrecision(12))) return candidate;
    }
  }
  return Number((10 ** (exponent + 1)).toPrecision(12));
}

export function suggestTolerance(metric: CalibratedMetric, spread: Spread): Tolerance {
  const floor = metric === 'error-rate' ? FLOOR.rate : FLOOR.latency;
  const relative =
    spread.relative === undefined ? 0 : roundUpToFivePercent(NOISE_MULTIPLE * spread.relative);
  return {
    maxIncrease: Math.max(floor.maxIncrease, relative),
    minDelta: Math.max(floor.minDelta, roundUpToNice(NOISE_MULTIPLE * spread.absolute)),
  };
}

function valueOf(m: Measurement, metric: CalibratedMetric): number {
  return metric === 'error-rate' ? m.errorRate : m.latency[metric];
}

/** `measurements[i]` are one endpoint's runs, in order; at least two runs each. */
export function calibrate(
  endpoints: readonly { name: string; measurements: readonly Measurement[] }[],
): EndpointCalibration[] {
  return endpoints.map(({ name, measurements }) => {
    if (measurements.length < 2) {
      throw new Error(`calibrate: "${name}" needs at least 2 runs, got ${measurements.length}`);
    }
    const fewest = Math.min(...measurements.map((m) => m.requests));
    return {
      name,
      runs: measurements.length,
      metrics: CALIBRATED_METRICS.map((metric) => {
        const values = measurements.map((m) => valueOf(m, metric));
        const spread = spreadOf(values);
        const q = QUANTILES[metric];
        return {
          metric,
          values,
          spread,
          suggestion: suggestTolerance(metric, spread),
          tooFewSamples: q !== undefined && fewest < requiredSamples(q),
        };
      }),
    };
  });
}

/** The loosest suggestion per metric across endpoints, and the endpoints that set it. */
export function loosest(
  results: readonly EndpointCalibration[],
): { metric: CalibratedMetric; tolerance: Tolerance; setBy: string[] }[] {
  return CALIBRATED_METRICS.map((metric) => {
    const rows = results.map((r) => ({
      name: r.name,
      s: r.metrics.find((m) => m.metric === metric)!.suggestion,
    }));
    const maxIncrease = Math.max(...rows.map((r) => r.s.maxIncrease));
    const minDelta = Math.max(...rows.map((r) => r.s.minDelta));
    const setBy = [
      ...new Set(
        rows
          .filter((r) => r.s.maxIncrease === maxIncrease || r.s.minDelta === minDelta)
          .map((r) => r.name),
      ),
    ];
    return { metric, tolerance: { maxIncrease, minDelta }, setBy };
  });
}

export function formatIncrease(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

export function formatMinDelta(metric: CalibratedMetric, value: number): string {
  return metric === 'error-rate'
    ? `${Number((value * 100).toPrecision(6))}%`
    : `${Number(value.toPrecision(6))}ms`;
}

/** The spread table: one row per endpoint and metric. */
export function renderSpread(results: readonly EndpointCalibration[]): string {
  const header = ['endpoint', 'metric', 'min', 'median', 'max', 'spread', 'suggested tolerance'];
  const rows: string[][] = [];
  let short = false;
  for (const r of results) {
    r.metrics.forEach((m, i) => {
      const v = (x: number) => formatMetricValue(m.metric, x);
      short ||= m.tooFewSamples;
      rows.push([
        i === 0 ? oneLine(r.name) : '',
        `${metricLabel(m.metric)}${m.tooFewSamples ? ' *' : ''}`,
        v(m.spread.min),
        v(m.spread.median),
        v(m.spread.max),
        m.spread.relative === undefined ? '-' : formatChange(m.spread.relative).replace(/^\+/, ''),
        `max-increase ${formatIncrease(m.suggestion.maxIncrease)}, min-delta ${formatMinDelta(m.metric, m.suggestion.minDelta)}`,
      ]);
    });
  }
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]!.length)));
  const lines = [header, ...rows].map((row) =>
    `  ${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd(),
  );
  if (short) {
    lines.push(
      '',
      '  * some run had fewer requests than a verdict on this percentile needs (p95: 200, p99: 1000):',
      '    the gate would call it inconclusive; lengthen load.duration for a steadier estimate.',
    );
  }
  return lines.join('\n');
}

/** The YAML to paste: `defaults.regression` with the loosest tolerance any endpoint needed. */
export function renderSuggestion(results: readonly EndpointCalibration[]): string {
  const loose = loosest(results);
  const regression: Record<string, Record<string, string>> = {};
  for (const { metric, tolerance } of loose) {
    regression[metric] = {
      'max-increase': formatIncrease(tolerance.maxIncrease),
      'min-delta': formatMinDelta(metric, tolerance.minDelta),
    };
  }
  const doc = new Document({ defaults: { regression } });
  const runs = results[0]?.runs ?? 0;
  doc.commentBefore =
    ` Suggested by perf-gate calibrate from ${runs} runs of an unchanged target:` +
    '\n the loosest tolerance any endpoint needed; an endpoint may override it in its own `regression`.';
  for (const { metric, tolerance, setBy } of loose) {
    const node = doc.getIn(['defaults', 'regression', metric], true) as YAMLMap;
    node.flow = true;
    const floor = metric === 'error-rate' ? FLOOR.rate : FLOOR.latency;
    const atFloor =
      tolerance.maxIncrease === floor.maxIncrease && tolerance.minDelta === floor.minDelta;
    if (results.length > 1 && !atFloor) {
      node.comment = ` set by ${setBy.map((n) => JSON.stringify(oneLine(n))).join(', ')}`;
    }
  }
  return doc.toString();
}
