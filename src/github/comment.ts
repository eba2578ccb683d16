import { createClient, type GitHubLog, type RequestTuning } from './client.js';
import { maskText } from '../secrets/secrets.js';
import { CommentError, toCommentError } from './errors.js';
import { markedComments, pickComment, prepareBody } from './marker.js';
import { parseCommand, type CommentCommand } from './acceptance.js';

/**
 * The sticky pull-request comment: one per pull request and gate id, found by its hidden marker
 * among all the pull request's comments, edited in place, created only when absent.
 */

export type CommentMode = 'always' | 'on-failure' | 'never';

export interface CommentTarget {
  token: string;
  /** GitHub API base URL (GITHUB_API_URL), e.g. https://api.github.com. */
  apiUrl: string;
  /** `owner/repo`. */
  repository: string;
  issueNumber: number;
  /** The budget file's `id`: one comment per gate on a pull request. */
  gateId: string;
  log?: GitHubLog;
  tuning?: RequestTuning;
}

export interface UpsertCommentOptions extends CommentTarget {
  /** Rendered markdown; the marker is added on the first line. */
  body: string;
}

export interface FoundComment {
  id: number;
  url: string;
  body: string;
  author: string;
}

export interface CommentResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

export interface PublishCommentOptions extends UpsertCommentOptions {
  mode: CommentMode;
  /** Whether every budget and regression check held. */
  passed: boolean;
}

export type PublishResult = CommentResult | { action: 'skipped' };

/**
 * Whether to write the comment. `on-failure` still writes when a comment already exists and the
 * pull request turned green, so a stale red table never lingers on a passing pull request.
 */
export function commentPolicy(
  mode: CommentMode,
  passed: boolean,
  existing: boolean,
): 'write' | 'skip' {
  if (mode === 'never') return 'skip';
  if (mode === 'always') return 'write';
  return !passed || existing ? 'write' : 'skip';
}

interface Session {
  owner: string;
  repo: string;
  client: ReturnType<typeof createClient>;
  options: CommentTarget;
}

function open(options: CommentTarget): Session {
  if (options.token.trim() === '') {
    throw new CommentError(
      'github-token is empty: perf-gate needs a token to comment on the pull request. Leave the ' +
        'input at its default (${{ github.token }}) or set `comment: never`.',
      0,
    );
  }
  const parts = /^([^/\s]+)\/([^/\s]+)$/.exec(options.repository);
  if (!parts) {
    throw new CommentError(
      `repository: expected "owner/repo" (as in GITHUB_REPOSITORY), found "${maskText(options.repository, [options.token])}"`,
      0,
    );
  }
  if (!Number.isInteger(options.issueNumber) || options.issueNumber < 1) {
    throw new CommentError(
      `pull request number: expected a positive integer, found ${String(options.issueNumber)}`,
      0,
    );
  }
  if (options.gateId === '') throw new CommentError('gate id: expected a non-empty id', 0);
  try {
    new URL(options.apiUrl);
  } catch {
    throw new CommentError(
      `GitHub API URL: expected an absolute URL such as https://api.github.com (GITHUB_API_URL), found "${maskText(options.apiUrl, [options.token])}"`,
      0,
    );
  }
  return {
    owner: parts[1],
    repo: parts[2],
    client: createClient({
      token: options.token,
      apiUrl: options.apiUrl,
      log: options.log,
      tuning: options.tuning,
    }),
    options,
  };
}

async function call<T>(
  session: Session,
  operation: string,
  write: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const before = session.client.attempts();
  try {
    return await fn();
  } catch (error) {
    throw toCommentError(error, {
      operation,
      write,
      repository: session.options.repository,
      issueNumber: session.options.issueNumber,
      apiUrl: session.options.apiUrl,
      attempts: session.client.attempts() - before,
      secret: session.options.token,
    });
  }
}

/**
 * The account GitHub attributes this token's comments to. A user or OAuth token can ask
 * (`GET /user`); an installation token (the workflow's GITHUB_TOKEN, a GitHub App's) gets 403
 * there, and then it is `github-actions[bot]`, the GITHUB_TOKEN's account. A GitHub App's own
 * slug cannot be learnt from its installation token, so such a token finds no earlier comment of
 * its own and writes a new one rather than taking over anybody else's.
 */
async function identity(session: Session): Promise<string[]> {
  const { octokit } = session.client;
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return [data.login];
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 403 || status === 404) return [ACTIONS_BOT_LOGIN];
    throw toCommentError(error, {
      operation: 'ask GitHub which account the token writes as',
      write: false,
      repository: session.options.repository,
      issueNumber: session.options.issueNumber,
      apiUrl: session.options.apiUrl,
      attempts: 1,
      secret: session.options.token,
    });
  }
}

