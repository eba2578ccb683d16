import type { BudgetMetric, LatencyMetric } from '../units/metrics.js';
import { LATENCY_METRICS, QUANTILES } from '../units/metrics.js';
import { minimumSamples } from '../evaluate/quantile-bounds.js';
import type { EndpointResult, Finding, Verdict } from '../evaluate/types.js';
import { VERDICT_SEVERITY } from '../evaluate/types.js';
import type { AdaptiveRecord, LatencySummary, Measurement } from '../measure/types.js';
import {
  formatChange,
  formatCount,
  formatDuration,
  formatMetricDelta,
  formatMetricValue,
  formatMs,
  formatRate,
  formatRps,
  metricLabel,
} from '../units/format.js';
import type { Report, ReportEndpointConfig } from './report.js';
import { breachesOf, budgetsOnly } from './checks.js';
import { endpointsToChart, markdownChart } from './charts.js';

/**
 * The markdown people read: the PR comment and the job summary (docs/architecture.md §6). Everything in a
 * report is treated as hostile (in the fork-safe `workflow_run` pattern it comes from the fork):
 * text is escaped so it cannot break the table, inject HTML, mention anyone or link an issue.
 */

export interface MarkdownOptions {
  /** Upper bound of the result's length. Default 60,000 (a PR comment holds 65,536). */
  maxChars?: number;
  /**
   * A hidden HTML comment (`<!-- ... -->`) put first, to find the sticky comment again
   * (github/marker.ts `commentMarker(gateId)` makes it).
   */
  marker?: string;
  /** Where the whole report can be read when parts had to be left out. */
  fullReportHint?: string;
}

export const DEFAULT_MAX_CHARS = 60_000;

const VERDICT_LABEL: Record<Verdict, string> = {
  pass: '✅ pass',
  'budget-exceeded': '❌ over budget',
  regression: '🔺 regression',
  improvement: '🟢 improvement',
  inconclusive: '⚠️ inconclusive',
  'no-baseline': '➖ no baseline',
  accepted: '🟡 accepted',
};

/**
 * A finding's verdict as a table cell: a finding over budget that also regressed says both, so a
 * headline counting regressions finds them in the table.
 */
function verdictLabel(finding: Finding): string {
  if (finding.verdict === 'accepted' && finding.acceptance)
    return `🟡 accepted by ${acceptedBy(finding.acceptance.by)}`;
  if (finding.breaches.length > 1) return `❌ ${breachesOf(finding).join(' and ')}`;
  return VERDICT_LABEL[finding.verdict];
}

/** A GitHub login as written in the comment: only the characters a login may hold. */
export function acceptedBy(login: string): string {
  return `@${login.replace(/[^A-Za-z0-9-[\]]/g, '').slice(0, 64)}`;
}

// ---------------------------------------------------------------------------------------------
// Escaping

/**
 * Characters that start markup in GFM inline text: escapes, code, emphasis, links and images
 * (without `[` there is no link, so parentheses can stay), HTML and autolinks, entities, table
 * cells, strikethrough, and to GitHub also `$` math and `:` emoji or `https:` autolinks. Each
 * becomes a numeric character reference, which CommonMark always treats as literal text.
 */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>&|~$:]/g;
/** C0/C1 controls, line and paragraph separators, bidi overrides and isolates, BOM. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they must not reach the comment
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * User text for any inline position (table cell, list item, heading, summary): one line, at
 * most `maxLength` characters, no markup, no `@mention`, `#123` or `GH-123` reference (a
 * zero-width joiner breaks GitHub's autolinking), and no `www.` or `https:` autolink.
 */
