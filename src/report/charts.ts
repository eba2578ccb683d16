import type { ChartsMode } from '../config/types.js';
import type { LatencyMetric } from '../units/metrics.js';
import { QUANTILES } from '../units/metrics.js';
import type { EndpointResult } from '../evaluate/types.js';
import type { LatencySummary } from '../measure/types.js';
import type { Report, ReportEndpointConfig } from './report.js';

/**
 * Latency charts for the PR comment and job summary: one mermaid `xychart-beta` block per
 * endpoint, its percentile curve (p50 … p99.9) for this run, the reference or CloudWatch
 * baseline, the confirmation, and the budget each percentile is held to; with a CloudWatch
 * history, a second block with the trend of its most telling metric over the lookback.
 *
 * Nothing from the report but numbers goes inside a block: the endpoint's name is written above
 * it by the caller, escaped as markdown, so a hostile name has no way into mermaid's syntax
 * (mermaid strings have no escape for `"`, and `%%{init}%%` directives or a closing fence would
 * change what GitHub renders).
 */

/** The percentiles on the x axis, in order. */
export const CHART_PERCENTILES: readonly LatencyMetric[] = [
  'p50',
  'p75',
  'p90',
  'p95',
  'p99',
  'p99.9',
];

/**
 * The series' colours, in the order they are drawn, set through the block's own init directive
 * (xychart has no legend: the caption names each colour). CSS colour names: no `#` that a
 * reader of the raw markdown could take for an issue reference, no comma to split the palette.
 */
export const SERIES_STYLE = {
  run: { colour: 'royalblue', mark: '🔵', words: 'this run' },
  baseline: { colour: 'gray', mark: '⚫', words: 'baseline' },
  confirmation: { colour: 'orange', mark: '🟠', words: 'confirmation' },
  budget: { colour: 'crimson', mark: '🔴', words: 'budget' },
} as const;

type SeriesKind = keyof typeof SERIES_STYLE;

export interface ChartSeries {
  kind: SeriesKind;
  /** What the caption calls it ("reference", "CloudWatch median", ...). */
  label: string;
  /** One value per x point, ms. */
  values: number[];
}

export interface LatencyChart {
  /** The x points (a subset of CHART_PERCENTILES when a baseline lacks some). */
  percentiles: LatencyMetric[];
  series: ChartSeries[];
  /** Upper end of the y axis, ms. */
  yMax: number;
  /** Where the budget line stands at the top of the axis because no budget limits that percentile. */
  unlimited: LatencyMetric[];
}

const FAILING_VERDICTS: ReadonlySet<string> = new Set([
  'budget-exceeded',
  'regression',
  'inconclusive',
  'accepted',
]);

/** Whether `charts: failing` (the default) draws this endpoint. */
export function endpointNeedsChart(endpoint: EndpointResult): boolean {
  return endpoint.findings.some((f) => f.breaches.length > 0 || FAILING_VERDICTS.has(f.verdict));
}

/** The endpoints the mode draws, in report order. */
export function endpointsToChart(report: Report, mode?: ChartsMode): EndpointResult[] {
  const chosen = mode ?? report.config.charts ?? 'failing';
  if (chosen === 'none') return [];
  return report.endpoints.filter((e) => chosen === 'all' || endpointNeedsChart(e));
}

function usable(latency: LatencySummary | undefined, points: readonly LatencyMetric[]): boolean {
  return (
    latency !== undefined &&
    points.every((p) => typeof latency[p] === 'number' && Number.isFinite(latency[p]))
  );
}

/**
 * The budget each percentile is held to: a limit on a higher percentile (or on `max`) bounds
 * every lower one too, since the curve only rises; above the highest limited percentile there is
 * no limit (undefined).
 */
