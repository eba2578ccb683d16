/**
 * Invalid budget files and the exact problems each must produce: [line, col, path, message].
 * Shared by the table test; kept apart so the table reads as a list of files.
 */
import type { LoadOptions } from '../../src/config/load.js';

export interface InvalidCase {
  name: string;
  yaml: string;
  options?: Partial<LoadOptions>;
  problems: [number, number, string, string][];
}

/** The smallest valid file; most cases change one thing in it. */
export const HEAD = 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nendpoints:\n';

// One problem per line reads best; prettier would split each tuple over six.
// prettier-ignore
export const INVALID_CASES: InvalidCase[] = [
  {
    name: 'YAML syntax: unclosed flow list',
    yaml: HEAD + '  - path: /a\n    expect: { status: [200, 201 }\n',
    problems: [
      [6, 23, '', 'YAML syntax error: this [ is not closed: add the missing ]'],
    ],
  },
  {
    name: 'YAML syntax: one missing } is one problem, on the line of its {',
    yaml: HEAD + '  - name: a\n    path: /a\n    budget: { p95: 200ms\n\n  - name: b\n    path: /b\n    budget: { p95: 100ms, p99: 250ms }\n',
    problems: [
      [7, 13, '', 'YAML syntax error: this { is not closed: add the missing }'],
    ],
  },
  {
    name: 'YAML syntax: a ${VAR} inside { } is one problem, with the hint to quote it',
    yaml: 'version: 1\ntarget: { url: ${PREVIEW_URL} }\nendpoints:\n  - path: /a\n',
    problems: [
      [2, 17, '', 'YAML syntax error: unexpected flow-map-start at node end (inside { } or [ ], put a ${VAR} value in quotes: "${VAR}")'],
    ],
  },
  {
    name: 'YAML: duplicate key',
    yaml: HEAD + '  - path: /a\n    path: /b\n',
    problems: [
      [6, 5, '', 'YAML syntax error: duplicate key "path": each key may appear only once in a mapping'],
    ],
  },
  {
    name: 'YAML: tab indentation',
    yaml: 'version: 1\nendpoints:\n\t- path: /a\n',
    problems: [
      [3, 1, '', 'YAML syntax error: tabs are not allowed as indentation in YAML: indent with spaces'],
    ],
  },
  {
    name: 'YAML: two documents',
    yaml: HEAD + '  - path: /a\n---\nversion: 1\n',
    problems: [
      [6, 1, '', 'YAML syntax error: the budget file must hold one YAML document; remove the second `---` and what follows'],
    ],
  },
  {
    name: 'YAML: unknown tag',
    yaml: HEAD + '  - path: !Sub /a\n',
    problems: [
      [5, 11, '', 'YAML: unresolved tag: !Sub: budget files use plain YAML without custom tags'],
    ],
  },
  {
    name: 'YAML: alias to an undefined anchor',
    yaml: HEAD + '  - path: *nowhere\n',
    problems: [
      [5, 11, '', 'YAML: unresolved alias (the anchor must be set before the alias): nowhere'],
    ],
  },
  {
    name: 'empty file',
    yaml: '# nothing yet\n',
    problems: [
      [1, 1, '', 'the budget file is empty: expected a mapping starting with "version: 1"'],
    ],
  },
  {
    name: 'top level is a list',
    yaml: '- version: 1\n',
    problems: [
      [1, 1, '', 'expected a mapping (keys such as version, target, endpoints) at the top level, found a list'],
    ],
  },
  {
    name: 'top level is text',
    yaml: 'perf budget\n',
    problems: [
      [1, 1, '', 'expected a mapping (keys such as version, target, endpoints) at the top level, found text'],
    ],
  },
  {
    name: 'version missing',
    yaml: 'target:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n',
    problems: [[1, 1, '', 'missing required key "version": add "version: 1" at the top']],
  },
  {
    name: 'version 2',
    yaml: HEAD.replace('version: 1', 'version: 2') + '  - path: /a\n',
    problems: [[1, 10, 'version', 'expected 1 (the only budget-file version), found 2']],
  },
  {
    name: 'version as text',
    yaml: HEAD.replace('version: 1', 'version: "1"') + '  - path: /a\n',
    problems: [[1, 10, 'version', 'expected 1 (the only budget-file version), found "1"']],
  },
  {
    name: 'endpoints missing',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\n',
    problems: [[1, 1, '', 'missing required key "endpoints": list the endpoints to measure']],
  },
  {
    name: 'endpoints empty',
    yaml: HEAD.replace('endpoints:\n', 'endpoints: []\n'),
    problems: [[4, 12, 'endpoints', 'expected at least one endpoint, found an empty list']],
  },
  {
    name: 'endpoints is a mapping',
    yaml: HEAD + '  path: /a\n',
    problems: [[5, 3, 'endpoints', 'expected a list, found a mapping']],
  },
  {
    name: 'misspelt top-level key',
    yaml: HEAD.replace('endpoints:', 'endpoint:') + '  - path: /a\n',
    problems: [
      [1, 1, '', 'missing required key "endpoints": list the endpoints to measure'],
      [4, 1, '', 'unknown key "endpoint" (did you mean "endpoints"?)'],
    ],
  },
  {
    name: 'load at the top level',
    yaml: HEAD + '  - path: /a\nload: { connections: 5 }\n',
    problems: [[6, 1, '', 'unknown key "load" (it belongs under "defaults")']],
  },
  {
    name: 'misspelt budget key (the SPEC example)',
    yaml:
      'version: 1\n' +
      '# A budget file with a typo in the second endpoint.\n' +
      'target:\n' +
      '  url: http://127.0.0.1:8080\n' +
      'defaults:\n' +
      '  budget: { p95: 300ms }\n' +
      'endpoints:\n' +
      '  - name: list products\n' +
      '    path: /api/products\n' +
      '    budget: { p95: 200ms }\n' +
      '  - name: search\n' +
      '    path: /api/search\n' +
      '    budget:\n' +
      '      p59: 150ms\n',
    problems: [[14, 7, 'endpoints[1].budget', 'unknown key "p59" (did you mean "p95"?)']],
  },
  {
    name: 'latency without a unit word',
    yaml: HEAD + '  - path: /a\n    budget: { p95: fast }\n',
    problems: [
      [6, 20, 'endpoints[0].budget.p95', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "fast"'],
    ],
  },
  {
    name: 'latency in quotes without unit',
    yaml: HEAD + '  - path: /a\n    budget: { p95: "250" }\n',
    problems: [
      [6, 20, 'endpoints[0].budget.p95', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "250" (add a unit, e.g. "250ms")'],
    ],
  },
  {
    name: 'negative latency',
    yaml: HEAD + '  - path: /a\n    budget: { p99: -5 }\n',
    problems: [[6, 20, 'endpoints[0].budget.p99', 'expected a latency of 0 or more, found -5']],
  },
  {
    name: 'zero latency budget',
    yaml: HEAD + '  - path: /a\n    budget: { p50: 0ms }\n',
    problems: [
      [6, 20, 'endpoints[0].budget.p50', 'expected a latency greater than 0 (no request is that fast), found "0ms"'],
    ],
  },
  {
    name: 'latency with a duration unit',
    yaml: HEAD + '  - path: /a\n    budget: { max: 2m }\n',
    problems: [
      [6, 20, 'endpoints[0].budget.max', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "2m"'],
    ],
  },
  {
    name: 'error rate as a whole number',
    yaml: HEAD + '  - path: /a\n    budget: { error-rate: 5 }\n',
    problems: [
      [6, 27, 'endpoints[0].budget.error-rate', 'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found 5 (did you mean "5%"?)'],
    ],
  },
  {
    name: 'a bare regression increase above 1: +1000% is never what "p95: 10" meant',
    yaml: HEAD + '  - path: /a\n    regression: { p95: 10, p50: { max-increase: 1.5 }, p99: 1 }\n',
    problems: [
      [6, 24, 'endpoints[0].regression.p95', 'expected a percentage like "10%" or a fraction up to 1, found 10: a bare number is a fraction, so 10 allows +1000%; write "10%" if you meant 10 percent, or "1000%" if you mean it'],
      [6, 49, 'endpoints[0].regression.p50.max-increase', 'expected a percentage like "10%" or a fraction up to 1, found 1.5: a bare number is a fraction, so 1.5 allows +150%; write "1.5%" if you meant 1.5 percent, or "150%" if you mean it'],
    ],
  },
  {
    name: 'bare load durations that can only have meant milliseconds',
    yaml: HEAD + '  - path: /a\n    load: { warmup: 500, timeout: 2000, duration: 900 }\n',
    problems: [
      [6, 21, 'endpoints[0].load.warmup', 'expected a warmup with a unit (a bare number is seconds, so this warmup is 8m 20s): write "500ms" if you meant milliseconds, or "500s" if you mean it, found 500'],
      [6, 35, 'endpoints[0].load.timeout', 'expected a timeout with a unit (a bare number is seconds, so this timeout is 33m 20s): write "2000ms" if you meant milliseconds, or "2000s" if you mean it, found 2000'],
      [6, 51, 'endpoints[0].load.duration', 'expected a duration with a unit (a bare number is seconds, so this duration is 15m): write "900ms" if you meant milliseconds, or "900s" if you mean it, found 900'],
    ],
  },
  {
    name: 'error rate over 100%',
    yaml: HEAD + '  - path: /a\n    budget: { error-rate: 150% }\n',
    problems: [
      [6, 27, 'endpoints[0].budget.error-rate', 'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found "150%"'],
    ],
  },
  {
    name: 'min-rps zero',
    yaml: HEAD + '  - path: /a\n    budget: { min-rps: 0 }\n',
    problems: [[6, 24, 'endpoints[0].budget.min-rps', 'expected a number greater than 0, found 0']],
  },
  {
    name: 'connections zero',
    yaml: HEAD + '  - path: /a\n    load: { connections: 0 }\n',
    problems: [
      [6, 26, 'endpoints[0].load.connections', 'expected a whole number from 1 to 10000, found 0'],
    ],
  },
  {
    name: 'connections fractional',
    yaml: HEAD + '  - path: /a\n    load: { connections: 2.5 }\n',
    problems: [[6, 26, 'endpoints[0].load.connections', 'expected a whole number, found 2.5']],
  },
  {
    name: 'connections absurd',
    yaml: HEAD + '  - path: /a\n    load: { connections: 20000 }\n',
    problems: [
      [6, 26, 'endpoints[0].load.connections', 'expected a whole number from 1 to 10000, found 20000'],
    ],
  },
  {
    name: 'duration zero',
    yaml: HEAD + '  - path: /a\n    load: { duration: 0s }\n',
    problems: [
      [6, 23, 'endpoints[0].load.duration', 'expected a duration of at least 1s (a shorter run measures connection setup, not the endpoint), found "0s"'],
    ],
  },
  {
    name: 'duration in parsecs',
    yaml: HEAD + '  - path: /a\n    load: { duration: 10 parsecs }\n',
    problems: [
      [6, 23, 'endpoints[0].load.duration', 'expected a duration like "30s" (ms, s, m, h, d) or a number of seconds, found "10 parsecs"'],
    ],
  },
  {
    name: 'timeout zero seconds',
    yaml: HEAD + '  - path: /a\n    load: { timeout: 0 }\n',
    problems: [[6, 22, 'endpoints[0].load.timeout', 'expected a request timeout of at least 1s, found 0']],
  },
  {
    name: 'rate zero',
    yaml: HEAD + '  - path: /a\n    load: { rate: 0 }\n',
    problems: [
      [6, 19, 'endpoints[0].load.rate', 'expected a number from 1 to 1000000, found 0'],
    ],
  },
  {
    name: 'timeout under a second',
    yaml: HEAD + '  - path: /a\n    load: { timeout: 500ms }\n',
    problems: [
      [6, 22, 'endpoints[0].load.timeout', 'expected a request timeout of at least 1s, found "500ms"'],
    ],
  },
  {
    name: 'misspelt load key',
    yaml: HEAD + '  - path: /a\n    load:\n      conections: 5\n',
    problems: [
      [7, 7, 'endpoints[0].load', 'unknown key "conections" (did you mean "connections"?)'],
    ],
  },
  {
    name: 'unknown method',
    yaml: HEAD + '  - path: /a\n    method: FETCH\n',
    problems: [
      [6, 13, 'endpoints[0].method', 'expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, found "FETCH"'],
    ],
  },
  {
    name: 'misspelt method',
    yaml: HEAD + '  - path: /a\n    method: pots\n',
    problems: [
      [6, 13, 'endpoints[0].method', 'expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, found "pots" (did you mean "POST"?)'],
    ],
  },
  {
    name: 'path missing',
    yaml: HEAD + '  - name: a\n',
    problems: [
      [5, 5, 'endpoints[0]', 'missing required key "path": the path to measure, relative to target.url, like /api/products'],
    ],
  },
  {
    name: 'absolute path on another origin',
    yaml: HEAD + '  - path: https://api.example.com/x?y=1\n',
    problems: [
      [5, 11, 'endpoints[0].path', '"https://api.example.com/x?y=1" is not on the target\'s origin: a budget file changed in a pull request must not aim load at third parties; write a path relative to target.url, like "/x?y=1"'],
    ],
  },
  {
    name: 'absolute path on another port',
    yaml: HEAD + '  - path: http://127.0.0.1:9090/x\n',
    problems: [
      [5, 11, 'endpoints[0].path', '"http://127.0.0.1:9090/x" is not on the target\'s origin: a budget file changed in a pull request must not aim load at third parties; write a path relative to target.url, like "/x"'],
    ],
  },
  {
    name: 'protocol-relative path',
    yaml: HEAD + '  - path: //api.example.com/x\n',
    problems: [
      [5, 11, 'endpoints[0].path', 'expected a path relative to target.url, found "//api.example.com/x", which names another host; write /path'],
    ],
  },
  {
    name: 'target URL with ftp scheme',
    yaml: HEAD.replace('http://127.0.0.1:8080', 'ftp://127.0.0.1/') + '  - path: /a\n',
    problems: [
      [3, 8, 'target.url', 'expected an http:// or https:// URL, found "ftp://127.0.0.1/" (scheme ftp:); perf-gate only sends HTTP load'],
    ],
  },
  {
    name: 'target URL javascript:',
    yaml: HEAD.replace('http://127.0.0.1:8080', '"javascript:alert(1)"') + '  - path: /a\n',
    problems: [
      [3, 8, 'target.url', 'expected an http:// or https:// URL, found "javascript:alert(1)" (scheme javascript:); perf-gate only sends HTTP load'],
    ],
  },
  {
    name: 'target URL without scheme',
    yaml: HEAD.replace('http://127.0.0.1:8080', 'localhost:3000') + '  - path: /a\n',
    problems: [
      [3, 8, 'target.url', 'expected an absolute URL starting with http:// or https://, found "localhost:3000"'],
    ],
  },
  {
    name: 'no target URL at all',
    yaml: 'version: 1\nendpoints:\n  - path: /a\n',
    problems: [
      [1, 1, '', 'no target URL: set target.url (e.g. url: ${PREVIEW_URL}) or the target-url input'],
    ],
  },
  {
    name: 'target-url input not http',
    yaml: HEAD + '  - path: /a\n',
    options: { targetUrl: 'file:///etc/passwd' },
    problems: [
      [0, 0, '', 'the target-url input: expected an http:// or https:// URL, found "file:///etc/passwd" (scheme file:); perf-gate only sends HTTP load'],
    ],
  },
  {
    name: 'header name with a space',
    yaml: HEAD + '  - path: /a\n    headers: { "x api": "1" }\n',
    problems: [
      [6, 16, 'endpoints[0].headers', 'invalid header name "x api": header names are letters, digits and !#$%&\'*+-.^_`|~, without spaces or colons'],
    ],
  },
  {
    name: 'header given twice in different case',
    yaml:
      HEAD +
      '  - path: /a\n    headers:\n      Accept: text/plain\n      accept: application/json\n',
    problems: [
      [8, 7, 'endpoints[0].headers', 'header "accept" is also given as "Accept": header names are case-insensitive, keep one'],
    ],
  },
  {
    name: 'content-length header',
    yaml: HEAD + '  - path: /a\n    headers: { Content-Length: "10" }\n',
    problems: [
      [6, 16, 'endpoints[0].headers', 'header "content-length" is computed from the body and cannot be set'],
    ],
  },
  {
    name: 'header value with a line break from the environment',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\n  headers:\n    x-tenant: ${TENANT}\nendpoints:\n  - path: /a\n',
    options: { env: { TENANT: 'acme\r\nx-admin: true' } },
    problems: [
      [5, 15, 'target.headers.x-tenant', 'header "x-tenant" has a line break or NUL character in its value (from ${TENANT}): refused, as it would inject headers into the request'],
    ],
  },
  {
    name: 'unset variable',
    yaml: HEAD + '  - path: /a\n    headers: { authorization: "Bearer ${API_TOKEN}" }\n',
    problems: [
      [6, 39, 'endpoints[0].headers.authorization', 'environment variable API_TOKEN is not set (used as ${API_TOKEN}): set it in the step\'s env, or write $${ for a literal "${"'],
    ],
  },
  {
    name: 'empty variable (a missing secret on a fork)',
    yaml: HEAD + '  - path: /a\n    headers: { authorization: "Bearer ${API_TOKEN}" }\n',
    options: { env: { API_TOKEN: '' } },
    problems: [
      [6, 39, 'endpoints[0].headers.authorization', 'environment variable API_TOKEN is empty (used as ${API_TOKEN}): set it in the step\'s env, or write $${ for a literal "${"'],
    ],
  },
  {
    name: 'invalid variable name',
    yaml: HEAD + '  - path: /a?v=${1X}\n',
    problems: [
      [5, 16, 'endpoints[0].path', 'invalid variable reference "${1X}": a name is letters, digits and "_", not starting with a digit; write $${ for a literal "${"'],
    ],
  },
  {
    name: 'unclosed variable',
    yaml: HEAD + '  - path: /a?v=${X\n',
    problems: [
      [5, 16, 'endpoints[0].path', 'unclosed "${" in a text value: write ${NAME}, or $${ for a literal "${"'],
    ],
  },
  {
    name: 'variable in a latency',
    yaml: HEAD + '  - path: /a\n    budget: { p95: "${P95}" }\n',
    problems: [
      [6, 20, 'endpoints[0].budget.p95', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "${P95}" (${VAR} is expanded only in text values: URLs, paths, headers, bodies, names and CloudWatch settings)'],
    ],
  },
  {
    name: 'regression true',
    yaml: HEAD + '  - path: /a\n    regression: true\n',
    problems: [
      [6, 17, 'endpoints[0].regression', 'expected false (no baseline comparison) or a mapping of metrics to allowed increases, like { p95: 10% }, found true'],
    ],
  },
  {
    name: 'regression rule with a misspelt key',
    yaml: HEAD + '  - path: /a\n    regression:\n      p95: { max-inc: 10% }\n',
    problems: [
      [7, 14, 'endpoints[0].regression.p95', 'unknown key "max-inc" (did you mean "max-increase"?)'],
    ],
  },
  {
    name: 'regression rule that is a word',
    yaml: HEAD + '  - path: /a\n    regression: { p95: lots }\n',
    problems: [
      [6, 24, 'endpoints[0].regression.p95', 'expected an allowed increase like "10%", or { max-increase: 10%, min-delta: 5ms }, found "lots"'],
    ],
  },
  {
    name: 'regression rule that is empty',
    yaml: HEAD + '  - path: /a\n    regression: { p95: {} }\n',
    problems: [
      [6, 24, 'endpoints[0].regression.p95', 'expected at least one key, found an empty mapping'],
    ],
  },
  {
    name: 'regression on a budget-only metric',
    yaml: HEAD + '  - path: /a\n    regression: { min-rps: 10% }\n',
    problems: [
      [6, 19, 'endpoints[0].regression', 'unknown key "min-rps": it is a budget only, throughput has no regression rule'],
    ],
  },
  {
    name: 'regression min-delta in percent on a latency',
    yaml: HEAD + '  - path: /a\n    regression: { p99: { max-increase: 20%, min-delta: 5% } }\n',
    problems: [
      [6, 56, 'endpoints[0].regression.p99.min-delta', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "5%"'],
    ],
  },
  {
    name: 'status out of range',
    yaml: HEAD + '  - path: /a\n    expect: { status: [200, 99] }\n',
    problems: [
      [6, 29, 'endpoints[0].expect.status[1]', 'expected a whole number from 100 to 599, found 99'],
    ],
  },
  {
    name: 'status repeated',
    yaml: HEAD + '  - path: /a\n    expect: { status: [201, 201] }\n',
    problems: [[6, 29, 'endpoints[0].expect.status', 'expected each value once, found 201 twice']],
  },
  {
    name: 'status not a list',
    yaml: HEAD + '  - path: /a\n    expect: { status: 201 }\n',
    problems: [[6, 23, 'endpoints[0].expect.status', 'expected a list, found 201']],
  },
  {
    name: 'duplicate endpoint names',
    yaml: HEAD + '  - name: list\n    path: /a\n  - name: list\n    path: /b\n',
    problems: [
      [7, 11, 'endpoints[1].name', 'duplicate endpoint name "list", also on line 5: names identify endpoints in reports and baselines'],
    ],
  },
  {
    name: 'duplicate unnamed endpoints',
    yaml: HEAD + '  - path: /a\n  - path: /a\n',
    problems: [
      [6, 5, 'endpoints[1]', 'duplicate endpoint name "GET /a", also on line 5: names identify endpoints in reports and baselines; give each a name'],
    ],
  },
  {
    name: 'id with a space',
    yaml: 'version: 1\nid: shop api\ntarget:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n',
    problems: [
      [2, 5, 'id', 'expected an id of letters, digits, ".", "_" or "-" (starting with a letter or digit, at most 64), found "shop api"'],
    ],
  },
  {
    name: 'confirm as yes',
    yaml: 'version: 1\nconfirm: yes\ntarget:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n',
    problems: [[2, 10, 'confirm', 'expected true or false, found "yes"']],
  },
  {
    name: 'body as a number',
    yaml: HEAD + '  - path: /a\n    method: POST\n    body: 42\n',
    problems: [[7, 11, 'endpoints[0].body', 'expected text, a mapping or a list, found 42']],
  },
  {
    name: 'CloudWatch metric without unit',
    yaml:
      HEAD +
      '  - path: /a\n    baseline:\n      cloudwatch: { namespace: AWS/ApplicationELB, metric: TargetResponseTime }\n',
    problems: [
      [7, 52, 'endpoints[0].baseline.cloudwatch', '"metric" needs "unit" too: the unit of its values (us, ms or s)'],
    ],
  },
  {
    name: 'CloudWatch unit without metric',
    yaml: HEAD + '  - path: /a\n    baseline:\n      cloudwatch: { unit: s }\n',
    problems: [
      [7, 21, 'endpoints[0].baseline.cloudwatch', '"unit" applies only with "metric" (an existing CloudWatch metric); perf-gate\'s own metrics are in ms'],
    ],
  },
  {
    name: 'CloudWatch unit misspelt',
    yaml:
      HEAD +
      '  - path: /a\n    baseline:\n      cloudwatch: { namespace: X, metric: Y, unit: sec }\n',
    problems: [
      [7, 52, 'endpoints[0].baseline.cloudwatch.unit', 'expected one of "us", "ms", "s", found "sec"'],
    ],
  },
  {
    name: 'CloudWatch period not in minutes',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nbaseline:\n  cloudwatch: { period: 90s }\nendpoints:\n  - path: /a\n',
    problems: [
      [5, 25, 'baseline.cloudwatch.period', 'expected a period that is a whole number of minutes (60s, 5m, 1h), found "90s"'],
    ],
  },
  {
    name: 'CloudWatch lookback beyond retention',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nbaseline:\n  cloudwatch: { lookback: 500d }\nendpoints:\n  - path: /a\n',
    problems: [
      [5, 27, 'baseline.cloudwatch.lookback', 'expected at most 455d (CloudWatch keeps metrics for 15 months), found "500d"'],
    ],
  },
  {
    name: 'CloudWatch lookback shorter than a period',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nbaseline:\n  cloudwatch: { lookback: 30m, period: 1h }\nendpoints:\n  - path: /a\n',
    problems: [
      [5, 27, 'baseline.cloudwatch.lookback', 'the lookback (30m) is shorter than one period (1h): it would never hold a full period'],
    ],
  },
  {
    name: 'CloudWatch dimension value not text',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nbaseline:\n  cloudwatch:\n    dimensions: { Service: 42 }\nendpoints:\n  - path: /a\n',
    problems: [[6, 28, 'baseline.cloudwatch.dimensions.Service', 'expected text, found 42']],
  },
  {
    name: 'baseline.required as a number',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nbaseline:\n  required: 1\nendpoints:\n  - path: /a\n',
    problems: [[5, 13, 'baseline.required', 'expected true or false, found 1']],
  },
  {
    name: 'ready without path',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\n  ready: { timeout: 1m }\nendpoints:\n  - path: /a\n',
    problems: [
      [4, 10, 'target.ready', 'missing required key "path": the path polled until it answers 2xx, like /healthz'],
    ],
  },
  {
    name: 'ready timeout zero',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\n  ready: { path: /healthz, timeout: 0s }\nendpoints:\n  - path: /a\n',
    problems: [[4, 37, 'target.ready.timeout', 'expected a duration greater than 0, found "0s"']],
  },
  {
    name: 'total load over max-duration',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\ndefaults:\n  load: { duration: 5m, warmup: 30s }\nendpoints:\n  - path: /a\n  - path: /b\n  - path: /c\n',
    options: { maxDurationMs: 15 * 60_000 },
    problems: [
      [6, 1, 'endpoints', 'the endpoints ask for 16m 30s of load (warmup + duration of 3 endpoints), over the max-duration of 15m: shorten durations or warmups, or raise the max-duration input'],
    ],
  },
  {
    name: 'total load over max-duration when measured side by side',
    yaml: 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\ndefaults:\n  load: { duration: 3m, warmup: 30s }\nendpoints:\n  - path: /a\n  - path: /b\n',
    options: { maxDurationMs: 10 * 60_000, sideBySide: true },
    problems: [
      [6, 1, 'endpoints', 'the endpoints ask for 14m of load (warmup + duration of 2 endpoints, each measured twice: on the target and on the baseline-url deployment side by side), over the max-duration of 10m: shorten durations or warmups, or raise the max-duration input'],
    ],
  },
];
