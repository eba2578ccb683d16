import {
  VERDICT_SEVERITY,
  type EndpointResult,
  type Finding,
  type FindingAcceptance,
  type Summary,
} from './types.js';

/**
 * Accepting an intended regression (SPEC §5, `accepted`). Pure: which findings an authorised
 * acceptance covers, the findings and summary once it is applied, and the hidden data the sticky
 * comment carries from run to run so an acceptance keeps covering what was shown when it was given.
 */

/** How an acceptance was given. */
export type AcceptanceVia = 'label' | 'comment';

/** An acceptance by someone with write, maintain or admin permission, still in force. */
export interface Acceptance {
  /** `label:<event id>` or `comment:<comment id>`: stable from run to run. */
  id: string;
  via: AcceptanceVia;
  /** GitHub login of whoever added the label or wrote the command. */
  by: string;
  /** ISO 8601: when the label was added or the comment written. */
  at: string;
  /** The text after `/perf-gate accept`; empty for a label. */
  reason: string;
  /** Their permission on the repository, as GitHub answered it. */
  permission: string;
}

/** An acceptance that does not count, and why (shown in the comment and kept in the report). */
export interface IgnoredAcceptance {
  via: AcceptanceVia;
  by: string;
  at: string;
  why: string;
}

/** `[endpoint, metric]`: what an acceptance covers. */
export type FindingKey = [endpoint: string, metric: string];

/** What the sticky comment remembers between runs (it is only ever the token's own comment). */
export interface CommentData {
  v: 1;
  /** The failing findings the comment showed, before any acceptance. */
  shown: FindingKey[];
  /** The head commit the comment was written for, when known. */
  head?: string;
  /** Each acceptance seen so far and what it covers, fixed when it was first seen. */
  acceptances: Array<{ id: string; covers: FindingKey[]; head?: string }>;
}

/** The audit of acceptances kept in the report (`acceptance`). */
export interface AcceptanceAudit {
  /** Acceptances in force, each with what it covers and the findings it did accept here. */
  given: Array<Acceptance & { covers: FindingKey[]; head?: string; accepted: FindingKey[] }>;
  ignored: IgnoredAcceptance[];
  /** Whether budget violations may be accepted (`accept: { budget: true }` in the budget file). */
  budget: boolean;
}

const DATA_PREFIX = '<!-- perf-gate-data:';
const DATA_SUFFIX = ' -->';
const MAX_KEYS = 500;

/** The hidden line carrying `data` (base64 JSON: no `-->` can appear in it). */
export function encodeCommentData(data: CommentData): string {
  return `${DATA_PREFIX}${Buffer.from(JSON.stringify(data), 'utf8').toString('base64')}${DATA_SUFFIX}`;
}

function keys(value: unknown): FindingKey[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_KEYS) return undefined;
  const out: FindingKey[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 2) return undefined;
    if (typeof item[0] !== 'string' || typeof item[1] !== 'string') return undefined;
    out.push([item[0], item[1]]);
  }
  return out;
}

/**
 * The data in a comment body, or undefined when there is none or it does not parse. Only ever
 * called on the token's own comment (src/github/comment.ts picks no other author's).
 */
