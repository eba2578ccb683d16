import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/report.js';
import { validateReport } from '../../src/report/validate.js';
import { startTarget, type Target } from '../servers/target.js';
import { histogramCounts } from '../support/measurements.js';
import { runCli, tempDir, writeFile, type CliRun } from './cli-process.js';

/**
 * A sharded run as a matrix runs it: three `perf-gate run --shard i/3` processes against one
 * loopback target, started together with --start-at, then `perf-gate merge`. The merged
 * histograms must be the union of the shards' (exact counts at every recorded value), totals add
 * up, the verdict is the one the union's numbers give, and a set that is not one whole run is
 * refused or warned about.
 */

let target: Target;
const dir = tempDir('merge');
const shardFile = (i: number) => join(dir, `shard-${i}.json`);
const runs: CliRun[] = [];
let budgetFile: string;

const budget = (p95: string) => `version: 1
id: sharded
target: { url: "\${TARGET}" }
defaults:
  load: { connections: 7, duration: 2s, warmup: 0s }
endpoints:
  - name: fast
    path: /fixed/0
    budget: { p95: 1s }
  - name: slow
    path: /fixed/25
    budget: { p95: ${p95} }
`;

function shardRun(file: string, i: number, out: string, startAt?: string): Promise<CliRun> {
  return runCli(
    [
      'run',
      '--budget',
      file,
      '--shard',
      `${i}/3`,
      ...(startAt ? ['--start-at', startAt] : []),
      '--json',
      out,
    ],
    { env: { TARGET: target.url }, timeoutMs: 90_000 },
  );
}