export function budgetEnvelope(
  config: ReportEndpointConfig | undefined,
  points: readonly LatencyMetric[],
): (number | undefined)[] {
  const limits: { q: number; value: number }[] = [];
  for (const [metric, value] of Object.entries(config?.budget ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (metric === 'max') limits.push({ q: 1, value });
    const q = QUANTILES[metric as keyof typeof QUANTILES];
    if (q !== undefined) limits.push({ q, value });
  }
  return points.map((p) => {
    const q = QUANTILES[p]!;
    const binding = limits.filter((l) => l.q >= q).map((l) => l.value);
    return binding.length > 0 ? Math.min(...binding) : undefined;
  });
}

/** The data of an endpoint's chart, or undefined when it has no curve to draw (nothing measured). */
export function latencyChart(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
): LatencyChart | undefined {
  let points: LatencyMetric[] = [...CHART_PERCENTILES];
  const { measurement, baseline } = endpoint;
  if (measurement.requests === 0 || !usable(measurement.latency, points)) return undefined;

  const series: ChartSeries[] = [];
  const pick = (latency: LatencySummary) => points.map((p) => latency[p]);
  let cloudwatch: Partial<Record<LatencyMetric, number>> | undefined;
  if (baseline.kind === 'cloudwatch') {
    cloudwatch = {};
    for (const p of CHART_PERCENTILES) {
      const median = baseline.metrics[p]?.median;
      if (typeof median === 'number' && Number.isFinite(median)) cloudwatch[p] = median;
    }
    const present = CHART_PERCENTILES.filter((p) => cloudwatch![p] !== undefined);
    // A baseline with a few percentiles narrows the x axis to them; with fewer than two it is left out.
    if (present.length >= 2) points = present;
    else cloudwatch = undefined;
  }
  series.push({ kind: 'run', label: 'this run', values: pick(measurement.latency) });
  if (baseline.kind === 'reference' && usable(baseline.measurement.latency, points)) {
    series.push({
      kind: 'baseline',
      label: baseline.saved ? 'base report' : 'reference',
      values: pick(baseline.measurement.latency),
    });
  } else if (cloudwatch) {
    series.push({
      kind: 'baseline',
      label: 'CloudWatch median',
      values: points.map((p) => cloudwatch![p]!),
    });
  }
  if (
    endpoint.confirmation &&
    endpoint.confirmation.requests > 0 &&
    usable(endpoint.confirmation.latency, points)
  ) {
    series.push({
      kind: 'confirmation',
      label: 'confirmation',
      values: pick(endpoint.confirmation.latency),
    });
  }
  const envelope = budgetEnvelope(config, points);
  const highest = Math.max(
    ...series.flatMap((s) => s.values),
    ...envelope.filter((v): v is number => v !== undefined),
  );
  const yMax = niceCeiling(highest * 1.1);
  const unlimited = points.filter((_, i) => envelope[i] === undefined);
  if (unlimited.length < points.length) {
    series.push({
      kind: 'budget',
      label: 'budget',
      values: envelope.map((v) => v ?? yMax),
    });
  }
  return { percentiles: points, series, yMax, unlimited };
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (a round top for the y axis). */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value * (1 - 1e-12)) return roundNumber(step * power);
  }
  return roundNumber(10 * power);
}

/** A number as mermaid reads it: plain decimal, at most 3 significant decimals, never NaN or an exponent. */
export function mermaidNumber(value: number): string {
  if (!Number.isFinite(value)) return '0';
  // toFixed writes an exponent from 1e21 on; no latency comes near the clamp.
  const rounded = roundNumber(Math.max(-1e12, Math.min(1e12, value)));
  const text = rounded.toFixed(Math.abs(rounded) >= 100 ? 1 : Math.abs(rounded) >= 1 ? 2 : 3);
  return text.replace(/\.?0+$/, '') || '0';
}

function roundNumber(value: number): number {
  return Number(value.toPrecision(6));
}

/** Fixed words inside a block: only characters that mean nothing to mermaid's xychart grammar. */
export function mermaidLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9 .,()/%-]/g, '').slice(0, 60);
}

/** The chart as a fenced mermaid block (no text from the report inside). */
export function mermaidBlock(chart: LatencyChart): string {
  const palette = chart.series.map((s) => SERIES_STYLE[s.kind].colour).join(', ');
  const init = JSON.stringify({
    themeVariables: { xyChart: { plotColorPalette: palette } },
  });
  const lines = [
    '```mermaid',
    `%%{init: ${init}}%%`,
    'xychart-beta',
    `  title "${mermaidLabel('Latency by percentile (ms)')}"`,
    `  x-axis "percentile" [${chart.percentiles.map((p) => `"${mermaidLabel(p)}"`).join(', ')}]`,
    `  y-axis "ms" 0 --> ${mermaidNumber(chart.yMax)}`,
    ...chart.series.map((s) => `  line [${s.values.map(mermaidNumber).join(', ')}]`),
    '```',
  ];
  return lines.join('\n');
}

