import type { EndpointResult, Finding } from '../evaluate/types.js';
import type { Report } from './report.js';

/**
 * What a report's verdicts rest on, for the headlines and tables that describe it: whether any
 * baseline was set up, and whether any regression check compared against one. Pure.
 */

/** No endpoint had a baseline set up: every verdict is a budget's (docs/architecture.md §5). */
export function budgetsOnly(report: Pick<Report, 'endpoints'>): boolean {
  return (
    report.endpoints.length > 0 &&
    report.endpoints.every((e) => e.baseline.kind === 'none' && e.baseline.configured === false)
  );
}

/** Some metric was compared with a baseline value (a regression check ran, not just was set up). */
export function regressionChecksRan(report: Pick<Report, 'endpoints'>): boolean {
  return report.endpoints.some((e) => e.findings.some((f) => f.baseline !== undefined));
}

/** The words for a finding that broke more than one check: "over budget and regression". */
export function breachesOf(finding: Finding): string[] {
  return finding.breaches.map((b) => (b === 'budget' ? 'over budget' : 'regression'));
}

/** The reference of a side-by-side baseline came from a saved report (`perf-gate compare`). */
export function fromSavedReport(endpoint: EndpointResult): boolean {
  return endpoint.baseline.kind === 'reference' && endpoint.baseline.saved === true;
}
