import type { Baseline } from '../baseline/types.js';
import { formatMetricValue, metricLabel } from '../units/format.js';
import { lowerFirst } from './sentences.js';
import type { Measurement } from '../measure/types.js';
import type { Breach, EndpointResult, Finding, Verdict } from './types.js';

/**
 * Confirmation (docs/architecture.md §5): a breaching endpoint is measured once more and fails
 * only if the breach repeats; a suspected regression is judged again over both measurements.
 */

/**
 * Whether an endpoint should be measured once more (docs/architecture.md §5): it breached something, so it must
 * repeat before failing; or it is a suspected regression, so the second measurement may settle it.
 */
export function needsConfirmation(result: EndpointResult): boolean {
  return (
    !result.confirmation &&
    result.findings.some((f) => f.breaches.length > 0 || suspectedRegression(f))
  );
}

/**
 * A rise past the tolerance and `min-delta` against a reference deployment that was not
 * significant (the significance test runs only for such a rise, and only percentiles and the mean
 * are judged by the bootstrap and the round pairs). Not dismissed outright: with few round pairs,
 * one stalled round on a busy runner can hide a real regression, and the confirmation judges it
 * again over the round pairs of both measurements.
 */
export function suspectedRegression(finding: Finding): boolean {
  return (
    finding.significance?.test === 'bootstrap' &&
    (finding.delta ?? 0) > 0 &&
    !finding.breaches.includes('regression')
  );
}

/**
 * The baseline a confirmation is judged against: the re-measured reference (or the first one),
 * with the round pairs of both side-by-side measurements, so the round-to-round test of the
 * confirmation rests on twice as many pairs.
 */
export function confirmationAgainst(first: Baseline, again: Baseline | undefined): Baseline {
  if (!again || again.kind !== 'reference' || first.kind !== 'reference') return again ?? first;
  const rounds = [...(first.rounds ?? []), ...(again.rounds ?? [])];
  return rounds.length > 0 ? { ...again, rounds } : again;
}

/** Applies a confirmation run to a finding (docs/architecture.md §5): a breach counts only if it repeats. */
export function confirm(first: Finding, second: Finding): Finding {
  const confirmation = {
    current: second.current,
    ...(second.change !== undefined ? { change: second.change } : {}),
    ...(second.delta !== undefined ? { delta: second.delta } : {}),
    verdict: second.verdict,
    breaches: second.breaches,
    reason: second.reason,
  };
  const finding: Finding = { ...first, confirmation };
  const suspected = suspectedRegression(first);
  if (first.breaches.length === 0 && !suspected) return finding;
  const label = metricLabel(first.metric);
  const again = `${label} ${formatMetricValue(first.metric, second.current)}`;
  if (second.verdict === 'inconclusive') {
    if (first.breaches.length === 0) {
      return {
        ...finding,
        reason: `${first.reason}; measured again, the confirmation run was inconclusive (${lowerFirst(second.reason)})`,
      };
    }
    return {
      ...finding,
      verdict: 'inconclusive',
      breaches: [],
      reason: `${first.reason}; the confirmation run was inconclusive (${lowerFirst(second.reason)}), so it does not count`,
    };
  }
  // A suspected regression counts once the confirmation, judged over the round pairs of both
  // measurements, finds it significant.
  const confirmedSuspicion = suspected && second.breaches.includes('regression');
  const repeated: Breach[] = [
    ...first.breaches.filter((b) => second.breaches.includes(b)),
    ...(confirmedSuspicion ? (['regression'] as const) : []),
  ];
  if (repeated.length === 0) {
    return {
      ...finding,
      verdict: first.breaches.length === 0 ? first.verdict : 'pass',
      breaches: [],
      reason:
        first.breaches.length === 0
          ? `${first.reason}; measured again, it was not a regression on the confirmation run either (${again})`
          : `${first.reason}; it did not repeat on the confirmation run (${again})`,
    };
  }
  return {
    ...finding,
    verdict: breachVerdict(repeated),
    breaches: repeated,
    reason: confirmedSuspicion
      ? `${first.reason}; measured again, it was a significant regression on the confirmation run (${again})`
      : `${first.reason}; repeated on the confirmation run (${again})`,
  };
}

export function breachVerdict(breaches: readonly Breach[]): Verdict {
  return breaches.includes('budget') ? 'budget-exceeded' : 'regression';
}

/**
 * Side by side, sequentially, with `confirm` (evaluate/sequential-abba.ts abbaStop): a breach seen
 * at the last look only had no block left to repeat in, so, like a breach that did not repeat, it
 * does not fail the endpoint; it is inconclusive, and the reason says why.
 */
export function unconfirmedFinding(finding: Finding): Finding {
  if (finding.breaches.length === 0) return finding;
  return {
    ...finding,
    verdict: 'inconclusive',
    breaches: [],
    reason: `${finding.reason}; seen at the last look only, and the cap (the duration) left no block to confirm it, so it does not count (a longer duration gives a late breach room to repeat)`,
  };
}

/**
 * Whether a measurement's record says its breaches went unconfirmed: only a sequential
 * side-by-side record that ran to its cap's last look can (a saved report is not trusted to
 * switch its breaches off any other way).
 */
export function unconfirmedRecord(measurement: Measurement): boolean {
  const a = measurement.adaptive;
  return (
    a?.unconfirmed === true && a.stop === 'cap' && a.blocks !== undefined && a.look === a.looks
  );
}

/** The measurement with its record's `unconfirmed` taken off: its breaches are judged as any. */
export function withoutUnconfirmed(measurement: Measurement): Measurement {
  if (!measurement.adaptive?.unconfirmed) return measurement;
  const adaptive = { ...measurement.adaptive };
  delete adaptive.unconfirmed;
  return { ...measurement, adaptive };
}
