import type { Finding } from '../evaluate/types.js';
import { formatChange, formatMetricValue, metricLabel } from '../units/format.js';
import type { Report } from './report.js';
import { budgetsOnly, regressionChecksRan } from './checks.js';

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
  // Say what was checked: a run without a baseline held its budgets, not "every regression check".
  const checked = budgetsOnly(report)
    ? ' (budgets only; no baseline configured)'
    : regressionChecksRan(report)
      ? ''
      : ' (no baseline data: no regression check ran)';
  if (problems.length === 0) {
    const held = regressionChecksRan(report)
      ? 'every budget and regression check held'
      : 'every budget held';
    return `perf-gate: passed: ${endpoints}, ${held}${checked}${gate}`;
  }
  return `perf-gate: FAILED: ${problems.join(', ')} in ${endpoints}${checked}${gate}`;
}

export function renderTable(report: Report): string {
  // Without any baseline set up, the baseline and change columns would only ever say "-".
  const withBaseline = !budgetsOnly(report);
  const header = withBaseline
    ? ['endpoint', 'metric', 'budget', 'baseline', 'current', 'change', 'verdict']
    : ['endpoint', 'metric', 'budget', 'current', 'verdict'];
  const rows: string[][] = [];
  for (const endpoint of report.endpoints) {
    const name = oneLine(endpoint.name);
    if (endpoint.findings.length === 0) {
      rows.push([name, ...header.slice(1, -1).map(() => NONE), endpoint.verdict]);
      continue;
    }
    endpoint.findings.forEach((finding, i) => {
      const [metric, budget, baseline, current, change, verdict] = cells(finding);
      rows.push(
        withBaseline
          ? [i === 0 ? name : '', metric!, budget!, baseline!, current!, change!, verdict!]
          : [i === 0 ? name : '', metric!, budget!, current!, verdict!],
      );
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
    // Over budget and regressed: both, so a headline counting regressions finds them here.
    f.breaches.length > 1 ? 'budget-exceeded, regression' : f.verdict,
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
