import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startGitHub, type GitHubServer, type GitHubUser } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';
import { validateReport } from '../../src/report/validate.js';
import { runAction, type ActionRunOptions } from './action-runner.js';

/**
 * Accepting an intended regression, through the bundled action against the loopback GitHub:
 * who may accept (label or `/perf-gate accept` comment, write/maintain/admin only), what an
 * acceptance covers (the findings shown when it was given, not a later new one), revoking, budget
 * violations, and the fork-safe workflow_run path. Saved reports (test/fixtures/reports) give
 * fixed findings without load; one measured run checks the report's audit.
 */

const TOKEN = 'ghs_acceptE2eToken0123456789';
const FIXTURES = resolve(import.meta.dirname, '../fixtures/reports');
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.json`), 'utf8');
const HEAD = 'abc1234def5678abc1234def5678abc1234def56';

const ALICE: GitHubUser = { login: 'alice', id: 1001, type: 'User' };
const MALLORY: GitHubUser = { login: 'mallory', id: 1002, type: 'User' };
const BOB: GitHubUser = { login: 'bob', id: 1003, type: 'User' };
const LABEL = 'perf-gate: accept';

let github: GitHubServer;
let target: Target;

beforeAll(async () => {
  github = await startGitHub();
  target = await startTarget();
});
afterAll(async () => {
  await github?.close();
  await target?.close();
});
beforeEach(() => {
  github.reset();
  github.issues.nonCollaborator = '404';
  github.issues.setRole('alice', 'write');
  github.issues.setRole('bob', 'maintain');
});

const comments = () => github.comments('acme', 'shop', 7);
/**
 * The gate's comment as a reader sees it: the zero-width joiners that keep `@name` and `#123` in
 * quoted text from mentioning or linking are left out, so the tests can match words.
 */
const gateComment = () => {
  const found = comments().find((c) => c.body.startsWith('<!-- perf-gate:api -->'));
  return found && { ...found, body: found.body.replace(/\u200d/g, '') };
};
const label = (user: GitHubUser, add = true) =>
  github.issues.label('acme', 'shop', 7, LABEL, user, add);

/** The action gating a saved report on pull request 7 (as the pull_request job of a fork would). */
function gate(report: string, extra: ActionRunOptions = {}) {
  return runAction({
    event: { pull_request: { number: 7, head: { sha: HEAD } } },
    ...extra,
    inputs: { 'github-token': TOKEN, report: 'report.json', ...extra.inputs },
    env: { GITHUB_API_URL: github.url, ...extra.env },
    files: { 'report.json': fixture(report), ...extra.files },
  });
}