/** The caption under a chart: which colour is which, in plain words (no report text). */
export function chartCaption(chart: LatencyChart): string {
  const names = chart.series.map((s) => `${SERIES_STYLE[s.kind].mark} ${s.label}`);
  let text = names.join(' · ');
  const budget = chart.series.some((s) => s.kind === 'budget');
  if (budget) {
    text +=
      '. The budget line is the limit each percentile is held to: a limit on a higher percentile bounds the lower ones too';
    if (chart.unlimited.length > 0)
      text += `; no budget limits ${chart.unlimited.join(', ')} (drawn at the top)`;
  }
  return `<sub>${text}.</sub>`;
}

/**
 * The markdown of one endpoint's chart: `heading` (already escaped by the caller) above the
 * block and the caption under it; empty when there is nothing to draw.
 */
export function markdownChart(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
  heading: string,
): string {
  const chart = latencyChart(endpoint, config);
  if (!chart) return '';
  const trend = trendChart(endpoint, config);
  const after = trend ? `\n${mermaidTrend(trend)}` : '';
  return `${heading}\n\n${mermaidBlock(chart)}\n\n${chartCaption(chart)}\n${after}`;
}

// ---------------------------------------------------------------------------------------------
// Trend: a CloudWatch baseline's per-period values with this run's value after them

/** At most this many periods in a comment's trend block (the latest). */
export const TREND_POINTS = 100;

export interface TrendChart {
  metric: LatencyMetric;
  /** The periods' values, oldest first, ms. */
  history: number[];
  /** This run's value of the metric, ms. */
  current: number;
  budget?: number;
  median: number;
}

/**
 * The trend of the endpoint's most telling latency metric over its CloudWatch lookback: the
 * first latency finding that fails or is in doubt, else p95; undefined without a CloudWatch
 * history of at least two periods for it.
 */
export function trendChart(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
): TrendChart | undefined {
  const { baseline } = endpoint;
  if (baseline.kind !== 'cloudwatch') return undefined;
  const latency = (m: string): m is LatencyMetric => m in QUANTILES || m === 'mean' || m === 'max';
  const telling = endpoint.findings.find(
    (f) => latency(f.metric) && (f.breaches.length > 0 || FAILING_VERDICTS.has(f.verdict)),
  );
  const candidates = [telling?.metric, 'p95', ...CHART_PERCENTILES].filter(
    (m): m is LatencyMetric => m !== undefined && latency(m),
  );
  for (const metric of candidates) {
    const summary = baseline.metrics[metric];
    const history = (summary?.values ?? []).filter((v) => Number.isFinite(v));
    const current = endpoint.measurement.latency[metric];
    if (!summary || history.length < 2 || !Number.isFinite(current)) continue;
    const budget = config?.budget[metric];
    return {
      metric,
      history,
      current,
      median: summary.median,
      ...(typeof budget === 'number' && Number.isFinite(budget) ? { budget } : {}),
    };
  }
  return undefined;
}

/** The trend as a fenced mermaid block and its caption (no text from the report inside the block). */
export function mermaidTrend(trend: TrendChart): string {
  const history = trend.history.slice(-TREND_POINTS);
  const points = [...history, trend.current];
  const series: { kind: SeriesKind; values: number[] }[] = [{ kind: 'run', values: points }];
  series.push({ kind: 'baseline', values: points.map(() => trend.median) });
  if (trend.budget !== undefined)
    series.push({ kind: 'budget', values: points.map(() => trend.budget!) });
  const yMax = niceCeiling(Math.max(...series.flatMap((s) => s.values)) * 1.1);
  const palette = series.map((s) => SERIES_STYLE[s.kind].colour).join(', ');
  const block = [
    '```mermaid',
    `%%{init: ${JSON.stringify({ themeVariables: { xyChart: { plotColorPalette: palette } } })}}%%`,
    'xychart-beta',
    `  title "${mermaidLabel(`${trend.metric} per period, then this run (ms)`)}"`,
    `  x-axis "period" 1 --> ${points.length}`,
    `  y-axis "ms" 0 --> ${mermaidNumber(yMax)}`,
    ...series.map((s) => `  line [${s.values.map(mermaidNumber).join(', ')}]`),
    '```',
  ].join('\n');
  const names = [
    `${SERIES_STYLE.run.mark} ${trend.metric} of the last ${history.length} CloudWatch periods, oldest first; the last point is this run`,
    `${SERIES_STYLE.baseline.mark} their median`,
    ...(trend.budget !== undefined ? [`${SERIES_STYLE.budget.mark} budget`] : []),
  ];
  return `${block}\n\n<sub>${names.join(' · ')}.</sub>\n`;
}
