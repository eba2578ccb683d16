import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startGitHub, ACTIONS_BOT, type GitHubServer } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';
import { validateReport } from '../../src/report/validate.js';
import { refusedPort } from '../servers/ports.js';
import { runAction, type ActionRunOptions } from './action-runner.js';

/**
 * The committed bundle run as a runner runs it, against a loopback deployment and a loopback
 * GitHub: exit codes, outputs, annotations, the job summary, the report, and the one sticky
 * comment per pull request.
 */

const TOKEN = 'ghs_e2eSecretToken0123456789';

function budget(slowBudget: string): string {
  return [
    'version: 1',
    'id: api',
    'target:',
    '  url: ${PREVIEW_URL}',
    '  ready: { path: /healthz, timeout: 10s }',
    'defaults:',
    '  load: { connections: 4, duration: 1s, warmup: 0s, timeout: 2s }',
    'confirm: false',
    'endpoints:',
    '  - name: fast list',
    '    path: /fixed/2',
    '    budget: { p50: 100ms, error-rate: 1% }',
    '  - name: slow search',
    '    path: /fixed/30',
    `    budget: { p50: ${slowBudget} }`,
    '',
  ].join('\n');
}
/** Line of the "slow search" entry in budget(). */
const SLOW_LINE = 13;

let target: Target;
let github: GitHubServer;

beforeAll(async () => {
  target = await startTarget();
  github = await startGitHub();
});
afterAll(async () => {
  await target?.close();
  await github?.close();
});
beforeEach(() => {
  github.reset();
  target.reset();
});

function run(slowBudget: string, extra: ActionRunOptions = {}) {
  return runAction({
    ...extra,
    inputs: { 'github-token': TOKEN, ...extra.inputs },
    env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url, ...extra.env },
    files: { 'perf-budget.yml': budget(slowBudget), ...extra.files },
  });
}

const comments = () => github.comments('acme', 'shop', 7);

/** stdout as the runner shows it: `::add-mask::` commands are how secrets are registered, not output. */
const visible = (stdout: string) => stdout.replace(/^::add-mask::.*$/gm, '');

