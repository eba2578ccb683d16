/**
 * Benchmark of the measurement engine (`npm run bench:engine`):
 *
 * 1. Overhead: requests/s of `measureEndpoint` against plain autocannon on the same loopback
 *    route, in alternating pairs (median of the pair ratios; goal ≥ 0.95), plus the load
 *    generator's CPU time per request, which shows the engine's own cost even when the target
 *    is the bottleneck.
 * 2. Accuracy: for fixed 5/20/50 ms routes and a bimodal one, the percentiles measured against
 *    the delay the target actually applied (timed inside the target), next to autocannon's own.
 * 3. Paced open model: at 1.5, 20 and 200 req/s, the rate the target received against the rate
 *    asked for, the busiest 100 ms window of arrivals against the expected count, and the
 *    measured latency against the delay the target applied.
 * 4. Saturation: the load generator's event-loop utilization and p99 delay, closed model against
 *    a 0 ms route at 4 to 256 connections and a 20 ms route at 4, with the detector's verdict and
 *    the measured p50 against the target's.
 *
 * `npm run bench:engine -- --only=paced,saturation` runs some sections only (and then does not
 * write the results file).
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
import {
  SATURATION_DELAY_SHARE,
  SATURATION_MIN_DELAY_MS,
  SATURATION_UTILIZATION,
} from '../src/measure/saturation.js';
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

type Command =
  { cmd: 'reset' } | { cmd: 'applied'; path: string } | { cmd: 'arrivals'; path: string };
type Request = Command & { id: number };

async function runChild(): Promise<void> {
  const { startTarget } = await import('../test/servers/target.js');
  const { createHistogram, encodeHistogram, recordMs } =
    await import('../src/measure/histogram.js');
  const histogramOf = (delays: number[]) => {
    const h = createHistogram();
    for (const ms of delays) recordMs(h, ms);
    return h;
  };
  const target = await startTarget();
  process.on('message', (msg: Request) => {
    if (msg.cmd === 'reset') target.reset();
    const reply =
      msg.cmd === 'applied'
        ? encodeHistogram(histogramOf(target.applied(msg.path)))
        : msg.cmd === 'arrivals'
          ? JSON.stringify(target.arrivals(msg.path))
          : null;
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

  /** Arrival times of the requests on a path (ms, the target's clock), in order. */
  async arrivals(path: string): Promise<number[]> {
    return JSON.parse((await this.call({ cmd: 'arrivals', path })) as string) as number[];
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

function printAccuracy(acc: Awaited<ReturnType<typeof accuracy>>): void {
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
        l.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '),
    );
}

// --- 3. paced open model ---------------------------------------------------------------------

const PACED = {
  route: '/fixed/20',
  // Enough that a stalled moment on a shared runner does not leave every connection busy at 200 req/s.
  connections: 20,
  durationMs: 4000,
  rates: [1.5, 20, 200],
};

async function paced(target: RemoteTarget) {
  const { route, connections, durationMs, rates } = PACED;
  const rows = [];
  for (const rate of rates) {
    const ep = endpoint(target.url, route, connections, durationMs);
    ep.load.rate = rate;
    await measureEndpoint(ep, { durationMs: 1000 });
    await target.reset();
    const m = await measureEndpoint(ep);
    const arrivals = await target.arrivals('/fixed/20');
    const applied = await target.applied(route);
    let busiest = 0;
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (j < arrivals.length && arrivals[j] < arrivals[i] + 100) j++;
      busiest = Math.max(busiest, j - i);
    }
    const row = {
      rate,
      achievedRate: r(arrivals.length / (durationMs / 1000), 3),
      achievedPct: r((arrivals.length / ((rate * durationMs) / 1000)) * 100, 2),
      dropped: m.arrivals?.dropped ?? null,
      busiest100ms: busiest,
      expected100ms: r(rate / 10, 2),
      p50: { true: r(quantileMs(applied, 0.5)), measured: r(m.latency.p50) },
      p95: { true: r(quantileMs(applied, 0.95)), measured: r(m.latency.p95) },
      uncorrected: { p50: r(m.uncorrected?.p50 ?? 0), p95: r(m.uncorrected?.p95 ?? 0) },
    };
    rows.push(row);
    console.log(
      `  rate ${rate}: target got ${row.achievedRate} req/s (${row.achievedPct}%), dropped ${row.dropped}, busiest 100 ms ${busiest} (expected ${row.expected100ms}), p50 ${row.p50.measured} ms (target ${row.p50.true}), p95 ${row.p95.measured} ms (target ${row.p95.true}); from the actual send: p50 ${row.uncorrected.p50}, p95 ${row.uncorrected.p95} ms`,
    );
  }
  return { settings: PACED, rows };
}