export function escapeInline(text: string, maxLength = 80): string {
  const line = text.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  const short =
    chars.length > maxLength ? `${chars.slice(0, Math.max(1, maxLength - 1)).join('')}…` : line;
  // Joiners first: the character references made next contain '#' and must stay intact.
  return short
    .replace(/[@#]/g, (c) => `${c}\u200d`)
    .replace(/\b(gh)-(?=\d)/gi, '$1\u200d-')
    .replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/\b(www)\./gi, '$1&#46;');
}

/** User text as inline code (paths, URLs): escaped the same way, inside an HTML code element. */
function code(text: string, maxLength = 80): string {
  return `<code>${escapeInline(text, maxLength)}</code>`;
}

const NAME_LENGTH = 60;
const PATH_LENGTH = 80;
const REASON_LENGTH = 400;

// ---------------------------------------------------------------------------------------------

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  // One comment that cannot close early: whatever follows it must not end up inside it, nor it in the body.
  if (options.marker !== undefined && !/^<!--(?!-?>)(?:(?!-->)[^\n])*-->$/.test(options.marker)) {
    throw new Error(
      `renderMarkdown: marker must be one HTML comment on one line, e.g. "<!-- perf-gate:api -->", got ${JSON.stringify(options.marker)}`,
    );
  }
  const parts = collectParts(report);
  const full =
    options.fullReportHint ?? 'the full report is in the job summary and the JSON report';

  // Left out in this order when the result is too long: charts, details, passing rows, warnings,
  // failing rows, and the failures list only as a last resort.
  const keep = {
    charts: parts.charts.length,
    details: parts.details.length,
    passRows: parts.passRows.length,
    warnings: parts.warnings.length,
    failRows: parts.failRows.length,
    failures: parts.failures.length,
  };
  const order: (keyof typeof keep)[] = [
    'charts',
    'details',
    'passRows',
    'warnings',
    'failRows',
    'failures',
  ];
  const itemsOf = (key: keyof typeof keep): string[] => parts[key];

  let text = compose(report, parts, keep, options.marker, full);
  for (const key of order) {
    while (text.length > maxChars && keep[key] > 0) {
      const items = itemsOf(key).slice(0, keep[key]);
      const average = items.reduce((sum, item) => sum + item.length + 1, 0) / items.length;
      const step = Math.max(
        1,
        Math.min(keep[key], Math.ceil((text.length - maxChars) / Math.max(1, average))),
      );
      keep[key] -= step;
      text = compose(report, parts, keep, options.marker, full);
    }
  }
  if (text.length > maxChars) {
    const note = `\n\n… cut to fit; ${full}.\n`;
    const room = Math.max(0, maxChars - note.length);
    const cut = text.lastIndexOf('\n', room);
    text = `${text.slice(0, cut > 0 ? cut : room)}${note}`.slice(0, maxChars);
  }
  return text;
}

interface Parts {
  headline: string;
  /** Baseline and Change columns: not when no endpoint had a baseline set up. */
  baselineColumns: boolean;
  failures: string[];
  warnings: string[];
  failRows: string[];
  passRows: string[];
  details: string[];
  /** Latency charts (report/charts.ts), one per endpoint drawn. */
  charts: string[];
  footer: string;
}

/** Never left out: a run whose traffic anyone on the way could read or change says so first. */
export const INSECURE_WARNING =
  "⚠️ **Certificates were not checked** (`target.tls.insecure: true` in the budget file): anyone on the network path could read and change this run's traffic, and the numbers may not come from the target.";

