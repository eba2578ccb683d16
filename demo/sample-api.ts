import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The sample API the demo gates: a small shop with realistic latencies. `/api/search` is
 * deliberately slow in the tail so the demo shows what a budget violation looks like.
 * Listens on loopback only.
 */

/** Deterministic PRNG so the demo's numbers are stable from run to run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A latency around `median` ms with a long right tail (log-normal, shape `sigma`). */
function makeLatency(random: () => number, median: number, sigma: number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  };
}

const PRODUCTS = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  sku: `A${i + 1}`,
  name: `Product ${i + 1}`,
  price: Math.round((5 + ((i * 37) % 95)) * 100) / 100,
}));

export interface SampleApi {
  url: string;
  close(): Promise<void>;
}

export async function startSampleApi(port = 0): Promise<SampleApi> {
  const random = mulberry32(42);
  const latency = {
    list: makeLatency(random, 12, 0.35),
    item: makeLatency(random, 4, 0.3),
    order: makeLatency(random, 25, 0.4),
    // A long tail: p95 near 275 ms against the example's 150 ms budget. Near 200 ms (a median of
    // 60 ms), a run now and then measured about 167 ms, the confirmation came out inconclusive and
    // the demo's deliberate breach passed; with this margin both runs breach, while the median
    // stays low enough that 3 s of load collects the ~200 requests a p95 verdict needs.
    search: makeLatency(random, 80, 0.75),
  };

  const send = (res: ServerResponse, status: number, body: unknown, delayMs: number) => {
    setTimeout(() => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }, delayMs);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://sample.invalid');
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true }, 0);
    if (req.method === 'GET' && url.pathname === '/api/products') {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, 100);
      return send(res, 200, PRODUCTS.slice(0, limit), latency.list());
    }
    const item = /^\/api\/products\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && item) {
      const product = PRODUCTS[Number(item[1]) - 1];
      return product
        ? send(res, 200, product, latency.item())
        : send(res, 404, { error: 'not found' }, 1);
    }
    if (req.method === 'POST' && url.pathname === '/api/orders') {
      let order: { sku?: unknown; qty?: unknown };
      try {
        order = JSON.parse(body) as typeof order;
      } catch {
        return send(res, 400, { error: 'body must be JSON' }, 1);
      }
      if (typeof order.sku !== 'string' || typeof order.qty !== 'number') {
        return send(res, 422, { error: 'sku (string) and qty (number) are required' }, 1);
      }
      return send(res, 201, { id: Math.floor(random() * 1e9), ...order }, latency.order());
    }
    if (req.method === 'GET' && url.pathname === '/api/search') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const hits = PRODUCTS.filter((p) => p.name.toLowerCase().includes(q) || q === 'shoe');
      return send(res, 200, hits.slice(0, 10), latency.search());
    }
    send(res, 404, { error: 'not found' }, 0);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
