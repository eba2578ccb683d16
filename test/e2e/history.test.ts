import { describe, expect, test } from '@jest/globals';
import {
  encodeHistoryFile,
  historyPath,
  historyRun,
  decodeHistoryFile,
} from '../../src/baseline/github-history.js';
import { startGitHub } from '../servers/github.js';
import { startTarget } from '../servers/target.js';
import {
  expectOnlySlowedRegressed,
  reportOf,
  serversForFile,
  withSlowedEndpoint,
} from '../support/e2e.js';
import { endpoint, lognormal, measurementOf } from '../support/measurements.js';
import { runAction, type ActionRunOptions } from './action-runner.js';

/**
 * The history baseline end to end, through the bundled action and the real Octokit against the
 * loopback GitHub's Git database: pushes to main publish into the data branch, a pull request
 * reads its base branch's runs back and judges against them.
 */

const BUDGET = [
  'version: 1',
  'id: shop',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 2, duration: 1s, warmup: 0s, timeout: 2s }',
  'baseline:',
  '  github: { lookback: 1d, runs: 30 }',
  'endpoints:',
  '  - name: steady',
  '    path: /fixed/20',
  '  - name: slowed',
  '    path: /fixed/20',
  '',
].join('\n');

const BRANCH = 'perf-gate-history';
const servers = serversForFile({ target: startTarget, github: startGitHub });

function push(repository: string, sha: string, budget = BUDGET): ActionRunOptions {
  return {
    eventName: 'push',
    event: {},
    // A push is judged against its own branch's earlier runs too; the machine's noise between
    // pushes is not what these tests are about, so findings do not fail the step here.
    inputs: { comment: 'never', publish: 'true', 'github-token': 'ghs_push', 'fail-on': 'none' },
    env: {
      PREVIEW_URL: servers.target.url,
      GITHUB_API_URL: servers.github.url,
      GITHUB_REPOSITORY: repository,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: sha,
    },
    files: { 'perf-budget.yml': budget },
  };
}

function pullRequest(repository: string, budget = BUDGET): ActionRunOptions {
  return {
    eventName: 'pull_request',
    event: { pull_request: { number: 7, base: { ref: 'main' }, head: { ref: 'feature' } } },
    inputs: { comment: 'never', 'github-token': 'ghs_pr' },
    env: {
      PREVIEW_URL: servers.target.url,
      GITHUB_API_URL: servers.github.url,
      GITHUB_REPOSITORY: repository,
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_REF_NAME: '7/merge',
      GITHUB_BASE_REF: 'main',
      GITHUB_HEAD_REF: 'feature',
      GITHUB_SHA: 'c'.repeat(40),
    },
    files: { 'perf-budget.yml': budget },
  };
}

const storedRuns = (repo: string) =>
  servers.github.git
    .listFiles('acme', repo, BRANCH)
    .filter((p) => p.endsWith('.json'))
    .flatMap(
      (p) => decodeHistoryFile(servers.github.git.readFile('acme', repo, BRANCH, p)!, p).runs,
    );

