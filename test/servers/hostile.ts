import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A deployment that misbehaves in the ways a gate must survive, on loopback. Routes:
 *
 * | route | behaviour |
 * |---|---|
 * | `/redirect-loop` | 302 to itself, forever |
 * | `/redirect-away` | 302 to `http://localhost:PORT/healthz`: this same server under another origin, so a client that follows it is seen (a hit on `/healthz`) |
 * | `/big/:mb` | 200 with a body of `mb` MiB (streamed, Content-Length set) |
 * | `/endless` | 200 with a chunked body that never ends (a chunk every millisecond) |
 * | `/fail` | 500, always |
 * | `/slow/:ms` | 200 after `ms` |
 * | `/healthz` | 200 |
 * | anything else | 404 |
 *
 * `startSilent()` is lower still: a TCP server that accepts connections and never reads or
 * writes a byte, so no HTTP client timeout below the socket can help.
 */

export interface HostileServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  /** Requests received on a path (without query), or on all paths. */
  hits(path?: string): number;
  /** Bytes of response body written so far, over all routes. */
  bytesSent(): number;
  reset(): void;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

export async function startHostile(): Promise<HostileServer> {
  let hits = new Map<string, number>();
  let bytes = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  /** Writes `total` bytes with backpressure, so the server's own memory stays flat. */
  const stream = (res: ServerResponse, total: number) => {
    let left = total;
    const pump = () => {
      while (left > 0) {
        const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= chunk.length;
        bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (left = 0));
    pump();
  };

  const endless = (res: ServerResponse) => {
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      bytes += 1024;
      res.write(CHUNK.subarray(0, 1024));
    }, 1);
    res.on('close', () => clearInterval(timer));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://hostile');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const [route, arg] = url.pathname.split('/').filter(Boolean);
    switch (route) {
      case 'redirect-loop':
        res.writeHead(302, { location: '/redirect-loop', 'content-length': 0 });
        return res.end();
      case 'redirect-away':
        res.writeHead(302, { location: `http://localhost:${port}/healthz`, 'content-length': 0 });
        return res.end();
      case 'big': {
        const total = Math.round(Number(arg ?? 50) * MIB);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
        return stream(res, total);
      }
      case 'endless':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return endless(res);
      case 'fail':
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': 2 });
        return res.end('{}');
      case 'slow':
        return later(Number(arg ?? 0), () => {
          res.writeHead(200, { 'content-length': 2 });
          res.end('ok');
        });
      case 'healthz':
        res.writeHead(200, { 'content-length': 2 });
        return res.end('ok');
      default:
        res.writeHead(404, { 'content-length': 0 });
        return res.end();
    }
  });
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
    hits: (path) =>
      path === undefined ? [...hits.values()].reduce((a, b) => a + b, 0) : (hits.get(path) ?? 0),
    bytesSent: () => bytes,
    reset: () => {
      hits = new Map();
      bytes = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface SilentServer {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never answers: not a byte, not a FIN. */
export async function startSilent(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.pause(); // never read: the request sits in the kernel's buffer
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