/** The account the workflow's GITHUB_TOKEN writes comments as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

async function find(
  session: Session,
  commands?: CommentCommand[],
): Promise<FoundComment | undefined> {
  const { octokit } = session.client;
  const { gateId, issueNumber, log } = session.options;
  const comments = await call(session, 'read the comments', false, () =>
    octokit.paginate(octokit.rest.issues.listComments, {
      owner: session.owner,
      repo: session.repo,
      issue_number: issueNumber,
      per_page: 100,
    }),
  );
  // `/perf-gate accept|revoke` commands ride along with the read: no extra request.
  for (const c of commands ? comments : []) {
    const parsed = parseCommand(c.body ?? '');
    if (parsed && c.user?.login) {
      commands!.push({ id: c.id, ...parsed, author: c.user.login, createdAt: c.created_at });
    }
  }
  const marked = markedComments(comments, gateId);
  log?.debug(
    `perf-gate: ${comments.length} comments on #${issueNumber}, ${marked.length} with the marker of gate "${gateId}"`,
  );
  // Only asked when it matters, so a pull request's first run costs no extra request.
  if (marked.length === 0) return undefined;
  const logins = await identity(session);
  const own = new Set(logins.map((l) => l.toLowerCase()));
  const ours = (login: string) => own.has(login.toLowerCase());
  const found = pickComment(comments, gateId, ours);
  const others = marked.filter((c) => !ours(c.user?.login ?? ''));
  if (others.length > 0) {
    const authors = [...new Set(others.map((c) => c.user?.login ?? 'unknown'))];
    log?.info(
      `perf-gate: ${others.length} comment(s) on #${issueNumber} carry the marker of gate "${gateId}" but were written by ${authors.join(', ')}, not by ${logins.join(' or ')} (this token): left alone`,
    );
  }
  if (!found) return undefined;
  return {
    id: found.id,
    url: found.html_url,
    body: found.body ?? '',
    author: found.user?.login ?? '',
  };
}

async function write(
  session: Session,
  body: string,
  existing: FoundComment | undefined,
): Promise<CommentResult> {
  const { octokit } = session.client;
  const { gateId, issueNumber, log } = session.options;
  const prepared = prepareBody(gateId, body);
  if (prepared.truncated) {
    log?.warning(
      `perf-gate: the comment was longer than GitHub's limit and was cut; the job summary has it all`,
    );
  }
  if (existing) {
    const { data } = await call(session, `update comment ${existing.id}`, true, () =>
      octokit.rest.issues.updateComment({
        owner: session.owner,
        repo: session.repo,
        comment_id: existing.id,
        body: prepared.body,
      }),
    );
    log?.info(`perf-gate: updated the comment on #${issueNumber}: ${data.html_url}`);
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await call(session, 'create the comment', true, () =>
    octokit.rest.issues.createComment({
      owner: session.owner,
      repo: session.repo,
      issue_number: issueNumber,
      body: prepared.body,
    }),
  );
  log?.info(`perf-gate: commented on #${issueNumber}: ${data.html_url}`);
  return { action: 'created', id: data.id, url: data.html_url };
}

/** The gate's comment on the pull request, if there is one (all pages are read). */
export async function findComment(options: CommentTarget): Promise<FoundComment | undefined> {
  return find(open(options));
}

/** Edits the gate's comment in place, or creates it when the pull request has none. */
export async function upsertComment(options: UpsertCommentOptions): Promise<CommentResult> {
  const session = open(options);
  return write(session, options.body, await find(session));
}

/**
 * One read of the pull request's comments: the gate's own comment (if any) and every
 * `/perf-gate accept|revoke` command, whoever wrote it (the caller checks permissions).
 */
export async function inspectPullRequest(
  options: CommentTarget,
): Promise<{ existing?: FoundComment; commands: CommentCommand[] }> {
  const commands: CommentCommand[] = [];
  const existing = await find(open(options), commands);
  return { existing, commands };
}

/** As publishComment, with the gate's comment already found by inspectPullRequest. */
export async function publishFound(
  options: PublishCommentOptions,
  existing: FoundComment | undefined,
): Promise<PublishResult> {
  if (options.mode === 'never') return { action: 'skipped' };
  const session = open(options);
  if (commentPolicy(options.mode, options.passed, existing !== undefined) === 'skip') {
    return { action: 'skipped' };
  }
  return write(session, options.body, existing);
}

/**
 * What the action calls: applies the comment mode with one read of the comments. `never` sends
 * no request at all.
 */
export async function publishComment(options: PublishCommentOptions): Promise<PublishResult> {
  if (options.mode === 'never') return { action: 'skipped' };
  const session = open(options);
  const existing = await find(session);
  if (commentPolicy(options.mode, options.passed, existing !== undefined) === 'skip') {
    return { action: 'skipped' };
  }
  return write(session, options.body, existing);
}

export { commentMarker, MAX_COMMENT_LENGTH } from './marker.js';
export { CommentError, CommentForbiddenError, CommentNotFoundError } from './errors.js';
export type { GitHubLog, RequestTuning } from './client.js';
