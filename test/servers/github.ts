import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGitStore, GitFailure, type GitStore } from './github-git.js';
import { IssueState } from './github-issues.js';

/**
 * GitHub's REST API for issue comments, on loopback, answering with the shapes, status codes,
 * headers and messages api.github.com uses, so the real Octokit (with its pagination, retry and
 * throttling plugins) runs against it unchanged. Routes:
 *
 * | route | behaviour |
 * |---|---|
 * | `GET /repos/{o}/{r}/issues/{n}/comments?per_page=&page=` | oldest first; `per_page` default 30, at most 100; `Link` header with `next`/`last` (and `first`/`prev`) on the server's own base URL |
 * | `POST /repos/{o}/{r}/issues/{n}/comments` `{ body }` | 201 with the new comment |
 * | `PATCH /repos/{o}/{r}/issues/comments/{id}` `{ body }` | 200 with the edited comment, whoever wrote it (write access is enough) |
 * | `GET /user` | the token's user; 403 for an installation token (any token whose user is a Bot) |
 * | comments of an issue not in `options.issues` (when given) | 404 |
 * | anything else | 404 |
 *
 * Every request needs `authorization: token X` or `Bearer X` (else 401). The token decides the
 * author of the comments it writes (`github-actions[bot]`, a Bot, unless `users` says otherwise):
 * a Bot user stands for an installation token (the GITHUB_TOKEN, a GitHub App's), a User for a
 * personal access token.
 * Bodies over 65,536 characters are refused with 422, as GitHub does. Every request is recorded,
 * including the ones a mode fails.
 */

export interface GitHubUser {
  login: string;
  id: number;
  type: 'Bot' | 'User';
}

export interface GitHubComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: GitHubUser;
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface GitHubRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased, as Node parses them. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** The token from the authorization header (the scheme removed), if any. */
  token?: string;
  /** The status the server answered with. */
  status: number;
}

/**
 * How the server misbehaves. Counted modes (`times`) fail that many matching requests and then
 * behave again; `methods` limits a mode to some methods (default: all).
 */
export type GitHubMode =
  | { kind: 'ok' }
  /** A read-only token (pull request from a fork, Dependabot): writes answer 403. */
  | { kind: 'read-only' }
  /** The repository is invisible to the token: every request answers 404. */
  | { kind: 'not-found' }
  /** `message` replaces GitHub's "Server Error", e.g. to prove a client never repeats a secret. */
  | { kind: 'server-error'; times: number; status?: number; message?: string; methods?: string[] }
  /**
   * GitHub's secondary-rate-limit message with `retry-after`, as a 403 (default) or a 429:
   * "you will receive a 403 or 429 response" (both happen on api.github.com).
   * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
   */
  | {
      kind: 'secondary-rate-limit';
      times: number;
      retryAfterSeconds: number;
      methods?: string[];
      status?: 403 | 429;
    }
  /** 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` that many seconds ahead. */
  | { kind: 'primary-rate-limit'; times: number; resetInSeconds: number; methods?: string[] };

export interface GitHubServerOptions {
  /** Author of the comments each token writes; any other token writes as github-actions[bot]. */
  users?: Record<string, GitHubUser>;
  /**
   * The issue and pull-request numbers that exist (in every repository). A comment listed or
   * written on any other number answers 404 Not Found, as GitHub does for an issue that does
   * not exist (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment lists
   * 404 "Resource not found"). Absent: every number exists (most tests need not say).
   */
  issues?: number[];
  /**
   * Workflow runs, by id, with their creation time ("Get a workflow run",
   * https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run: 200 with the run,
   * 404 Not Found for an id the repository does not have).
   */
  runs?: Record<number, { created_at: string }>;
}