function readJson(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

beforeAll(async () => {
  target = await startTarget();
  budgetFile = writeFile(dir, 'budget.yml', budget('5ms'));
  // Far enough ahead that three processes have started and checked the target.
  const startAt = new Date(Date.now() + 8_000).toISOString();
  runs.push(
    ...(await Promise.all([1, 2, 3].map((i) => shardRun(budgetFile, i, shardFile(i), startAt)))),
  );
}, 120_000);
afterAll(async () => {
  await target.close();
});

describe('perf-gate run --shard, then perf-gate merge', () => {
  test('each shard drives its share, writes a valid report with its place, and gates nothing', () => {
    for (const [i, run] of runs.entries()) {
      // The slow endpoint is over its 5 ms budget in every shard, yet a shard exits 0.
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
      expect(run.stderr).toContain(`Shard ${i + 1} of 3: this run gates nothing by itself`);
      const validation = validateReport(JSON.parse(readFileSync(shardFile(i + 1), 'utf8')));
      expect(validation.valid).toBe(true);
      const report = readJson(shardFile(i + 1));
      expect(report.shard).toMatchObject({ index: i + 1, count: 3 });
      // 7 connections over 3 shards: 3, 2, 2.
      expect(report.config.endpoints.map((e) => e.load.connections)).toEqual(
        i === 0 ? [3, 3] : [2, 2],
      );
    }
  });

  test('the merge is the union: exact counts at every value, totals, the union verdict', async () => {
    const merged = join(dir, 'merged.json');
    const markdown = join(dir, 'merged.md');
    const run = await runCli([
      'merge',
      shardFile(1),
      shardFile(2),
      shardFile(3),
      '--json',
      merged,
      '--markdown',
      markdown,
    ]);
    // slow: 25 ms against a 5 ms budget fails; fast passes.
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 1 });
    expect(run.stdout).toContain('Merged 3 shard reports');
    expect(readFileSync(markdown, 'utf8')).toMatch(
      /merged from 3 shards \(all loading together ≥ \d+% of the time\)/,
    );
    expect(validateReport(JSON.parse(readFileSync(merged, 'utf8'))).valid).toBe(true);
    const report = readJson(merged);
    const shards = [1, 2, 3].map((i) => readJson(shardFile(i)));
    expect(report.shards?.count).toBe(3);
    expect(report.config.endpoints.map((e) => e.load.connections)).toEqual([7, 7]);
    for (const endpoint of report.endpoints) {
      const parts = shards.map((s) => s.endpoints.find((e) => e.name === endpoint.name)!);
      const union = new Map<number, number>();
      for (const part of parts) {
        for (const [v, c] of histogramCounts(part.measurement.histogram))
          union.set(v, (union.get(v) ?? 0) + c);
      }
      expect(histogramCounts(endpoint.measurement.histogram)).toEqual(union);
      expect(endpoint.measurement.requests).toBe(
        parts.reduce((a, p) => a + p.measurement.requests, 0),
      );
      expect(endpoint.measurement.errors).toBe(parts.reduce((a, p) => a + p.measurement.errors, 0));
      expect(endpoint.measurement.throughput).toBeCloseTo(
        parts.reduce((a, p) => a + p.measurement.throughput, 0),
        6,
      );
      // Started together: every shard loaded the target for most of the merged window.
      expect(report.shards!.overlap[endpoint.name]).toBeGreaterThan(0.5);
      const p95 = endpoint.measurement.latency.p95;
      expect(p95).toBeGreaterThanOrEqual(Math.min(...parts.map((p) => p.measurement.latency.p95)));
      expect(p95).toBeLessThanOrEqual(Math.max(...parts.map((p) => p.measurement.latency.p95)));
    }
    const verdicts = Object.fromEntries(report.endpoints.map((e) => [e.name, e.verdict]));
    expect(verdicts).toEqual({ fast: 'pass', slow: 'budget-exceeded' });
    // The target saw at least every response the shards counted.
    expect(target.hits('/fixed/25')).toBeGreaterThanOrEqual(
      report.endpoints[1].measurement.requests,
    );
  });

  test('a missing shard, a repeated shard and a report that is not a shard are refused', async () => {
    const missing = await runCli(['merge', shardFile(1), shardFile(3)]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('shard 2/3 missing: 2 of 3 reports given');
    const twice = await runCli(['merge', shardFile(1), shardFile(2), shardFile(2), shardFile(3)]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(
      `shard 2/3 is given twice (${shardFile(2)} and ${shardFile(2)})`,
    );
    const plain = join(dir, 'plain.json');
    await runCli(['merge', shardFile(1), shardFile(2), shardFile(3), '--json', plain]);
    const notShard = await runCli(['merge', plain]);
    expect(notShard.code).toBe(2);
    expect(notShard.stderr).toContain(`${plain} is not a shard's report`);
  });

  test('a shard of another budget file is refused; a shard run at another time is warned about', async () => {
    const other = writeFile(dir, 'other.yml', budget('6ms'));
    const [otherRun, lateRun] = await Promise.all([
      shardRun(other, 3, join(dir, 'other-3.json')),
      shardRun(budgetFile, 3, join(dir, 'late-3.json')),
    ]);
    expect(otherRun.code).toBe(0);
    expect(lateRun.code).toBe(0);
    const mixed = await runCli(['merge', shardFile(1), shardFile(2), join(dir, 'other-3.json')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('was measured with a different budget file or settings');
    const late = await runCli(['merge', shardFile(1), shardFile(2), join(dir, 'late-3.json')]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(
      /warning: fast: the shards loaded the target together for only \d+% of the merged window/,
    );
  });

  test('bad --shard and --start-at values are usage errors that say how to write them', async () => {
    const bad = await runCli(['run', '--budget', budgetFile, '--shard', '4/3'], {
      env: { TARGET: target.url },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard: "4/3": the shard number must be from 1 to 3');
    const empty = await runCli(['run', '--budget', budgetFile, '--shard', '1/8'], {
      env: { TARGET: target.url },
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('8 shards would leave a shard with no load');
    expect(empty.stderr).toContain('use at most 7 shards');
    const when = await runCli(
      ['run', '--budget', budgetFile, '--shard', '1/3', '--start-at', 'tomorrow'],
      { env: { TARGET: target.url } },
    );
    expect(when.code).toBe(2);
    expect(when.stderr).toContain('--start-at: "tomorrow" is not a start time');
  });

  test('load.workers: 2 splits the load of one process over two threads and merges them', async () => {
    const file = writeFile(
      dir,
      'workers.yml',
      `version: 1
target: { url: "\${TARGET}" }
defaults:
  load: { connections: 5, duration: 1s, warmup: 0s, workers: 2 }
endpoints:
  - name: threads
    path: /fixed/3
    budget: { p95: 1s }
`,
    );
    const before = target.hits('/fixed/3');
    const out = join(dir, 'workers.json');
    const run = await runCli(['run', '--budget', file, '--json', out], {
      env: { TARGET: target.url },
    });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    const measurement = readJson(out).endpoints[0].measurement;
    expect(measurement.workers).toBe(2);
    expect(measurement.requests).toBeGreaterThan(0);
    // Every response counted was answered by the target (a few may be in flight at the stop).
    const answered = target.hits('/fixed/3') - before;
    expect(measurement.requests).toBeLessThanOrEqual(answered);
    expect(answered - measurement.requests).toBeLessThanOrEqual(5);
    const total = [...histogramCounts(measurement.histogram).values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(measurement.requests - measurement.errors);
  });
});

describe('side by side, sharded', () => {
  test('every shard runs the same ABBA rounds from the common start; the merge pairs them and judges over the pairs', async () => {
    const slower = await startTarget({ slowdown: 1.5 });
    try {
      const file = writeFile(
        dir,
        'side-by-side.yml',
        `version: 1
id: sharded-abba
target: { url: "\${TARGET}" }
confirm: false
defaults:
  load: { connections: 6, duration: 2s, warmup: 0s }
endpoints:
  - name: item
    path: /fixed/20
    regression: { p50: 10% }
`,
      );
      const startAt = new Date(Date.now() + 8_000).toISOString();
      const outs = [1, 2, 3].map((i) => join(dir, `abba-${i}.json`));
      const shardRuns = await Promise.all(
        outs.map((out, i) =>
          runCli(
            ['run', '--budget', file, '--baseline-url', target.url, '--shard', `${i + 1}/3`].concat(
              ['--start-at', startAt, '--json', out],
            ),
            { env: { TARGET: slower.url }, timeoutMs: 90_000 },
          ),
        ),
      );
      for (const run of shardRuns)
        expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
      const parts = outs.map((out) => readJson(out).endpoints[0].baseline);
      for (const part of parts) {
        expect(part.kind).toBe('reference');
        if (part.kind === 'reference') expect(part.roundPairs?.length).toBe(4);
      }
      const merged = join(dir, 'abba-merged.json');
      const run = await runCli(['merge', ...outs, '--json', merged]);
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 1 });
      expect(validateReport(JSON.parse(readFileSync(merged, 'utf8'))).valid).toBe(true);
      const endpoint = readJson(merged).endpoints[0];
      const baseline = endpoint.baseline;
      expect(baseline.kind).toBe('reference');
      if (baseline.kind !== 'reference') return;
      // Round i of the whole load is the merge of every shard's round i.
      expect(baseline.rounds).toBe(4);
      for (let r = 0; r < 4; r++) {
        for (const side of ['reference', 'candidate'] as const) {
          const union = new Map<number, number>();
          for (const part of parts) {
            if (part.kind !== 'reference') continue;
            for (const [v, c] of histogramCounts(part.roundPairs![r][side].histogram))
              union.set(v, (union.get(v) ?? 0) + c);
          }
          expect(histogramCounts(baseline.roundPairs![r][side].histogram)).toEqual(union);
        }
      }
      // The candidate is 50% slower: a regression, judged again over the merged pairs.
      const p50 = endpoint.findings.find((f) => f.metric === 'p50')!;
      expect(p50.verdict).toBe('regression');
      expect(run.stderr).not.toContain('not merged');
    } finally {
      await slower.close();
    }
  });
});