describe('acceptance by label', () => {
  test("a writer's label accepts the regressions: the step passes, the comment says who", async () => {
    label(ALICE);
    const r = await gate('regressions');
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs.regressions).toBe('0');
    expect(r.outputs.accepted).toBe('4');
    const body = gateComment()!.body;
    expect(body).toContain('🟡 accepted by @alice');
    expect(body).toMatch(
      /🟡 accepted by @alice \(no reason given\) \(label, \d{4}-\d{2}-\d{2}, head abc1234\)/,
    );
    expect(body).toMatch(/### 🟡 perf-gate <code>api<\/code>: 4 accepted regressions/);
    expect(r.summary).toContain('🟡 accepted by @alice');
    // Notices (not errors) on the accepted endpoints.
    expect(r.stdout).toMatch(/^::notice .*::list products: p50, p95, p99 accepted by @alice/m);
    expect(r.stdout).not.toMatch(/^::error/m);
    // Who added the label came from the issue events API, the permission from the collaborators API.
    const paths = github.requests.map((q) => `${q.method} ${q.path}`);
    expect(paths).toContain('GET /repos/acme/shop/issues/7/events');
    expect(paths).toContain('GET /repos/acme/shop/collaborators/alice/permission');
  });

  test("a maintainer's label counts too (role_name maintain, permission write)", async () => {
    label(BOB);
    const r = await gate('regressions');
    expect(r.code).toBe(0);
    expect(gateComment()!.body).toContain('🟡 accepted by @bob');
  });

  test.each([
    [
      'not a collaborator (404)',
      '404' as const,
      undefined,
      /@mallory has no permission on acme\/shop/,
    ],
    [
      'a collaborator with read',
      '404' as const,
      'read' as const,
      /@mallory has only read permission/,
    ],
    [
      'not a collaborator (200 read)',
      'read' as const,
      undefined,
      /@mallory has only read permission/,
    ],
    [
      'a collaborator with triage',
      '404' as const,
      'triage' as const,
      /@mallory has only triage permission/,
    ],
  ])(
    'a label added by %s is ignored, and the comment says so and why',
    async (_, mode, role, why) => {
      github.issues.nonCollaborator = mode;
      github.issues.setRole('mallory', role);
      label(MALLORY);
      const r = await gate('regressions');
      expect(r.code).toBe(1);
      expect(r.outputs.regressions).toBe('4');
      expect(r.outputs.accepted).toBe('0');
      const body = gateComment()!.body;
      expect(body).not.toContain('🟡 accepted by');
      expect(body).toMatch(/The accept label by @mallory \(\d{4}-\d{2}-\d{2}\) is ignored: /);
      expect(body).toMatch(why);
      expect(body).toContain('accepting needs write, maintain or admin');
      expect(r.stdout).toMatch(
        /::warning::perf-gate: ignored the "perf-gate: accept" label by @mallory/,
      );
    },
  );

  test('the latest labeled event decides: re-added by a reader after a writer, it is ignored', async () => {
    label(ALICE);
    label(ALICE, false);
    github.issues.otherEvent('acme', 'shop', 7, MALLORY, 120); // pages of other events first
    label(MALLORY);
    const r = await gate('regressions');
    expect(r.code).toBe(1);
    expect(gateComment()!.body).toMatch(/accept label by @mallory .* is ignored/);
    const pages = github.requests.filter((q) => q.path === '/repos/acme/shop/issues/7/events');
    expect(pages.length).toBeGreaterThanOrEqual(2);
  });

  test('an empty accept-label turns labels off', async () => {
    label(ALICE);
    const r = await gate('regressions', { inputs: { 'accept-label': '' } });
    expect(r.code).toBe(1);
    expect(github.requests.some((q) => q.path.endsWith('/events'))).toBe(false);
  });

  test('a later push with a new regression elsewhere fails; removing the label fails again', async () => {
    // 1. The comment shows list products p50 and p95 regressed.
    const first = await gate('cloudwatch');
    expect(first.code).toBe(1);
    expect(first.outputs.regressions).toBe('2');
    // 2. A writer accepts them: the same findings pass.
    label(ALICE);
    const second = await gate('cloudwatch');
    expect(second.code).toBe(0);
    expect(second.outputs.accepted).toBe('2');
    // 3. A later push regresses list products p99 and checkout's error rate too: those are not
    //    covered, and fail as usual, while the accepted two stay accepted.
    const third = await gate('regressions');
    expect(third.code).toBe(1);
    expect(third.outputs.accepted).toBe('2');
    expect(third.outputs.regressions).toBe('2');
    const body = gateComment()!.body;
    expect(body).toMatch(
      /Covers the findings shown when it was given: list products p50, list products p95;/,
    );
    expect(comments().filter((c) => c.body.startsWith('<!-- perf-gate:api -->'))).toHaveLength(1);
    // 4. The label is removed: nothing is accepted any more.
    label(ALICE, false);
    const fourth = await gate('cloudwatch');
    expect(fourth.code).toBe(1);
    expect(fourth.outputs.accepted).toBe('0');
    expect(gateComment()!.body).not.toContain('accepted by');
  });

  test('budget violations are not accepted by a label', async () => {
    label(ALICE);
    const r = await gate('budget-failures');
    expect(r.code).toBe(1);
    expect(r.outputs.violations).toBe('3');
    expect(r.outputs.accepted).toBe('0');
    expect(gateComment()!.body).toContain(
      'Budget violations are not accepted (the budget file does not say `accept: { budget: true }`)',
    );
  });
});