describe('history in a data branch', () => {
  test('ten pushes publish; a pull request flags the endpoint made 30% slower, and only it', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await runAction(push('acme/shop', String(i).repeat(40)));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      if (i === 0) expect(r.stdout).toMatch(/branch created/);
    }
    const runs = storedRuns('shop');
    expect(runs.map((r) => r.sha)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i).repeat(40)),
    );
    expect(runs[0]).toMatchObject({ branch: 'main', runner: 'Linux/X64' });
    expect(runs[0]!.endpoints.steady!.load).toEqual({
      connections: 2,
      durationMs: 1000,
      timeoutMs: 2000,
    });
    expect(servers.github.git.log('acme', 'shop', BRANCH)).toHaveLength(10);

    const before = servers.github.requests.length;
    const r = await runAction(pullRequest('acme/shop', withSlowedEndpoint(BUDGET)));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = reportOf(r);
    const [steady, slowed] = report.endpoints;
    expect(steady.baseline).toMatchObject({
      kind: 'cloudwatch',
      store: 'github',
      source: 'data branch perf-gate-history, runs of main',
    });
    expect(steady.baseline.metrics.p50.periods).toBe(10);
    expect(r.summary).toMatch(/history median/);
    expect(r.summary).toMatch(/data branch perf-gate-history, runs of main<\/code>, 10 runs/);
    expectOnlySlowedRegressed(steady, slowed);
    expect(slowed.findings.map((f: { reason: string }) => f.reason).join('\n')).toMatch(
      /history median/,
    );
    // A pull request never writes to the data branch, and reads it in a couple of requests
    // (ref, tree, one month file). Other reads (the pull request's labels, comments and events
    // for acceptances) are not the history's.
    const sent = servers.github.requests.slice(before);
    expect(sent.filter((q) => q.path.includes('/git/')).every((q) => q.method === 'GET')).toBe(
      true,
    );
    expect(sent.filter((q) => q.path.includes('/git/')).length).toBeLessThanOrEqual(3);
  }, 300_000);

  test('a read-only token (fork) reads and judges; a publish with it fails naming the permission', async () => {
    // Five runs of main with this budget's load settings.
    const now = Date.now();
    const load = { connections: 2, durationMs: 1000, warmupMs: 0, timeoutMs: 2000 };
    const runs = [5, 4, 3, 2, 1].map((i) =>
      historyRun({
        sha: String(i).repeat(40),
        branch: 'main',
        time: new Date(now - i * 60_000),
        runner: 'Linux/X64',
        endpoints: ['steady', 'slowed'].map((name) => ({
          config: endpoint({ name, load }),
          measurement: measurementOf(lognormal(i, 200, 21, 0.1)),
        })),
      }),
    );
    servers.github.git.writeFiles('acme', 'fork', BRANCH, {
      [historyPath('shop', new Date(now))]: encodeHistoryFile({
        format: 'perf-gate-history',
        version: 1,
        gate: 'shop',
        runs,
      }),
    });
    servers.github.setMode({ kind: 'read-only' });
    try {
      const pr = await runAction(pullRequest('acme/fork'));
      expect(pr.stderr).toBe('');
      expect(reportOf(pr).endpoints[0].baseline.kind).toBe('cloudwatch');
      const publish = await runAction(push('acme/fork', 'f'.repeat(40)));
      expect(publish.code).toBe(1);
      expect(publish.stdout).toMatch(/contents: write/);
      // The token only ever appears in the runner's own add-mask command.
      expect(publish.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('ghs_push');
    } finally {
      servers.github.setMode({ kind: 'ok' });
    }
    expect(storedRuns('fork').some((r) => r.sha === 'f'.repeat(40))).toBe(false);
  }, 120_000);

  test('two publishers racing on the ref both land: one is refused non-fast-forward and retries', async () => {
    const first = await runAction(push('acme/race', 'a'.repeat(40)));
    expect(first.code).toBe(0);
    const refused = servers.github.git.refusedRefUpdates();
    servers.github.git.raceRefUpdates(2);
    const [one, two] = await Promise.all([
      runAction(push('acme/race', 'b'.repeat(40))),
      runAction(push('acme/race', 'd'.repeat(40))),
    ]);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(servers.github.git.refusedRefUpdates() - refused).toBeGreaterThanOrEqual(1);
    expect(`${one.stdout}${two.stdout}`).toMatch(/moved while publishing/);
    expect(
      storedRuns('race')
        .map((r) => r.sha)
        .sort(),
    ).toEqual(['a'.repeat(40), 'b'.repeat(40), 'd'.repeat(40)].sort());
  }, 180_000);

  test('runs of another branch or with other load settings are not used', async () => {
    const now = new Date();
    const ep = (connections: number) =>
      endpoint({
        name: 'steady',
        load: { connections, durationMs: 1000, warmupMs: 0, timeoutMs: 2000 },
      });
    const runs = [
      // Same load settings, but release/2's.
      ...[1, 2, 3, 4, 5].map((i) =>
        historyRun({
          sha: String(i).repeat(40),
          branch: 'release/2',
          time: new Date(now.getTime() - i * 60_000),
          runner: 'Linux/X64',
          endpoints: [{ config: ep(2), measurement: measurementOf(lognormal(i, 200, 20, 0.1)) }],
        }),
      ),
      // main's, with 8 connections.
      ...[6, 7, 8, 9].map((i) =>
        historyRun({
          sha: String(i).repeat(40),
          branch: 'main',
          time: new Date(now.getTime() - i * 60_000),
          runner: 'Linux/X64',
          endpoints: [{ config: ep(8), measurement: measurementOf(lognormal(i, 200, 20, 0.1)) }],
        }),
      ),
    ].sort((a, b) => a.time.localeCompare(b.time));
    servers.github.git.writeFiles('acme', 'filtered', BRANCH, {
      [historyPath('shop', now)]: encodeHistoryFile({
        format: 'perf-gate-history',
        version: 1,
        gate: 'shop',
        runs,
      }),
    });
    const r = await runAction(pullRequest('acme/filtered'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [steady] = reportOf(r).endpoints;
    expect(steady.baseline.kind).toBe('none');
    expect(steady.baseline.reason).toMatch(
      /no run of "main" with these load settings.*4 other runs used other load settings/,
    );
    expect(steady.findings.some((f: { verdict: string }) => f.verdict === 'no-baseline')).toBe(
      true,
    );
  }, 120_000);

  test('a pull-request run never publishes, even with publish: true', async () => {
    const options = pullRequest('acme/prpublish');
    const r = await runAction({ ...options, inputs: { ...options.inputs, publish: 'true' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /::warning::Not publishing to the history: this is a pull-request run/,
    );
    expect(servers.github.git.listFiles('acme', 'prpublish', BRANCH)).toEqual([]);
  }, 120_000);

  test('a publish prunes month files older than the retention and keeps the rest', async () => {
    const old = 'perf-gate/shop/2020-01.json';
    const recent = historyPath('shop', new Date(Date.now() - 20 * 86_400_000));
    const empty = encodeHistoryFile({
      format: 'perf-gate-history',
      version: 1,
      gate: 'shop',
      runs: [],
    });
    servers.github.git.writeFiles('acme', 'pruned', BRANCH, {
      [old]: empty,
      [recent]: empty,
      'README.md': 'kept',
    });
    const r = await runAction(push('acme/pruned', 'e'.repeat(40)));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = servers.github.git.listFiles('acme', 'pruned', BRANCH);
    expect(files).not.toContain(old);
    expect(files).toEqual(
      expect.arrayContaining([recent, historyPath('shop', new Date()), 'README.md']),
    );
  }, 120_000);

  test.each([
    ['malformed', '{"format": "perf-gate-history", "version": 1, "runs": [', /not valid JSON/],
    [
      'of another version',
      '{"format": "perf-gate-history", "version": 7, "gate": "shop", "runs": []}',
      /version 7/,
    ],
    ['huge', `{"pad": "${'x'.repeat(33 * 1024 * 1024)}"}`, /over the 32 MiB/],
  ])(
    'a %s data file is refused with a clear message, and the gate goes on',
    async (_, text, message) => {
      const repo = `hostile-${_.replace(/\W/g, '')}`;
      servers.github.git.writeFiles('acme', repo, BRANCH, {
        [historyPath('shop', new Date())]: text,
      });
      const r = await runAction(pullRequest(`acme/${repo}`));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(message);
      expect(r.stdout).toMatch(/docs\/history\.md/);
      expect(reportOf(r).endpoints[0].baseline.kind).toBe('none');
    },
    120_000,
  );
});
