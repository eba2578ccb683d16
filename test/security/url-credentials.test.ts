import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { credentialsIn } from '../../src/config/urls.js';
import { measureEndpoint } from '../../src/measure/engine.js';
import { describeFetchError, waitForReady, withoutCredentials } from '../../src/measure/ready.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Credentials written into a URL (`https://user:password@host`): the load client sends them as
 * Basic authentication, so the ready-wait must too (fetch refuses such URLs outright), and they
 * are secrets wherever the URL came from.
 */

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

describe('URL credentials', () => {
  test('the ready-wait reaches a target whose URL carries credentials, sending them as Basic auth', async () => {
    const url = `http://perf-bot:${encodeURIComponent('pa:ss/wörd')}@127.0.0.1:${target.port}/echo`;
    const result = await waitForReady(url, { timeoutMs: 2000 });
    expect(result.attempts).toBe(1);
    const sent = target.requests().at(-1)!;
    expect(sent.headers.authorization).toBe(
      `Basic ${Buffer.from('perf-bot:pa:ss/wörd').toString('base64')}`,
    );
  });

  test('the load sends URL credentials as exactly one Authorization header', async () => {
    const base = `http://perf-bot:s3cret-pw@127.0.0.1:${target.port}`;
    const file = (headers: string) =>
      parseBudget(
        `version: 1\ntarget:\n  url: ${base}\n${headers}endpoints:\n  - path: /echo\n    load: { connections: 1, duration: 1s, warmup: 0s }\n`,
        'perf-budget.yml',
        { env: {} },
      ).endpoints[0]!;
    const authorizations = () =>
      target
        .requests()
        .map(
          (r) =>
            r.rawHeaders.filter((_, i, raw) => i % 2 === 0 && /^authorization$/i.test(raw[i]!))
              .length,
        );

    target.reset();
    await measureEndpoint(file(''));
    expect(target.requests().length).toBeGreaterThan(0);
    expect(authorizations().every((n) => n === 1)).toBe(true);
    expect(target.requests()[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('perf-bot:s3cret-pw').toString('base64')}`,
    );

    target.reset();
    await measureEndpoint(file('  headers: { authorization: Bearer tok-123 }\n'));
    expect(authorizations().every((n) => n === 1)).toBe(true);
    expect(target.requests()[0]!.headers.authorization).toBe('Bearer tok-123');
  });

  test('an explicit authorization header wins over URL credentials', () => {
    const { url, headers } = withoutCredentials('http://u:p@127.0.0.1:1/x', {
      Authorization: 'Bearer t',
    });
    expect(url).toBe('http://127.0.0.1:1/x');
    expect(headers).toEqual({ Authorization: 'Bearer t' });
  });

  test('a URL without credentials is left alone', () => {
    const headers = { 'x-a': 'b' };
    expect(withoutCredentials('http://127.0.0.1:1/x?y=1', headers)).toEqual({
      url: 'http://127.0.0.1:1/x?y=1',
      headers,
    });
  });

  test('a fetch error quoting a URL never shows its credentials', () => {
    const error = new TypeError('fetch failed', {
      cause: new Error(
        'Request cannot be constructed from a URL that includes credentials: http://bot:hunter22@h/x',
      ),
    });
    expect(describeFetchError(error)).toBe(
      'Request cannot be constructed from a URL that includes credentials: http://***@h/x',
    );
  });

  test('credentials in the target-url input are secrets of the loaded config', () => {
    expect(credentialsIn('https://alice:s%40cret-1@h.example/')).toEqual([
      'alice',
      's%40cret-1',
      's@cret-1',
    ]);
    expect(credentialsIn('https://h.example/')).toEqual([]);
    expect(credentialsIn('not a url')).toEqual([]);
    const config = parseBudget('version: 1\nendpoints:\n  - path: /a\n', 'f.yml', {
      env: {},
      targetUrl: `http://ci-user:hunter22-pass@127.0.0.1:${target.port}`,
    });
    expect(config.secrets).toEqual(expect.arrayContaining(['ci-user', 'hunter22-pass']));
  });
});
