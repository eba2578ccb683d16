import { describe, expect, test } from '@jest/globals';
import { BudgetFileError, formatProblem } from '../../src/config/errors.js';
import { parseBudget, type LoadOptions } from '../../src/config/load.js';
import { nameSkeleton, visibleName } from '../../src/config/names.js';
import { MAX_ENDPOINTS } from '../../src/config/normalise.js';
import { plannedLoadMs } from '../../src/config/plan.js';

/**
 * What a hostile budget file must not get through (issue "Hardening", cases 3, 4, 9, 12; issue
 * "Verdicts that cannot be fooled", cases 5 and 6c), checked on the loader directly: each
 * refusal is located (line:col) and says what to do. The same cases run through the bundled
 * action and the CLI in test/security/config-hardening.test.ts.
 */

const HEAD = 'version: 1\ntarget:\n  url: http://127.0.0.1:8080/app/\n';

function problems(yaml: string, options: Partial<LoadOptions> = {}): string[] {
  try {
    parseBudget(yaml, 'b.yml', { env: {}, ...options });
  } catch (e) {
    if (e instanceof BudgetFileError)
      return e.problems.map((p) => formatProblem({ ...p, file: '' }).replace(/^:/, ''));
    throw e;
  }
  return [];
}

describe('headers that choose where the load goes, or manage the connection, are refused', () => {
  test.each([
    ['Host', 'host', 'chooses where the request goes'],
    ['host', 'host', 'chooses where the request goes'],
    ['Forwarded', 'forwarded', 'chooses where the request goes'],
    ['X-Forwarded-Host', 'x-forwarded-host', 'chooses where the request goes'],
    ['X-Original-URL', 'x-original-url', 'chooses where the request goes'],
    ['X-Rewrite-URL', 'x-rewrite-url', 'chooses where the request goes'],
    ['Connection', 'connection', 'hop-by-hop'],
    ['Keep-Alive', 'keep-alive', 'hop-by-hop'],
    ['Upgrade', 'upgrade', 'hop-by-hop'],
    ['TE', 'te', 'hop-by-hop'],
    ['Trailer', 'trailer', 'hop-by-hop'],
    ['Proxy-Authorization', 'proxy-authorization', 'hop-by-hop'],
    ['Proxy-Connection', 'proxy-connection', 'hop-by-hop'],
    ['Transfer-Encoding', 'transfer-encoding', 'computed from the body'],
  ])('%s, in target.headers and in an endpoint, located at the key', (name, lower, why) => {
    const yaml = `${HEAD}  headers:\n    ${name}: x\nendpoints:\n  - path: /a\n    headers:\n      ${name}: y\n`;
    const found = problems(yaml);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(new RegExp(`^5:5 target\\.headers: header "${lower}" .*${why}`));
    expect(found[1]).toMatch(new RegExp(`^9:7 endpoints\\[0\\]\\.headers: header "${lower}" .*`));
  });

  test('the message says where the host belongs', () => {
    expect(
      problems(`${HEAD}  headers: { host: admin.internal }\nendpoints:\n  - path: /a\n`),
    ).toEqual([
      '4:14 target.headers: header "host" is refused: it chooses where the request goes, and load goes only to target.url; put the host in target.url (or the target-url input) instead',
    ]);
  });

  test('headers describing the client, not the route, stay allowed', () => {
    const yaml = `${HEAD}endpoints:\n  - path: /a\n    headers: { x-forwarded-for: 10.0.0.1, x-forwarded-proto: https, x-real-ip: 10.0.0.1, authorization: Bearer t }\n`;
    expect(problems(yaml)).toEqual([]);
  });
});

