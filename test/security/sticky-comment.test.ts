import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/report.js';
import { ACTIONS_BOT, HUMAN, startGitHub, type GitHubServer } from '../servers/github.js';
import { runAction } from '../e2e/action-runner.js';

/**
 * The sticky comment is only ever the token identity's own (issue "Hardening", case 6). GitHub
 * lets a token with write access edit anyone's comment (the loopback GitHub does too), so a
 * person's comment that carries the marker must be left alone by perf-gate's own choice.
 * Through the bundled action (`npm run build` first), gating a saved report so nothing is
 * measured.
 */

const TOKEN = 'ghs_stickyCommentToken0123456789';
const REPORT = readFileSync(join(import.meta.dirname, '../fixtures/reports/all-pass.json'), 'utf8');
const GATE = (JSON.parse(REPORT) as Report).gateId;
const MARKER = `<!-- perf-gate:${GATE} -->`;

let github: GitHubServer;
beforeAll(async () => {
  github = await startGitHub();
});
afterAll(async () => {
  await github.close();
});
beforeEach(() => github.reset());

const gate = () =>
  runAction({
    eventName: 'workflow_run',
    event: { workflow_run: { id: 1 } },
    inputs: { 'github-token': TOKEN, report: 'report.json', 'pr-number': '7' },
    env: { GITHUB_API_URL: github.url },
    files: { 'report.json': REPORT },
  });

describe('a person’s comment carrying the marker', () => {
  test('is left alone: perf-gate writes its own, and edits only that one afterwards', async () => {
    const [human] = github.seed('acme', 'shop', 7, [{ body: `Nice PR! ${MARKER}`, user: HUMAN }]);

    const first = await gate();
    expect(first.code).toBe(0);
    let comments = github.comments('acme', 'shop', 7);
    expect(comments).toHaveLength(2);
    expect(comments[0]).toMatchObject({ id: human.id, body: `Nice PR! ${MARKER}` });
    expect(comments[0].updated_at).toBe(human.updated_at);
    expect(comments[1].user.login).toBe(ACTIONS_BOT.login);
    expect(comments[1].body.startsWith(MARKER)).toBe(true);
    expect(first.outputs['comment-url']).toBe(comments[1].html_url);
    // No warning, least of all one blaming a read-only fork token.
    expect(first.stdout).not.toMatch(/^::warning::.*(read-only|fork|403)/m);
    expect(first.stdout).toMatch(/written by octocat.*left alone/);

    const second = await gate();
    expect(second.code).toBe(0);
    comments = github.comments('acme', 'shop', 7);
    expect(comments).toHaveLength(2);
    expect(comments[0].body).toBe(`Nice PR! ${MARKER}`);
    expect(second.outputs['comment-url']).toBe(comments[1].html_url);
    expect(github.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([
      `/repos/acme/shop/issues/comments/${comments[1].id}`,
    ]);
  });
});
