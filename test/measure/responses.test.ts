import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { EndpointConfig, LoadSettings } from '../../src/config/types.js';
import { measureEndpoint } from '../../src/measure/engine.js';
import { decodeHistogram, quantileMs } from '../../src/measure/histogram.js';
import { describeErrors } from '../../src/gate/run-gate.js';
import { startTarget } from '../servers/target.js';
import type { Target } from '../servers/target.js';

/**
 * What counts as a response (SPEC §4): interim 1xx responses do not, a body that ends with its
 * connection does, a body cut short of its Content-Length is a named error, and latency and
 * throughput are of the successful responses only.
 */

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target.close();
});

function endpoint(url: string, load: Partial<LoadSettings> = {}): EndpointConfig {
  const path = new URL(url).pathname + new URL(url).search;
  return {
    name: `GET ${path}`,
    method: 'GET',
    path,
    url,
    headers: {},
    load: { connections: 2, durationMs: 2000, warmupMs: 0, timeoutMs: 2000, ...load },
    budget: {},
    regression: false,
    line: 1,
  };
}

describe('interim (1xx) responses are not responses', () => {
  test.each([
    [103, 'Early Hints'],
    [100, 'Continue'],
    [102, 'Processing'],
  ])(
    '%i %s at once, the 200 after 300 ms: one request, timed to its final response',
    async (code) => {
      target.reset();
      const path = `/interim/${code}/300`;
      const m = await measureEndpoint(endpoint(target.url + path));
      // Two connections, one 300 ms request at a time each, for 2 s: about 13 requests. Counting
      // the interim responses made thousands of "requests", half of them errors "HTTP 1xx".
      expect(m.requests).toBeGreaterThanOrEqual(6);
      expect(m.requests).toBeLessThanOrEqual(16);
      expect(m.errors).toBe(0);
      expect(m.errorBreakdown.status).toEqual({});
      // Every request the server got was answered and counted once (but the ones still in flight
      // when the run stopped).
      expect(target.hits(path) - m.requests).toBeGreaterThanOrEqual(0);
      expect(target.hits(path) - m.requests).toBeLessThanOrEqual(2);
      expect(m.latency.min).toBeGreaterThanOrEqual(299);
      expect(m.latency.p50).toBeGreaterThanOrEqual(300);
    },
  );
});

describe('latency and throughput are of successful responses', () => {
  test('9 in 10 fast 503s: they are errors with their own histogram, not fast latencies', async () => {
    target.reset();
    // Successes take 10, 20, ... 100 ms in turn; the 503s are answered at once.
    const path = '/ok-every/10?delay=10&spread=10';
    const m = await measureEndpoint(endpoint(target.url + path, { connections: 4 }));
    const succeeded = m.requests - m.errors;
    expect(succeeded).toBeGreaterThan(20);
    expect(m.errorBreakdown.status['503']).toBe(m.errors);
    expect(Math.abs(m.errorRate - 0.9)).toBeLessThanOrEqual(0.02);
    const ok = decodeHistogram(m.histogram);
    expect(ok.totalCount).toBe(succeeded);
    // A timer may fire up to a millisecond early by the clock of the loop it waited in.
    expect(m.latency.min).toBeGreaterThanOrEqual(9);
    expect(m.latency.p50).toBeGreaterThanOrEqual(40);
    expect(m.throughput).toBeCloseTo(succeeded / (m.durationMs / 1000), 6);
    expect(m.throughput).toBeLessThan(m.requests / (m.durationMs / 1000) / 5);
    const failed = decodeHistogram(m.errorHistogram!);
    expect(failed.totalCount).toBe(m.errors);
    expect(quantileMs(failed, 0.5)).toBeLessThan(10);
    expect(m.errorLatency!.p50).toBeCloseTo(quantileMs(failed, 0.5), 6);
  });
});

/** A raw HTTP server: `answer` writes the whole response to each request's socket. */
async function rawServer(
  answer: (socket: Socket) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => {
    socket.once('data', () => setTimeout(() => answer(socket), 5));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/raw`, server };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('messages', () => {
  test('an HTTP/1.0 body delimited by the connection closing is a complete response', async () => {
    const { url, server } = await rawServer((socket) => {
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, until I close');
    });
    try {
      const m = await measureEndpoint(endpoint(url, { durationMs: 1000 }));
      // Before: "no request was completed in the load time".
      expect(m.requests).toBeGreaterThan(10);
      expect(m.errors).toBe(0);
      expect(m.latency.min).toBeGreaterThanOrEqual(4);
      expect(m.throughput).toBeGreaterThan(0);
    } finally {
      await closeServer(server);
    }
  });

  test('a body shorter than its Content-Length is the error "response ended before its Content-Length"', async () => {
    const { url, server } = await rawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly 20 bytes here..');
    });
    try {
      const m = await measureEndpoint(endpoint(url, { durationMs: 1000 }));
      expect(m.requests).toBeGreaterThan(10);
      expect(m.errorRate).toBe(1);
      expect(m.errorBreakdown).toEqual({
        timeouts: 0,
        resets: 0,
        status: {},
        connection: { 'response ended before its Content-Length': m.requests },
      });
      expect(describeErrors(m)).toBe(`response ended before its Content-Length ×${m.requests}`);
      expect(decodeHistogram(m.errorHistogram!).totalCount).toBe(m.requests);
    } finally {
      await closeServer(server);
    }
  });
});
