import { LATENCY_METRICS, QUANTILES } from '../units/metrics.js';
import type { BudgetMetric, LatencyMetric } from '../units/metrics.js';
import type { EndpointResult, Finding, Verdict } from '../evaluate/types.js';
import { VERDICT_SEVERITY } from '../evaluate/types.js';
import { decodeHistogram, quantileMs } from '../measure/histogram.js';
import type { LatencySummary, Measurement } from '../measure/types.js';
import { breachesOf, budgetsOnly } from './checks.js';
import { niceCeiling, trendChart } from './charts.js';
import {
  formatChange,
  formatCount,
  formatMetricDelta,
  formatMetricValue,
  formatMs,
  formatRate,
  formatRps,
  metricLabel,
} from '../units/format.js';
import type { Report, ReportEndpointConfig } from './report.js';

/**
 * The self-contained HTML report: one file, readable offline. No script, no external anything
 * (a Content-Security-Policy of `default-src 'none'` says so to the browser too); the charts are
 * inline SVG drawn here from the report's histograms, with native hover titles on the points.
 * Every string from the report is escaped for the HTML text or attribute it lands in; the
 * report is treated as hostile (it may come from a fork's artifact).
 */

const VERDICT_TEXT: Record<Verdict, string> = {
  pass: 'pass',
  'budget-exceeded': 'over budget',
  regression: 'regression',
  improvement: 'improvement',
  inconclusive: 'inconclusive',
  'no-baseline': 'no baseline',
  accepted: 'accepted',
};

/** C0/C1 controls, line separators, bidi overrides and isolates, BOM: shown as a space. */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Text for an HTML text node or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(INVISIBLE, ' ').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function verdictOf(finding: Finding): string {
  if (finding.breaches.length > 1) return breachesOf(finding).join(' and ');
  return VERDICT_TEXT[finding.verdict];
}

// ---------------------------------------------------------------------------------------------
// Curves

export interface CurvePoint {
  /** Quantile, 0..1. */
  q: number;
  ms: number;
}

export interface Curve {
  kind: 'run' | 'baseline' | 'confirmation';
  label: string;
  points: CurvePoint[];
}

/** x of a quantile on the log scale: log10(1 / (1 - q)); p90 at 1, p99 at 2, p99.9 at 3. */
export function logX(q: number): number {
  return Math.log10(1 / (1 - q));
}

/** The quantiles a curve is drawn at: every 0.05 of the log scale up to `xMax`, and the named percentiles exactly. */
function curveQuantiles(xMax: number): number[] {
  const out = new Set<number>(
    [0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999].filter((q) => logX(q) <= xMax + 1e-9),
  );
  for (let i = 0; i <= Math.round(xMax / 0.05); i++) out.add(1 - 10 ** -(i * 0.05));
  return [...out].sort((a, b) => a - b);
}

/**
 * A measurement's percentile curve from its histogram (the summary's six percentiles when the
 * histogram cannot be read).
 */
function curveOf(m: Measurement, quantiles: readonly number[]): CurvePoint[] {
  try {
    const histogram = decodeHistogram(m.histogram);
    if (histogram.totalCount > 0) {
      return quantiles.map((q) => ({ q, ms: quantileMs(histogram, q) }));
    }
  } catch {
    // fall through to the summary
  }
  return summaryPoints(m.latency);
}

function summaryPoints(latency: LatencySummary): CurvePoint[] {
  return (['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'] as const)
    .filter((p) => Number.isFinite(latency[p]))
    .map((p) => ({ q: QUANTILES[p]!, ms: latency[p] }));
}

