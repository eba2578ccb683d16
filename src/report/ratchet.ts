import type { RatchetSuggestion } from '../evaluate/ratchet.js';
import { formatMs } from '../units/format.js';

/**
 * The ratchet suggestions as a folded part of the comment and job summary: a YAML fragment for
 * the budget file's `endpoints`, ready to paste. Pure.
 */

/** A limit as the budget file writes it: whole microseconds below 1 ms, else milliseconds. */
export function latencyText(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}us`;
  return `${Number(ms.toPrecision(6))}ms`;
}

/** The fragment: one entry per endpoint, its suggested limits in a flow mapping. */
export function ratchetYaml(suggestions: readonly RatchetSuggestion[]): string {
  const byEndpoint = new Map<string, RatchetSuggestion[]>();
  for (const s of suggestions)
    byEndpoint.set(s.endpoint, [...(byEndpoint.get(s.endpoint) ?? []), s]);
  const lines = ['endpoints:'];
  for (const [name, list] of byEndpoint) {
    // A JSON string is a valid YAML double-quoted scalar, whatever the name holds.
    lines.push(`  - name: ${JSON.stringify(name)}`);
    lines.push(
      `    budget: { ${list.map((s) => `${s.metric}: ${latencyText(s.suggested)}`).join(', ')} }`,
    );
    for (const s of list) {
      lines.push(
        `    # ${s.metric}: now ${formatMs(s.limit)}; at most ${formatMs(s.upper)} seen, +${Math.round(s.headroom * 100)}% headroom`,
      );
    }
  }
  return lines.join('\n');
}

export function renderRatchet(suggestions: readonly RatchetSuggestion[]): string {
  if (suggestions.length === 0) return '';
  const yaml = ratchetYaml(suggestions);
  const longest = Math.max(2, ...Array.from(yaml.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [
    '',
    '<details>',
    `<summary>Budgets with room: ${suggestions.length} tighter limit(s) suggested</summary>`,
    '',
    'This run’s upper confidence bound and the baseline’s upper bound stay below half of these limits. In the budget file, these entries’ budgets could read:',
    '',
    `${fence}yaml`,
    yaml,
    fence,
    '',
    '</details>',
    '',
  ].join('\n');
}