function compose(
  report: Report,
  parts: Parts,
  keep: Record<'charts' | 'details' | 'passRows' | 'warnings' | 'failRows' | 'failures', number>,
  marker: string | undefined,
  fullReportHint: string,
): string {
  const out: string[] = [];
  const left: string[] = [];
  if (marker) out.push(marker);
  out.push(parts.headline, '');
  if (report.config.target.tls?.insecure) out.push(INSECURE_WARNING, '');

  if (parts.failures.length > 0) {
    out.push('**Why it failed**', '', ...parts.failures.slice(0, keep.failures));
    const omitted = parts.failures.length - keep.failures;
    if (omitted > 0) {
      out.push(`- … and ${formatCount(omitted)} more`);
      left.push(`${formatCount(omitted)} failure${omitted === 1 ? '' : 's'}`);
    }
    out.push('');
  }
  if (report.summary.cancelled) {
    out.push(
      '⚠️ The run was cancelled: endpoints it did not reach are missing, and the gate did not pass.',
      '',
    );
  }
  if (parts.warnings.length > 0 && keep.warnings > 0) {
    out.push('**Warnings**', '', ...parts.warnings.slice(0, keep.warnings));
    if (keep.warnings < parts.warnings.length)
      out.push(`- … and ${formatCount(parts.warnings.length - keep.warnings)} more`);
    out.push('');
  }
  if (keep.warnings < parts.warnings.length)
    left.push(`${formatCount(parts.warnings.length - keep.warnings)} warnings`);

  const rows = [
    ...parts.failRows.slice(0, keep.failRows),
    ...parts.passRows.slice(0, keep.passRows),
  ];
  if (rows.length > 0) {
    if (parts.baselineColumns) {
      out.push('| Endpoint | Metric | Budget | Baseline | Current | Change | Verdict |');
      out.push('|---|---|--:|--:|--:|--:|---|');
    } else {
      out.push('| Endpoint | Metric | Budget | Current | Verdict |');
      out.push('|---|---|--:|--:|---|');
    }
    out.push(...rows, '');
  }
  const omittedRows =
    parts.failRows.length - keep.failRows + (parts.passRows.length - keep.passRows);
  if (omittedRows > 0) {
    const passing = parts.passRows.length - keep.passRows;
    const failing = parts.failRows.length - keep.failRows;
    const what =
      failing > 0
        ? `${formatCount(omittedRows)} table rows`
        : `${formatCount(passing)} passing table rows`;
    out.push(`*${what} left out.*`, '');
    left.push(what);
  }

  composeCharts(out, left, parts.charts, keep.charts);

  if (keep.details > 0) {
    out.push(
      '<details>',
      '<summary>Details: percentiles, requests and errors, load settings, baselines</summary>',
      '',
    );
    out.push(...parts.details.slice(0, keep.details));
    if (keep.details < parts.details.length) {
      out.push(
        `*Details of ${formatCount(parts.details.length - keep.details)} more endpoints left out.*`,
        '',
      );
    }
    out.push('</details>', '');
  }
  if (keep.details < parts.details.length) {
    left.push(
      keep.details === 0
        ? 'the details'
        : `details of ${formatCount(parts.details.length - keep.details)} endpoints`,
    );
  }
  if (left.length > 0) out.push(`*Left out to fit: ${left.join(', ')}; ${fullReportHint}.*`, '');
  out.push(parts.footer);
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

function collectParts(report: Report): Parts {
  const configs = new Map(report.config.endpoints.map((e) => [e.name, e]));
  const baselineColumns = !budgetsOnly(report);
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const error of report.summary.errors ?? []) {
    failures.push(
      `- ❌ ${error.endpoint ? `**${escapeInline(error.endpoint, NAME_LENGTH)}**: ` : ''}${escapeInline(error.message, REASON_LENGTH)}`,
    );
  }
  const rows: { severity: number; index: number; text: string; failing: boolean }[] = [];
  report.endpoints.forEach((endpoint, index) => {
    const who = `**${escapeInline(endpoint.name, NAME_LENGTH)}** ${code(`${endpoint.method} ${endpoint.path}`, PATH_LENGTH)}`;
    for (const finding of endpoint.findings) {
      const item = `- ${VERDICT_LABEL[finding.verdict].split(' ')[0]} ${who} ${metricLabel(finding.metric)}: ${escapeInline(finding.reason, REASON_LENGTH)}`;
      if (finding.breaches.length > 0) failures.push(item);
      else if (finding.verdict === 'inconclusive') warnings.push(item);
      const severity = VERDICT_SEVERITY.indexOf(finding.verdict);
      rows.push({
        severity,
        index,
        text: tableRow(endpoint, finding, baselineColumns),
        failing: finding.breaches.length > 0 || severity < VERDICT_SEVERITY.indexOf('improvement'),
      });
    }
    const measured = [
      endpoint.measurement,
      ...(endpoint.confirmation ? [endpoint.confirmation] : []),
    ];
    for (const text of new Set(measured.flatMap((m) => m.warnings ?? []))) {
      warnings.push(`- ⚠️ ${who}: ${escapeInline(text, REASON_LENGTH)}`);
    }
    if (endpoint.findings.length === 0) {
      rows.push({
        severity: VERDICT_SEVERITY.indexOf('pass'),
        index,
        text: `| ${escapeInline(endpoint.name, NAME_LENGTH)} | — | — | — |${baselineColumns ? ' — | — |' : ''} ${VERDICT_LABEL.pass} (nothing to check) |`,
        failing: false,
      });
    }
  });
  rows.sort((a, b) => a.severity - b.severity || a.index - b.index);
  return {
    headline: headline(report),
    baselineColumns,
    failures,
    warnings,
    failRows: rows.filter((r) => r.failing).map((r) => r.text),
    passRows: rows.filter((r) => !r.failing).map((r) => r.text),
    details: report.endpoints.map((e) => endpointDetails(e, configs.get(e.name))),
    charts: chartsOf(report, configs),
    footer: footer(report),
  };
}