export function curvesOf(endpoint: EndpointResult): { curves: Curve[]; xMax: number } {
  // Up to p99.99 when there are enough requests for it to mean something, at least to p99.9.
  const xMax = Math.min(
    4,
    Math.max(3, Math.floor(Math.log10(Math.max(1, endpoint.measurement.requests)))),
  );
  const quantiles = curveQuantiles(xMax);
  const curves: Curve[] = [];
  if (endpoint.measurement.requests > 0)
    curves.push({
      kind: 'run',
      label: 'this run',
      points: curveOf(endpoint.measurement, quantiles),
    });
  const { baseline } = endpoint;
  if (baseline.kind === 'reference' && baseline.measurement.requests > 0) {
    curves.push({
      kind: 'baseline',
      label: baseline.saved ? 'base report' : 'reference',
      points: curveOf(baseline.measurement, quantiles),
    });
  } else if (baseline.kind === 'cloudwatch') {
    const points = (['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'] as const)
      .filter((p) => Number.isFinite(baseline.metrics[p]?.median))
      .map((p) => ({ q: QUANTILES[p]!, ms: baseline.metrics[p]!.median }));
    if (points.length > 0) curves.push({ kind: 'baseline', label: 'CloudWatch median', points });
  }
  if (endpoint.confirmation && endpoint.confirmation.requests > 0) {
    curves.push({
      kind: 'confirmation',
      label: 'confirmation',
      points: curveOf(endpoint.confirmation, quantiles),
    });
  }
  return { curves, xMax };
}

/** The latency budgets of an endpoint as (quantile, limit): `max` at the right edge. */
function budgetMarks(
  config: ReportEndpointConfig | undefined,
): { metric: string; q?: number; ms: number }[] {
  const marks: { metric: string; q?: number; ms: number }[] = [];
  for (const [metric, value] of Object.entries(config?.budget ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (metric === 'max') marks.push({ metric, ms: value });
    else if (QUANTILES[metric] !== undefined)
      marks.push({ metric, q: QUANTILES[metric], ms: value });
  }
  return marks;
}

const WIDTH = 640;
const HEIGHT = 300;
const M = { left: 56, right: 16, top: 16, bottom: 40 };

function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

/** The percentile chart of one endpoint as inline SVG; empty when nothing was measured. */
export function percentileSvg(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
): string {
  const { curves, xMax } = curvesOf(endpoint);
  if (curves.length === 0) return '';
  const marks = budgetMarks(config);
  const all = [
    ...curves.flatMap((c) => c.points.map((p) => p.ms)),
    ...marks.map((b) => b.ms),
  ].filter(Number.isFinite);
  const yMax = niceCeiling(Math.max(...all, 0.001) * 1.05);
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const px = (q: number) => M.left + (Math.min(logX(q), xMax) / xMax) * plotW;
  const py = (ms: number) => M.top + plotH - (Math.min(Math.max(ms, 0), yMax) / yMax) * plotH;
  const out: string[] = [];
  const title = `Latency by percentile: ${endpoint.name}`;
  out.push(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
  );
  // Grid and axes.
  for (let i = 0; i <= 4; i++) {
    const ms = (yMax * i) / 4;
    const y = n(py(ms));
    out.push(`<line class="grid" x1="${M.left}" x2="${WIDTH - M.right}" y1="${y}" y2="${y}"/>`);
    out.push(
      `<text class="tick" x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatMs(ms))}</text>`,
    );
  }
  const ticks: [number, string][] = [
    [0, 'p0'],
    [0.5, 'p50'],
    [0.9, 'p90'],
    [0.99, 'p99'],
    [0.999, 'p99.9'],
    [0.9999, 'p99.99'],
  ];
  for (const [q, label] of ticks) {
    if (logX(q) > xMax + 1e-9) continue;
    const x = n(px(q));
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + plotH}"/>`);
    out.push(
      `<text class="tick" x="${x}" y="${M.top + plotH + 16}" text-anchor="middle">${label}</text>`,
    );
  }
  out.push(
    `<text class="tick" x="${M.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">percentile (log scale)</text>`,
  );
  // Budgets: a dashed line from the left up to the percentile each limits (a limit there holds
  // every lower percentile too), with a dot where it applies.
  for (const b of marks) {
    const y = n(py(b.ms));
    const x2 = b.q === undefined ? WIDTH - M.right : px(b.q);
    const label = `${b.metric} budget: ${formatMs(b.ms)}`;
    out.push(
      `<line class="budget" x1="${M.left}" x2="${n(x2)}" y1="${y}" y2="${y}"><title>${escapeHtml(label)}</title></line>`,
    );
    out.push(
      `<circle class="budget-dot" cx="${n(x2)}" cy="${y}" r="4"><title>${escapeHtml(label)}</title></circle>`,
    );
  }
  // This run last, on top of the lines it is compared with.
  for (const curve of [...curves].reverse()) {
    const points = curve.points.map((p) => `${n(px(p.q))},${n(py(p.ms))}`).join(' ');
    out.push(
      `<polyline class="series s-${curve.kind}" points="${points}"><title>${escapeHtml(curve.label)}</title></polyline>`,
    );
    for (const metric of ['p50', 'p90', 'p95', 'p99', 'p99.9'] as const) {
      const q = QUANTILES[metric]!;
      const point = curve.points.find((p) => Math.abs(p.q - q) < 1e-9);
      if (!point || logX(q) > xMax + 1e-9) continue;
      out.push(
        `<circle class="dot s-${curve.kind}" cx="${n(px(q))}" cy="${n(py(point.ms))}" r="3"><title>${escapeHtml(`${curve.label}, ${metric}: ${formatMs(point.ms)}`)}</title></circle>`,
      );
    }
  }
  out.push('</svg>');
  const legend = curves
    .map((c) => `<span class="key"><i class="swatch s-${c.kind}"></i>${escapeHtml(c.label)}</span>`)
    .concat(
      marks.length > 0 ? ['<span class="key"><i class="swatch budget-key"></i>budget</span>'] : [],
    );
  return `<figure>${out.join('')}<figcaption>${legend.join(' ')}</figcaption></figure>`;
}

