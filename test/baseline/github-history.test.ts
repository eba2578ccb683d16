import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import {
  appendRun,
  decodeHistoryFile,
  encodeHistoryFile,
  historyBaselines,
  historyFolder,
  historyPath,
  historyRun,
  HistoryFileError,
  MAX_HISTORY_FILE_BYTES,
  monthExpired,
  monthsToRead,
  type HistoryFile,
  type HistoryRun,
} from '../../src/baseline/github-history.js';
import type { EndpointConfig, GitHubHistoryConfig } from '../../src/config/types.js';
import { evaluateEndpoint } from '../../src/evaluate/evaluate.js';
import { decodeHistogram, quantileMs } from '../../src/measure/histogram.js';
import {
  commitToDataBranch,
  HistoryStoreError,
  readDataFiles,
  type DataBranch,
} from '../../src/github/history-store.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { endpoint, lognormal, measurementOf } from '../support/measurements.js';

const TOKEN = 'ghs_Hx7Q2mLk4V7pT1sR9wY3uN6bC0dF5hJ2aE4g';
const HISTORY: GitHubHistoryConfig = {
  branch: 'perf-gate-history',
  lookbackMs: 14 * 86_400_000,
  runs: 30,
  retentionMs: 90 * 86_400_000,
};
const NOW = new Date('2026-11-20T12:00:00Z');
const LOAD = { connections: 10, durationMs: 30_000, warmupMs: 5_000, timeoutMs: 10_000 };

function api(overrides: Partial<EndpointConfig> = {}): EndpointConfig {
  return endpoint({
    regression: { p95: { maxIncrease: 0.1, minDelta: 1 }, p50: { maxIncrease: 0.1, minDelta: 1 } },
    load: LOAD,
    ...overrides,
  });
}

/** A run of `ep` measured `daysAgo` days before NOW with latencies around `medianMs`. */
function run(
  seed: number,
  daysAgo: number,
  medianMs: number,
  options: { branch?: string; ep?: EndpointConfig; n?: number } = {},
): HistoryRun {
  const ep = options.ep ?? api();
  return historyRun({
    sha: seed.toString(16).padStart(40, 'a'),
    branch: options.branch ?? 'main',
    time: new Date(NOW.getTime() - daysAgo * 86_400_000),
    runner: 'Linux/X64',
    endpoints: [
      {
        config: ep,
        measurement: measurementOf(lognormal(seed, options.n ?? 2000, medianMs, 0.25)),
      },
    ],
  });
}

function fileOf(runs: HistoryRun[]): HistoryFile {
  return { format: 'perf-gate-history', version: 1, gate: 'api', runs };
}

describe('stored run', () => {
  it('keeps every percentile within 1% through the stored histogram, and stays under 2 KB gzip', () => {
    const latencies = lognormal(7, 5000, 80, 0.4);
    const stored = historyRun({
      sha: 'f'.repeat(40),
      branch: 'main',
      time: NOW,
      runner: 'Linux/X64',
      endpoints: [{ config: api(), measurement: measurementOf(latencies) }],
    });
    const text = encodeHistoryFile(fileOf([stored]));
    const back = decodeHistoryFile(text, 'x.json').runs[0]!.endpoints['list products']!;
    const histogram = decodeHistogram(back.histogram!);
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const q of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999]) {
      const truth = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(quantileMs(histogram, q) - truth) / truth).toBeLessThan(0.01);
    }
    const bytes = gzipSync(JSON.stringify(stored.endpoints['list products'])).length;
    // The figure the issue asks to report: stored size per run and endpoint, gzip.
    process.stdout.write(`stored size per run and endpoint: ${bytes} bytes gzip\n`);
    expect(bytes).toBeLessThan(2048);
  });
});

