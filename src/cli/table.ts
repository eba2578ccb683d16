import type { Finding } from '../evaluate/types.js';
import { formatChange, formatMetricValue, metricLabel } from '../report/format.js';
import type { Report } from '../report/report.js';

/**
 * The verdicts as plain text for a terminal or a CI log: a headline, an aligned table (endpoint,
 * metric, budget, baseline, current, change, verdict) and the reasons for every failure.
 * Pure: a report in, text out.
 */

const NONE = '-';

export function headline(report: Report): string {
  const s = report.summary;
  const endpoints = `${s.endpoints} endpoint${s.endpoints === 1 ? '' : 's'}`;
  const gate = report.gateId === 'default' ? '' : ` (gate ${oneLine(report.gateId)})`;
  if (s.cancelled) return `perf-gate: CANCELLED: interrupted after ${endpoints}${gate}`;
  const problems = [
    s.violations > 0 ? plural(s.violations, 'budget violation') : '',
    s.regressions > 0 ? plural(s.regressions, 'regression') : '',
    s.errors?.length ? plural(s.errors.length, 'error') : '',
  ].filter(Boolean);
  if (problems.length === 0) {
    return `perf-gate: passed: ${endpoints}, every budget and regression check held${gate}`;
  }
  return `perf-gate: FAILED: ${problems.join(', ')} in ${endpoints}${gate}`;
}

export function renderTable(report: Report): string {
  const header = ['endpoint', 'metric', 'budget', 'baseline', 'current', 'change', 'verdict'];
  const rows: string[][] = [];
  for (const endpoint of report.endpoints) {
    const name = oneLine(endpoint.name);
    if (endpoint.findings.length === 0) {
      rows.push([name, NONE, NONE, NONE, NONE, NONE, endpoint.verdict]);
      continue;
    }
    endpoint.findings.forEach((finding, i) => {
      rows.push([i === 0 ? name : '', ...cells(finding)]);
    });
  }

  const lines = [headline(report), ''];
  if (rows.length > 0) lines.push(...align([header, ...rows]).map((l) => `  ${l}`), '');

  const failures = report.endpoints.flatMap((e) =>
    e.findings
      .filter((f) => f.breaches.length > 0)
      .map((f) => `  ${oneLine(e.name)} ${metricLabel(f.metric)}: ${oneLine(f.reason)}`),
  );
  const errors = (report.summary.errors ?? []).map((e) => `  ${oneLine(e.message)}`);
  if (failures.length > 0) lines.push('Failed:', ...failures, '');
  if (errors.length > 0) lines.push('Errors:', ...errors, '');
  const inconclusive = report.endpoints.flatMap((e) =>
    e.findings
      .filter((f) => f.verdict === 'inconclusive')
      .map((f) => `  ${oneLine(e.name)} ${metricLabel(f.metric)}: ${oneLine(f.reason)}`),
  );
  if (inconclusive.length > 0) {
    lines.push(
      `${plural(inconclusive.length, 'metric')} inconclusive, not failing (more requests would settle them: lengthen load.duration):`,
      ...inconclusive,
      '',
    );
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

function cells(f: Finding): string[] {
  const value = (v: number | undefined) =>
    v === undefined ? NONE : formatMetricValue(f.metric, v);
  const current = f.confirmation
    ? `${value(f.current)} -> ${value(f.confirmation.current)}`
    : value(f.current);
  return [
    metricLabel(f.metric),
    f.metric === 'min-rps' && f.budget !== undefined ? `>= ${value(f.budget)}` : value(f.budget),
    value(f.baseline),
    current,
    f.change === undefined ? NONE : formatChange(f.change),
    f.verdict,
  ];
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Text from the budget file or a report: control characters would corrupt a terminal. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]+/g, ' ');
}