/**
 * The trend of the endpoint's most telling metric over its CloudWatch lookback (charts.ts
 * trendChart), this run as the last point; empty without such a history.
 */
export function trendSvg(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
): string {
  const trend = trendChart(endpoint, config);
  if (!trend) return '';
  const points = [...trend.history, trend.current];
  const yMax = niceCeiling(Math.max(...points, trend.median, trend.budget ?? 0, 0.001) * 1.05);
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const px = (i: number) => M.left + (points.length > 1 ? (i / (points.length - 1)) * plotW : 0);
  const py = (ms: number) => M.top + plotH - (Math.min(Math.max(ms, 0), yMax) / yMax) * plotH;
  const title = `${trend.metric} per CloudWatch period, then this run: ${endpoint.name}`;
  const out: string[] = [
    `<svg class="chart trend" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = n(py((yMax * i) / 4));
    out.push(`<line class="grid" x1="${M.left}" x2="${WIDTH - M.right}" y1="${y}" y2="${y}"/>`);
    out.push(
      `<text class="tick" x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatMs((yMax * i) / 4))}</text>`,
    );
  }
  out.push(
    `<text class="tick" x="${M.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(`${trend.history.length} periods, oldest first, then this run`)}</text>`,
  );
  const flat = (ms: number, cls: string, label: string) =>
    `<line class="${cls}" x1="${M.left}" x2="${WIDTH - M.right}" y1="${n(py(ms))}" y2="${n(py(ms))}"><title>${escapeHtml(label)}</title></line>`;
  out.push(flat(trend.median, 'median', `median of the periods: ${formatMs(trend.median)}`));
  if (trend.budget !== undefined)
    out.push(flat(trend.budget, 'budget', `${trend.metric} budget: ${formatMs(trend.budget)}`));
  const history = trend.history.map((v, i) => `${n(px(i))},${n(py(v))}`).join(' ');
  out.push(
    `<polyline class="series s-baseline" points="${history}"><title>${escapeHtml(`${trend.metric} per period`)}</title></polyline>`,
  );
  const last = points.length - 1;
  out.push(
    `<circle class="dot s-run" cx="${n(px(last))}" cy="${n(py(trend.current))}" r="4"><title>${escapeHtml(`this run, ${trend.metric}: ${formatMs(trend.current)}`)}</title></circle>`,
  );
  out.push('</svg>');
  const legend = [
    `<span class="key"><i class="swatch s-baseline"></i>${escapeHtml(`${trend.metric} per CloudWatch period`)}</span>`,
    '<span class="key"><i class="swatch s-run"></i>this run</span>',
    '<span class="key"><i class="swatch median-key"></i>median</span>',
    ...(trend.budget !== undefined
      ? ['<span class="key"><i class="swatch budget-key"></i>budget</span>']
      : []),
  ];
  return `<figure>${out.join('')}<figcaption>${legend.join(' ')}</figcaption></figure>`;
}

// ---------------------------------------------------------------------------------------------
// Page

function value(metric: BudgetMetric, v: number | undefined): string {
  return v === undefined ? '—' : formatMetricValue(metric, v);
}

