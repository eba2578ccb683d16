/**
 * Run as its own process by late-timers.test.ts (Node prints its warnings to stderr, which a test
 * can read only from outside): measures a 20 ms loopback route for 3 s with a 1 s request
 * timeout while a timer callback keeps the event loop busy for 1.5 s, as a long callback or a
 * runner that stops scheduling the job does, so every connection's timeout timer fires late.
 * Prints the measurement's counts as JSON.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { measureEndpoint } from '../../src/measure/engine.js';

const server = createServer((_req, res) => setTimeout(() => res.end('ok'), 20));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/search`;

setTimeout(() => {
  const until = performance.now() + 1500;
  while (performance.now() < until);
}, 500);

const m = await measureEndpoint({
  name: 'search',
  method: 'GET',
  path: '/search',
  url,
  headers: {},
  load: { connections: 2, durationMs: 3000, warmupMs: 0, timeoutMs: 1000 },
  budget: {},
  regression: false,
  line: 1,
});
server.close();
console.log(JSON.stringify({ requests: m.requests, timeouts: m.errorBreakdown.timeouts }));
