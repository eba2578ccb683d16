import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { EndpointConfig, LoadSettings } from '../../src/config/types.js';
import { measureEndpoint } from '../../src/measure/engine.js';
import { startTarget } from '../servers/target.js';
import type { Target } from '../servers/target.js';

/**
 * The open model (SPEC §4) seen from the target: requests arrive at the configured rate, evenly
 * spread, fractional rates included; and a rate the connections cannot carry is reported as
 * dropped requests, with a warning.
 */

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target.close();
});

function endpoint(path: string, load: Partial<LoadSettings>): EndpointConfig {
  return {
    name: `GET ${path}`,
    method: 'GET',
    path,
    url: target.url + path,
    headers: {},
    load: { connections: 4, durationMs: 3000, warmupMs: 0, timeoutMs: 2000, ...load },
    budget: {},
    regression: false,
    line: 1,
  };
}

/** The most arrivals any 100 ms window holds (a window starting at each arrival). */
function busiestWindow(arrivals: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (j < arrivals.length && arrivals[j] < arrivals[i] + 100) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('paced arrivals', () => {
  test.each([
    // rate, route, connections, duration
    [20, '/fixed/20', 4, 3000],
    [1.5, '/fixed/20', 4, 4000],
    [200, '/fixed/5', 20, 3000],
  ])(
    'rate %p req/s on %s: the target gets the rate within 2%, with no bursts',
    async (rate, route, connections, durationMs) => {
      target.reset();
      const m = await measureEndpoint(endpoint(route, { rate, connections, durationMs }));
      const arrivals = target.arrivals(route);
      const expected = (rate * durationMs) / 1000;
      // Over the run: the target got what was asked for (autocannon's own rate mode sent 2.48
      // req/s for 1.5, and 3.73 for 3).
      expect(Math.abs(arrivals.length - expected) / expected).toBeLessThanOrEqual(0.02);
      expect(m.arrivals).toMatchObject({ rate, intended: Math.ceil(expected) });
      // Everything sent arrived and was answered (a stalled runner may make a few go undelivered:
      // dropped, which the 2% above bounds).
      expect(m.arrivals!.sent).toBe(arrivals.length);
      expect(m.requests).toBe(arrivals.length);
      expect(m.errors).toBe(0);
      // Evenly spread: no 100 ms window holds more than twice what it should (and at rates
      // under 10 req/s, no window holds two). autocannon's rate mode sends each connection's
      // quota for the second at once at the top of every second.
      const perWindow = rate / 10;
      expect(busiestWindow(arrivals)).toBeLessThanOrEqual(Math.max(1, 2 * perWindow));
      expect(m.throughput).toBeCloseTo(m.requests / (durationMs / 1000), 6);
    },
  );

  test('a rate the connections cannot carry: requests dropped, counted, and a warning to raise connections', async () => {
    target.reset();
    // Two connections with 100 ms answers carry at most 20 req/s; 50 are asked for.
    const m = await measureEndpoint(
      endpoint('/fixed/100', { rate: 50, connections: 2, durationMs: 2000 }),
    );
    expect(m.arrivals!.intended).toBe(100);
    expect(m.arrivals!.sent + m.arrivals!.dropped).toBe(100);
    expect(m.arrivals!.sent).toBeLessThanOrEqual(45);
    expect(m.arrivals!.dropped).toBeGreaterThanOrEqual(55);
    expect(target.hits('/fixed/100')).toBe(m.arrivals!.sent);
    // Dropped requests were never sent: nothing queued behind the busy connections.
    expect(m.latency.p50).toBeLessThan(150);
    expect(m.warnings).toEqual([
      expect.stringMatching(
        /^\d+ of 100 requests \(\d+\.\d%\) were not sent: every one of the 2 connections was still waiting for an answer when they were due, .*raise load\.connections$/,
      ),
    ]);
  });
});

describe('failures in the open model', () => {
  test('a stalling server: each request sent times out, is an error, and is recorded at the timeout', async () => {
    const m = await measureEndpoint(
      endpoint('/stall', { rate: 4, connections: 2, durationMs: 2000, timeoutMs: 1000 }),
    );
    // Both connections stall at once; each frees itself at the timeout and takes the next due
    // request: a handful sent, the rest dropped.
    expect(m.arrivals!.intended).toBe(8);
    expect(m.arrivals!.sent).toBeGreaterThanOrEqual(2);
    expect(m.errorBreakdown.timeouts).toBe(m.arrivals!.sent);
    expect(m.requests).toBe(m.arrivals!.sent);
    expect(m.errorRate).toBe(1);
    expect(m.latency.p50).toBeGreaterThanOrEqual(1000);
    expect(m.latency.p50).toBeLessThan(1001);
  });

  test('connection refused: one error per request due, no reconnect loop in between', async () => {
    const closed = await startTarget();
    const url = closed.url + '/fixed/0';
    await closed.close();
    const m = await measureEndpoint({
      ...endpoint('/fixed/0', { rate: 20, connections: 2, durationMs: 1000 }),
      url,
    });
    expect(m.arrivals!.intended).toBe(20);
    expect(m.errorBreakdown.connection).toEqual({ ECONNREFUSED: m.arrivals!.sent });
    expect(m.arrivals!.sent).toBeGreaterThanOrEqual(18);
    expect(m.requests).toBe(m.arrivals!.sent);
  });

  test('an idle connection outliving the timeout is not a timeout', async () => {
    // One request every 1.5 s on 2 connections with a 1 s timeout: each connection idles past it.
    const m = await measureEndpoint(
      endpoint('/fixed/5', { rate: 0.75, connections: 2, durationMs: 4000, timeoutMs: 1000 }),
    );
    expect(m.arrivals).toMatchObject({ intended: 3, sent: 3, dropped: 0 });
    expect(m.errors).toBe(0);
    expect(m.requests).toBe(3);
  });
});