function findingRow(endpoint: EndpointResult, finding: Finding, baselineColumns: boolean): string {
  const budget =
    finding.budget === undefined
      ? '—'
      : `${finding.metric === 'min-rps' ? '≥' : '≤'} ${value(finding.metric, finding.budget)}`;
  let current = value(finding.metric, finding.current);
  if (finding.confirmation)
    current += ` (confirm: ${value(finding.metric, finding.confirmation.current)})`;
  const change =
    finding.delta === undefined
      ? '—'
      : finding.change === undefined
        ? formatMetricDelta(finding.metric, finding.delta)
        : `${formatChange(finding.change)} (${formatMetricDelta(finding.metric, finding.delta)})`;
  const cells = (
    baselineColumns
      ? [
          endpoint.name,
          metricLabel(finding.metric),
          budget,
          value(finding.metric, finding.baseline),
          current,
          change,
        ]
      : [endpoint.name, metricLabel(finding.metric), budget, current]
  ).map((c) => `<td>${escapeHtml(c)}</td>`);
  const failing = finding.breaches.length > 0;
  return `<tr class="${failing ? 'fail' : `v-${finding.verdict}`}">${cells.join('')}<td class="verdict" title="${escapeHtml(finding.reason)}">${escapeHtml(verdictOf(finding))}</td></tr>`;
}

