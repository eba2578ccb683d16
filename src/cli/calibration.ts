import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml';
import { type Tolerance } from '../config/types.js';
import { QUANTILES, type RegressionMetric } from '../units/metrics.js';
import { median } from '../evaluate/stats.js';
import { bootstrapMinimum } from '../evaluate/evaluate.js';
import { formatChange, formatMetricValue, metricLabel } from '../units/format.js';
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
 * are the canary rule's own minimums (and 5%, below which no shared runner is steady). A
 * suggestion never exceeds what the budget file accepts (max-increase 1000%, an error-rate
 * min-delta of 100 points); a latency metric that would need more than 100% is too noisy to gate
 * at this load, and the advice is to measure longer instead.
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
/** The largest max-increase the budget file accepts (schema `increase`: at most 1000%). */
export const MAX_INCREASE = 10;
/** The largest error-rate min-delta the budget file accepts: 100 points. */
const MAX_RATE_DELTA = 1;
/**
 * A latency tolerance above +100% lets the latency double unnoticed: the metric is too noisy to
 * gate with this much load.
 */
export const NOISY_INCREASE = 1;

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
  /** What the budget file should say: the rule's tolerance, capped at what validates. */
  suggestion: Tolerance;
  /** The rule asked for more than NOISY_INCREASE (or the cap): too noisy to gate at this load. */
  noisy: boolean;
  /** Some run had fewer requests than a verdict on this percentile needs (docs/architecture.md §4). */
  tooFewSamples: boolean;
}