function headline(report: Report): string {
  const { summary } = report;
  const gate = report.gateId === 'default' ? 'perf-gate' : `perf-gate ${code(report.gateId, 64)}`;
  const plural = (n: number, one: string, many: string) =>
    `${formatCount(n)} ${n === 1 ? one : many}`;
  const endpoints = plural(summary.endpoints, 'endpoint', 'endpoints');
  const extras: string[] = [];
  if (summary.inconclusive > 0) extras.push(`${formatCount(summary.inconclusive)} inconclusive`);
  if (summary.improvements > 0)
    extras.push(plural(summary.improvements, 'improvement', 'improvements'));
  if (budgetsOnly(report)) extras.push('budgets only; no baseline configured');
  const tail = extras.length > 0 ? ` (${extras.join(', ')})` : '';
  if (summary.passed) {
    return `### ✅ ${gate}: ${endpoints}, all within budget${tail}`;
  }
  const problems: string[] = [];
  if (summary.errors && summary.errors.length > 0)
    problems.push(plural(summary.errors.length, 'error', 'errors'));
  if (summary.regressions > 0)
    problems.push(plural(summary.regressions, 'regression', 'regressions'));
  if (summary.violations > 0)
    problems.push(plural(summary.violations, 'budget violation', 'budget violations'));
  if (summary.cancelled) problems.push('cancelled');
  const accepted = summary.accepted ?? 0;
  if (accepted > 0) {
    if (problems.length === 0)
      return `### 🟡 ${gate}: ${plural(accepted, 'accepted regression', 'accepted regressions')} in ${endpoints}${tail}`;
    problems.push(`${formatCount(accepted)} accepted`);
  }
  return `### ❌ ${gate}: ${problems.join(', ')} in ${endpoints}${tail}`;
}

function tableRow(endpoint: EndpointResult, finding: Finding, baselineColumns: boolean): string {
  const value = (v: number | undefined) =>
    v === undefined ? '—' : formatMetricValue(finding.metric, v);
  const budget =
    finding.budget === undefined
      ? '—'
      : `${finding.metric === 'min-rps' ? '≥' : '≤'} ${value(finding.budget)}`;
  let current = value(finding.current);
  if (finding.confirmation) current += ` (confirm: ${value(finding.confirmation.current)})`;
  const cells = baselineColumns
    ? [
        escapeInline(endpoint.name, NAME_LENGTH),
        metricLabel(finding.metric),
        budget,
        value(finding.baseline),
        current,
        changeText(finding.metric, finding.change, finding.delta),
        verdictLabel(finding),
      ]
    : [
        escapeInline(endpoint.name, NAME_LENGTH),
        metricLabel(finding.metric),
        budget,
        current,
        verdictLabel(finding),
      ];
  return `| ${cells.join(' | ')} |`;
}

function changeText(
  metric: BudgetMetric,
  change: number | undefined,
  delta: number | undefined,
): string {
  if (delta === undefined) return '—';
  const absolute = formatMetricDelta(metric, delta);
  return change === undefined ? absolute : `${formatChange(change)} (${absolute})`;
}

// ---------------------------------------------------------------------------------------------
// Charts (report/charts.ts draws them; here they are only placed and left out first)