describe('acceptance by comment', () => {
  test("a writer's /perf-gate accept comment accepts, with its reason; /perf-gate revoke ends it", async () => {
    github.seed('acme', 'shop', 7, [
      {
        body: '/perf-gate accept hashing cost, see #412\nThe new bcrypt cost is intended.',
        user: ALICE,
      },
    ]);
    const r = await gate('regressions');
    expect(r.code).toBe(0);
    expect(r.outputs.accepted).toBe('4');
    expect(gateComment()!.body).toMatch(
      /🟡 accepted by @alice: 'hashing cost, see #412' \(comment, \d{4}-\d{2}-\d{2}, head abc1234\)/,
    );

    github.seed('acme', 'shop', 7, [{ body: '/perf-gate revoke', user: BOB }]);
    const revoked = await gate('regressions');
    expect(revoked.code).toBe(1);
    expect(revoked.outputs.accepted).toBe('0');
    expect(gateComment()!.body).not.toContain('accepted by');
  });

  test("a reader's /perf-gate accept comment is ignored and said so", async () => {
    github.issues.setRole('mallory', 'read');
    github.seed('acme', 'shop', 7, [{ body: '/perf-gate accept trust me', user: MALLORY }]);
    const r = await gate('regressions');
    expect(r.code).toBe(1);
    expect(gateComment()!.body).toMatch(
      /A `\/perf-gate accept` comment by @mallory \(\d{4}-\d{2}-\d{2}\) is ignored: @mallory has only read permission/,
    );
  });

  test('a command not on the first line is not a command', async () => {
    github.seed('acme', 'shop', 7, [{ body: 'I think\n/perf-gate accept hashing', user: ALICE }]);
    const r = await gate('regressions');
    expect(r.code).toBe(1);
    expect(r.outputs.accepted).toBe('0');
  });

  test('a revoke ends a label given before it', async () => {
    label(ALICE);
    github.seed('acme', 'shop', 7, [{ body: '/perf-gate revoke', user: BOB }]);
    const r = await gate('regressions');
    expect(r.code).toBe(1);
    expect(gateComment()!.body).toMatch(/accept label by @alice .* is ignored: revoked by @bob/);
  });

  test("hidden data in someone else's comment carrying the marker is never trusted", async () => {
    // Before perf-gate's first comment, a reader posts one with the gate's marker and hidden data
    // claiming all four findings of the later push were shown (so an acceptance would cover them).
    const claim = {
      v: 1,
      shown: [
        ['list products', 'p50'],
        ['list products', 'p95'],
        ['list products', 'p99'],
        ['checkout', 'error-rate'],
      ],
      acceptances: [],
    };
    const data = Buffer.from(JSON.stringify(claim)).toString('base64');
    github.seed('acme', 'shop', 7, [
      {
        body: `<!-- perf-gate:api -->\n<!-- perf-gate-data:${data} -->\nlooks official`,
        user: MALLORY,
      },
    ]);
    const first = await gate('cloudwatch'); // shows list products p50 and p95
    expect(first.code).toBe(1);
    expect(comments()).toHaveLength(2);
    label(ALICE);
    const r = await gate('regressions');
    // Only what perf-gate's own comment showed is covered: p99 and checkout still fail.
    expect(r.code).toBe(1);
    expect(r.outputs.accepted).toBe('2');
    expect(r.outputs.regressions).toBe('2');
    expect(comments()[0].body).toContain('looks official');
  });
});

