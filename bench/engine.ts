/**
 * Benchmark of the measurement engine (`npm run bench:engine`):
 *
 * 1. Overhead: requests/s of `measureEndpoint` against plain autocannon on the same loopback
 *    route, in alternating pairs (median of the pair ratios; goal ≥ 0.95), plus the load
 *    generator's CPU time per request, which shows the engine's own cost even when the target
 *    is the bottleneck.
 * 2. Accuracy: for fixed 5/20/50 ms routes and a bimodal one, the percentiles measured against
 *    the delay the target actually applied (timed inside the target), next to autocannon's own.
 *
 * The target runs in a child process, so on a 2-core runner the load generator and the target
 * each get a core instead of sharing one event loop.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { EndpointConfig } from '../src/config/types.js';
import { measureEndpoint } from '../src/measure/engine.js';
import { decodeHistogram, quantileMs } from '../src/measure/histogram.js';
import type { Histogram } from '../src/measure/histogram.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD_FLAG = '--target-child';

const OVERHEAD = { route: '/fixed/0', connections: 10, durationMs: 3000, pairs: 5 };
const ACCURACY = {
  connections: 4,
  durationMs: 3000,
  warmupMs: 1000,
  routes: ['/fixed/5', '/fixed/20', '/fixed/50', '/bimodal?fast=10&slow=100&p=0.1&seed=1'],
};

// --- the target, in its own process, driven over IPC ---------------------------------------

type Command = { cmd: 'reset' } | { cmd: 'applied'; path: string };
type Request = Command & { id: number };

async function runChild(): Promise<void> {
  const { startTarget } = await import('../test/servers/target.js');
  const { encodeHistogram } = await import('../src/measure/histogram.js');
  const target = await startTarget();
  process.on('message', (msg: Request) => {
    if (msg.cmd === 'reset') target.reset();
    const reply = msg.cmd === 'applied' ? encodeHistogram(target.applied(msg.path)) : null;
    process.send?.({ id: msg.id, reply });
  });
  process.on('disconnect', () => void target.close().then(() => process.exit(0)));
  process.send?.({ id: 0, reply: target.url });
}

class RemoteTarget {
  private next = 1;
  private waiting = new Map<number, (reply: string | null) => void>();
  private constructor(
    private child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (msg: { id: number; reply: string | null }) => {
      this.waiting.get(msg.id)?.(msg.reply);
      this.waiting.delete(msg.id);
    });
  }

  static async start(): Promise<RemoteTarget> {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (msg: { reply: string }) => resolve(msg.reply));
      child.once('exit', (code) => reject(new Error(`target process exited with ${code}`)));
    });
    return new RemoteTarget(child, url);
  }

  private call(req: Command): Promise<string | null> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...req, id });
    });
  }

  async reset(): Promise<void> {
    await this.call({ cmd: 'reset' });
  }

  async applied(path: string): Promise<Histogram> {
    return decodeHistogram((await this.call({ cmd: 'applied', path })) as string);
  }

  close(): void {
    this.child.disconnect();
  }
}

// --- helpers --------------------------------------------------------------------------------

function endpoint(
  base: string,
  path: string,
  connections: number,
  durationMs: number,
): EndpointConfig {
  return {
    name: path,
    method: 'GET',
    path,
    url: base + path,
    headers: {},
    load: { connections, durationMs, warmupMs: 0, timeoutMs: 10_000 },
    budget: {},
    regression: false,
    line: 1,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const r = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

interface RunFigures {
  rps: number;
  cpuUsPerRequest: number;
}

/** One run: responses per second over the run's own recorded time, and our CPU time per response. */
async function timedRun(
  run: () => Promise<{ responses: number; seconds: number }>,
): Promise<RunFigures> {
  const cpu = process.cpuUsage();
  const { responses, seconds } = await run();
  const used = process.cpuUsage(cpu);
  return { rps: responses / seconds, cpuUsPerRequest: (used.user + used.system) / responses };
}

// --- 1. overhead ------------------------------------------------------------------------------