// --- 4. saturation ----------------------------------------------------------------------------

const SATURATION = {
  durationMs: 3000,
  runs: [
    { route: '/fixed/0', connections: 4 },
    { route: '/fixed/0', connections: 16 },
    { route: '/fixed/0', connections: 64 },
    { route: '/fixed/0', connections: 128 },
    { route: '/fixed/0', connections: 256 },
    { route: '/fixed/20', connections: 4 },
    { route: '/fixed/20', connections: 64 },
  ],
};

async function saturation(target: RemoteTarget) {
  const rows = [];
  for (const { route, connections } of SATURATION.runs) {
    const ep = endpoint(target.url, route, connections, SATURATION.durationMs);
    await measureEndpoint(ep, { durationMs: 500 });
    await target.reset();
    const m = await measureEndpoint(ep);
    const applied = await target.applied(route);
    const g = m.generator!;
    const row = {
      route,
      connections,
      rps: r(m.throughput, 0),
      eventLoopUtilization: g.eventLoopUtilization,
      eventLoopDelayP50Ms: g.eventLoopDelayP50Ms,
      eventLoopDelayP99Ms: g.eventLoopDelayP99Ms,
      p50: r(m.latency.p50),
      targetP50: r(quantileMs(applied, 0.5)),
      saturated: g.saturated,
    };
    rows.push(row);
    console.log(
      `  ${route} × ${connections}: ${row.rps} req/s, loop ${Math.round(100 * row.eventLoopUtilization)}% busy, loop delay p50 ${row.eventLoopDelayP50Ms} p99 ${row.eventLoopDelayP99Ms} ms, p50 ${row.p50} ms (target ${row.targetP50} ms) → ${row.saturated ? 'SATURATED' : 'not saturated'}`,
    );
  }
  return {
    settings: {
      ...SATURATION,
      rule: `loop utilization ≥ ${SATURATION_UTILIZATION} and median loop delay ≥ max(${SATURATION_MIN_DELAY_MS} ms, ${SATURATION_DELAY_SHARE} × p50 latency)`,
    },
    rows,
  };
}

// --- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const runs = (section: string) => !only || only.includes(section);
  const target = await RemoteTarget.start();
  const loadBefore = loadavg()[0];
  try {
    console.log(`perf-gate engine benchmark — node ${process.version}, ${cpus().length} CPUs`);
    let over: Awaited<ReturnType<typeof overhead>> | undefined;
    if (runs('overhead')) {
      console.log(
        `\n1. overhead: ${OVERHEAD.route}, ${OVERHEAD.connections} connections, ${OVERHEAD.durationMs / 1000}s per run`,
      );
      over = await overhead(target);
      console.log(
        `  median: engine ${over.medianEngineRps} req/s, plain ${over.medianPlainRps} req/s, ratio ${over.ratio} (goal ≥ 0.95)`,
      );
      console.log(
        `  load generator CPU per request: engine ${over.cpuUsPerRequest.engine} µs, plain ${over.cpuUsPerRequest.plain} µs (ratio ${over.cpuUsPerRequest.ratio})`,
      );
    }

    let acc: Awaited<ReturnType<typeof accuracy>> | undefined;
    if (runs('accuracy')) {
      console.log(
        `\n2. accuracy: ${ACCURACY.connections} connections, ${ACCURACY.durationMs / 1000}s after ${ACCURACY.warmupMs / 1000}s warmup; true = delay applied, timed in the target`,
      );
      acc = await accuracy(target);
      printAccuracy(acc);
    }

    let pace: Awaited<ReturnType<typeof paced>> | undefined;
    if (runs('paced')) {
      console.log(
        `\n3. paced open model: ${PACED.route}, ${PACED.connections} connections, ${PACED.durationMs / 1000}s per rate`,
      );
      pace = await paced(target);
    }

    let sat: Awaited<ReturnType<typeof saturation>> | undefined;
    if (runs('saturation')) {
      console.log(
        `\n4. saturation of the load generator: closed model, ${SATURATION.durationMs / 1000}s per run`,
      );
      sat = await saturation(target);
    }

    if (only) {
      console.log('\n--only given: results file left as it was');
      return;
    }
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
          paced: pace,
          saturation: sat,
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
