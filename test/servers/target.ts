import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../support/random.js';

/**
 * The deployment under test, on loopback. Every route's latency is known (and the delay the
 * server actually applied is measured in-process), so tests can assert measured percentiles
 * against the truth. Routes:
 *
 * | route | behaviour |
 * |---|---|
 * | `/fixed/:ms[?status=201]` | answers after `ms` (0 = at once), status 200 or `status` |
 * | `/bimodal?fast=10&slow=100&p=0.1&seed=1` | `slow` ms with probability `p`, else `fast`; seeded, so a run is repeatable |
 * | `/fail-every/:n[?delay=ms]` | every nth request on this path answers 500, the others 200 |
 * | `/reset-every/:n[?delay=ms&mode=rst]` | every nth request kills the socket: TCP RST (`mode=rst`, default, the client sees ECONNRESET) or FIN (`mode=fin`) |
 * | `/ok-every/:n[?delay=ms&spread=k&fail-delay=ms&status=503]` | every nth request answers 200 after `delay` (plus 0, 1, … k-1 times `delay`, in turn: a spread of latencies), the others answer `status` after `fail-delay` (default 0) |
 * | `/interim/:code/:ms` | sends the interim response `code` at once (100 Continue, 102 Processing, 103 Early Hints), then 200 after `ms` |
 * | `/stall` | accepts the request and never answers |
 * | `/spin/:ms` | keeps this process's CPU busy for `ms` (a synchronous loop), then answers: a generator in the same process cannot read other responses meanwhile |
 * | `/healthz` | 503 until `readyAfterMs` after start (and while `setReady(false)`), then 200 |
 * | `/echo[?delay=ms]` (any method) | answers `{ method, url, headers, body }` as JSON after `delay` (default 0); recorded for `requests()` |
 * | anything else | 404 |
 *
 * Every delay is multiplied by the slowdown factor and perturbed by up to `jitterMs` (uniform,
 * seeded), both changeable while running, for A/B noise benchmarks. Connections are kept alive.
 */

export interface TargetOptions {
  /** Multiplies every route delay (default 1). */
  slowdown?: number;
  /** Adds a uniform random 0..jitterMs to every delay of a route that has one (default 0). */
  jitterMs?: number;
  /** Seed of the jitter generator (default 42). */
  seed?: number;
  /** `/healthz` answers 503 for this long after start (default 0: ready at once). */
  readyAfterMs?: number;
  /** Most recent `/echo` requests kept for `requests()` (default 1000). */
  maxRecorded?: number;
  /**
   * Record every request, on any route, for `requests()` (bodies read): a test that must see
   * everything sent to the target (where secrets went), not only `/echo`. Default false.
   */
  recordAll?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** Header names lower-cased, as Node parses them. */
  headers: IncomingHttpHeaders;
  /** Names and values as sent, in order: shows duplicates that `headers` merges or drops. */
  rawHeaders: string[];
  body: string;
}

export interface Target {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  /** Stops listening and destroys every open socket (stalled requests included). */
  close(): Promise<void>;
  /** The `/echo` requests received (every request with `recordAll`), oldest first (at most `maxRecorded`). */
  requests(): RecordedRequest[];
  /** Requests received on a path (without query), or on all paths. */
  hits(path?: string): number;
  /** When each request on a path (without query) arrived, ms on performance.now()'s clock, in order. */
  arrivals(path: string): number[];
  /**
   * Delay the server actually applied per request to `pathAndQuery` (exactly as requested, e.g.
   * `/fixed/20`), from the parsed request to the response handed to the socket: setTimeout
   * overshoots by up to a millisecond or more, so this, not the nominal delay, is the truth a
   * client-side measurement should be compared with. Kept as plain numbers (ms), sorted
   * ascending, not in perf-gate's histogram code: the truth must not come from the code under
   * test. Empty if the route was not hit.
   */
  applied(pathAndQuery: string): number[];
  setSlowdown(factor: number): void;
  setJitter(ms: number): void;
  /** Overrides the `/healthz` start-up delay: `false` answers 503 until set back to `true`. */
  setReady(ready: boolean): void;
  /** Forgets hits, recorded requests, applied delays and per-path counters. */
  reset(): void;
}

