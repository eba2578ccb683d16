import { describe, expect, test } from '@jest/globals';
import { checkTargetUrl, resolvePath } from '../../src/config/urls.js';

const target = (url: string): URL => {
  const checked = checkTargetUrl(url, JSON.stringify(url));
  if (!checked.ok) throw new Error(checked.message);
  return checked.value;
};

describe('resolvePath: a path is appended to the target, prefix included', () => {
  test.each([
    ['http://127.0.0.1:8080', '/api/a', 'http://127.0.0.1:8080/api/a'],
    ['http://127.0.0.1:8080/', 'api/a', 'http://127.0.0.1:8080/api/a'],
    ['https://x.example/app/', '/api/a', 'https://x.example/app/api/a'],
    ['https://x.example/app', '/api/a', 'https://x.example/app/api/a'],
    ['https://x.example/app/', 'api/a?q=1', 'https://x.example/app/api/a?q=1'],
    ['https://x.example/app/', '/', 'https://x.example/app/'],
    ['https://x.example/app/?token=t', '/a?q=1', 'https://x.example/app/a?q=1&token=t'],
    ['https://x.example/app/', '/a#section', 'https://x.example/app/a'],
    ['https://x.example/', '/search?q=shoe size', 'https://x.example/search?q=shoe%20size'],
    ['https://x.example/app/', '@evil.example/x', 'https://x.example/app/@evil.example/x'],
    ['https://x.example/app/', '/a/../b', 'https://x.example/app/b'],
    ['https://x.example/app/', '/a/b/..', 'https://x.example/app/a/'],
    ['https://x.example/app/', '/a%2fb', 'https://x.example/app/a%2fb'],
    ['https://x.example/app/', '/a?next=../../admin', 'https://x.example/app/a?next=../../admin'],
    ['https://x.example/', '/a/../../etc', 'https://x.example/etc'],
    ['https://user:pw@x.example/app', '/a', 'https://user:pw@x.example/app/a'],
    [
      'https://x.example/app/',
      'https://x.example/app/other?a=1',
      'https://x.example/app/other?a=1',
    ],
    ['https://x.example:443/', 'https://x.example/other', 'https://x.example/other'],
  ])('%s + %s → %s', (base, path, url) => {
    expect(resolvePath(target(base), path, JSON.stringify(path))).toEqual({ ok: true, value: url });
  });

  test.each([
    ['https://evil.example/x', "not on the target's origin"],
    ['http://x.example/x', "not on the target's origin"],
    ['https://x.example:8443/x', "not on the target's origin"],
    ['ftp://x.example/x', "not on the target's origin"],
    ['//evil.example/x', 'which names another host'],
    ['\\\\evil.example\\x', 'which names another host'],
    ['/a\r\nHost: evil', 'line break or NUL'],
    // Out of the target's path prefix, however written (a path prefix may separate deployments).
    ['/echo/../../prod/admin', "leaves the target's path /app"],
    ['/..', "leaves the target's path /app"],
    ['..', "leaves the target's path /app"],
    ['/echo/%2e%2e/%2E%2E/prod', "leaves the target's path /app"],
    ['/echo/.%2e/.%2e/prod', "leaves the target's path /app"],
    ['/echo/..%2f..%2fprod', "leaves the target's path /app"],
    ['/echo/..%5c..%5cprod', "leaves the target's path /app"],
    ['/echo\\..\\..\\prod', "leaves the target's path /app"],
    ['/echo/%252e%252e/%252e%252e/prod', "leaves the target's path /app"],
    ['https://x.example/other', "leaves the target's path /app"],
    ['https://x.example/app/../other', "leaves the target's path /app"],
    ['https://x.example/application', "leaves the target's path /app"],
  ])('%s is refused', (path, message) => {
    const result = resolvePath(target('https://x.example/app/'), path, JSON.stringify(path));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });
});

describe('checkTargetUrl', () => {
  test.each([
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/'],
    ['https://preview-12.example.com/base#frag', 'https://preview-12.example.com/base'],
    ['  https://x.example  ', 'https://x.example/'],
  ])('%s is accepted as %s', (input, href) => {
    const checked = checkTargetUrl(input, JSON.stringify(input));
    expect(checked.ok ? checked.value.href : checked.message).toBe(href);
  });

  test.each([
    [
      'ftp://x.example',
      'expected an http:// or https:// URL, found "ftp://x.example" (scheme ftp:); perf-gate only sends HTTP load',
    ],
    [
      'file:///etc/passwd',
      'expected an http:// or https:// URL, found "file:///etc/passwd" (scheme file:); perf-gate only sends HTTP load',
    ],
    [
      'javascript:alert(1)',
      'expected an http:// or https:// URL, found "javascript:alert(1)" (scheme javascript:); perf-gate only sends HTTP load',
    ],
    [
      'data:text/plain,hi',
      'expected an http:// or https:// URL, found "data:text/plain,hi" (scheme data:); perf-gate only sends HTTP load',
    ],
    [
      'localhost:3000',
      'expected an absolute URL starting with http:// or https://, found "localhost:3000"',
    ],
    [
      'preview.example.com',
      'expected an absolute http:// or https:// URL like "https://preview.example.com", found "preview.example.com"',
    ],
    [
      'http://',
      'expected an absolute http:// or https:// URL like "https://preview.example.com", found "http://"',
    ],
  ])('%s is refused', (input, message) => {
    expect(checkTargetUrl(input, JSON.stringify(input))).toEqual({ ok: false, message });
  });
});
