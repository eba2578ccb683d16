/**
 * More load than one process (`npm run bench:shards`): total requests/s perf-gate achieves
 * against a loopback nginx (which answers far faster than one Node load generator can ask),
 * with `load.workers` 1 and 2 in one process, and with 1, 2 and 3 shard processes started
 * together (`run --shard i/n --start-at`), as ratios to one process with one thread, measured
 * in alternating repeats on the same machine; and the time `merge` takes for 3 shards of 50
 * endpoints. Writes bench/results/shards.json.
 *
 * nginx: Debian's `nginx-light`, installed with apt-get when absent (needs root; otherwise the
 * bench says what to install). It listens on 127.0.0.1 only and is stopped at the end.
 *
 * Options: --repeats N (default 3), --seconds S (load per run, default 5), --connections C
 * (default 32).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { mergeShardReports, shardRecord } from '../src/gate/shards.js';
import { loadBudgetFile } from '../src/config/load.js';
import { shardConfig } from '../src/config/shard.js';
import type { Report } from '../src/report/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const CLI = ['--import', 'tsx', join(root, 'src/cli/index.ts')];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const REPEATS = option('repeats', 3);
const SECONDS = option('seconds', 5);
const CONNECTIONS = option('connections', 32);

function nginxBinary(): string {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(path)) return path;
  if (process.getuid?.() === 0) {
    console.error('bench:shards: installing nginx-light (apt-get)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'nginx-light'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (existsSync('/usr/sbin/nginx')) return '/usr/sbin/nginx';
  }
  throw new Error('bench:shards needs nginx: apt-get install nginx-light (as root)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startNginx(dir: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / { return 200 "ok\\n"; }
  }
}
`,
  );
  const child = spawn(nginxBinary(), ['-c', conf, '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0;
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function budget(dir: string, name: string, workers: number, endpoints = 1): string {
  const file = join(dir, `${name}.yml`);
  const list = Array.from(
    { length: endpoints },
    (_, i) => `  - name: e${i}\n    path: /e${i}\n    budget: { p95: 1s }\n`,
  ).join('');
  writeFileSync(
    file,
    `version: 1
id: bench-shards
target: { url: "\${TARGET}" }
defaults:
  load: { connections: ${CONNECTIONS}, duration: ${SECONDS}s, warmup: 1s, workers: ${workers} }
endpoints:
${list}`,
  );
  return file;
}

function runCli(args: string[], target: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: root,
      env: { ...process.env, TARGET: target },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/** Requests/s of one setting: the sum over the processes' measured throughputs. */
async function trial(
  dir: string,
  target: string,
  setting: { workers: number; shards: number },
  tag: string,
): Promise<number> {
  const file = budget(dir, `w${setting.workers}`, setting.workers);
  const startAt = new Date(Date.now() + 4000).toISOString();
  const outs = Array.from({ length: setting.shards }, (_, i) => join(dir, `${tag}-${i + 1}.json`));
  const runs = await Promise.all(
    outs.map((out, i) =>
      runCli(
        [
          'run',
          '--budget',
          file,
          '--json',
          out,
          ...(setting.shards > 1
            ? ['--shard', `${i + 1}/${setting.shards}`, '--start-at', startAt]
            : []),
        ],
        target,
      ),
    ),
  );
  for (const run of runs) {
    if (run.code !== 0) throw new Error(`a run failed (${run.code}):\n${run.stderr}`);
  }
  return outs
    .map((out) => readReport(out).endpoints[0].measurement.throughput)
    .reduce((a, b) => a + b, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Merge time of 3 shards × 50 endpoints: shard reports made from one real shard's measurement. */
async function mergeTiming(
  dir: string,
  target: string,
): Promise<{ medianMs: number; runs: number[] }> {
  const file = budget(dir, 'fifty', 1, 50);
  // One real run of 50 endpoints would take minutes: measure one endpoint for real, and give
  // every endpoint of every shard that measurement (the merge's work is the same).
  const single = budget(dir, 'single', 1, 1);
  const singleOut = join(dir, 'single.json');
  const real = await runCli(
    ['run', '--budget', single, '--json', singleOut, '--shard', '1/3'],
    target,
  );
  if (real.code !== 0) throw new Error(real.stderr);
  const measured = readReport(singleOut).endpoints[0];
  const whole = await loadBudgetFile(file, { env: { TARGET: target } });
  const shards = [1, 2, 3].map((index) => {
    const config = shardConfig(whole, { index, count: 3 });
    const report = readReport(singleOut);
    report.config.endpoints = config.endpoints.map((e) => ({
      ...report.config.endpoints[0],
      name: e.name,
      path: e.path,
      line: e.line,
      load: { ...e.load },
    }));
    report.endpoints = config.endpoints.map((e) => ({ ...measured, name: e.name, path: e.path }));
    report.shard = shardRecord(report, whole, { index, count: 3 });
    return { source: `shard-${index}.json`, report };
  });
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    mergeShardReports(structuredClone(shards), {
      tool: { name: 'perf-gate', version: 'bench' },
      createdAt: new Date().toISOString(),
      environment: shards[0].report.environment,
    });
    runs.push(performance.now() - started);
  }
  return { medianMs: median(runs), runs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-bench-shards-'));
  const nginx = await startNginx(dir);
  try {
    const settings = [
      { name: 'one process, 1 worker', workers: 1, shards: 1 },
      { name: 'one process, 2 workers', workers: 2, shards: 1 },
      { name: '2 shard processes', workers: 1, shards: 2 },
      { name: '3 shard processes', workers: 1, shards: 3 },
    ];
    const samples = new Map<string, number[]>(settings.map((s) => [s.name, []]));
    const ratios = new Map<string, number[]>(settings.map((s) => [s.name, []]));
    for (let r = 0; r < REPEATS; r++) {
      // Alternating within a repeat: each ratio compares runs made moments apart.
      let reference = 0;
      for (const setting of settings) {
        const rps = await trial(
          dir,
          nginx.url,
          setting,
          `r${r}-${setting.workers}-${setting.shards}`,
        );
        if (setting.workers === 1 && setting.shards === 1) reference = rps;
        samples.get(setting.name)!.push(rps);
        ratios.get(setting.name)!.push(rps / reference);
        console.error(`repeat ${r + 1}: ${setting.name}: ${Math.round(rps)} req/s`);
      }
    }
    const merge = await mergeTiming(dir, nginx.url);
    const result = {
      bench: 'shards',
      createdAt: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      loadavg: loadavg(),
      target: 'nginx (worker_processes 1) on 127.0.0.1, return 200',
      settings: { repeats: REPEATS, seconds: SECONDS, connections: CONNECTIONS },
      throughput: settings.map((s) => ({
        setting: s.name,
        workers: s.workers,
        shards: s.shards,
        medianRps: Math.round(median(samples.get(s.name)!)),
        medianRatioToOneWorker: Number(median(ratios.get(s.name)!).toFixed(3)),
        rps: samples.get(s.name)!.map(Math.round),
      })),
      merge: {
        shards: 3,
        endpoints: 50,
        medianMs: Number(merge.medianMs.toFixed(1)),
        runsMs: merge.runs.map((ms) => Number(ms.toFixed(1))),
      },
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/shards.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      JSON.stringify(
        result.throughput.map((t) => [t.setting, t.medianRps, t.medianRatioToOneWorker]),
      ),
    );
    console.log(`merge of 3 × 50 endpoints: ${result.merge.medianMs} ms (median of 7)`);
  } finally {
    nginx.stop();
  }
}

await main();
