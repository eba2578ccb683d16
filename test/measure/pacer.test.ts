import { describe, expect, test } from '@jest/globals';
import { Pacer } from '../../src/measure/pacer.js';
import type { PacedConnection } from '../../src/measure/pacer.js';
import { droppedWarning } from '../../src/measure/engine.js';

/**
 * The open model's arrival process on a simulated clock: which request goes out when, and what is
 * dropped, with connections whose answers take a chosen time.
 */
function simulate(options: {
  rate: number;
  durationMs: number;
  connections: number;
  /** Time each request keeps its connection busy, ms. */
  serviceMs: number | ((i: number) => number);
  /** How late each timer fires, ms. */
  timerLateMs?: number;
  /** An adaptive stop: `endWindow()` at this time. */
  endAtMs?: number;
}) {
  let now = 0;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const sends: { at: number; intendedAt: number }[] = [];
  let windowEnded: number | undefined;
  const pacer = new Pacer({
    rate: options.rate,
    durationMs: options.durationMs,
    now: () => now,
    schedule: (fn, delayMs) => {
      const t = { at: now + delayMs + (options.timerLateMs ?? 0), fn, cancelled: false };
      timers.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
    onWindowEnd: () => (windowEnded = now),
  });
  const service = options.serviceMs;
  for (let c = 0; c < options.connections; c++) {
    const connection: PacedConnection = {
      send(intendedAt) {
        const i = sends.length;
        sends.push({ at: now, intendedAt });
        const ms = typeof service === 'number' ? service : service(i);
        timers.push({ at: now + ms, fn: () => pacer.release(connection), cancelled: false });
        return true;
      },
    };
    pacer.release(connection);
  }
  pacer.start();
  if (options.endAtMs !== undefined)
    timers.push({ at: options.endAtMs, fn: () => pacer.endWindow(), cancelled: false });
  while (timers.length > 0) {
    timers.sort((a, b) => a.at - b.at);
    const t = timers.shift()!;
    if (t.cancelled) continue;
    now = t.at;
    t.fn();
  }
  return { sends, counts: pacer.result(), windowEnded };
}

describe('pacer', () => {
  test.each([1.5, 2.5, 3, 20, 200, 1000])(
    'rate %p: requests due every 1/rate s exactly, none dropped with connections to spare',
    (rate) => {
      const durationMs = 4000;
      const { sends, counts, windowEnded } = simulate({
        rate,
        durationMs,
        connections: 10,
        serviceMs: 5,
      });
      const expected = Math.ceil((rate * durationMs) / 1000);
      expect(counts).toEqual({ intended: expected, sent: expected, dropped: 0, windowMs: 4000 });
      sends.forEach((s, k) => {
        expect(s.intendedAt).toBeCloseTo((k * 1000) / rate, 6);
        expect(s.at).toBeCloseTo(s.intendedAt, 6);
      });
      expect(windowEnded).toBe(durationMs);
    },
  );

  test('a request due while every connection is busy is dropped and counted, not queued', () => {
    // 2 connections, 100 req/s (one due every 10 ms), each answer taking 50 ms: a connection
    // can take one request in five, so 2 in 5 go out and 3 in 5 are dropped.
    const { sends, counts } = simulate({
      rate: 100,
      durationMs: 1000,
      connections: 2,
      serviceMs: 50,
    });
    expect(counts.intended).toBe(100);
    expect(counts.sent).toBe(sends.length);
    expect(counts.sent + counts.dropped).toBe(100);
    expect(counts.dropped).toBe(60);
    // What goes out leaves on time: nothing waits for a connection.
    for (const s of sends) expect(s.at).toBe(s.intendedAt);
  });

  test('a late timer sends everything that fell due meanwhile, each with its own intended time', () => {
    const { sends, counts } = simulate({
      rate: 100,
      durationMs: 500,
      connections: 50,
      serviceMs: 1,
      timerLateMs: 35,
    });
    expect(counts).toMatchObject({ intended: 50, sent: 50, dropped: 0 });
    sends.forEach((s, k) => expect(s.intendedAt).toBeCloseTo(k * 10, 6));
    // Every send is at or after its intended time, and the latency counted from the intended time
    // includes the lateness.
    for (const s of sends) expect(s.at).toBeGreaterThanOrEqual(s.intendedAt);
    expect(Math.max(...sends.map((s) => s.at - s.intendedAt))).toBeGreaterThanOrEqual(30);
  });

  test('an adaptive stop ends the window then: nothing falls due after it, counts cover what did', () => {
    const { sends, counts, windowEnded } = simulate({
      rate: 100,
      durationMs: 10_000,
      connections: 4,
      serviceMs: 5,
      endAtMs: 2_505,
    });
    expect(windowEnded).toBe(2_505);
    expect(counts.windowMs).toBe(2_505);
    // Due at 0, 10, …, 2500 ms: 251 requests, every one sent.
    expect(counts.intended).toBe(251);
    expect(counts.sent).toBe(251);
    expect(Math.max(...sends.map((x) => x.intendedAt))).toBe(2_500);
  });

  test('the rate must be positive', () => {
    expect(() => new Pacer({ rate: 0, durationMs: 1000 })).toThrow(/rate must be positive/);
  });
});

describe('dropped warning', () => {
  test('more than 1% dropped warns and says to raise connections; 1% or less does not', () => {
    expect(droppedWarning(1000, 10, 4)).toBeUndefined();
    expect(droppedWarning(0, 0, 4)).toBeUndefined();
    expect(droppedWarning(1000, 11, 4)).toBe(
      '11 of 1000 requests (1.1%) were not sent: every one of the 4 connections was still waiting for an answer when they were due, so the target got less load than the rate asks for; raise load.connections',
    );
  });
});
