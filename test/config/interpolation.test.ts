import { describe, expect, test } from '@jest/globals';
import { BudgetFileError, type Problem } from '../../src/config/errors.js';
import { parseBudget } from '../../src/config/load.js';

function problemsOf(
  yaml: string,
  env: Record<string, string | undefined>,
  targetUrl?: string,
): Problem[] {
  try {
    parseBudget(yaml, 'perf-budget.yml', { env, ...(targetUrl ? { targetUrl } : {}) });
  } catch (e) {
    if (e instanceof BudgetFileError) return e.problems;
    throw e;
  }
  throw new Error('expected the budget file to be refused');
}

const FILE = [
  'version: 1',
  'target:',
  '  url: ${PREVIEW_URL}',
  '  headers:',
  '    authorization: Bearer ${API_TOKEN}',
  '    x-tenant: ${TENANT}',
  'endpoints:',
  '  - path: /orders/${ORDER_ID}?v=$${literal}',
  '    method: POST',
  '    body: { token: "${API_TOKEN}", n: 1 }',
  '',
].join('\n');

const ENV = {
  PREVIEW_URL: 'http://127.0.0.1:9999/base',
  API_TOKEN: 'ghs_SuperSecretToken123',
  TENANT: 'ab',
  ORDER_ID: '4242',
};

describe('${VAR} interpolation', () => {
  test('expands text values, $${ escapes, and collects values of 4+ characters as secrets', () => {
    const config = parseBudget(FILE, 'perf-budget.yml', { env: ENV });
    expect(config.target.url).toBe('http://127.0.0.1:9999/base');
    expect(config.target.headers).toEqual({
      authorization: 'Bearer ghs_SuperSecretToken123',
      'x-tenant': 'ab',
    });
    const [e] = config.endpoints;
    expect(e?.url).toBe('http://127.0.0.1:9999/base/orders/4242?v=${literal}');
    expect(e?.body).toBe('{"token":"ghs_SuperSecretToken123","n":1}');
    // "ab" is too short to mask without garbling all output; the target's address is no secret.
    expect(config.secrets).toEqual(['ghs_SuperSecretToken123', '4242']);
  });

  test('credentials interpolated into target.url are masked, its address is not', () => {
    const config = parseBudget(FILE, 'perf-budget.yml', {
      env: { ...ENV, PREVIEW_URL: 'https://deploy:s3cr3t-pass@preview.example.com' },
    });
    expect(config.secrets).toContain('s3cr3t-pass');
    expect(config.secrets).toContain('deploy');
    expect(config.secrets).not.toContain('https://deploy:s3cr3t-pass@preview.example.com');
  });

  test('the default name of an endpoint quotes its path as written, never an interpolated value', () => {
    const config = parseBudget(FILE, 'perf-budget.yml', { env: ENV });
    expect(config.endpoints[0]?.name).toBe('POST /orders/${ORDER_ID}?v=$${literal}');
  });

  test('every unset variable is an error naming it at its own line and column', () => {
    const problems = problemsOf(FILE, { PREVIEW_URL: ENV.PREVIEW_URL, TENANT: 'x' });
    // prettier-ignore
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [5, 27, 'target.headers.authorization', 'environment variable API_TOKEN is not set (used as ${API_TOKEN}): set it in the step\'s env, or write $${ for a literal "${"'],
      [8, 19, 'endpoints[0].path', 'environment variable ORDER_ID is not set (used as ${ORDER_ID}): set it in the step\'s env, or write $${ for a literal "${"'],
      [10, 21, 'endpoints[0].body.token', 'environment variable API_TOKEN is not set (used as ${API_TOKEN}): set it in the step\'s env, or write $${ for a literal "${"'],
    ]);
  });

  test('an error never shows the values of the variables that are set', () => {
    const bad = FILE.replace('    method: POST', '    method: POST\n    budget: { p95: fast }')
      .replace('  - path: /orders', '  - path: https://other.example/orders')
      .replace('    x-tenant: ${TENANT}', '    x-tenant: ${TENANT}\n    x-missing: ${MISSING}');
    const problems = problemsOf(bad, ENV);
    expect(problems.map((p) => p.message)).toEqual([
      'environment variable MISSING is not set (used as ${MISSING}): set it in the step\'s env, or write $${ for a literal "${"',
      '"https://other.example/orders/${ORDER_ID}?v=$${literal}" as interpolated is not on the target\'s origin: a budget file changed in a pull request must not aim load at third parties; write a path relative to target.url',
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "fast"',
    ]);
    const text = problems.map((p) => p.message).join('\n');
    for (const value of [ENV.API_TOKEN, ENV.PREVIEW_URL, '127.0.0.1:9999', ENV.ORDER_ID]) {
      expect(text).not.toContain(value);
    }
  });

  test('a header value with a line break from the environment is refused without showing it', () => {
    const problems = problemsOf(FILE, { ...ENV, API_TOKEN: 'abc\r\nx-injected: 1' });
    // prettier-ignore
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [5, 20, 'target.headers.authorization', 'header "authorization" has a line break or NUL character in its value (from ${API_TOKEN}): refused, as it would inject headers into the request'],
    ]);
  });

  test('a target URL from the environment that is not http is named by its scheme only', () => {
    const problems = problemsOf(FILE, { ...ENV, PREVIEW_URL: 'file:///etc/secret-path' });
    // prettier-ignore
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [3, 8, 'target.url', 'expected an http:// or https:// URL, found "${PREVIEW_URL}" as interpolated (scheme file:); perf-gate only sends HTTP load'],
    ]);
  });

  test('with the target-url input, an unset variable in target.url is not an error and not a secret', () => {
    const env = { ...ENV, PREVIEW_URL: undefined };
    const config = parseBudget(FILE, 'perf-budget.yml', {
      env,
      targetUrl: 'http://127.0.0.1:7000/',
    });
    expect(config.target.url).toBe('http://127.0.0.1:7000/');
    expect(config.endpoints[0]?.url).toBe('http://127.0.0.1:7000/orders/4242?v=${literal}');
    expect(config.secrets).not.toContain('http://127.0.0.1:9999/base');
  });

  test('the target-url input is still checked', () => {
    const problems = problemsOf(FILE, ENV, 'ftp://127.0.0.1/');
    // prettier-ignore
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [0, 0, '', 'the target-url input: expected an http:// or https:// URL, found "ftp://127.0.0.1/" (scheme ftp:); perf-gate only sends HTTP load'],
    ]);
  });

  test('keys and typed values are not interpolated', () => {
    const yaml =
      'version: 1\ntarget: { url: "http://127.0.0.1:8080" }\nendpoints:\n  - path: /a\n    headers: { "${NAME}": v }\n';
    const problems = problemsOf(yaml, { NAME: 'x-name' });
    expect(problems.map((p) => p.message)).toEqual([
      'invalid header name "${NAME}": header names are letters, digits and !#$%&\'*+-.^_`|~, without spaces or colons',
    ]);
  });
});