describe('decoding a data file', () => {
  const good = encodeHistoryFile(fileOf([run(1, 1, 50)]));
  it.each([
    ['huge', 'x'.repeat(MAX_HISTORY_FILE_BYTES + 1), /over the 32 MiB/],
    ['malformed', '{"format": "perf-gate-history", "runs": [', /not valid JSON/],
    ['not ours', '{"hello": 1}', /not a perf-gate history file/],
    [
      'wrong version',
      good.replace('"version": 1', '"version": 9'),
      /version 9, this perf-gate reads version 1/,
    ],
    ['deep', `${'['.repeat(5000)}${']'.repeat(5000)}`, /nested 5000 levels deep/],
    [
      'bad number',
      good.replace(/"p95":[0-9.]+/, '"p95":-4'),
      /runs\[0\]: endpoints\["list products"\]: expected latency.p95/,
    ],
    ['bad histogram', good.replace(/"histogram":"[^"]+"/, '"histogram":"<script>"'), /histogram/],
  ])('refuses a %s file with a message naming it and the fix', (_, text, message) => {
    let error: unknown;
    try {
      decodeHistoryFile(text, 'perf-gate-history:perf-gate/api/2026-11.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HistoryFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('perf-gate-history:perf-gate/api/2026-11.json');
    expect((error as Error).message).toContain('docs/history.md');
  });
});

describe('baselines from the history', () => {
  const query = (branch: string, endpoints = [api()]) => ({
    gateId: 'api',
    branch,
    config: HISTORY,
    endpoints,
    now: NOW,
  });

  it('uses only the base branch, the same load settings, the lookback and the newest runs', () => {
    const other = api({ load: { ...LOAD, connections: 20 } });
    const runs = [
      ...Array.from({ length: 6 }, (_, i) => run(10 + i, 1 + i, 50)),
      ...Array.from({ length: 6 }, (_, i) => run(20 + i, 1 + i, 500, { branch: 'release/1' })),
      ...Array.from({ length: 6 }, (_, i) => run(30 + i, 1 + i, 900, { ep: other })),
      run(40, 30, 5000), // beyond the 14-day lookback
    ];
    const main = historyBaselines([fileOf(runs)], query('main')).get('list products')!;
    expect(main.kind).toBe('cloudwatch');
    if (main.kind !== 'cloudwatch') return;
    expect(main.store).toBe('github');
    expect(main.periods.p95).toHaveLength(6);
    for (const v of main.periods.p50!) {
      expect(v).toBeGreaterThan(40);
      expect(v).toBeLessThan(60);
    }
    const release = historyBaselines([fileOf(runs)], query('release/1')).get('list products')!;
    expect(release.kind === 'cloudwatch' && release.periods.p50!.every((v) => v > 400)).toBe(true);
    const few = historyBaselines([fileOf(runs.slice(0, 8))], {
      ...query('main'),
      config: { ...HISTORY, runs: 4 },
    });
    const four = few.get('list products')!;
    expect(four.kind === 'cloudwatch' && four.periods.p95!.length).toBe(4);
  });

  it('is no-baseline, saying why, with too few runs or only other load settings', () => {
    const other = api({ load: { ...LOAD, rate: 100 } });
    const runs = [run(1, 1, 50), run(2, 2, 50), run(3, 3, 50, { ep: other })];
    const b = historyBaselines([fileOf(runs)], query('main')).get('list products')!;
    expect(b.kind).toBe('none');
    expect(b.kind === 'none' && b.reason).toMatch(
      /only 2 runs of "main" with these load settings .*3 needed.*1 other run used other load settings/,
    );
  });

  it('feeds the CloudWatch judge: 30% slower regresses, unchanged passes', () => {
    const runs = Array.from({ length: 10 }, (_, i) => run(100 + i, 1 + i, 50));
    const baseline = historyBaselines([fileOf(runs)], query('main')).get('list products')!;
    const judge = (medianMs: number, seed: number) =>
      evaluateEndpoint(api(), measurementOf(lognormal(seed, 2000, medianMs, 0.25)), baseline);
    const slower = judge(65, 999);
    const p95 = slower.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('regression');
    expect(p95.reason).toContain('history median');
    const same = judge(50, 998);
    expect(same.findings.find((f) => f.metric === 'p95')!.verdict).toBe('pass');
  });
});

describe('retention', () => {
  it('drops runs and whole month files older than the retention', () => {
    const old = run(1, 100, 50);
    const recent = run(2, 3, 50);
    const file = appendRun(fileOf([old, recent]), 'api', run(3, 0, 50), NOW, HISTORY.retentionMs);
    expect(file.runs.map((r) => r.sha)).toEqual([recent.sha, run(3, 0, 50).sha]);
    expect(monthExpired('perf-gate/api/2026-07.json', NOW, HISTORY.retentionMs)).toBe(true);
    expect(monthExpired('perf-gate/api/2026-09.json', NOW, HISTORY.retentionMs)).toBe(false);
    expect(
      monthsToRead(
        ['perf-gate/api/2026-10.json', 'perf-gate/api/2026-11.json', 'perf-gate/api/2026-09.json'],
        NOW,
        HISTORY.lookbackMs,
      ),
    ).toEqual(['perf-gate/api/2026-11.json']);
    expect(historyPath('a/../b', NOW)).toBe('perf-gate/a_.._b/2026-11.json');
  });
});

describe('the data branch through the real Octokit', () => {
  let github: GitHubServer;
  beforeAll(async () => {
    github = await startGitHub();
  });
  afterAll(() => github.close());

  const where = (repository: string, token = TOKEN): DataBranch => ({
    token,
    apiUrl: github.url,
    repository,
    branch: 'perf-gate-history',
    tuning: { paceWrites: false, retryAfterBaseMs: 1 },
  });
  const folder = historyFolder('api');
  const path = historyPath('api', NOW);

  /** One publisher's change: append its run to the month file, as the action does. */
  const append =
    (r: HistoryRun) => async (paths: string[], read: (p: string) => Promise<string>) => {
      const existing = paths.includes(path) ? decodeHistoryFile(await read(path), path) : undefined;
      const file = appendRun(existing, 'api', r, NOW, HISTORY.retentionMs);
      return {
        writes: [{ path, text: encodeHistoryFile(file) }],
        deletes: [],
        message: `run ${r.sha}`,
      };
    };

  it('creates the branch on the first publish and appends after', async () => {
    const first = await commitToDataBranch(where('acme/first'), folder, append(run(1, 1, 50)));
    expect(first.created).toBe(true);
    const second = await commitToDataBranch(where('acme/first'), folder, append(run(2, 0, 50)));
    expect(second.created).toBe(false);
    const stored = decodeHistoryFile(
      github.git.readFile('acme', 'first', 'perf-gate-history', path)!,
      path,
    );
    expect(stored.runs).toHaveLength(2);
    expect(github.git.log('acme', 'first', 'perf-gate-history')).toHaveLength(2);
  });

  it('two publishers racing on the ref both land: the loser gets 422 and retries on the new tip', async () => {
    const refusedBefore = github.git.refusedRefUpdates();
    await commitToDataBranch(where('acme/race'), folder, append(run(0, 2, 50)));
    github.git.raceRefUpdates(2);
    const results = await Promise.all([
      commitToDataBranch(where('acme/race'), folder, append(run(11, 1, 50)), { pauseMs: () => 1 }),
      commitToDataBranch(where('acme/race'), folder, append(run(12, 1, 50)), { pauseMs: () => 1 }),
    ]);
    expect(github.git.refusedRefUpdates() - refusedBefore).toBeGreaterThanOrEqual(1);
    expect(results.map((r) => r.attempts).sort()).toEqual([1, 2]);
    const stored = decodeHistoryFile(
      github.git.readFile('acme', 'race', 'perf-gate-history', path)!,
      path,
    );
    expect(stored.runs.map((r) => r.sha).sort()).toEqual(
      [run(0, 2, 50).sha, run(11, 1, 50).sha, run(12, 1, 50).sha].sort(),
    );
  });

  it('reads 30 runs × 50 endpoints in a few requests', async () => {
    const endpoints = Array.from({ length: 50 }, (_, i) => api({ name: `endpoint ${i}` }));
    // Fifty distributions, each run of them stored afresh (what differs per run is time and sha).
    const measured = endpoints.map((config, i) => ({
      config,
      measurement: measurementOf(lognormal(i, 300, 40, 0.3)),
    }));
    const runs = Array.from({ length: 30 }, (_, r) =>
      historyRun({
        sha: String(r).padStart(40, '0'),
        branch: 'main',
        time: new Date(NOW.getTime() - (r + 1) * 3_600_000),
        runner: 'Linux/X64',
        endpoints: measured,
      }),
    );
    github.git.writeFiles('acme', 'big', 'perf-gate-history', {
      [path]: encodeHistoryFile(fileOf(runs)),
    });
    const read = await readDataFiles(where('acme/big'), folder, (p) =>
      monthsToRead(p, NOW, HISTORY.lookbackMs),
    );
    expect(read.requests).toBeLessThanOrEqual(3);
    const baselines = historyBaselines(
      read.files.map((f) => decodeHistoryFile(f.text, f.path)),
      {
        gateId: 'api',
        branch: 'main',
        config: HISTORY,
        endpoints,
        now: NOW,
      },
    );
    expect(
      [...baselines.values()].every((b) => b.kind === 'cloudwatch' && b.periods.p95!.length === 30),
    ).toBe(true);
  });

  it('a missing branch reads as absent; a read-only token reads but cannot publish', async () => {
    expect((await readDataFiles(where('acme/none'), folder, (p) => p)).exists).toBe(false);
    await commitToDataBranch(where('acme/fork'), folder, append(run(1, 1, 50)));
    github.setMode({ kind: 'read-only' });
    try {
      const read = await readDataFiles(where('acme/fork'), folder, (p) => p);
      expect(read.files).toHaveLength(1);
      const error = await commitToDataBranch(
        where('acme/fork'),
        folder,
        append(run(2, 1, 50)),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HistoryStoreError);
      expect((error as Error).message).toMatch(/permissions: contents: write/);
      expect((error as Error).message).not.toContain(TOKEN);
    } finally {
      github.setMode({ kind: 'ok' });
    }
  });

  it('an empty repository is refused with 409 and a message saying to push a first commit', async () => {
    github.git.setEmpty('acme', 'empty');
    const error = await commitToDataBranch(
      where('acme/empty'),
      folder,
      append(run(1, 1, 50)),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryStoreError);
    expect((error as HistoryStoreError).status).toBe(409);
    expect((error as Error).message).toMatch(/repository is empty.*push a first commit/);
  });
});