async function overhead(target: RemoteTarget) {
  const { route, connections, durationMs, pairs } = OVERHEAD;
  const ep = endpoint(target.url, route, connections, durationMs);
  const engine = () =>
    timedRun(async () => {
      const m = await measureEndpoint(ep);
      return { responses: m.throughput * (m.durationMs / 1000), seconds: m.durationMs / 1000 };
    });
  const plain = () =>
    timedRun(async () => {
      const res = await autocannon({
        url: target.url + route,
        connections,
        duration: durationMs / 1000,
      });
      return { responses: res.requests.total, seconds: res.duration };
    });

  // Untimed first run of each, so neither side pays for V8 compiling it.
  await measureEndpoint({ ...ep, load: { ...ep.load, durationMs: 1000 } });
  await autocannon({ url: target.url + route, connections, duration: 1 });

  const rows: {
    pair: number;
    order: string;
    engine: RunFigures;
    plain: RunFigures;
    ratio: number;
  }[] = [];
  for (let i = 0; i < pairs; i++) {
    const engineFirst = i % 2 === 0;
    const a = engineFirst ? await engine() : await plain();
    const b = engineFirst ? await plain() : await engine();
    const [e, p] = engineFirst ? [a, b] : [b, a];
    rows.push({
      pair: i + 1,
      order: engineFirst ? 'engine, plain' : 'plain, engine',
      engine: e,
      plain: p,
      ratio: e.rps / p.rps,
    });
    console.log(
      `  pair ${i + 1} (${rows.at(-1)!.order}): engine ${Math.round(e.rps)} req/s, plain ${Math.round(p.rps)} req/s, ratio ${r(e.rps / p.rps)}`,
    );
  }
  return {
    settings: OVERHEAD,
    pairs: rows.map((x) => ({
      ...x,
      engine: { rps: r(x.engine.rps, 0), cpuUsPerRequest: r(x.engine.cpuUsPerRequest, 2) },
      plain: { rps: r(x.plain.rps, 0), cpuUsPerRequest: r(x.plain.cpuUsPerRequest, 2) },
      ratio: r(x.ratio),
    })),
    medianEngineRps: r(median(rows.map((x) => x.engine.rps)), 0),
    medianPlainRps: r(median(rows.map((x) => x.plain.rps)), 0),
    ratio: r(median(rows.map((x) => x.ratio))),
    cpuUsPerRequest: {
      engine: r(median(rows.map((x) => x.engine.cpuUsPerRequest)), 2),
      plain: r(median(rows.map((x) => x.plain.cpuUsPerRequest)), 2),
      ratio: r(median(rows.map((x) => x.engine.cpuUsPerRequest / x.plain.cpuUsPerRequest))),
    },
  };
}

// --- 2. accuracy ------------------------------------------------------------------------------

async function accuracy(target: RemoteTarget) {
  const { connections, durationMs, warmupMs, routes } = ACCURACY;
  const rows = [];
  for (const route of routes) {
    const ep = endpoint(target.url, route, connections, durationMs);
    await measureEndpoint(ep, { durationMs: warmupMs });
    await target.reset();
    const m = await measureEndpoint(ep);
    const applied = await target.applied(route);
    const plain = await autocannon({
      url: target.url + route,
      connections,
      duration: durationMs / 1000,
    });
    const row: Record<string, unknown> = {
      route,
      requests: m.requests,
      serverTimed: applied.totalCount,
    };
    for (const [name, q] of [
      ['p50', 0.5],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const) {
      const truth = quantileMs(applied, q);
      const measured = m.latency[name];
      row[name] = {
        true: r(truth),
        measured: r(measured),
        errorMs: r(measured - truth),
        errorPct: r(((measured - truth) / truth) * 100, 2),
        autocannon: (plain.latency as unknown as Record<string, number | undefined>)[name] ?? null,
      };
    }
    rows.push(row);
  }
  return { settings: { ...ACCURACY, timeoutMs: 10_000 }, rows };
}

// --- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const target = await RemoteTarget.start();
  const loadBefore = loadavg()[0];
  try {
    console.log(`perf-gate engine benchmark — node ${process.version}, ${cpus().length} CPUs`);
    console.log(
      `\n1. overhead: ${OVERHEAD.route}, ${OVERHEAD.connections} connections, ${OVERHEAD.durationMs / 1000}s per run`,
    );
    const over = await overhead(target);
    console.log(
      `  median: engine ${over.medianEngineRps} req/s, plain ${over.medianPlainRps} req/s, ratio ${over.ratio} (goal ≥ 0.95)`,
    );
    console.log(
      `  load generator CPU per request: engine ${over.cpuUsPerRequest.engine} µs, plain ${over.cpuUsPerRequest.plain} µs (ratio ${over.cpuUsPerRequest.ratio})`,
    );

    console.log(
      `\n2. accuracy: ${ACCURACY.connections} connections, ${ACCURACY.durationMs / 1000}s after ${ACCURACY.warmupMs / 1000}s warmup; true = delay applied, timed in the target`,
    );
    const acc = await accuracy(target);
    const header = [
      'route',
      'q',
      'true ms',
      'measured ms',
      'error ms',
      'error %',
      'autocannon (own run) ms',
    ];
    const lines = [header];
    for (const row of acc.rows) {
      for (const q of ['p50', 'p95', 'p99']) {
        const c = row[q] as {
          true: number;
          measured: number;
          errorMs: number;
          errorPct: number;
          autocannon: number | null;
        };
        lines.push([
          String(row.route),
          q,
          c.true.toFixed(3),
          c.measured.toFixed(3),
          (c.errorMs >= 0 ? '+' : '') + c.errorMs.toFixed(3),
          (c.errorPct >= 0 ? '+' : '') + c.errorPct.toFixed(2),
          c.autocannon === null ? '(none)' : String(c.autocannon),
        ]);
      }
    }
    const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
    for (const l of lines)
      console.log(
        '  ' +
          l
            .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
            .join('  '),
      );

    const out = join(here, 'results', 'engine.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          platform: `${process.platform} ${process.arch}`,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          // Other processes on a shared machine skew every figure; this says how busy it was.
          loadAverage1m: { before: r(loadBefore, 2), after: r(loadavg()[0], 2) },
          target: 'test/servers/target.ts in a child process on 127.0.0.1',
          overhead: over,
          accuracy: acc,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`\nload average (1 min): ${r(loadBefore, 2)} before, ${r(loadavg()[0], 2)} after`);
    console.log(`wrote ${out}`);
  } finally {
    target.close();
  }
}

if (process.argv.includes(CHILD_FLAG)) await runChild();
else await main();
