/**
 * Soak benchmark (`npm run bench:soak [-- --minutes N] [--connections C]`): the gate at full
 * speed against a loopback target for N minutes (default 10), sampling this process's resident
 * memory every second. Goal: peak RSS under 200 MB, and no growth from the first minute to the
 * last (a leak shows as a slope, a large but flat figure is only a cost).
 *
 * One gate run measures four endpoints back to back, each for a quarter of the time, so every
 * kind of traffic is soaked: fast answers, a bimodal latency, injected 500s and connection
 * resets, and an open-model (rate) endpoint whose histogram is corrected. The report and its
 * markdown are built at the end, as the action does. The target runs in a child process, so
 * the figures are the gate's alone. Writes bench/results/soak.json.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseBudget } from '../src/config/load.js';
import { runGate } from '../src/gate/run-gate.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { buildReport, environmentFrom } from '../src/report/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD_FLAG = '--target-child';
const GOAL_MB = 200;

async function runChild(): Promise<void> {
  const { startTarget } = await import('../test/servers/target.js');
  const target = await startTarget({ maxRecorded: 0 });
  process.on('disconnect', () => void target.close().then(() => process.exit(0)));
  process.send?.(target.url);
}

function startTargetProcess(): Promise<{ url: string; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`target process exited (${code})`)));
    child.once('message', (url) => resolve({ url: String(url), stop: () => child.disconnect() }));
  });
}

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      out: { type: 'string', default: join(here, 'results', 'soak.json') },
    },
  });
  const minutes = Number(values.minutes);
  const connections = Number(values.connections);
  if (!(minutes > 0) || !(connections >= 1)) {
    throw new Error('usage: bench:soak [--minutes N (> 0)] [--connections C (>= 1)] [--out FILE]');
  }
  const quarter = `${Math.round((minutes * 60) / 4)}s`;

  const target = await startTargetProcess();
  const budget = [
    'version: 1',
    'id: soak',
    'confirm: false',
    'target:',
    `  url: ${target.url}`,
    'defaults:',
    `  load: { connections: ${connections}, duration: ${quarter}, warmup: 0s, timeout: 5s }`,
    '  budget: { p99: 1s }',
    'endpoints:',
    '  - name: fast',
    '    path: /fixed/0',
    '  - name: bimodal',
    '    path: /bimodal?fast=1&slow=20&p=0.05&seed=3',
    '  - name: errors and resets',
    '    path: /fail-every/50',
    '  - name: open model',
    '    path: /reset-every/500',
    '    load: { rate: 2000 }',
    '',
  ].join('\n');
  const config = parseBudget(budget, 'soak.yml', {
    env: {},
    maxDurationMs: (minutes + 1) * 60_000,
  });

  const samples: { s: number; rssMb: number; heapMb: number }[] = [];
  const started = performance.now();
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({
      s: Math.round((performance.now() - started) / 1000),
      rssMb: mb(m.rss),
      heapMb: mb(m.heapUsed),
    });
  };
  sample();
  const sampler = setInterval(sample, 1000);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const lastProgress = new Map<string, number>();

  console.error(
    `soak: ${minutes} min at full speed, ${connections} connections, 4 endpoints of ${quarter} against ${target.url}`,
  );
  const gate = await runGate({
    config,
    log: { info: () => undefined, warning: log, debug: () => undefined, group: (_n, fn) => fn() },
    onProgress: (name, p) => {
      if (p.elapsedMs - (lastProgress.get(name) ?? -Infinity) < 30_000) return;
      lastProgress.set(name, p.elapsedMs);
      const last = samples.at(-1)!;
      log(
        `  ${name}: ${Math.round(p.elapsedMs / 1000)}s, ${p.requests} requests, RSS ${last.rssMb} MB`,
      );
    },
  });
  const report = buildReport({
    tool: { name: 'perf-gate', version: 'soak' },
    createdAt: new Date().toISOString(),
    environment: environmentFrom({
      env: process.env,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.version,
    }),
    config,
    endpoints: gate.evaluation.endpoints,
    summary: gate.evaluation.summary,
  });
  const markdown = renderMarkdown(report);
  sample();
  clearInterval(sampler);
  target.stop();

  const peak = samples.reduce((a, b) => (b.rssMb > a.rssMb ? b : a));
  const window = (from: number, to: number) => {
    const inside = samples.filter((x) => x.s >= from && x.s < to);
    return inside.length
      ? mb((inside.reduce((a, x) => a + x.rssMb, 0) / inside.length) * 1024 * 1024)
      : 0;
  };
  const total = samples.at(-1)!.s;
  const firstMinute = window(10, 70); // after the first endpoint's start-up
  const lastMinute = window(total - 60, total + 1);
  const requests = report.endpoints.reduce((a, e) => a + e.measurement.requests, 0);
  const result = {
    date: new Date().toISOString(),
    command: `npm run bench:soak -- --minutes ${minutes} --connections ${connections}`,
    minutes,
    connections,
    machine: {
      node: process.version,
      cpus: cpus().length,
      totalMemMb: mb(totalmem()),
      loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    requests,
    endpoints: report.endpoints.map((e) => ({
      name: e.name,
      requests: e.measurement.requests,
      errors: e.measurement.errors,
      throughput: Math.round(e.measurement.throughput),
      p99Ms: e.measurement.latency.p99,
    })),
    markdownChars: markdown.length,
    goalPeakRssMb: GOAL_MB,
    peakRssMb: peak.rssMb,
    peakAtSecond: peak.s,
    meanRssFirstMinuteMb: firstMinute,
    meanRssLastMinuteMb: lastMinute,
    passed: peak.rssMb < GOAL_MB,
    // Every 10th sample keeps the file readable; the peak is computed from all of them.
    rss: samples.filter((_, i) => i % 10 === 0).map((x) => [x.s, x.rssMb, x.heapMb]),
  };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);

  console.log('');
  console.log('| minutes | requests | peak RSS | first minute | last minute | goal | result |');
  console.log('|--:|--:|--:|--:|--:|--:|---|');
  console.log(
    `| ${minutes} | ${requests} | ${peak.rssMb} MB (at ${peak.s}s) | ${firstMinute} MB | ${lastMinute} MB | < ${GOAL_MB} MB | ${result.passed ? 'pass' : 'FAIL'} |`,
  );
  console.log(`\nwritten to ${values.out}`);
}

if (process.argv.includes(CHILD_FLAG)) {
  await runChild();
} else {
  await main();
}