export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const startedAt = Date.now();
  const readyAfterMs = options.readyAfterMs ?? 0;
  const maxRecorded = options.maxRecorded ?? 1000;
  const recordAll = options.recordAll ?? false;
  let slowdown = options.slowdown ?? 1;
  let jitterMs = options.jitterMs ?? 0;
  let readyOverride: boolean | undefined;
  const jitter = mulberry32(options.seed ?? 42);

  let recorded: RecordedRequest[] = [];
  let hitsByPath = new Map<string, number>();
  let arrivalsByPath = new Map<string, number[]>();
  let counters = new Map<string, number>();
  let appliedByUrl = new Map<string, number[]>();
  const bimodalRandom = new Map<string, () => number>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  const effectiveDelay = (ms: number) => ms * slowdown + (jitterMs > 0 ? jitter() * jitterMs : 0);

  const recordApplied = (url: string, started: bigint) => {
    let delays = appliedByUrl.get(url);
    if (!delays) appliedByUrl.set(url, (delays = []));
    delays.push(Number(process.hrtime.bigint() - started) / 1e6);
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    started: bigint,
    status: number,
    body: string,
  ) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    recordApplied(req.url ?? '/', started);
  };

  const later = (ms: number, fn: () => void) => {
    const delay = effectiveDelay(ms);
    if (delay <= 0) return fn();
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      fn();
    }, delay);
    pendingTimers.add(timer);
  };

  const nth = (path: string) => {
    const n = (counters.get(path) ?? 0) + 1;
    counters.set(path, n);
    return n;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://target');
    const path = url.pathname;
    const q = (name: string, fallback: number) => {
      const v = url.searchParams.get(name);
      return v === null || v === '' ? fallback : Number(v);
    };
    hitsByPath.set(path, (hitsByPath.get(path) ?? 0) + 1);
    let arrived = arrivalsByPath.get(path);
    if (!arrived) arrivalsByPath.set(path, (arrived = []));
    arrived.push(performance.now());
    const segments = path.split('/').filter(Boolean);
    const record = () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      };
      recorded.push(entry);
      if (recorded.length > maxRecorded) recorded.shift();
      return entry;
    };
    if (recordAll && segments[0] !== 'echo') record();

    switch (segments[0]) {
      case 'fixed': {
        const ms = Number(segments[1] ?? 0);
        return later(ms, () => send(req, res, started, q('status', 200), '{"ok":true}'));
      }
      case 'bimodal': {
        const key = url.search;
        let random = bimodalRandom.get(key);
        if (!random) bimodalRandom.set(key, (random = mulberry32(q('seed', 1))));
        const ms = random() < q('p', 0.1) ? q('slow', 100) : q('fast', 10);
        return later(ms, () => send(req, res, started, 200, '{"ok":true}'));
      }
      case 'fail-every': {
        const fail = nth(path) % Number(segments[1] ?? 10) === 0;
        return later(q('delay', 0), () =>
          send(req, res, started, fail ? 500 : 200, fail ? '{"error":"injected"}' : '{"ok":true}'),
        );
      }
      case 'reset-every': {
        const kill = nth(path) % Number(segments[1] ?? 10) === 0;
        const rst = url.searchParams.get('mode') !== 'fin';
        return later(q('delay', 0), () => {
          if (!kill) return send(req, res, started, 200, '{"ok":true}');
          if (rst) req.socket.resetAndDestroy();
          else req.socket.destroy();
        });
      }
      case 'ok-every': {
        const n = nth(path);
        const every = Number(segments[1] ?? 10);
        if (n % every !== 0) {
          return later(q('fail-delay', 0), () =>
            send(req, res, started, q('status', 503), '{"error":"injected"}'),
          );
        }
        const step = (n / every) % q('spread', 1);
        return later(q('delay', 0) * (1 + step), () => send(req, res, started, 200, '{"ok":true}'));
      }
      case 'interim': {
        const code = Number(segments[1]);
        if (code === 100) res.writeContinue();
        else if (code === 102) res.writeProcessing();
        else res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        return later(Number(segments[2] ?? 0), () => send(req, res, started, 200, '{"ok":true}'));
      }
      case 'stall':
        return; // close() destroys the socket
      case 'spin': {
        const until = performance.now() + Number(segments[1] ?? 0);
        while (performance.now() < until);
        return send(req, res, started, 200, '{"ok":true}');
      }
      case 'healthz': {
        const ready = readyOverride ?? Date.now() - startedAt >= readyAfterMs;
        return send(
          req,
          res,
          started,
          ready ? 200 : 503,
          ready ? '{"ok":true}' : '{"starting":true}',
        );
      }
      case 'echo': {
        const entry = record();
        return later(q('delay', 0), () => send(req, res, started, 200, JSON.stringify(entry)));
      }
      default:
        return send(req, res, started, 404, '{"error":"no such route"}');
    }
  };

  const server = createServer((req, res) => {
    // Bodies are read only where they matter, so load routes stay cheap.
    if (!recordAll && !req.url?.startsWith('/echo')) {
      req.resume();
      return handle(req, res, '');
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  // Stalls must outlive any client timeout, and idle keep-alive connections must not be closed
  // under a running measurement.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of pendingTimers) clearTimeout(t);
        pendingTimers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    requests: () => [...recorded],
    hits: (path) =>
      path === undefined
        ? [...hitsByPath.values()].reduce((a, b) => a + b, 0)
        : (hitsByPath.get(path) ?? 0),
    arrivals: (path) => [...(arrivalsByPath.get(path) ?? [])],
    applied: (pathAndQuery) => [...(appliedByUrl.get(pathAndQuery) ?? [])].sort((a, b) => a - b),
    setSlowdown: (factor) => {
      slowdown = factor;
    },
    setJitter: (ms) => {
      jitterMs = ms;
    },
    setReady: (ready) => {
      readyOverride = ready;
    },
    reset: () => {
      recorded = [];
      hitsByPath = new Map();
      arrivalsByPath = new Map();
      counters = new Map();
      appliedByUrl = new Map();
      bimodalRandom.clear();
    },
  };
}

/**
 * The nearest-rank percentile of sorted values (textbook definition, written out here so a
 * test's truth does not come from perf-gate's code): the smallest value with at least
 * ceil(q * n) values at or below it. `q` in 0..1; NaN for no values.
 */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  // The epsilon keeps 0.95 * 1000 at rank 950 when floating point makes it 950.0000000000001.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length - 1e-9)));
  return sorted[rank - 1];
}