describe('pull request runs', () => {
  test('a passing run comments once, writes the summary, the report and every output', async () => {
    const r = await run('200ms');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
    expect(r.outputs.violations).toBe('0');
    expect(r.outputs.regressions).toBe('0');
    expect(r.outputs['report-file']).toContain(r.runnerTemp);
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(validateReport(report).valid).toBe(true);
    expect(report.endpoints.map((e: { name: string }) => e.name)).toEqual([
      'fast list',
      'slow search',
    ]);
    expect(report.endpoints[1].measurement.latency.p50).toBeGreaterThan(29);
    expect(r.summary).toMatch(/✅/);
    expect(comments()).toHaveLength(1);
    expect(comments()[0].body).toContain('<!-- perf-gate:api -->');
    expect(comments()[0].user.login).toBe(ACTIONS_BOT.login);
    expect(r.outputs['comment-url']).toBe(comments()[0].html_url);
    expect(target.hits('/fixed/30')).toBeGreaterThan(50);
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(
      visible(r.stdout) + r.summary + JSON.stringify(report) + comments()[0].body,
    ).not.toContain(TOKEN);
  });

  test('a failing run exits 1, annotates the endpoint line, and a re-run edits the same comment', async () => {
    const first = await run('10ms');
    expect(first.code).toBe(1);
    expect(first.outputs.passed).toBe('false');
    expect(Number(first.outputs.violations)).toBeGreaterThanOrEqual(1);
    expect(first.stdout).toMatch(
      new RegExp(
        `::error title=perf-gate%3A slow search,file=perf-budget.yml,line=${SLOW_LINE}::slow search: p50 `,
      ),
    );
    expect(first.stdout).not.toMatch(/::error[^\n]*fast list/);
    expect(first.stdout).toMatch(/::error::perf-gate failed: 2 endpoint\(s\), 1 budget violation/);
    // No baseline is set up: the default regression rules have nothing to compare with, and no
    // annotation, failure line, comment or summary says "no baseline" about it.
    expect(first.stdout).toMatch(
      /::error::perf-gate failed: .*budgets only, no baseline configured/,
    );
    expect(first.stdout).not.toMatch(/no baseline:|regression\(s\)/);
    expect(first.summary).toContain('(budgets only; no baseline configured)');
    expect(first.summary).toContain('| Endpoint | Metric | Budget | Current | Verdict |');
    expect(first.summary + comments()[0].body).not.toMatch(/➖|no baseline:/);
    // The verdict table is in the log too, folded in a group; its lines (names come from the
    // budget file) go through the log module, so none can start a workflow command.
    const log = first.stdout.slice(first.stdout.indexOf('::group::Verdicts'));
    const table = log.slice(0, log.indexOf('::endgroup::'));
    expect(table.split('\n').filter((l) => /^\s*::/.test(l))).toEqual(['::group::Verdicts']);
    expect(table).toContain(
      'perf-gate: FAILED: 1 budget violation in 2 endpoints (budgets only; no baseline configured)',
    );
    expect(table).toMatch(/^\s+endpoint\s+metric\s+budget\s+current\s+verdict$/m);
    expect(table).toMatch(/^\s+slow search\s+p50\s+10 ms\s+[\d.]+ ms\s+budget-exceeded$/m);
    expect(first.summary).toMatch(/❌/);
    expect(comments()).toHaveLength(1);
    const id = comments()[0].id;

    const second = await run('10ms');
    expect(second.code).toBe(1);
    expect(comments()).toHaveLength(1);
    expect(comments()[0].id).toBe(id);
    expect(github.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    expect(second.outputs['comment-url']).toBe(comments()[0].html_url);
  });

  test('fail-on none reports the breach but passes the step', async () => {
    const r = await run('10ms', { inputs: { 'fail-on': 'none' } });
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('false');
    expect(r.stdout).toMatch(
      /::warning title=perf-gate%3A slow search,file=perf-budget.yml,line=13::/,
    );
  });

  test('a read-only token (fork) warns, writes the summary and keeps the verdict', async () => {
    github.setMode({ kind: 'read-only' });
    const r = await run('200ms');
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
    expect(r.outputs['comment-url']).toBeUndefined();
    expect(r.stdout).toMatch(/::warning::.*workflow_run/);
    expect(r.summary).toMatch(/✅/);
    expect(comments()).toHaveLength(0);
    expect(visible(r.stdout)).not.toContain(TOKEN);
  });

  test('finds its comment among 250 others and edits it', async () => {
    const seeded = github.seed('acme', 'shop', 7, [
      ...Array.from({ length: 200 }, (_, i) => ({ body: `review comment ${i}` })),
      { body: '<!-- perf-gate:api -->\nold table', user: ACTIONS_BOT },
      ...Array.from({ length: 50 }, (_, i) => ({ body: `later comment ${i}` })),
    ]);
    const r = await run('200ms');
    expect(r.code).toBe(0);
    expect(comments()).toHaveLength(251);
    const ours = comments().filter((c) => c.body.includes('<!-- perf-gate:api -->'));
    expect(ours).toHaveLength(1);
    expect(ours[0].id).toBe(seeded[200].id);
    expect(ours[0].body).not.toContain('old table');
    const pages = github.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/comments'));
    expect(pages.map((q) => q.query.per_page)).toEqual(['100', '100', '100']);
  });
});

describe('the workflow_run pattern', () => {
  test('gates and comments from a saved report without measuring', async () => {
    const measured = await run('10ms', { inputs: { comment: 'never' } });
    expect(measured.code).toBe(1);
    expect(comments()).toHaveLength(0);
    const saved = readFileSync(measured.outputs['report-file'], 'utf8');
    target.reset();

    const r = await runAction({
      eventName: 'workflow_run',
      event: { workflow_run: { id: 1 } },
      inputs: { 'github-token': TOKEN, report: 'report.json', 'pr-number': '7' },
      env: { GITHUB_API_URL: github.url },
      files: { 'report.json': saved },
    });
    expect(r.code).toBe(1);
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs.violations).toBe(measured.outputs.violations);
    expect(target.hits()).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(comments()[0].body).toContain('slow search');
  });

  test('a report that is not a perf-gate report is refused with a message naming it', async () => {
    const r = await runAction({
      eventName: 'workflow_run',
      inputs: { 'github-token': TOKEN, report: 'report.json', 'pr-number': '7' },
      env: { GITHUB_API_URL: github.url },
      files: { 'report.json': '{"hello": 1}' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::input report: .*report\.json/);
    expect(comments()).toHaveLength(0);
  });
});

describe('inputs and budget files a user got wrong', () => {
  test('budget file errors become located annotations, nothing is measured', async () => {
    const r = await run('200ms', {
      inputs: { 'budget-file': 'api-budget.yml' },
      files: { 'api-budget.yml': budget('200ms').replace('p50: 100ms', 'p59: 100ms') },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error title=perf-gate%3A invalid budget file,file=api-budget.yml,line=12,col=\d+::endpoints\[0\]\.budget: unknown key "p59" \(did you mean "p95"\?\)/,
    );
    // The summary names the file the workflow gave, not the default.
    expect(r.summary).toContain(
      'Fix `api-budget.yml` (`perf-gate validate api-budget.yml` checks it locally)',
    );
    expect(r.summary).not.toContain('perf-budget.yml');
    expect(r.stdout).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).toBe('');
    expect(r.summary).toContain('unknown key "p59"');
    expect(r.outputs.passed).toBe('false');
    expect(target.hits()).toBe(0);
  });

  test('a bad input value names the input', async () => {
    const r = await run('200ms', { inputs: { comment: 'sometimes' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error::input comment: expected always, on-failure or never, found "sometimes"/,
    );
    expect(target.hits()).toBe(0);
  });

  test('an unreachable target fails with its URL, still writing the summary and report', async () => {
    const port = await refusedPort();
    const r = await run('200ms', {
      env: { PREVIEW_URL: `http://127.0.0.1:${port}` },
      files: {
        'perf-budget.yml': budget('200ms').replace('timeout: 10s', 'timeout: 1s'),
      },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `::error::perf-gate could not measure: target http://127.0.0.1:${port}/healthz did not answer 2xx within 1s: last attempt: ECONNREFUSED`,
    );
    expect(r.summary.length).toBeGreaterThan(0);
    expect(validateReport(JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'))).valid).toBe(
      true,
    );
  });
});

describe('runs without a pull request, and budget files in a subfolder', () => {
  test.each(['push', 'deployment_status'])(
    'a %s run with comment: always measures, writes the summary and sends nothing to GitHub',
    async (eventName) => {
      const r = await run('500ms', {
        eventName,
        event: eventName === 'push' ? { ref: 'refs/heads/main' } : { deployment_status: {} },
        inputs: { comment: 'always' },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.outputs.passed).toBe('true');
      expect(r.outputs['comment-url'] ?? '').toBe('');
      expect(r.summary).toMatch(/✅/);
      expect(github.requests).toEqual([]);
      expect(r.stdout).toContain(
        `::debug::No pull request for a ${eventName} run: not commenting.`,
      );
      expect(r.stdout).not.toMatch(/^::warning/m);
    },
  );

  test('annotations point at a budget file in a subfolder by its path from the workspace', async () => {
    const r = await runAction({
      inputs: { 'github-token': TOKEN, comment: 'never', 'budget-file': 'services/api/perf.yml' },
      env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url },
      files: { 'services/api/perf.yml': budget('10ms') },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `::error title=perf-gate%3A slow search,file=services/api/perf.yml,line=${SLOW_LINE}::slow search: p50 `,
    );
  });
});
