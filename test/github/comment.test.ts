import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CommentError,
  CommentForbiddenError,
  CommentNotFoundError,
  MAX_COMMENT_LENGTH,
  commentMarker,
  commentPolicy,
  findComment,
  publishComment,
  upsertComment,
} from '../../src/github/comment.js';
import type { CommentMode, CommentTarget } from '../../src/github/comment.js';
import { pickComment } from '../../src/github/marker.js';
import { ACTIONS_BOT, HUMAN, startGitHub } from '../servers/github.js';
import { refusedPort } from '../servers/ports.js';
import type { GitHubServer } from '../servers/github.js';

// Looks like a real installation token, so a leak would be unmistakable in any message.
const TOKEN = 'ghs_Zx8Q2mLk4V7pT1sR9wY3uN6bC0dF5hJ2aE4g';
const OWNER = 'acme';
const REPO = 'shop';

let github: GitHubServer;
const logged: string[] = [];
const log = {
  info: (line: string) => logged.push(`info: ${line}`),
  warning: (line: string) => logged.push(`warning: ${line}`),
  debug: (line: string) => logged.push(`debug: ${line}`),
};

function target(overrides: Partial<CommentTarget> = {}): CommentTarget {
  return {
    token: TOKEN,
    apiUrl: github.url,
    repository: `${OWNER}/${REPO}`,
    issueNumber: 7,
    gateId: 'api',
    log,
    // Waits are GitHub's seconds times 1 ms here, and writes are not spaced, so retries and the
    // dozens of writes of this file cost nothing.
    tuning: { retryAfterBaseMs: 1, maxRetries: 3, maxWaitSeconds: 120, paceWrites: false },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const writes = () => github.requests.filter((r) => r.method !== 'GET');

beforeAll(async () => {
  github = await startGitHub();
});

afterAll(async () => {
  await github.close();
});

beforeEach(() => {
  github.reset();
  logged.length = 0;
});

describe('upsertComment against the GitHub REST API', () => {
  it('creates the comment when the pull request has none, marker first', async () => {
    const result = await upsertComment({ ...target(), body: '## perf-gate: passed' });

    expect(result.action).toBe('created');
    const comments = github.comments(OWNER, REPO, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].id).toBe(result.id);
    expect(comments[0].html_url).toBe(result.url);
    expect(comments[0].body).toBe(`${commentMarker('api')}\n## perf-gate: passed`);
    const post = github.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe(`/repos/${OWNER}/${REPO}/issues/7/comments`);
    expect(post?.token).toBe(TOKEN);
    expect(logged).toContain(
      `debug: GitHub API POST ${github.url}/repos/${OWNER}/${REPO}/issues/7/comments → 201`,
    );
  });

  it('edits the same comment on a second run instead of adding one', async () => {
    const first = await upsertComment({ ...target(), body: 'run 1: failed' });
    const second = await upsertComment({ ...target(), body: 'run 2: passed' });

    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    const comments = github.comments(OWNER, REPO, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toBe(`${commentMarker('api')}\nrun 2: passed`);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/${OWNER}/${REPO}/issues/7/comments`,
      `PATCH /repos/${OWNER}/${REPO}/issues/comments/${first.id}`,
    ]);
  });

  it('finds its marker on page 3 of 250 comments, reading 100 per page', async () => {
    github.seed(OWNER, REPO, 7, [
      ...Array.from({ length: 229 }, (_, i) => ({ body: `review note ${i}` })),
      { body: `${commentMarker('api')}\nold table`, user: ACTIONS_BOT },
      ...Array.from({ length: 20 }, (_, i) => ({ body: `later note ${i}` })),
    ]);
    const ours = github.comments(OWNER, REPO, 7)[229];

    const result = await upsertComment({ ...target(), body: 'new table' });

    expect(result).toMatchObject({ action: 'updated', id: ours.id });
    const comments = github.comments(OWNER, REPO, 7);
    expect(comments).toHaveLength(250);
    expect(comments[229].body).toBe(`${commentMarker('api')}\nnew table`);
    const reads = github.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments'));
    expect(reads.map((r) => r.query.per_page)).toEqual(['100', '100', '100']);
    expect(reads.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(writes()).toHaveLength(1);
  });

  it('keeps one comment per gate id, even when one id is a prefix of the other', async () => {
    const api = await upsertComment({ ...target({ gateId: 'api' }), body: 'api gate' });
    const apiV2 = await upsertComment({ ...target({ gateId: 'api-v2' }), body: 'api-v2 gate' });
    const again = await upsertComment({ ...target({ gateId: 'api' }), body: 'api gate, run 2' });

    expect(api.id).not.toBe(apiV2.id);
    expect(again).toMatchObject({ action: 'updated', id: api.id });
    const bodies = github.comments(OWNER, REPO, 7).map((c) => c.body);
    expect(bodies).toEqual([
      `${commentMarker('api')}\napi gate, run 2`,
      `${commentMarker('api-v2')}\napi-v2 gate`,
    ]);
  });

  it('retries server errors and writes exactly one comment', async () => {
    github.setMode({ kind: 'server-error', times: 2, status: 502, methods: ['POST'] });

    const result = await upsertComment({ ...target(), body: 'after two 502s' });

    expect(result.action).toBe('created');
    expect(writes().map((r) => r.status)).toEqual([502, 502, 201]);
    expect(github.comments(OWNER, REPO, 7)).toHaveLength(1);
  });

  it('waits out a secondary rate limit and then writes', async () => {
    github.setMode({
      kind: 'secondary-rate-limit',
      times: 1,
      retryAfterSeconds: 2,
      methods: ['POST'],
    });

    const result = await upsertComment({ ...target(), body: 'after a secondary limit' });

    expect(result.action).toBe('created');
    expect(writes().map((r) => r.status)).toEqual([403, 201]);
    expect(github.comments(OWNER, REPO, 7)).toHaveLength(1);
    expect(logged.some((l) => /warning: .*secondary rate limit.*retrying in 2s/.test(l))).toBe(
      true,
    );
  });

  it('waits out a secondary rate limit answered with 429 and then writes', async () => {
    github.setMode({
      kind: 'secondary-rate-limit',
      times: 1,
      retryAfterSeconds: 2,
      methods: ['POST'],
      status: 429,
    });

    const result = await upsertComment({ ...target(), body: 'after a 429' });

    expect(result.action).toBe('created');
    expect(writes().map((r) => r.status)).toEqual([429, 201]);
    expect(github.comments(OWNER, REPO, 7)).toHaveLength(1);
    expect(github.comments(OWNER, REPO, 7)[0].body).toContain('after a 429');
  });

  it('a pull request that does not exist is a 404 with the clear message, nothing written', async () => {
    // Only #7 exists on this server: GitHub refuses comments on any other number with 404.
    const strict = await startGitHub({ issues: [7] });
    try {
      const error = await failure(
        upsertComment({ ...target({ issueNumber: 8, apiUrl: strict.url }), body: 'x' }),
      );
      expect(error).toBeInstanceOf(CommentNotFoundError);
      expect(error.message).toContain('pull request #8 in acme/shop');
      expect(strict.requests.every((r) => r.status === 404)).toBe(true);
      expect(strict.comments(OWNER, REPO, 8)).toEqual([]);
      // A write straight to the missing issue is refused too, as GitHub refuses it.
      const post = await fetch(`${strict.url}/repos/acme/shop/issues/8/comments`, {
        method: 'POST',
        headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'x' }),
      });
      expect(post.status).toBe(404);
      expect(strict.comments(OWNER, REPO, 8)).toEqual([]);
      // The same call on the pull request that exists writes its comment.
      const ok = await upsertComment({ ...target({ apiUrl: strict.url }), body: 'exists' });
      expect(ok.action).toBe('created');
    } finally {
      await strict.close();
    }
  });

  it('waits out the primary rate limit until its reset and then reads', async () => {
    github.setMode({ kind: 'primary-rate-limit', times: 1, resetInSeconds: 1, methods: ['GET'] });

    const result = await upsertComment({ ...target(), body: 'after the reset' });

    expect(result.action).toBe('created');
    expect(github.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 403',
      'GET 200',
      'POST 201',
    ]);
  });

  it('gives up on a rate limit that lifts later than the cap, with a clear message', async () => {
    github.setMode({
      kind: 'secondary-rate-limit',
      times: 5,
      retryAfterSeconds: 600,
      methods: ['POST'],
    });

    const error = await failure(upsertComment({ ...target(), body: 'x' }));

    expect(error).toBeInstanceOf(CommentError);
    expect(error).not.toBeInstanceOf(CommentForbiddenError);
    expect(error.message).toMatch(
      /could not create the comment on pull request #7 in acme\/shop: GitHub's API rate limit held/,
    );
    expect(error.message).toContain('verdict and the job summary are unaffected');
    expect(writes()).toHaveLength(1);
  });

  it('does not sit out a primary rate limit that resets in an hour', async () => {
    github.setMode({ kind: 'primary-rate-limit', times: 5, resetInSeconds: 3600 });

    const error = await failure(upsertComment({ ...target(), body: 'x' }));

    expect(error.message).toMatch(
      /could not read the comments on pull request #7 in acme\/shop: GitHub's API rate limit held until \d{4}-\d\d-\d\dT/,
    );
    expect(error.message).toContain('Re-run the job later');
    expect(github.requests).toHaveLength(1);
    expect(logged.some((l) => /warning: .*longer than the 120s perf-gate waits/.test(l))).toBe(
      true,
    );
  });

  it('explains a read-only token (fork pull request) with CommentForbiddenError', async () => {
    github.setMode({ kind: 'read-only' });

    const error = await failure(upsertComment({ ...target(), body: 'x' }));

    expect(error).toBeInstanceOf(CommentForbiddenError);
    expect((error as CommentForbiddenError).status).toBe(403);
    for (const part of [
      'Resource not accessible by integration',
      'read-only',
      'forks',
      'Dependabot',
      'verdict and the job summary are unaffected',
      'workflow_run',
      '`report`',
      '`pr-number`',
      'Pull requests from forks',
      'https://github.com/perf-gate/perf-gate#pull-requests-from-forks',
    ]) {
      expect(error.message).toContain(part);
    }
    // A 403 is an answer, not a hiccup: no retries.
    expect(writes()).toHaveLength(1);
    expect(github.comments(OWNER, REPO, 7)).toHaveLength(0);
  });

  it('names the repository, the pull request and the permissions on a 404', async () => {
    github.setMode({ kind: 'not-found' });

    const error = await failure(upsertComment({ ...target({ issueNumber: 42 }), body: 'x' }));

    expect(error).toBeInstanceOf(CommentNotFoundError);
    expect(error.message).toContain('pull request #42 in acme/shop');
    expect(error.message).toContain('pull-requests: write');
    expect(error.message).toContain('issues: write');
    expect(github.requests).toHaveLength(1);
  });

  it('reports the status and the number of attempts when server errors persist', async () => {
    github.setMode({ kind: 'server-error', times: 100, status: 503 });

    const error = await failure(upsertComment({ ...target(), body: 'x' }));

    expect(error).toBeInstanceOf(CommentError);
    expect(error.message).toContain(
      `GET /repos/${OWNER}/${REPO}/issues/7/comments failed with HTTP 503`,
    );
    expect(error.message).toContain('4 attempts');
    expect(github.requests).toHaveLength(4);
  });

  it('says it could not reach GitHub when nothing answers', async () => {
    const closedPort = await refusedPort();
    const apiUrl = `http://127.0.0.1:${closedPort}`;

    const error = await failure(upsertComment({ ...target({ apiUrl }), body: 'x' }));

    expect(error).toBeInstanceOf(CommentError);
    expect(error.message).toContain(`could not reach the GitHub API at ${apiUrl}`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never lets the token into an error message or a log line', async () => {
    const messages: string[] = [];
    const modes = [
      { kind: 'read-only' },
      { kind: 'not-found' },
      // GitHub's text is not ours to control: even if it echoed the token, we must not repeat it.
      { kind: 'server-error', times: 100, status: 500, message: `bad credentials ${TOKEN}` },
      { kind: 'secondary-rate-limit', times: 100, retryAfterSeconds: 1 },
    ] as const;
    for (const mode of modes) {
      github.reset();
      github.setMode(mode);
      messages.push((await failure(upsertComment({ ...target(), body: 'x' }))).message);
    }
    messages.push(
      (await failure(upsertComment({ ...target({ repository: TOKEN }), body: 'x' }))).message,
    );

    expect(messages.join('\n')).toContain('bad credentials ***');
    expect(logged.length).toBeGreaterThan(0);
    for (const text of [...messages, ...logged]) expect(text).not.toContain(TOKEN);
    // It did go over the wire, where it belongs.
    expect(github.requests.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('cuts a body over GitHub’s limit instead of losing the comment to a 422', async () => {
    const result = await upsertComment({ ...target(), body: `| row |\n`.repeat(10_000) });

    const [comment] = github.comments(OWNER, REPO, 7);
    expect(comment.id).toBe(result.id);
    expect(comment.body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(comment.body.startsWith(commentMarker('api'))).toBe(true);
    expect(comment.body).toContain('cut at GitHub’s 65,536-character limit');
    expect(logged.some((l) => l.startsWith('warning: ') && l.includes('cut'))).toBe(true);
  });
});

describe('findComment and publishComment', () => {
  it('finds nothing on a pull request without the marker, then the comment once written', async () => {
    github.seed(OWNER, REPO, 7, [{ body: 'LGTM' }]);
    expect(await findComment(target())).toBeUndefined();

    const written = await upsertComment({ ...target(), body: 'table' });

    expect(await findComment(target())).toEqual({
      id: written.id,
      url: written.url,
      body: `${commentMarker('api')}\ntable`,
      author: 'github-actions[bot]',
    });
  });

  it('sends nothing at all in mode never', async () => {
    const result = await publishComment({ ...target(), body: 'x', mode: 'never', passed: false });

    expect(result).toEqual({ action: 'skipped' });
    expect(github.requests).toHaveLength(0);
  });

  it('on-failure: skips a green PR without a comment, but turns an existing red comment green', async () => {
    const green = await publishComment({
      ...target(),
      body: 'green',
      mode: 'on-failure',
      passed: true,
    });
    expect(green).toEqual({ action: 'skipped' });
    expect(writes()).toHaveLength(0);

    const red = await publishComment({
      ...target(),
      body: 'red',
      mode: 'on-failure',
      passed: false,
    });
    expect(red.action).toBe('created');

    const fixed = await publishComment({
      ...target(),
      body: 'green again',
      mode: 'on-failure',
      passed: true,
    });
    expect(fixed.action).toBe('updated');
    expect(github.comments(OWNER, REPO, 7).map((c) => c.body)).toEqual([
      `${commentMarker('api')}\ngreen again`,
    ]);
  });

  it('rejects a malformed repository with a message naming the expected form', async () => {
    const error = await failure(findComment(target({ repository: 'acme' })));
    expect(error.message).toBe(
      'repository: expected "owner/repo" (as in GITHUB_REPOSITORY), found "acme"',
    );
    expect(github.requests).toHaveLength(0);
  });
});

describe('commentPolicy', () => {
  const table: Array<[CommentMode, boolean, boolean, 'write' | 'skip']> = [
    ['always', true, false, 'write'],
    ['always', true, true, 'write'],
    ['always', false, false, 'write'],
    ['always', false, true, 'write'],
    ['on-failure', false, false, 'write'],
    ['on-failure', false, true, 'write'],
    ['on-failure', true, true, 'write'],
    ['on-failure', true, false, 'skip'],
    ['never', false, false, 'skip'],
    ['never', false, true, 'skip'],
    ['never', true, false, 'skip'],
    ['never', true, true, 'skip'],
  ];
  it.each(table)('%s, passed=%s, existing=%s → %s', (mode, passed, existing, expected) => {
    expect(commentPolicy(mode, passed, existing)).toBe(expected);
  });
});

describe('the marker', () => {
  it('cannot be closed or widened by the gate id', () => {
    const marker = commentMarker('x --> <b>@all</b> --!>');
    expect(marker.startsWith('<!-- perf-gate:')).toBe(true);
    expect(marker.endsWith(' -->')).toBe(true);
    const inner = marker.slice('<!-- '.length, -' -->'.length);
    expect(inner).not.toMatch(/[<>\s]/);
    expect(commentMarker('api')).toBe('<!-- perf-gate:api -->');
  });

  it('picks only the token identity’s own comment: marker on the first line, then the oldest', () => {
    const m = commentMarker('api');
    const humanCopy = { id: 1, body: `${m}\npasted by hand`, user: HUMAN };
    const quoted = { id: 2, body: `> ${m}`, user: ACTIONS_BOT };
    const ours = { id: 3, body: `${m}\ntable`, user: ACTIONS_BOT };
    const raceDuplicate = { id: 4, body: `${m}\ntable`, user: ACTIONS_BOT };
    const other = { id: 5, body: `${commentMarker('web')}\ntable`, user: ACTIONS_BOT };
    const bot = (login: string) => login === ACTIONS_BOT.login;

    expect(pickComment([humanCopy, quoted, raceDuplicate, ours, other], 'api', bot)).toBe(ours);
    expect(pickComment([humanCopy, quoted], 'api', bot)).toBe(quoted);
    expect(pickComment([humanCopy, other], 'api', bot)).toBeUndefined();
    expect(pickComment([humanCopy, ours], 'api', (l) => l === HUMAN.login)).toBe(humanCopy);
    expect(pickComment([other], 'api', bot)).toBeUndefined();
  });
});

describe('whose comment is edited', () => {
  it('leaves a person’s comment carrying the marker alone and writes its own', async () => {
    const [human] = github.seed(OWNER, REPO, 7, [
      { body: `Nice PR! ${commentMarker('api')}`, user: HUMAN },
    ]);

    const first = await upsertComment({ ...target(), body: 'table 1' });
    const second = await upsertComment({ ...target(), body: 'table 2' });

    expect(first.action).toBe('created');
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    const comments = github.comments(OWNER, REPO, 7);
    expect(comments.map((c) => [c.user.login, c.body])).toEqual([
      [HUMAN.login, `Nice PR! ${commentMarker('api')}`],
      [ACTIONS_BOT.login, `${commentMarker('api')}\ntable 2`],
    ]);
    expect(comments[0].updated_at).toBe(human.updated_at);
    // The installation token cannot ask who it is (403) and falls back to github-actions[bot].
    expect(github.requests.filter((r) => r.path === '/user').map((r) => r.status)).toEqual([
      403, 403,
    ]);
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(logged.some((l) => l.includes('written by octocat') && l.includes('left alone'))).toBe(
      true,
    );
    expect(logged.join('\n')).not.toMatch(/read-only|fork/i);
  });

  it('a user token edits the comment its own account wrote, found by GET /user', async () => {
    const me = { login: 'perf-robot', id: 4242, type: 'User' as const };
    const own = await startGitHub({ users: { [TOKEN]: me } });
    try {
      own.seed(OWNER, REPO, 7, [
        { body: `${commentMarker('api')}\nan old table`, user: ACTIONS_BOT },
        { body: `${commentMarker('api')}\nquoted by a person`, user: HUMAN },
        { body: `${commentMarker('api')}\nmy table`, user: me },
      ]);
      const result = await upsertComment({ ...target({ apiUrl: own.url }), body: 'new table' });
      const comments = own.comments(OWNER, REPO, 7);
      expect(result).toMatchObject({ action: 'updated', id: comments[2].id });
      expect(comments.map((c) => c.body)).toEqual([
        `${commentMarker('api')}\nan old table`,
        `${commentMarker('api')}\nquoted by a person`,
        `${commentMarker('api')}\nnew table`,
      ]);
      expect(own.requests.find((r) => r.path === '/user')?.status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('asks GitHub who it is only when a comment carries the marker', async () => {
    await upsertComment({ ...target(), body: 'first run' });
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues/7/comments`,
      `POST /repos/${OWNER}/${REPO}/issues/7/comments`,
    ]);
  });
});