function chartsOf(report: Report, configs: Map<string, ReportEndpointConfig>): string[] {
  return endpointsToChart(report)
    .map((e) =>
      markdownChart(
        e,
        configs.get(e.name),
        `#### ${VERDICT_LABEL[e.verdict].split(' ')[0]} ${escapeInline(e.name, NAME_LENGTH)} ${code(`${e.method} ${e.path}`, PATH_LENGTH)}`,
      ),
    )
    .filter((chart) => chart !== '');
}

function composeCharts(out: string[], left: string[], charts: string[], kept: number): void {
  if (kept > 0) {
    out.push('**Latency by percentile**', '', ...charts.slice(0, kept));
    if (kept < charts.length)
      out.push(`*Charts of ${formatCount(charts.length - kept)} more endpoints left out.*`, '');
  }
  if (kept < charts.length) {
    left.push(
      kept === 0 ? 'the charts' : `charts of ${formatCount(charts.length - kept)} endpoints`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Details

const DETAIL_COLUMNS: readonly LatencyMetric[] = LATENCY_METRICS;

function latencyRow(label: string, m: { latency: LatencySummary }): string {
  return `| ${label} | ${DETAIL_COLUMNS.map((c) => formatMs(m.latency[c])).join(' | ')} |`;
}

function endpointDetails(
  endpoint: EndpointResult,
  config: ReportEndpointConfig | undefined,
): string {
  const lines: string[] = [];
  lines.push(
    `#### ${VERDICT_LABEL[endpoint.verdict].split(' ')[0]} ${escapeInline(endpoint.name, NAME_LENGTH)} ${code(`${endpoint.method} ${endpoint.path}`, PATH_LENGTH)}`,
    '',
  );
  lines.push(
    `| | ${DETAIL_COLUMNS.join(' | ')} |`,
    `|---|${DETAIL_COLUMNS.map(() => '--:').join('|')}|`,
  );
  lines.push(latencyRow('this run', endpoint.measurement));
  if (endpoint.measurement.uncorrected)
    lines.push(latencyRow('uncorrected', { latency: endpoint.measurement.uncorrected }));
  if (endpoint.measurement.errorLatency)
    lines.push(latencyRow('failed requests', { latency: endpoint.measurement.errorLatency }));
  if (endpoint.confirmation) lines.push(latencyRow('confirmation', endpoint.confirmation));
  const { baseline } = endpoint;
  if (baseline.kind === 'reference') {
    lines.push(latencyRow(baseline.saved ? 'base report' : 'reference', baseline.measurement));
    if (baseline.confirmation)
      lines.push(latencyRow('reference, confirmation', baseline.confirmation));
  } else if (baseline.kind === 'cloudwatch') {
    const cells = DETAIL_COLUMNS.map((c) => {
      const entry = baseline.metrics[c];
      return entry ? formatMs(entry.median) : '—';
    });
    const label = baseline.store === 'github' ? 'history median' : 'CloudWatch median';
    if (cells.some((c) => c !== '—')) lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push(`- ${measurementLine('this run', endpoint.measurement)}`);
  if (endpoint.confirmation)
    lines.push(`- ${measurementLine('confirmation', endpoint.confirmation)}`);
  if (baseline.kind === 'reference')
    lines.push(
      `- ${measurementLine(baseline.saved ? 'base report' : 'reference', baseline.measurement)}`,
    );
  if (config) lines.push(`- load: ${loadLine(config)}`);
  lines.push(`- baseline: ${baselineLine(endpoint)}`);
  for (const finding of endpoint.findings) {
    if (finding.interval) lines.push(`- ${intervalLine(finding)}`);
  }
  for (const finding of endpoint.findings) {
    if (finding.confirmation) {
      lines.push(
        `- ${metricLabel(finding.metric)} on the confirmation run: ${escapeInline(finding.confirmation.reason, REASON_LENGTH)}`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** A percentile's confidence bounds (SPEC §4), as the details show them. */
function intervalLine(finding: Finding): string {
  const interval = finding.interval!;
  const value = (v: number) => formatMetricValue(finding.metric, v);
  const n = `${formatCount(interval.samples)} request${interval.samples === 1 ? '' : 's'}`;
  const percent = `${Number((interval.confidence * 100).toFixed(3))}%`;
  const q = QUANTILES[finding.metric];
  const fewest =
    q !== undefined && interval.confidence > 0 && interval.confidence < 1
      ? minimumSamples(q, interval.confidence)
      : undefined;
  const missing = (side: 'lower' | 'upper', needs: number | undefined) =>
    `no ${side} bound${needs !== undefined ? ` with fewer than ${formatCount(needs)} requests` : ''}`;
  let text: string;
  if (interval.low !== undefined && interval.high !== undefined) {
    text = `${value(interval.low)} to ${value(interval.high)} (order statistics ${formatCount(interval.lowRank ?? 0)} and ${formatCount(interval.highRank ?? 0)} of ${n})`;
  } else if (interval.low !== undefined) {
    text = `at least ${value(interval.low)} (order statistic ${formatCount(interval.lowRank ?? 0)} of ${n}); ${missing('upper', fewest?.high)}`;
  } else if (interval.high !== undefined) {
    text = `at most ${value(interval.high)} (order statistic ${formatCount(interval.highRank ?? 0)} of ${n}); ${missing('lower', fewest?.low)}`;
  } else {
    text = `no bound from ${n}`;
  }
  const more =
    interval.moreRequests !== undefined
      ? `; about ${formatCount(interval.moreRequests)} more requests would settle it (an estimate)`
      : '';
  return `${metricLabel(finding.metric)} with ${percent} confidence: ${text}${more}`;
}

function measurementLine(label: string, m: Measurement): string {
  const parts = [
    `${label}: ${formatCount(m.requests)} requests in ${formatDuration(m.durationMs, 'seconds')}, ${formatRps(m.throughput)}`,
  ];
  if (m.errors === 0) parts.push('no errors');
  else {
    const kinds: string[] = [];
    const b = m.errorBreakdown;
    if (b.timeouts > 0) kinds.push(`${formatCount(b.timeouts)} timeouts`);
    if (b.resets > 0) kinds.push(`${formatCount(b.resets)} resets`);
    for (const [codeName, n] of Object.entries(b.connection))
      kinds.push(`${escapeInline(codeName, 32)} × ${formatCount(n)}`);
    for (const [status, n] of Object.entries(b.status))
      kinds.push(`HTTP ${escapeInline(status, 8)} × ${formatCount(n)}`);
    parts.push(
      `${formatCount(m.errors)} errors (${formatRate(m.errorRate)})${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}`,
    );
  }
  if (m.arrivals) {
    const a = m.arrivals;
    parts.push(
      `${formatCount(a.sent)} of ${formatCount(a.intended)} paced requests sent${a.dropped > 0 ? `, ${formatCount(a.dropped)} dropped` : ''}`,
    );
  }
  if (m.generator?.saturated) {
    parts.push(
      `load generator saturated (event loop ${Math.round(100 * m.generator.eventLoopUtilization)}% busy, median delay ${formatMs(m.generator.eventLoopDelayP50Ms)})`,
    );
  }
  if (m.adaptive) parts.push(adaptiveText(m.adaptive));
  if (m.workers) parts.push(`${formatCount(m.workers)} load threads, merged`);
  if (m.cancelled) parts.push('cut short by cancellation');
  return parts.join('; ');
}

/**
 * "merged from 3 shards (all loading together ≥ 97% of the time)", or "shard 2 of 3 (gates
 * nothing by itself)": what a sharded run's report is.
 */
export function shardsText(report: Report): string | undefined {
  if (report.shards) {
    const overlaps = Object.values(report.shards.overlap);
    const least = overlaps.length > 0 ? Math.min(...overlaps) : 1;
    return `merged from ${formatCount(report.shards.count)} shards (all loading together ≥ ${Math.floor(least * 100)}% of the time)`;
  }
  if (report.shard) {
    return `shard ${formatCount(report.shard.index)} of ${formatCount(report.shard.count)} (gates nothing by itself; the merge of all ${formatCount(report.shard.count)} judges)`;
  }
  return undefined;
}

/** "adaptive: settled: pass at look 3 of 26 (cap 30s)": when and why an adaptive measurement stopped. */
export function adaptiveText(a: AdaptiveRecord): string {
  const confidence =
    a.confidence === undefined ? '' : `, bounds at ${Number((a.confidence * 100).toFixed(3))}%`;
  // Side by side, sequentially: the ABBA blocks measured and the regression's level.
  const blocks =
    a.blocks === undefined
      ? ''
      : `${formatCount(a.blocks)} ABBA block${a.blocks === 1 ? '' : 's'}, `;
  const regression =
    a.regressionConfidence === undefined
      ? ''
      : `, regression at ${Number((a.regressionConfidence * 100).toFixed(3))}%`;
  const unconfirmed = a.unconfirmed ? '; breach at the last look only, unconfirmed' : '';
  return `adaptive: ${a.stop} at look ${formatCount(a.look)} of ${formatCount(a.looks)} (${blocks}minimum ${formatDuration(a.minDurationMs)}, cap ${formatDuration(a.capMs)}${confidence}${regression})${unconfirmed}`;
}

/** "load 12s of the 1m 10s planned (58s saved by adaptive measurement)". */
export function loadTimeText(load: { spentMs: number; plannedMs: number }): string {
  const saved = load.plannedMs - load.spentMs;
  return saved >= 1000
    ? `load ${formatDuration(load.spentMs, 'seconds')} of the ${formatDuration(load.plannedMs)} planned (${formatDuration(saved, 'seconds')} saved by adaptive measurement)`
    : `load ${formatDuration(load.spentMs, 'seconds')}`;
}

function loadLine(config: ReportEndpointConfig): string {
  const load = config.load;
  const model =
    load.rate === undefined
      ? `${formatCount(load.connections)} connections for ${formatDuration(load.durationMs)}`
      : `${formatRps(load.rate)} over ${formatCount(load.connections)} connections for ${formatDuration(load.durationMs)} (open model: evenly paced, timed from each request's intended send time)`;
  const warmup = load.warmupMs > 0 ? `, ${formatDuration(load.warmupMs)} warmup` : ', no warmup';
  return `${model}${warmup}, ${formatDuration(load.timeoutMs)} timeout`;
}

function baselineLine(endpoint: EndpointResult): string {
  const { baseline } = endpoint;
  if (baseline.kind === 'none') {
    const reason = `none (${escapeInline(baseline.reason, REASON_LENGTH)})`;
    return baseline.configured === false ? `${reason}: judged by its budget alone` : reason;
  }
  if (baseline.kind === 'reference') {
    if (baseline.saved) {
      return `the base report's measurement, read from a saved file (${code(baseline.source, PATH_LENGTH)})`;
    }
    const rounds = baseline.rounds ? `, ${formatCount(baseline.rounds)} ABBA rounds` : '';
    return `reference deployment ${code(baseline.source, PATH_LENGTH)} measured side by side${rounds}`;
  }
  const periods = Math.max(0, ...Object.values(baseline.metrics).map((m) => m?.periods ?? 0));
  if (baseline.store === 'github')
    return `${code(baseline.source, PATH_LENGTH)}, ${formatCount(periods)} run${periods === 1 ? '' : 's'}`;
  return `CloudWatch ${code(baseline.source, PATH_LENGTH)}, ${formatCount(periods)} periods${baseline.partial ? ' (partial data)' : ''}`;
}

function footer(report: Report): string {
  const env = report.environment;
  const bits = [
    `${escapeInline(report.tool.name, 40)} ${escapeInline(report.tool.version, 40)}`,
    `runner ${escapeInline(env.runner.os, 40)} ${escapeInline(env.runner.arch, 40)}`,
    `Node ${escapeInline(env.node, 40)}`,
  ];
  if (report.summary.load) bits.push(loadTimeText(report.summary.load));
  const shardText = shardsText(report);
  if (shardText) bits.push(shardText);
  const runUrl = env.ci?.runUrl;
  // A link only to what looks like a workflow run; anything else is shown as text, not linked.
  if (
    runUrl &&
    /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[\w.-]+\/[\w.-]+\/actions\/runs\/\d+(\/attempts\/\d+)?$/.test(
      runUrl,
    )
  ) {
    bits.push(`[workflow run](${runUrl})`);
  }
  bits.push(escapeInline(report.createdAt, 40));
  return `<sub>${bits.join(' · ')}</sub>`;
}