export function decodeCommentData(body: string): CommentData | undefined {
  const start = body.indexOf(DATA_PREFIX);
  if (start < 0) return undefined;
  const end = body.indexOf(DATA_SUFFIX, start + DATA_PREFIX.length);
  if (end < 0) return undefined;
  try {
    const raw = JSON.parse(
      Buffer.from(body.slice(start + DATA_PREFIX.length, end), 'base64').toString('utf8'),
    ) as Record<string, unknown>;
    const shown = keys(raw.shown);
    if (raw.v !== 1 || !shown || !Array.isArray(raw.acceptances)) return undefined;
    const acceptances: CommentData['acceptances'] = [];
    for (const a of raw.acceptances.slice(0, 100) as Array<Record<string, unknown>>) {
      const covers = keys(a?.covers);
      if (typeof a?.id !== 'string' || !covers) continue;
      acceptances.push({
        id: a.id,
        covers,
        ...(typeof a.head === 'string' ? { head: a.head } : {}),
      });
    }
    return {
      v: 1,
      shown,
      acceptances,
      ...(typeof raw.head === 'string' ? { head: raw.head } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The findings that fail a check (before any acceptance): what a comment shows as failing. */
export function failingKeys(endpoints: readonly EndpointResult[]): FindingKey[] {
  return endpoints.flatMap((e) =>
    e.findings.filter((f) => f.breaches.length > 0).map((f): FindingKey => [e.name, f.metric]),
  );
}

const same = (a: FindingKey, b: FindingKey) => a[0] === b[0] && a[1] === b[1];

/**
 * What an acceptance covers: what the comment recorded for it when it was first seen; otherwise
 * what the comment showed (the failing findings of the run before it); otherwise (no comment
 * yet, so nothing was shown before) the failing findings of this run, which the comment then
 * records for it.
 */
export function coverageOf(
  acceptance: Pick<Acceptance, 'id'>,
  previous: CommentData | undefined,
  current: readonly EndpointResult[],
): { covers: FindingKey[]; head?: string; known: boolean } {
  const known = previous?.acceptances.find((a) => a.id === acceptance.id);
  if (known) return { covers: known.covers, head: known.head, known: true };
  if (previous) return { covers: previous.shown, head: previous.head, known: false };
  return { covers: failingKeys(current), known: false };
}

export interface ApplyResult {
  endpoints: EndpointResult[];
  summary: Summary;
  audit: AcceptanceAudit;
}

/**
 * Applies the acceptances in force: a covered finding loses its regression breach (and its budget
 * breach when `budget` allows it); a finding left with no breach gets the verdict `accepted`.
 * Counts are recomputed; `passed` stays as it was (the measurement did regress).
 */
export function applyAcceptances(
  endpoints: readonly EndpointResult[],
  summary: Summary,
  given: ReadonlyArray<Acceptance & { covers: FindingKey[]; head?: string }>,
  ignored: readonly IgnoredAcceptance[],
  options: { budget: boolean },
): ApplyResult {
  const audit: AcceptanceAudit = {
    given: given.map((a) => ({ ...a, accepted: [] })),
    ignored: [...ignored],
    budget: options.budget,
  };
  const out = endpoints.map((endpoint) => {
    const findings = endpoint.findings.map((finding): Finding => {
      if (finding.breaches.length === 0) return finding;
      const key: FindingKey = [endpoint.name, finding.metric];
      const by = audit.given.find((a) => a.covers.some((c) => same(c, key)));
      if (!by) return finding;
      const breaches = finding.breaches.filter(
        (b) => !(b === 'regression' || (b === 'budget' && options.budget)),
      );
      if (breaches.length === finding.breaches.length) return finding;
      by.accepted.push(key);
      const acceptance: FindingAcceptance = {
        breaches: finding.breaches.filter((b) => !breaches.includes(b)),
        verdict: finding.verdict,
        via: by.via,
        by: by.by,
        at: by.at,
        reason: by.reason,
        ...(by.head ? { head: by.head } : {}),
      };
      if (breaches.length > 0) return { ...finding, breaches, acceptance };
      return { ...finding, breaches, verdict: 'accepted', acceptance };
    });
    const verdict =
      VERDICT_SEVERITY.find((v) => findings.some((f) => f.verdict === v)) ?? endpoint.verdict;
    return { ...endpoint, findings, verdict };
  });
  const all = out.flatMap((e) => e.findings);
  const next: Summary = {
    ...summary,
    violations: all.filter((f) => f.breaches.includes('budget')).length,
    regressions: all.filter((f) => f.breaches.includes('regression')).length,
    accepted: all.filter((f) => f.verdict === 'accepted').length,
  };
  return { endpoints: out, summary: next, audit };
}

/**
 * A saved report as it was before any acceptance: the accepted breaches and verdicts restored,
 * so it is judged again from its measurements (src/gate/rejudge.ts) and the acceptances of
 * the pull request are applied anew by whoever reads it, never taken from the report.
 */
export function withoutAcceptances<
  T extends { endpoints: EndpointResult[]; summary: Summary; acceptance?: unknown },
>(report: T): T {
  const endpoints = report.endpoints.map((endpoint) => {
    const findings = endpoint.findings.map((finding): Finding => {
      if (!finding.acceptance) return finding;
      const { acceptance, ...rest } = finding;
      const breaches = [...new Set([...rest.breaches, ...(acceptance.breaches ?? [])])];
      return { ...rest, breaches, verdict: acceptance.verdict ?? rest.verdict };
    });
    const verdict =
      VERDICT_SEVERITY.find((v) => findings.some((f) => f.verdict === v)) ?? endpoint.verdict;
    return { ...endpoint, findings, verdict };
  });
  const all = endpoints.flatMap((e) => e.findings);
  const { accepted: _accepted, ...summary } = report.summary;
  void _accepted;
  const { acceptance: _audit, ...rest } = report;
  void _audit;
  return {
    ...(rest as T),
    endpoints,
    summary: {
      ...summary,
      violations: all.filter((f) => f.breaches.includes('budget')).length,
      regressions: all.filter((f) => f.breaches.includes('regression')).length,
    },
  };
}

/** The data the new comment carries: what it shows, and what each acceptance in force covers. */
export function nextCommentData(
  before: readonly EndpointResult[],
  given: ReadonlyArray<{ id: string; covers: FindingKey[]; head?: string }>,
  head: string | undefined,
): CommentData {
  return {
    v: 1,
    shown: failingKeys(before).slice(0, MAX_KEYS),
    ...(head ? { head } : {}),
    acceptances: given.map((a) => ({
      id: a.id,
      covers: a.covers.slice(0, MAX_KEYS),
      ...(a.head ? { head: a.head } : {}),
    })),
  };
}
