import type { AcceptanceAudit, FindingKey } from '../evaluate/accept.js';
import type { BudgetMetric } from '../units/metrics.js';
import { metricLabel } from '../units/format.js';
import { acceptedBy, escapeInline } from './markdown.js';

/**
 * The acceptance part of the comment and job summary: who accepted which findings and why, and
 * every acceptance that did not count with the reason. Pure.
 */

function covered(keys: readonly FindingKey[]): string {
  if (keys.length === 0) return 'nothing failing in this run';
  const shown = keys
    .slice(0, 20)
    .map(([e, m]) => `${escapeInline(e, 60)} ${metricLabel(m as BudgetMetric)}`);
  return shown.join(', ') + (keys.length > 20 ? `, and ${keys.length - 20} more` : '');
}

function when(at: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(at) ? at.slice(0, 10) : 'date unknown';
}

/** The line that says who accepted, as in "accepted by @alice: 'reason' (label, 2026-12-02, head abc1234)". */
export function acceptanceLine(a: {
  via: string;
  by: string;
  at: string;
  reason: string;
  head?: string;
}): string {
  const reason = a.reason ? `: '${escapeInline(a.reason, 200)}'` : ' (no reason given)';
  const head = a.head ? `, head ${escapeInline(a.head.slice(0, 7), 7)}` : '';
  return `🟡 accepted by ${acceptedBy(a.by)}${reason} (${a.via}, ${when(a.at)}${head})`;
}

export function renderAcceptance(audit: AcceptanceAudit | undefined): string {
  if (!audit || (audit.given.length === 0 && audit.ignored.length === 0)) return '';
  const out = ['', '**Acceptance**', ''];
  for (const a of audit.given) {
    out.push(
      `- ${acceptanceLine(a)}. Covers the findings shown when it was given: ${covered(a.covers)}; accepted in this run: ${covered(a.accepted)}.` +
        (audit.budget
          ? ''
          : ' Budget violations are not accepted (the budget file does not say `accept: { budget: true }`).'),
    );
  }
  for (const i of audit.ignored) {
    const what = i.via === 'label' ? 'The accept label' : 'A `/perf-gate accept` comment';
    out.push(
      `- ⚠️ ${what} by ${acceptedBy(i.by)} (${when(i.at)}) is ignored: ${escapeInline(i.why, 300)}.`,
    );
  }
  out.push('');
  return out.join('\n');
}