describe('forks and workflow_run', () => {
  test('a read-only token reads the acceptance: the step passes though the comment cannot be written', async () => {
    label(ALICE);
    github.setMode({ kind: 'read-only' });
    const r = await gate('regressions');
    expect(r.code).toBe(0);
    expect(r.outputs.accepted).toBe('4');
    expect(r.summary).toContain('🟡 accepted by @alice');
    expect(comments()).toHaveLength(0);
  });

  test('the workflow_run job applies the acceptance to the saved report', async () => {
    label(ALICE);
    const r = await gate('regressions', {
      eventName: 'workflow_run',
      event: { workflow_run: { id: 1, head_sha: HEAD } },
      inputs: { 'pr-number': '7' },
    });
    expect(r.code).toBe(0);
    expect(r.outputs.accepted).toBe('4');
    expect(gateComment()!.body).toContain('🟡 accepted by @alice');
  });
});

describe('a measured run', () => {
  function budgetFile(acceptBudget: boolean) {
    return [
      'version: 1',
      'id: api',
      'target:',
      '  url: ${PREVIEW_URL}',
      '  ready: { path: /healthz, timeout: 10s }',
      'defaults:',
      '  load: { connections: 2, duration: 1s, warmup: 0s, timeout: 2s }',
      'confirm: false',
      ...(acceptBudget ? ['accept: { budget: true }'] : []),
      'endpoints:',
      '  - name: slow search',
      '    path: /fixed/30',
      '    budget: { p50: 5ms }',
      '',
    ].join('\n');
  }
  const measure = (acceptBudget: boolean) =>
    runAction({
      event: { pull_request: { number: 7, head: { sha: HEAD } } },
      inputs: { 'github-token': TOKEN },
      env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url },
      files: { 'perf-budget.yml': budgetFile(acceptBudget) },
    });

  test('accept: { budget: true } lets a writer accept a budget violation; the report keeps the audit', async () => {
    label(ALICE);
    const refused = await measure(false);
    expect(refused.code).toBe(1);
    expect(refused.outputs.violations).toBe('1');

    const r = await measure(true);
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs.violations).toBe('0');
    expect(r.outputs.accepted).toBe('1');
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(validateReport(report)).toMatchObject({ valid: true });
    const finding = report.endpoints[0].findings.find(
      (f: { metric: string }) => f.metric === 'p50',
    );
    expect(finding.verdict).toBe('accepted');
    expect(finding.acceptance).toMatchObject({ via: 'label', by: 'alice' });
    expect(report.summary.accepted).toBe(1);
    expect(report.acceptance.budget).toBe(true);
    expect(report.acceptance.given[0]).toMatchObject({
      via: 'label',
      by: 'alice',
      permission: 'write',
      accepted: [['slow search', 'p50']],
    });
    expect(report.acceptance.given[0].id).toMatch(/^label:\d+$/);

    // The fork pattern: the workflow_run job gates the saved report. Its acceptance is undone and
    // read again from the pull request, so the report's verdicts agree with its measurements.
    const again = (files: Record<string, string>) =>
      runAction({
        eventName: 'workflow_run',
        event: { workflow_run: { id: 1, head_sha: HEAD } },
        inputs: { 'github-token': TOKEN, report: 'report.json', 'pr-number': '7' },
        env: { GITHUB_API_URL: github.url },
        files: { 'report.json': readFileSync(r.outputs['report-file'], 'utf8'), ...files },
      });
    const rejudged = await again({ 'perf-budget.yml': budgetFile(true) });
    expect(rejudged.code).toBe(0);
    expect(rejudged.outputs.accepted).toBe('1');
    // Not read as a report claiming 0 violations its measurements contradict. (An endpoint-verdict
    // difference of budgets-only reports is a known rejudge issue, test/gate/rejudge.test.ts.)
    expect(rejudged.stdout).not.toMatch(/it says failed, 0 budget violation/);
    label(ALICE, false);
    const unlabeled = await again({ 'perf-budget.yml': budgetFile(true) });
    expect(unlabeled.code).toBe(1);
    expect(unlabeled.outputs.violations).toBe('1');
    expect(unlabeled.outputs.accepted).toBe('0');
  });
});
