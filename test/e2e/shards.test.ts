import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/report/report.js';
import { formatCount } from '../../src/units/format.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';
import { runAction, type ActionRun } from './action-runner.js';

/**
 * A sharded pull-request run through the bundled action, as a matrix runs it: three jobs with
 * `shard: i/3` and `start-at: +Ns` (counted from the workflow run's creation, read from the
 * GitHub API), each writing its report and commenting nothing; then one job with `reports:` that
 * merges them and posts the one comment, with the merged numbers and the shard count.
 */

const TOKEN = 'ghs_shardSecretToken0123456789';
const BUDGET = [
  'version: 1',
  'id: sharded',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 6, duration: 2s, warmup: 0s, timeout: 2s }',
  'endpoints:',
  '  - name: list',
  '    path: /fixed/2',
  '    budget: { p95: 500ms }',
  '  - name: search',
  '    path: /fixed/20',
  '    budget: { p95: 5ms }',
  '',
].join('\n');

let target: Target;
let github: GitHubServer;
const workspace = mkdtempSync(join(tmpdir(), 'perf-gate-shards-'));
const shards: ActionRun[] = [];
let createdAt: Date;

function job(inputs: Record<string, string>) {
  return runAction({
    workspace,
    inputs: { 'github-token': TOKEN, ...inputs },
    env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url },
    files: { 'perf-budget.yml': BUDGET },
    timeoutMs: 120_000,
  });
}

beforeAll(async () => {
  target = await startTarget();
  createdAt = new Date();
  github = await startGitHub({ runs: { 1234: { created_at: createdAt.toISOString() } } });
  shards.push(
    ...(await Promise.all(
      [1, 2, 3].map((i) =>
        job({ shard: `${i}/3`, 'start-at': '+10s', 'report-file': `shards/shard-${i}.json` }),
      ),
    )),
  );
}, 180_000);
afterAll(async () => {
  await target?.close();
  await github?.close();
});

const reportAt = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;

describe('a sharded run through the bundled action', () => {
  test('each shard measures its share from the common start, comments nothing and does not fail on findings', () => {
    for (const [i, run] of shards.entries()) {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.summary).toContain(`shard ${i + 1} of 3 (gates nothing by itself`);
      expect(run.stdout).toContain(
        `start-at ${new Date(createdAt.getTime() + 10_000).toISOString()}`,
      );
      const report = reportAt(join(workspace, `shards/shard-${i + 1}.json`));
      expect(report.shard).toMatchObject({ index: i + 1, count: 3 });
      // Every endpoint started at or after the common start.
      for (const e of report.endpoints) {
        expect(Date.parse(e.measurement.startedAt)).toBeGreaterThanOrEqual(
          createdAt.getTime() + 10_000,
        );
      }
    }
    expect(github.comments('acme', 'shop', 7)).toEqual([]);
    // The start was read from the API.
    expect(github.requests.some((r) => r.path === '/repos/acme/shop/actions/runs/1234')).toBe(true);
  });

  test('the merge job posts one comment with the merged numbers and the shard count, and fails on the breach', async () => {
    const merged = await job({ reports: 'shards/*.json', 'report-file': 'merged.json' });
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('perf-gate failed: 2 endpoint(s), 1 budget violation(s)');
    const report = reportAt(join(workspace, 'merged.json'));
    expect(report.shards?.count).toBe(3);
    const parts = [1, 2, 3].map((i) => reportAt(join(workspace, `shards/shard-${i}.json`)));
    const search = report.endpoints.find((e) => e.name === 'search')!;
    const total = parts
      .map((p) => p.endpoints.find((e) => e.name === 'search')!.measurement.requests)
      .reduce((a, b) => a + b, 0);
    expect(search.measurement.requests).toBe(total);
    expect(search.verdict).toBe('budget-exceeded');
    const comments = github.comments('acme', 'shop', 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(
      /merged from 3 shards \(all loading together ≥ \d+% of the time\)/,
    );
    expect(comments[0].body).toContain(`${formatCount(total)} requests`);
    expect(comments[0].body).not.toContain(TOKEN);
  });

  test('a merge missing a shard fails with a message naming it, and comments nothing', async () => {
    github.reset();
    const partial = await job({ reports: 'shards/shard-[12].json', 'report-file': 'partial.json' });
    expect(partial.code).toBe(1);
    expect(partial.stdout).toContain('input reports: shard 3/3 missing: 2 of 3 reports given');
    expect(partial.summary).toContain("the shards' reports cannot be merged");
    expect(github.comments('acme', 'shop', 7)).toEqual([]);
  });

  test('shard and start-at inputs that cannot work are refused before any load', async () => {
    const bad = await job({ shard: '1/3', 'start-at': 'soon' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('input start-at: "soon" is not a start time');
    const lonely = await job({ 'start-at': '+10s' });
    expect(lonely.code).toBe(1);
    expect(lonely.stdout).toContain(
      'input start-at: aligns the shards of a sharded run: set shard as well',
    );
    const unknownRun = await runAction({
      workspace,
      inputs: { 'github-token': TOKEN, shard: '1/3', 'start-at': '+5s' },
      env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url, GITHUB_RUN_ID: '99' },
      files: { 'perf-budget.yml': BUDGET },
    });
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stdout).toContain(
      'input start-at: could not read workflow run 99 of acme/shop (HTTP 404)',
    );
  });
});