export interface EndpointCalibration {
  name: string;
  runs: number;
  /** Median recorded duration of one run, ms (to say how much longer a noisy endpoint needs). */
  durationMs: number;
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

/** The rule's tolerance, before capping (see the module comment). */
export function suggestTolerance(metric: CalibratedMetric, spread: Spread): Tolerance {
  const floor = metric === 'error-rate' ? FLOOR.rate : FLOOR.latency;
  const relative =
    spread.relative === undefined ? 0 : roundUpToFivePercent(NOISE_MULTIPLE * spread.relative);
  return {
    maxIncrease: Math.max(floor.maxIncrease, relative),
    minDelta: Math.max(floor.minDelta, roundUpToNice(NOISE_MULTIPLE * spread.absolute)),
  };
}

/** A tolerance the budget file accepts, and whether the rule wanted more than a gate can use. */
export function capTolerance(
  metric: CalibratedMetric,
  wanted: Tolerance,
): { tolerance: Tolerance; noisy: boolean } {
  const rate = metric === 'error-rate';
  const tolerance = {
    maxIncrease: Math.min(wanted.maxIncrease, MAX_INCREASE),
    minDelta: rate ? Math.min(wanted.minDelta, MAX_RATE_DELTA) : wanted.minDelta,
  };
  const noisy = rate
    ? wanted.maxIncrease > MAX_INCREASE || wanted.minDelta > MAX_RATE_DELTA
    : wanted.maxIncrease > NOISY_INCREASE;
  return { tolerance, noisy };
}

function valueOf(m: Measurement, metric: CalibratedMetric): number {
  return metric === 'error-rate' ? m.errorRate : m.latency[metric];
}

/**
 * `measurements[i]` are one endpoint's runs, in order; at least two runs each. `durationMs` is
 * the endpoint's configured load.duration (default: the measured one).
 */
export function calibrate(
  endpoints: readonly { name: string; measurements: readonly Measurement[]; durationMs?: number }[],
): EndpointCalibration[] {
  return endpoints.map(({ name, measurements, durationMs }) => {
    if (measurements.length < 2) {
      throw new Error(`calibrate: "${name}" needs at least 2 runs, got ${measurements.length}`);
    }
    const fewest = Math.min(...measurements.map((m) => m.requests));
    return {
      name,
      runs: measurements.length,
      durationMs: durationMs ?? median(measurements.map((m) => m.durationMs)),
      metrics: CALIBRATED_METRICS.map((metric) => {
        const values = measurements.map((m) => valueOf(m, metric));
        const spread = spreadOf(values);
        const q = QUANTILES[metric];
        const { tolerance, noisy } = capTolerance(metric, suggestTolerance(metric, spread));
        return {
          metric,
          values,
          spread,
          suggestion: tolerance,
          noisy,
          tooFewSamples: q !== undefined && fewest < bootstrapMinimum(q),
        };
      }),
    };
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
        `max-increase ${formatIncrease(m.suggestion.maxIncrease)}, min-delta ${formatMinDelta(m.metric, m.suggestion.minDelta)}${m.noisy ? ' (too noisy to gate)' : ''}`,
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

const same = (a: Tolerance, b: Tolerance) =>
  a.maxIncrease === b.maxIncrease && a.minDelta === b.minDelta;

/**
 * Per metric, the tolerance most endpoints can share: the median suggestion of the endpoints
 * steady enough to gate (of all of them when none is). Endpoints that need another value get
 * their own; a loose default would switch the check off for the steady ones.
 */
export function sharedDefaults(
  results: readonly EndpointCalibration[],
): Record<CalibratedMetric, Tolerance> {
  const out = {} as Record<CalibratedMetric, Tolerance>;
  for (const metric of CALIBRATED_METRICS) {
    const all = results.map((r) => r.metrics.find((m) => m.metric === metric)!);
    const steady = all.filter((m) => !m.noisy);
    const sorted = (steady.length > 0 ? steady : all)
      .map((m) => m.suggestion)
      .sort((a, b) => a.maxIncrease - b.maxIncrease || a.minDelta - b.minDelta);
    out[metric] = sorted[Math.floor((sorted.length - 1) / 2)]!;
  }
  return out;
}

/** How much longer to measure so the run-to-run spread would fit a 100% tolerance (spread ∝ 1/√requests). */
export function longerDurationMs(result: EndpointCalibration): number | undefined {
  const worst = Math.max(
    ...result.metrics
      .filter((m) => m.noisy && m.metric !== 'error-rate')
      .map((m) => m.spread.relative ?? 0),
  );
  if (!(worst > 0)) return undefined;
  const factor = (NOISE_MULTIPLE * worst) / NOISY_INCREASE;
  const seconds = Math.ceil((result.durationMs * factor * factor) / 1000);
  return roundUpToNice(seconds) * 1000;
}

/** Why each too-noisy endpoint gets no real regression check, and what to do about it. */
export function noisyAdvice(results: readonly EndpointCalibration[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const noisy = r.metrics.filter((m) => m.noisy);
    if (noisy.length === 0) continue;
    const moved = noisy
      .map(
        (m) =>
          `${metricLabel(m.metric)} moved ${m.spread.relative === undefined ? formatMetricValue(m.metric, m.spread.absolute) : formatChange(m.spread.relative).replace(/^\+/, '')}`,
      )
      .join(', ');
    const longer = longerDurationMs(r);
    const advice = longer
      ? `give it more requests (load.duration ${formatSeconds(r.durationMs)} → about ${formatSeconds(longer)}, or more connections) and calibrate again`
      : 'give it more requests (a longer load.duration) and calibrate again';
    const capped = noisy.some((m) => m.suggestion.maxIncrease >= MAX_INCREASE);
    const what = capped
      ? 'its suggested tolerance is the loosest the file accepts (1000%) and catches almost nothing'
      : 'its suggested tolerance would let the latency more than double unnoticed';
    lines.push(
      `"${oneLine(r.name)}" is too noisy to gate: ${moved} from run to run, so ${what}; ${advice}.`,
    );
  }
  return lines;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))}s`;
}

function toleranceNode(doc: Document, metric: CalibratedMetric, tolerance: Tolerance): YAMLMap {
  const node = doc.createNode({
    'max-increase': formatIncrease(tolerance.maxIncrease),
    'min-delta': formatMinDelta(metric, tolerance.minDelta),
  }) as YAMLMap;
  node.flow = true;
  return node;
}

/**
 * The budget file with the suggested tolerances written in: shared values in
 * `defaults.regression`, and in an endpoint's own `regression` where it needs another value.
 * Everything else in the file (comments, `${VAR}`s, order) is kept as written. Endpoints whose
 * regression checks are off (`regressionOff`, by name) are left alone. The result validates
 * wherever the original did.
 */
export function renderSuggestedFile(
  source: string,
  results: readonly EndpointCalibration[],
  regressionOff: ReadonlySet<string> = new Set(),
): string {
  const doc = parseDocument(source);
  const judged = results.filter((r) => !regressionOff.has(r.name));
  const runs = results[0]?.runs ?? 0;
  const header = ` Regression tolerances suggested by perf-gate calibrate from ${runs} runs of an unchanged target.`;
  doc.commentBefore = doc.commentBefore ? `${header}\n${doc.commentBefore}` : header;
  if (judged.length === 0) return doc.toString();

  const defaults = sharedDefaults(judged);
  if (!isMap(doc.getIn(['defaults', 'regression']))) {
    doc.setIn(['defaults', 'regression'], doc.createNode({}));
  }
  for (const metric of CALIBRATED_METRICS) {
    doc.setIn(['defaults', 'regression', metric], toleranceNode(doc, metric, defaults[metric]));
  }
  results.forEach((r, i) => {
    if (regressionOff.has(r.name)) return;
    const own = r.metrics.filter((m) => !same(m.suggestion, defaults[m.metric]));
    if (own.length === 0) return;
    if (!isMap(doc.getIn(['endpoints', i, 'regression']))) {
      doc.setIn(['endpoints', i, 'regression'], doc.createNode({}));
    }
    for (const m of own) {
      const node = toleranceNode(doc, m.metric, m.suggestion);
      if (m.noisy) node.comment = ' too noisy to gate at this load: measure longer';
      doc.setIn(['endpoints', i, 'regression', m.metric], node);
    }
  });
  return doc.toString();
}
