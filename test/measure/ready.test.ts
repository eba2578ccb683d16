import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  checkReachable,
  TargetUnreachableError,
  describeFetchError,
  waitForReady,
} from '../../src/measure/ready.js';
import { displayUrl } from '../../src/secrets/secrets.js';
import { startSilent } from '../servers/hostile.js';
import { refusedPort } from '../servers/ports.js';
import { startTarget } from '../servers/target.js';
import type { Target } from '../servers/target.js';

let slowStart: Target;

beforeAll(async () => {
  slowStart = await startTarget({ readyAfterMs: 1200 });
});

afterAll(async () => {
  await slowStart.close();
});

describe('waitForReady', () => {
  test('a target answering 503 while it starts: ready once it answers 200, backing off meanwhile', async () => {
    const lines: string[] = [];
    const result = await waitForReady(`${slowStart.url}/healthz`, {
      timeoutMs: 10_000,
      log: (l) => lines.push(l),
    });
    // 503 until 1.2 s after start; attempts at ~0, 0.25, 0.75, 1.75 s (250 ms doubling).
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(result.attempts).toBeGreaterThanOrEqual(3);
    expect(result.attempts).toBeLessThanOrEqual(5);
    expect(slowStart.hits('/healthz')).toBe(result.attempts);
    expect(lines.some((l) => l.includes('HTTP 503'))).toBe(true);
    expect(lines.at(-1)).toMatch(/is ready after/);
  });

  test('nothing listening: TargetUnreachableError naming the URL and ECONNREFUSED', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/healthz`;
    const error = await waitForReady(url, { timeoutMs: 800 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^target ${url.replace(/[.?]/g, '\\$&')} did not answer 2xx within 800ms: last attempt: ECONNREFUSED`,
      ),
    );
  });

  test('a target that keeps failing: the last status is named; header values and query values never appear', async () => {
    const down = await startTarget();
    down.setReady(false);
    const lines: string[] = [];
    try {
      const error = await waitForReady(`${down.url}/healthz?token=query-secret`, {
        timeoutMs: 700,
        headers: { authorization: 'Bearer header-secret' },
        log: (l) => lines.push(l),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetUnreachableError);
      const message = (error as Error).message;
      expect(message).toContain(
        `target ${down.url}/healthz?token=*** did not answer 2xx within 700ms: last attempt: HTTP 503`,
      );
      expect([message, ...lines].join('\n')).not.toMatch(/secret/);
    } finally {
      await down.close();
    }
  });

  test('headers are sent with every attempt', async () => {
    const echo = await startTarget();
    try {
      await waitForReady(`${echo.url}/echo`, {
        timeoutMs: 2000,
        headers: { authorization: 'Bearer abc' },
      });
      expect(echo.requests().map((r) => r.headers.authorization)).toEqual(['Bearer abc']);
    } finally {
      await echo.close();
    }
  });

  test('a target that never answers: the attempt is cut off, at most 1 s past the deadline', async () => {
    const stall = await startTarget();
    try {
      const started = Date.now();
      const error = await waitForReady(`${stall.url}/stall`, { timeoutMs: 600 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TargetUnreachableError);
      expect((error as Error).message).toMatch(/last attempt: timed out after 1s\./);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stall.close();
    }
  });

  test('aborting stops waiting', async () => {
    const down = await startTarget();
    down.setReady(false);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('cancelled by user')), 300);
      await expect(
        waitForReady(`${down.url}/healthz`, { timeoutMs: 60_000, signal: controller.signal }),
      ).rejects.toThrow('cancelled by user');
    } finally {
      await down.close();
    }
  });
});

describe('messages', () => {
  test('displayUrl drops credentials and query values', () => {
    expect(displayUrl('https://user:pw@pr-1.example.test/healthz?key=abc')).toBe(
      'https://pr-1.example.test/healthz?key=***',
    );
    expect(displayUrl('http://127.0.0.1:3000/healthz')).toBe('http://127.0.0.1:3000/healthz');
  });

  test('describeFetchError finds the socket error code under fetch’s wrapper', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(describeFetchError(refused)).toBe('ECONNREFUSED');
    const both = new TypeError('fetch failed', {
      cause: Object.assign(
        new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]),
        {},
      ),
    });
    expect(describeFetchError(both)).toBe('ECONNREFUSED');
    expect(describeFetchError(new Error('odd'))).toBe('odd');
  });
});

describe('checkReachable', () => {
  test('a target that accepts and never answers is not reachable: the timeout fails the check', async () => {
    const silent = await startSilent();
    try {
      const error = await checkReachable(`${silent.url}/api?token=abcd1234`, {
        timeoutMs: 300,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetUnreachableError);
      expect((error as Error).message).toMatch(
        /^target http:\/\/127\.0\.0\.1:\d+\/api\?token=\*\*\* cannot be reached: timed out after 300ms\./,
      );
    } finally {
      await silent.close();
    }
  });

  test('any HTTP answer, even an error status, is reachable', async () => {
    const target = await startTarget({ readyAfterMs: 60_000 });
    try {
      await expect(checkReachable(`${target.url}/healthz`)).resolves.toBeUndefined();
    } finally {
      await target.close();
    }
  });
});
