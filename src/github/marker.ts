/**
 * The hidden marker that makes the pull-request comment sticky, the body written around it, and
 * the choice among comments that carry it. Pure: data in, data out.
 */

/** GitHub refuses issue comments longer than this (in characters). */
export const MAX_COMMENT_LENGTH = 65536;

const TRUNCATION_NOTICE =
  '\n\n…\n\n> [!NOTE]\n> This comment was cut at GitHub’s 65,536-character limit. ' +
  'The job summary and the JSON report hold the full result.\n';

/**
 * `<!-- perf-gate:{gateId} -->`. The id is percent-encoded (as in a URL component), so no `<`,
 * `>` or space survives: a gate id can neither close the HTML comment early nor make one gate's
 * marker a prefix of another's.
 */
export function commentMarker(gateId: string): string {
  return `<!-- perf-gate:${encodeURIComponent(gateId)} -->`;
}

export interface PreparedBody {
  body: string;
  /** True when the body had to be cut to fit GitHub's limit. */
  truncated: boolean;
}

/**
 * The marker on the first line, then the rendered body (unless it already starts with the
 * marker), cut to GitHub's limit with a notice if it is too long. The renderer stays well under
 * the limit; this is the last line of defence against a 422 that would lose the comment.
 */
export function prepareBody(gateId: string, rendered: string): PreparedBody {
  const marker = commentMarker(gateId);
  const full = rendered.startsWith(marker) ? rendered : `${marker}\n${rendered}`;
  // String length counts UTF-16 units, never fewer than GitHub's characters: a safe bound.
  if (full.length <= MAX_COMMENT_LENGTH) return { body: full, truncated: false };
  let cut = full.slice(0, MAX_COMMENT_LENGTH - TRUNCATION_NOTICE.length);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return { body: cut + TRUNCATION_NOTICE, truncated: true };
}

export interface CommentCandidate {
  id: number;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
}

/** The comments that carry the gate's marker, whoever wrote them. */
export function markedComments<T extends CommentCandidate>(comments: T[], gateId: string): T[] {
  const marker = commentMarker(gateId);
  return comments.filter((c) => (c.body ?? '').includes(marker));
}

/**
 * The comment to edit among a pull request's comments, or undefined when none carries the
 * marker and was written by `ours` (the token's own identity). Anyone can paste the marker into
 * a comment of their own, and a token with write access may edit other people's comments, so
 * a comment by anyone else is never chosen: it is left alone and a new one is written. Among
 * our own (two runs raced before the first comment existed, or a quote), prefer the marker on
 * the first line (where perf-gate puts it), then the oldest, so every run edits the same one.
 */
export function pickComment<T extends CommentCandidate>(
  comments: T[],
  gateId: string,
  ours: (login: string) => boolean,
): T | undefined {
  const marker = commentMarker(gateId);
  const score = (c: T) => [(c.body ?? '').startsWith(marker) ? 0 : 1, c.id] as const;
  const byPreference = (a: T, b: T) => {
    const [x, y] = [score(a), score(b)];
    return x[0] - y[0] || x[1] - y[1];
  };
  return markedComments(comments, gateId)
    .filter((c) => ours(c.user?.login ?? ''))
    .sort(byPreference)[0];
}