function percentileTable(endpoint: EndpointResult): string {
  const rows: [string, LatencySummary][] = [['this run', endpoint.measurement.latency]];
  if (endpoint.confirmation) rows.push(['confirmation', endpoint.confirmation.latency]);
  if (endpoint.baseline.kind === 'reference') {
    rows.push([
      endpoint.baseline.saved ? 'base report' : 'reference',
      endpoint.baseline.measurement.latency,
    ]);
  }
  const head = `<tr><th></th>${LATENCY_METRICS.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      ([label, latency]) =>
        `<tr><th>${escapeHtml(label)}</th>${LATENCY_METRICS.map((m: LatencyMetric) => `<td>${escapeHtml(formatMs(latency[m]))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table class="num">${head}${body}</table>`;
}

function measurementText(label: string, m: Measurement): string {
  return `${label}: ${formatCount(m.requests)} requests, ${formatRps(m.throughput)}, ${m.errors === 0 ? 'no errors' : `${formatCount(m.errors)} errors (${formatRate(m.errorRate)})`}`;
}

function endpointSection(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
  index: number,
): string {
  const parts: string[] = [];
  parts.push(
    `<section class="endpoint v-${endpoint.verdict}" id="endpoint-${index}"><h3>${escapeHtml(endpoint.name)} <code>${escapeHtml(`${endpoint.method} ${endpoint.path}`)}</code> <span class="badge">${escapeHtml(VERDICT_TEXT[endpoint.verdict])}</span></h3>`,
  );
  parts.push(percentileSvg(endpoint, config));
  parts.push(trendSvg(endpoint, config));
  parts.push(percentileTable(endpoint));
  const lines = [measurementText('this run', endpoint.measurement)];
  if (endpoint.confirmation) lines.push(measurementText('confirmation', endpoint.confirmation));
  if (endpoint.baseline.kind === 'reference')
    lines.push(measurementText('reference', endpoint.baseline.measurement));
  if (endpoint.baseline.kind === 'none') lines.push(`baseline: none (${endpoint.baseline.reason})`);
  else lines.push(`baseline: ${endpoint.baseline.source}`);
  for (const f of endpoint.findings) lines.push(`${metricLabel(f.metric)}: ${f.reason}`);
  parts.push(`<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul></section>`);
  return parts.join('\n');
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--run:#2563eb;--baseline:#6b7280;--confirmation:#d97706;--budget:#dc2626;--fail:#fde8e8;--warn:#fff4d6}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--run:#60a5fa;--baseline:#9ca3af;--confirmation:#fbbf24;--budget:#f87171;--fail:#3b1219;--warn:#3a2d0c}}
body{background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px}h3{font-size:16px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left}
table.num td{text-align:right}tr.fail td{background:var(--fail)}tr.v-inconclusive td{background:var(--warn)}
code{font-family:ui-monospace,monospace;font-size:12px}.badge{font-size:12px;color:var(--muted)}
.muted,figcaption,footer{color:var(--muted)}figure{margin:8px 0}
svg.chart{max-width:100%;height:auto}.grid{stroke:var(--line);stroke-width:1}.tick{fill:var(--muted);font-size:11px}
.series{fill:none;stroke-width:2}.s-run{stroke:var(--run);fill:var(--run)}.s-baseline{stroke:var(--baseline);fill:var(--baseline)}
.s-confirmation{stroke:var(--confirmation);fill:var(--confirmation)}polyline.series{fill:none}
.budget{stroke:var(--budget);stroke-width:1.5;stroke-dasharray:6 4}.budget-dot{fill:var(--budget)}
.median{stroke:var(--baseline);stroke-width:1;stroke-dasharray:2 3}i.median-key{background:var(--baseline);opacity:.6}
.key{margin-right:12px}.swatch{display:inline-block;width:14px;height:3px;margin-right:4px;vertical-align:middle}
i.s-run{background:var(--run)}i.s-baseline{background:var(--baseline)}i.s-confirmation{background:var(--confirmation)}i.budget-key{background:var(--budget)}
`;

const plural = (count: number, one: string) =>
  `${formatCount(count)} ${count === 1 ? one : `${one}s`}`;

export function renderHtml(report: Report): string {
  const configs = new Map(report.config.endpoints.map((e) => [e.name, e]));
  const { summary } = report;
  const gate = report.gateId === 'default' ? 'perf-gate' : `perf-gate ${report.gateId}`;
  // With no baseline configured only budgets were checked: no regressions to count, no
  // Baseline or Change columns (as in the comment).
  const baselineColumns = !budgetsOnly(report);
  const checked = baselineColumns ? '' : ' (budgets only; no baseline configured)';
  const headline = summary.passed
    ? `${gate}: passed, ${plural(summary.endpoints, 'endpoint')}${checked}`
    : `${gate}: failed: ${plural(summary.violations, 'budget violation')}${baselineColumns ? `, ${plural(summary.regressions, 'regression')}` : ''} in ${plural(summary.endpoints, 'endpoint')}${checked}`;
  const failures: string[] = [];
  for (const error of summary.errors ?? [])
    failures.push(`${error.endpoint ? `${error.endpoint}: ` : ''}${error.message}`);
  for (const e of report.endpoints) {
    for (const f of e.findings)
      if (f.breaches.length > 0) failures.push(`${e.name} ${metricLabel(f.metric)}: ${f.reason}`);
  }
  // Failing endpoints first (the most severe verdict first), each group in the report's order.
  const order = report.endpoints
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        VERDICT_SEVERITY.indexOf(a.e.verdict) - VERDICT_SEVERITY.indexOf(b.e.verdict) || a.i - b.i,
    );
  const rows = order.flatMap(({ e }) =>
    e.findings.length > 0
      ? e.findings.map((f) => findingRow(e, f, baselineColumns))
      : [
          `<tr><td>${escapeHtml(e.name)}</td>${'<td>—</td>'.repeat(baselineColumns ? 5 : 3)}<td>pass (nothing to check)</td></tr>`,
        ],
  );
  const body = [
    `<h1>${escapeHtml(headline)}</h1>`,
    report.config.target.tls?.insecure
      ? '<p><strong>Certificates were not checked</strong> (target.tls.insecure): the numbers may not come from the target.</p>'
      : '',
    summary.cancelled
      ? '<p><strong>The run was cancelled</strong>: endpoints it did not reach are missing.</p>'
      : '',
    failures.length > 0
      ? `<h2>Why it failed</h2><ul>${failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
      : '',
    '<h2>Verdicts</h2>',
    `<table class="verdicts"><tr><th>Endpoint</th><th>Metric</th><th>Budget</th>${baselineColumns ? '<th>Baseline</th>' : ''}<th>Current</th>${baselineColumns ? '<th>Change</th>' : ''}<th>Verdict</th></tr>${rows.join('\n')}</table>`,
    '<h2>Endpoints</h2>',
    ...order.map(({ e, i }) => endpointSection(e, configs.get(e.name), i)),
    `<footer><p>${escapeHtml(`${report.tool.name} ${report.tool.version} · ${report.environment.runner.os} ${report.environment.runner.arch} · Node ${report.environment.node} · ${report.createdAt} · budget file ${report.config.file} · target ${report.config.target.url}`)}</p></footer>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(headline)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body.filter((b) => b !== ''),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