export interface GitHubServer {
  /** `http://127.0.0.1:PORT`, no trailing slash: the API base URL (GITHUB_API_URL). */
  url: string;
  close(): Promise<void>;
  /** The comments on an issue or pull request, oldest first (copies). */
  comments(owner: string, repo: string, issue: number): GitHubComment[];
  /** Adds existing comments to an issue, oldest first; each author defaults to a human user. */
  seed(
    owner: string,
    repo: string,
    issue: number,
    comments: Array<{ body: string; user?: GitHubUser }>,
  ): GitHubComment[];
  /** Every request received, oldest first. */
  requests: GitHubRequest[];
  setMode(mode: GitHubMode): void;
  /** Labels, issue events and collaborator permissions (test/servers/github-issues.ts). */
  issues: IssueState;
  /** Forgets comments, recorded requests and the mode. */
  reset(): void;
  /** The repositories' Git data behind `/repos/{o}/{r}/git/...` (test/servers/github-git.ts). */
  git: GitStore;
}

export const ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
export const HUMAN: GitHubUser = { login: 'octocat', id: 583231, type: 'User' };

// A comment body is limited to 65,536 characters; a longer one answers 422 Validation Failed
// "body is too long (maximum is 65536 characters)". The endpoint's page lists the 422
// (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment) but not the limit,
// which is what api.github.com answers; how it counts (UTF-16 units or characters) is not
// documented, so perf-gate stays well below it.
const MAX_BODY = 65536;
const DOCS = 'https://docs.github.com/rest';
const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333.';