describe('paths stay under the target path however they are written', () => {
  test.each([
    '/echo/../../prod/admin',
    '/echo/%2e%2e/%2e%2e/prod/admin',
    '/echo/..%2f..%2fprod',
    '/echo/%252e%252e/%252e%252e/prod',
    '"/echo\\\\..\\\\..\\\\prod"',
    'http://127.0.0.1:8080/prod/admin',
  ])('endpoint path %s: refused at the path', (path) => {
    const found = problems(`${HEAD}endpoints:\n  - path: ${path}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^5:11 endpoints\[0\]\.path: .* leaves the target's path \/app /);
  });

  test('a ready path too', () => {
    const found = problems(
      `${HEAD}  ready: { path: /healthz/../../admin }\nendpoints:\n  - path: /a\n`,
    );
    expect(found).toEqual([
      '4:18 target.ready.path: "/healthz/../../admin" leaves the target\'s path /app (after resolving ".." and percent-escapes such as %2e and %2f): load goes only under target.url; write a path inside it',
    ]);
  });

  test('dot segments that stay inside are normalised, not refused', () => {
    const config = parseBudget(`${HEAD}endpoints:\n  - path: /a/../b/./c\n`, 'b.yml', { env: {} });
    expect(config.endpoints[0]!.url).toBe('http://127.0.0.1:8080/app/b/c');
  });
});

describe('names that read the same are one name', () => {
  test.each([
    ['a zero-width space', 'log\u200Bin', 'U+200B'],
    ['a zero-width joiner', 'lo\u200Dgin', 'U+200D'],
    ['a Cyrillic o', 'l\u043Egin', 'U+043E'],
    ['a Greek omicron', 'l\u03BFgin', 'U+03BF'],
    ['fullwidth letters', '\uFF4Cogin', 'U+FF4C'],
    ['a right-to-left override', 'login\u202E', 'U+202E'],
  ])('%s: refused, naming the character', (_what, name, code) => {
    const yaml = `${HEAD}endpoints:\n  - name: login\n    path: /a\n  - name: "${name}"\n    path: /b\n`;
    const found = problems(yaml);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^7:11 endpoints\[1\]\.name: endpoint name ".*" reads the same as "login" on line 5: they differ only by invisible or look-alike characters/,
    );
    expect(found[0]).toContain(code);
    // The message itself shows the odd character, not an invisible one.
    expect(found[0]).not.toMatch(/[\u200B-\u200F\u202A-\u202E]/);
  });

  test('zero-width characters never reach the name shown', () => {
    const config = parseBudget(
      `${HEAD}endpoints:\n  - name: "list\u200B \u2060products"\n    path: /a\n`,
      'b.yml',
      { env: {} },
    );
    expect(config.endpoints[0]!.name).toBe('list products');
  });

  test('a name of invisible characters only is refused', () => {
    expect(problems(`${HEAD}endpoints:\n  - name: "\u200B\u200C"\n    path: /a\n`)).toEqual([
      '5:11 endpoints[0].name: expected a name with visible characters, found "\\u{200B}\\u{200C}"',
    ]);
  });

  test('names in other scripts that read differently are fine', () => {
    expect(nameSkeleton('заказ')).not.toBe(nameSkeleton('zakaz'));
    expect(
      problems(`${HEAD}endpoints:\n  - name: заказ\n    path: /a\n  - name: zakaz\n    path: /b\n`),
    ).toEqual([]);
    expect(visibleName('a\u00ADb')).toBe('ab');
  });
});

describe('max-duration caps the load as it is really generated', () => {
  test.each([
    // [duration, warmup, side by side, planned ms]
    [1000, 0, false, 1000],
    [1050, 0, false, 1100], // runs end on 100 ms ticks
    [1000, 1, false, 1100], // a 1 ms warmup is a whole tick
    [30_000, 5000, false, 35_000],
    [1000, 0, true, 2000], // 4 rounds of 500 ms
    [1500, 10, true, 3400], // 4 rounds of 750 → 800 ms, two warmups of a tick
    [30_000, 5000, true, 70_000],
  ])('duration %d ms, warmup %d ms, side by side %s: %d ms', (durationMs, warmupMs, side, ms) => {
    expect(plannedLoadMs({ durationMs, warmupMs }, side)).toBe(ms);
  });

  test('the plan, not the sum of written durations, is held against max-duration', () => {
    const endpoints = Array.from({ length: 10 }, (_, i) => `  - path: /e${i}\n`).join('');
    const yaml = `${HEAD}defaults:\n  load: { duration: 1.5s, warmup: 10ms }\nendpoints:\n${endpoints}`;
    // Written: 10 × (1.5 s + 10 ms) × 2 sides = 30.2 s, within 31 s; as run: 34 s.
    expect(problems(yaml, { maxDurationMs: 31_000, sideBySide: true })).toEqual([
      '6:1 endpoints: the endpoints ask for 34s of load (warmup + duration of 10 endpoints, each measured twice: on the target and on the baseline-url deployment side by side; as run, in whole 100 ms ticks and side-by-side rounds of at least 500 ms, the 30.2s written take 34s), over the max-duration of 31s: shorten durations or warmups, or raise the max-duration input',
    ]);
    expect(problems(yaml, { maxDurationMs: 34_000, sideBySide: true })).toEqual([]);
  });

  test('a duration under 1 s is refused where it is written', () => {
    const endpoints = Array.from({ length: 20 }, (_, i) => `  - path: /e${i}\n`).join('');
    expect(
      problems(`${HEAD}defaults:\n  load: { duration: 1ms }\nendpoints:\n${endpoints}`, {
        maxDurationMs: 1000,
      }),
    ).toEqual([
      '5:21 defaults.load.duration: expected a duration of at least 1s (a shorter run measures connection setup, not the endpoint), found "1ms"',
    ]);
    expect(problems(`${HEAD}endpoints:\n  - path: /a\n    load: { duration: 0.5 }\n`)).toEqual([
      '6:23 endpoints[0].load.duration: expected a duration of at least 1s (a shorter run measures connection setup, not the endpoint), found 0.5',
    ]);
  });

  test(`more than ${MAX_ENDPOINTS} endpoints are refused at the list`, () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `  - path: /e${i}\n`).join('');
    const options = { maxDurationMs: 1e9 };
    expect(problems(`${HEAD}endpoints:\n${list(MAX_ENDPOINTS)}`, options)).toEqual([]);
    expect(problems(`${HEAD}endpoints:\n${list(MAX_ENDPOINTS + 1)}`, options)).toEqual([
      `4:1 endpoints: expected at most ${MAX_ENDPOINTS} endpoints, found ${MAX_ENDPOINTS + 1}: split them over several budget files (each with its own id) and gate each in its own step`,
    ]);
  });
});

describe('timeouts a timer can hold', () => {
  test('a request timeout over 10 minutes is refused (30d would fire every timer at once)', () => {
    expect(problems(`${HEAD}endpoints:\n  - path: /a\n    load: { timeout: 30d }\n`)).toEqual([
      '6:22 endpoints[0].load.timeout: expected a request timeout of at most 10m (a request is given up long before that), found "30d"',
    ]);
    expect(problems(`${HEAD}endpoints:\n  - path: /a\n    load: { timeout: 10m }\n`)).toEqual([]);
  });

  test('a ready timeout over max-duration is refused', () => {
    const yaml = `${HEAD}  ready: { path: /healthz, timeout: 20m }\nendpoints:\n  - path: /a\n`;
    expect(problems(yaml, { maxDurationMs: 15 * 60_000 })).toEqual([
      '4:37 target.ready.timeout: expected a ready timeout of at most the max-duration (15m); lower it, or raise the max-duration input, found "20m"',
    ]);
    expect(problems(yaml, { maxDurationMs: 20 * 60_000 })).toEqual([]);
  });
});

describe('a unit value with stray spaces', () => {
  test.each([
    [
      'p95',
      '" 100ms"',
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found " 100ms" (remove the spaces around it)',
    ],
    [
      'p99',
      '"1s "',
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "1s " (remove the spaces around it)',
    ],
    [
      'error-rate',
      '" 1%"',
      'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found " 1%" (remove the spaces around it)',
    ],
  ])('%s: %s gets the unit message, not "must be number"', (metric, value, message) => {
    expect(
      problems(`${HEAD}endpoints:\n  - path: /a\n    budget: { ${metric}: ${value} }\n`),
    ).toEqual([`6:${17 + metric.length} endpoints[0].budget.${metric}: ${message}`]);
  });
});

describe('validation is linear in the number of problems', () => {
  test('5,000 problems are all found and listed (speed: npm run bench:validate)', () => {
    const endpoints = Array.from(
      { length: 5000 },
      (_, i) => `  - path: /e${i}\n    budget: { p59: 1ms }\n`,
    ).join('');
    const found = problems(`${HEAD}endpoints:\n${endpoints}`);
    // One unknown key per endpoint, and the list is too long.
    expect(found).toHaveLength(5001);
    expect(found[0]).toMatch(/^4:1 endpoints: expected at most 200 endpoints, found 5000/);
    expect(found[5000]).toMatch(/^10004:15 endpoints\[4999\]\.budget: unknown key "p59"/);
  });
});
