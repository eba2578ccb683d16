import { maskText } from '../secrets/secrets.js';

/**
 * What went wrong with the pull-request comment, in words a workflow author can act on. The
 * verdict never depends on the comment, so every message says so.
 */

export const FORKS_README_URL = 'https://github.com/perf-gate/perf-gate#pull-requests-from-forks';

const UNAFFECTED = 'The verdict and the job summary are unaffected.';

/** The comment could not be read or written; `status` is GitHub's HTTP status (0: no answer). */
export class CommentError extends Error {
  override name = 'CommentError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** 403: the token may not write (fork or Dependabot pull request, or missing permissions). */
export class CommentForbiddenError extends CommentError {
  override name = 'CommentForbiddenError';
}

/** 404: the repository or pull request is not visible to the token. */
export class CommentNotFoundError extends CommentError {
  override name = 'CommentNotFoundError';
}

export interface FailedCall {
  /** What perf-gate was doing, e.g. "update comment 123". */
  operation: string;
  write: boolean;
  repository: string;
  issueNumber: number;
  apiUrl: string;
  /** Requests sent for this call, retries included. */
  attempts: number;
  /** The token: removed from every message, whatever GitHub or the network layer said. */
  secret: string;
}

interface OctokitErrorShape {
  status?: unknown;
  message?: unknown;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
  request?: { method?: string; url?: string };
}

/** GitHub's own message (without the documentation link Octokit appends), or Octokit's. */
function githubMessage(error: OctokitErrorShape): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  if (data && typeof data.message === 'string') return data.message;
  return typeof error.message === 'string' ? error.message : String(error);
}

function isRateLimit(status: number, error: OctokitErrorShape, message: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return /rate limit/i.test(message) || error.response?.headers?.['x-ratelimit-remaining'] === '0';
}

/** The request line without query string: enough to locate the call, nothing secret. */
function requestLine(error: OctokitErrorShape): string {
  const method = error.request?.method ?? '';
  const url = error.request?.url ?? '';
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // a relative route template: already a path
  }
  return `${method} ${path}`.trim();
}

/**
 * The innermost cause's message ("connect ECONNREFUSED 127.0.0.1:443"): fetch wraps it in a
 * bare "fetch failed", and Octokit only unwraps it when the cause is an Error of its own realm.
 */
function rootCause(thrown: unknown): string | undefined {
  let found: string | undefined;
  let current: unknown = thrown;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { message } = current as { message?: unknown };
    if (typeof message === 'string' && message !== '') found = message;
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** Turns whatever Octokit threw into a CommentError with an actionable message. */
export function toCommentError(thrown: unknown, call: FailedCall): CommentError {
  if (thrown instanceof CommentError) return thrown;
  // Build the message, then take the token out of it: GitHub's text is not under our control.
  const described = describe(thrown, call);
  const Kind = described.constructor as typeof CommentError;
  return new Kind(maskText(described.message, [call.secret]), described.status);
}

function describe(thrown: unknown, call: FailedCall): CommentError {
  const error = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as OctokitErrorShape;
  const status = typeof error.status === 'number' ? error.status : 0;
  const message = githubMessage(error);
  const where = `pull request #${call.issueNumber} in ${call.repository}`;
  const tries = call.attempts === 1 ? '1 attempt' : `${call.attempts} attempts`;

  if (isRateLimit(status, error, message)) {
    const reset = Number(error.response?.headers?.['x-ratelimit-reset']);
    const until =
      error.response?.headers?.['x-ratelimit-remaining'] === '0' && reset > 0
        ? ` until ${new Date(reset * 1000).toISOString()}`
        : '';
    return new CommentError(
      `perf-gate could not ${call.operation} on ${where}: GitHub's API rate limit held${until} ` +
        `(HTTP ${status}: ${message}; ${tries}). ${UNAFFECTED} Re-run the job later; the comment ` +
        'will be edited in place.',
      status,
    );
  }
  if (status === 403 && call.write) {
    return new CommentForbiddenError(
      `perf-gate could not ${call.operation} on ${where}: GitHub answered 403 "${message}". ` +
        'The token is read-only: pull requests from forks and from Dependabot get a read-only ' +
        'GITHUB_TOKEN (or the workflow lacks `permissions: pull-requests: write`). ' +
        `${UNAFFECTED} To comment on such pull requests, run perf-gate with \`comment: never\`, ` +
        'upload the JSON report as an artifact, and comment from a second workflow triggered by ' +
        '`workflow_run` that runs perf-gate with the `report` and `pr-number` inputs: see ' +
        `"Pull requests from forks" in the README (${FORKS_README_URL}).`,
      status,
    );
  }
  if (status === 403) {
    return new CommentForbiddenError(
      `perf-gate could not ${call.operation} on ${where}: GitHub answered 403 "${message}". ` +
        'Grant the workflow `permissions: pull-requests: write` (reading comments needs at least ' +
        `\`pull-requests: read\`). ${UNAFFECTED}`,
      status,
    );
  }
  if (status === 404) {
    return new CommentNotFoundError(
      `perf-gate could not ${call.operation}: GitHub answered 404 Not Found for ${where} ` +
        `(${requestLine(error)}). Check that the repository "${call.repository}" and the pull ` +
        'request number are right (in a workflow_run workflow, pass `pr-number`), and that the ' +
        'token can see them: GitHub answers 404 rather than 403 when a token lacks access, so give ' +
        'the workflow `permissions: pull-requests: write` and `issues: write`, or use a token ' +
        `with access to ${call.repository}. ${UNAFFECTED}`,
      status,
    );
  }
  if (error.response === undefined && status === 500) {
    // Octokit reports a request that got no answer at all (DNS, refused, reset) as a bare 500.
    return new CommentError(
      `perf-gate could not reach the GitHub API at ${call.apiUrl} to ${call.operation} on ` +
        `${where}: ${rootCause(thrown) ?? message} (${tries}). Check GITHUB_API_URL and the runner's network. ${UNAFFECTED}`,
      0,
    );
  }
  return new CommentError(
    `perf-gate could not ${call.operation} on ${where}: ${requestLine(error)} failed with ` +
      `HTTP ${status}: ${message} (${tries}). ${UNAFFECTED}`,
    status,
  );
}