class HttpFailure {
  constructor(
    readonly status: number,
    readonly payload: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {}
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// `Authorization: Bearer X` or `token X` (https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api).
function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? '');
  return m?.[1];
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export async function startGitHub(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const issues = new Map<string, GitHubComment[]>();
  const requests: GitHubRequest[] = [];
  const git = createGitStore();
  const recordOf = new WeakMap<ServerResponse, GitHubRequest>();
  let mode: GitHubMode = { kind: 'ok' };
  let remainingFailures = 0;
  let nextId = 1_000_000_001;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  let baseUrl = '';
  const issueState = new IssueState(
    () => baseUrl,
    () => timestamp(),
  );

  const key = (owner: string, repo: string, issue: number) =>
    `${owner.toLowerCase()}/${repo.toLowerCase()}#${issue}`;
  const thread = (owner: string, repo: string, issue: number) => {
    const k = key(owner, repo, issue);
    let list = issues.get(k);
    if (!list) issues.set(k, (list = []));
    return list;
  };
  // Timestamps advance one second per comment so ordering by created_at is meaningful.
  const timestamp = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

  function makeComment(owner: string, repo: string, issue: number, body: string, user: GitHubUser) {
    const id = nextId++;
    const at = timestamp();
    const comment: GitHubComment = {
      id,
      node_id: `IC_${id.toString(36)}`,
      url: `${baseUrl}/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `${baseUrl}/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${baseUrl}/repos/${owner}/${repo}/issues/${issue}`,
      body,
      user: { ...user },
      created_at: at,
      updated_at: at,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER',
    };
    thread(owner, repo, issue).push(comment);
    return comment;
  }

  function findById(id: number): GitHubComment | undefined {
    for (const list of issues.values()) {
      const found = list.find((c) => c.id === id);
      if (found) return found;
    }
    return undefined;
  }

  // `body` is required (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment,
  // https://docs.github.com/en/rest/issues/comments#update-an-issue-comment): 422 with GitHub's validation message.
  function validBody(body: unknown): string {
    const text = (body as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string' || text === '') {
      throw new HttpFailure(422, {
        message: "Invalid request.\n\nFor 'properties/body', nil is not a string.",
        documentation_url: `${DOCS}/issues/comments`,
        status: '422',
      });
    }
    if (text.length > MAX_BODY) {
      throw new HttpFailure(422, {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${MAX_BODY} characters)`,
          },
        ],
        documentation_url: `${DOCS}/issues/comments`,
        status: '422',
      });
    }
    return text;
  }

  /** Applies the current mode; throws the failure it calls for, if any. */
  function misbehave(method: string, isWrite: boolean) {
    const m = mode;
    switch (m.kind) {
      case 'ok':
        return;
      // A token without write permission (a fork's pull request) is refused with 403 "Resource not
      // accessible by integration" (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment lists 403;
      // https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token).
      case 'read-only':
        if (isWrite) {
          throw new HttpFailure(403, {
            message: 'Resource not accessible by integration',
            documentation_url: `${DOCS}/issues/comments#create-an-issue-comment`,
            status: '403',
          });
        }
        return;
      // A repository the token cannot see answers 404, not 403
      // (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource).
      case 'not-found':
        throw new HttpFailure(404, {
          message: 'Not Found',
          documentation_url: DOCS,
          status: '404',
        });
      default: {
        if (remainingFailures <= 0) return;
        if (m.methods && !m.methods.includes(method)) return;
        remainingFailures--;
        if (m.kind === 'server-error') {
          const status = m.status ?? 502;
          throw new HttpFailure(status, { message: m.message ?? 'Server Error' });
        }
        if (m.kind === 'secondary-rate-limit') {
          throw new HttpFailure(
            m.status ?? 403,
            {
              message: SECONDARY_MESSAGE,
              documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
            },
            { 'retry-after': String(m.retryAfterSeconds) },
          );
        }
        // Primary rate limit: 403 (or 429) with x-ratelimit-remaining 0 and x-ratelimit-reset
        // (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
        const reset = Math.floor(Date.now() / 1000) + m.resetInSeconds;
        throw new HttpFailure(
          403,
          {
            message: 'API rate limit exceeded for installation ID 1234567.',
            documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
          },
          {
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-used': '5000',
            'x-ratelimit-reset': String(reset),
            'x-ratelimit-resource': 'core',
          },
        );
      }
    }
  }

  // Oldest first, per_page default 30 and at most 100, a Link header with next/last/first/prev
  // (https://docs.github.com/en/rest/issues/comments#list-issue-comments,
  // https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api).
  function listComments(url: URL, owner: string, repo: string, issue: number, res: ServerResponse) {
    const list = thread(owner, repo, issue);
    const perPage = Math.min(positiveInt(url.searchParams.get('per_page') ?? undefined, 30), 100);
    const page = positiveInt(url.searchParams.get('page') ?? undefined, 1);
    const last = Math.max(1, Math.ceil(list.length / perPage));
    const link = (p: number, rel: string) => {
      const u = new URL(`${baseUrl}/repos/${owner}/${repo}/issues/${issue}/comments`);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    const headers: Record<string, string> = {};
    if (links.length > 0) headers.link = links.join(', ');
    send(res, 200, list.slice((page - 1) * perPage, page * perPage), headers);
  }

  function send(
    res: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ) {
    const text = JSON.stringify(payload);
    const record = recordOf.get(res);
    if (record) record.status = status;
    // Every answer carries the rate-limit headers
    // (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit).
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-github-request-id': `0000:${requests.length}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...headers,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: GitHubRequest) {
    const raw = await readBody(req);
    if (raw !== '') {
      try {
        record.body = JSON.parse(raw);
      } catch {
        // https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api (400 Problems parsing JSON).
        throw new HttpFailure(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
      }
    }
    // The issue-comment endpoints need a token: 401 Requires authentication
    // (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api).
    if (record.token === undefined) {
      throw new HttpFailure(401, { message: 'Requires authentication', documentation_url: DOCS });
    }
    const url = new URL(req.url ?? '/', baseUrl);
    const method = record.method;
    const isWrite = method !== 'GET' && method !== 'HEAD';
    const user = options.users?.[record.token] ?? ACTIONS_BOT;
    if (url.pathname === '/user' && method === 'GET') {
      misbehave(method, false);
      // "Get the authenticated user" is for user-to-server tokens; an installation token is
      // refused with 403 "Resource not accessible by integration".
      // https://docs.github.com/en/rest/users/users#get-the-authenticated-user
      if (user.type === 'Bot') {
        throw new HttpFailure(403, {
          message: 'Resource not accessible by integration',
          documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
          status: '403',
        });
      }
      return send(res, 200, { ...user, node_id: `U_${user.id}`, site_admin: false });
    }
    if (/^\/repos\/[^/]+\/[^/]+\/git\//.test(url.pathname)) {
      // A read-only token (contents: read) may read the Git database but not write it.
      misbehave(method, isWrite);
      try {
        const answer = await git.route(
          method,
          url.pathname,
          url.searchParams,
          record.body,
          baseUrl,
        );
        if (answer) return send(res, answer.status, answer.payload);
      } catch (error) {
        if (error instanceof GitFailure) throw new HttpFailure(error.status, error.payload);
        throw error;
      }
    }
    const run = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)$/.exec(url.pathname);
    if (run && method === 'GET') {
      misbehave(method, false);
      const known = options.runs?.[Number(run[3])];
      if (!known) {
        throw new HttpFailure(404, {
          message: 'Not Found',
          documentation_url: `${DOCS}/actions/workflow-runs#get-a-workflow-run`,
          status: '404',
        });
      }
      return send(res, 200, {
        id: Number(run[3]),
        status: 'in_progress',
        created_at: known.created_at,
        run_started_at: known.created_at,
        repository: { full_name: `${run[1]}/${run[2]}` },
      });
    }
    if (method === 'GET') {
      const answer = issueState.route(url);
      if (answer) {
        misbehave(method, false);
        return send(res, answer.status, answer.payload, answer.headers);
      }
    }
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const edit = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (!list && !edit)
      throw new HttpFailure(404, { message: 'Not Found', documentation_url: DOCS });
    misbehave(method, isWrite);

    // An issue that does not exist: 404 (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment).
    if (list && options.issues && !options.issues.includes(Number(list[3]))) {
      throw new HttpFailure(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    }
    if (list && method === 'GET') {
      return listComments(url, list[1], list[2], Number(list[3]), res);
    }
    if (list && method === 'POST') {
      const body = validBody(record.body);
      const comment = makeComment(list[1], list[2], Number(list[3]), body, user);
      return send(res, 201, comment, { location: comment.url });
    }
    // A comment id of another repository, or none: 404 (https://docs.github.com/en/rest/issues/comments#update-an-issue-comment).
    if (edit && method === 'PATCH') {
      const body = validBody(record.body);
      const comment = findById(Number(edit[3]));
      if (
        !comment ||
        !comment.url.toLowerCase().includes(`/repos/${edit[1]}/${edit[2]}/`.toLowerCase())
      ) {
        throw new HttpFailure(404, {
          message: 'Not Found',
          documentation_url: DOCS,
          status: '404',
        });
      }
      // No author check: anyone with write access to the repository may edit anyone's comment
      // ("Anyone with write access to a repository can edit comments on issues, pull requests,
      // and commits"), and a token that may write (every mode but read-only, refused above) has
      // it. So the imitation, like GitHub, lets perf-gate overwrite a person's comment: only
      // perf-gate's own choice of comment protects it.
      // https://docs.github.com/en/communities/moderating-comments-and-conversations/managing-disruptive-comments#editing-a-comment
      comment.body = body;
      comment.updated_at = timestamp();
      return send(res, 200, comment);
    }
    throw new HttpFailure(404, { message: 'Not Found', documentation_url: DOCS });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: GitHubRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: undefined,
      token: tokenOf(req.headers),
      status: 0,
    };
    requests.push(record);
    recordOf.set(res, record);
    handle(req, res, record).catch((error: unknown) => {
      if (error instanceof HttpFailure) {
        send(res, error.status, error.payload, error.headers);
      } else {
        send(res, 500, { message: `loopback GitHub failed: ${String(error)}` });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    requests,
    git,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    comments: (owner, repo, issue) =>
      (issues.get(key(owner, repo, issue)) ?? []).map((c) => ({ ...c, user: { ...c.user } })),
    seed: (owner, repo, issue, comments) =>
      comments.map((c) => makeComment(owner, repo, issue, c.body, c.user ?? HUMAN)),
    issues: issueState,
    setMode(next) {
      mode = next;
      remainingFailures = 'times' in next ? next.times : 0;
    },
    reset() {
      issues.clear();
      issueState.reset();
      requests.length = 0;
      mode = { kind: 'ok' };
      remainingFailures = 0;
    },
  };
}
