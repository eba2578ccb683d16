import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli, tempDir, writeFile } from '../cli/cli-process.js';
import { runAction, type ActionRun } from '../e2e/action-runner.js';
import { runnerEnv } from '../support/aws.js';
import { budgetText, visible } from '../faults/budget-text.js';
import { startCloudWatch, type CloudWatchServer } from '../servers/cloudwatch.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget, type RecordedRequest, type Target } from '../servers/target.js';

/**
 * Secrets planted everywhere a user may put one: an interpolated header value, the request
 * body, a query value, the GitHub token, the ready path, credentials in the target URL (from the
 * budget file and from the target-url input), a query value of the target-url input (a preview
 * protection bypass), and credentials and a query value in the baseline-url input. Passing and
 * failing runs, of the action and of the CLI, a run that publishes to CloudWatch, and a GitHub
 * that repeats the token in its error.
 *
 * Every run has its own target, reference, GitHub and CloudWatch servers, and is searched on its
 * own: stdout (less the `::add-mask::` lines that register the secrets with the runner), stderr,
 * every file the run left (outputs, job summary, JSON report, markdown), the comments its GitHub
 * holds, and every request each of its servers received. RUNNER_DEBUG is on, so `::debug::`
 * lines are searched too. A secret is looked for in every spelling (see `spellings`), and so is
 * every 8-character piece of it (a truncated secret is still a leak).
 *
 * Where a secret must travel, exactly that place of exactly those requests is allowed: the
 * authorization header sent to the target and the reference (`Bearer …`, or `Basic …` of that
 * server's own URL credentials), the body's `token` of the POST, the `key` query value, the ready
 * path, each server's own protection bypass query value, and the token in the authorization
 * header sent to GitHub. Nothing is allowed to reach CloudWatch.
 */

/**
 * Characters that encode differently in each spelling: quotes, backslashes, `<&>`, `+`, `/`,
 * `=`, `%`, spaces and non-ASCII letters. The header value stays within what HTTP allows.
 */
const SECRETS = {
  header: 'hDr"K\\7q+/=%41 x&Lw9',
  body: 'bÖdy"S\\é<&>\'✓K4m8Zr',
  query: 'qRy Sëc"ret<4B3v>',
  token: 'ghs_Q7fK2pLx9Wv4Rt8Zn3Bm',
  urlPassword: 'uPäss w"rd<N8p4',
  inputPassword: 'ïnPw:d/é+Rt9Hm5V',
  ready: 'rdy p@ss wörd-X9Lm4',
  inputQuery: 'inQ+y/Tök=en-T5b8',
  basePassword: 'bäsE pw/W3k7Pq1Zs',
  baseQuery: 'bQ ü&=J6d2Fv8Lr+',
};
type SecretName = keyof typeof SECRETS;

/** The Basic authorization each URL's credentials are sent as. */
const BASIC = {
  fileUrl: basic('perf-bot', SECRETS.urlPassword),
  inputUrl: basic('alice-ci', SECRETS.inputPassword),
  baseUrl: basic('base-bot', SECRETS.basePassword),
};

function basic(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}

/** The shortest piece of a secret that counts as a leak. */
const PIECE = 8;

/**
 * Every spelling `text` may take in output, worked out here, independently of perf-gate: as is,
 * percent-encoded (component, `+` for a space, lower-case escapes, encodeURI), JSON-escaped
 * (once, twice, and ASCII-only with `\u` escapes), HTML-escaped, hex of its UTF-8 bytes (both
 * cases), and base64 (standard and URL-safe) at each of the three byte alignments it may have
 * inside a longer base64 text (only the characters that alignment fixes).
 */
function spellings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (kind: string, form: string) => {
    if (form.length > 0 && !out.has(form)) out.set(form, kind);
  };
  add('raw', text);
  const component = encodeURIComponent(text);
  add('percent-encoded', component);
  add('percent-encoded, + for space', component.replace(/%20/g, '+'));
  add(
    'percent-encoded, lower-case',
    component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  );
  add('encodeURI', encodeURI(text));
  const json = JSON.stringify(text).slice(1, -1);
  add('JSON-escaped', json);
  add('JSON-escaped twice', JSON.stringify(json).slice(1, -1));
  const asciiJson = json.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  add('JSON-escaped, \\u', asciiJson);
  add(
    'JSON-escaped, \\u upper-case',
    asciiJson.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`),
  );
  const html = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  add('HTML-escaped', html.replace(/'/g, '&#39;'));
  add('HTML-escaped', html.replace(/'/g, '&#x27;'));
  const bytes = Buffer.from(text, 'utf8');
  add('hex', bytes.toString('hex'));
  add('hex', bytes.toString('hex').toUpperCase());
  for (let shift = 0; shift < 3; shift++) {
    // Preceded by `shift` bytes: the first base64 characters also hold those bytes' bits, the
    // last ones the next bytes' bits; keep the characters that depend on this text alone.
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const first = Math.ceil(shift / 3) * 4;
    const whole = Math.floor((shift + bytes.length) / 3) * 4;
    const core = encoded.slice(first, whole);
    if (core.length >= 4) {
      add('base64', core);
      add('base64url', core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return out;
}

interface Form {
  secret: string;
  kind: string;
  form: string;
}

/**
 * The forms searched for: every spelling of every secret and of every 8-character piece of it
 * (a longer piece contains one), and the Basic credentials as sent.
 */
const FORMS: Form[] = (() => {
  const forms = new Map<string, Form>();
  for (const [secret, value] of Object.entries(SECRETS)) {
    const chars = Array.from(value);
    for (let i = 0; i + PIECE <= chars.length; i++) {
      const piece = chars.slice(i, i + PIECE).join('');
      const label = piece === value ? secret : `${secret}, piece ${JSON.stringify(piece)}`;
      for (const [form, kind] of spellings(piece)) {
        if (!forms.has(form)) forms.set(form, { secret: label, kind, form });
      }
    }
  }
  for (const [name, value] of Object.entries(BASIC)) {
    for (const [form, kind] of spellings(value)) {
      forms.set(form, { secret: `base64 credentials of ${name}`, kind, form });
    }
  }
  return [...forms.values()];
})();

/** Where a secret turns up in `texts`, as `secret (spelling) in where: …context…`. */
function leaks(texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const { secret, kind, form } of FORMS) {
      const at = text.indexOf(form);
      if (at >= 0) {
        const context = text.slice(Math.max(0, at - 80), at + form.length + 20);
        found.push(`${secret} (${kind}) in ${where}: …${context}…`);
      }
    }
  }
  return found;
}

describe('the leak search itself', () => {
  test('finds each secret in every spelling and every piece, and nothing in ordinary text', () => {
    const wrapped = (s: string) => `before ${s} after`;
    for (const value of Object.values(SECRETS)) {
      const bytes = Buffer.from(value);
      const samples = [
        value,
        encodeURIComponent(value),
        JSON.stringify(value),
        JSON.stringify({ report: JSON.stringify({ v: value }) }),
        bytes.toString('hex'),
        // Inside a longer base64 text, at each alignment.
        Buffer.from(`x${value}yz`).toString('base64'),
        Buffer.from(`xy${value}z`).toString('base64'),
        Buffer.from(`${value}z`).toString('base64url'),
        // Truncated: the first and the last eight characters.
        `${Array.from(value).slice(0, PIECE).join('')}…`,
        `…${Array.from(value).slice(-PIECE).join('')}`,
      ];
      for (const sample of samples) expect(leaks({ sample: wrapped(sample) })).not.toEqual([]);
    }
    expect(
      leaks({ text: 'create order p50 12.3 ms /echo?key=***&q=shoe Bearer *** perf-bot:***@' }),
    ).toEqual([]);
  });
});

/** One run's own servers: target and reference deployments, GitHub, CloudWatch. */
interface Servers {
  target: Target;
  reference: Target;
  github: GitHubServer;
  cloudwatch: CloudWatchServer;
}

async function withServers<T>(use: (servers: Servers) => Promise<T>): Promise<T> {
  const [target, reference, github, cloudwatch] = await Promise.all([
    startTarget({ recordAll: true, maxRecorded: 200_000 }),
    startTarget({ recordAll: true, maxRecorded: 200_000 }),
    startGitHub(),
    startCloudWatch(),
  ]);
  try {
    return await use({ target, reference, github, cloudwatch });
  } finally {
    await Promise.all([target.close(), reference.close(), github.close(), cloudwatch.close()]);
  }
}

const ENV = {
  API_TOKEN: SECRETS.header,
  BODY_SECRET: SECRETS.body,
  QUERY_KEY: SECRETS.query,
  URL_PASSWORD: SECRETS.urlPassword,
  READY_SECRET: SECRETS.ready,
};

interface Case {
  /** The budget file's `p50`: `10s` passes, `1us` fails. */
  p50: string;
  /** The target URL in the budget file (with its credentials), else in the target-url input. */
  urlInFile: boolean;
  /** Measured side by side against the reference (baseline-url). */
  sideBySide?: boolean;
  /** The budget file reads a CloudWatch baseline. */
  cloudwatch?: boolean;
}

/**
 * A budget file using every secret. With `urlInFile` false the target comes from the
 * target-url input (or --target-url), credentials included.
 */
function budget(c: Case, servers: Servers): string {
  // Side by side, regressions are off: a noisy runner must not decide the exit code.
  const regression = c.sideBySide ? ['regression: false'] : [];
  // The deployment answers after 10 ms: against an instant route, a busy machine can leave the
  // load generator saturated, and a latency breach measured so is inconclusive (SPEC §4), which
  // would turn a failing case into a passing one.
  const delay = 'delay=10';
  return budgetText({
    id: 'secrets',
    url: c.urlInFile
      ? `http://perf-bot:\${URL_PASSWORD}@127.0.0.1:${servers.target.port}`
      : 'http://unused.example',
    ready: '{ path: "/healthz/${READY_SECRET}", timeout: 5s }',
    targetLines: ['headers: { authorization: "Bearer ${API_TOKEN}" }'],
    lines: c.cloudwatch
      ? ['baseline:', '  cloudwatch: { region: eu-west-1, dimensions: { Service: shop } }']
      : [],
    endpoints: [
      {
        name: 'create order',
        path: `/echo?${delay}`,
        lines: [
          'method: POST',
          'body: { token: "${BODY_SECRET}", sku: A1 }',
          `budget: { p50: ${c.p50} }`,
          ...regression,
        ],
      },
      {
        name: 'search',
        path: `/echo?key=\${QUERY_KEY}&q=shoe&${delay}`,
        lines: [`budget: { p50: ${c.p50} }`, ...regression],
      },
    ],
  });
}

const BYPASS = 'x-vercel-protection-bypass';

const inputUrl = (target: Target) =>
  `http://alice-ci:${encodeURIComponent(SECRETS.inputPassword)}@127.0.0.1:${target.port}/?${BYPASS}=${encodeURIComponent(SECRETS.inputQuery)}`;
const baselineUrl = (reference: Target) =>
  `http://base-bot:${encodeURIComponent(SECRETS.basePassword)}@127.0.0.1:${reference.port}/?${BYPASS}=${encodeURIComponent(SECRETS.baseQuery)}`;

/** What a deployment may receive, and where: see the file's comment. */
interface Allowed {
  basic: string;
  bypass?: string;
}

/**
 * A request with each allowed secret taken out of exactly its allowed place, as text to search,
 * and the allowed places that held their secret.
 */
function sanitizeTargetRequest(
  request: RecordedRequest,
  allowed: Allowed,
): { text: string; used: string[] } {
  const used: string[] = [];
  const [rawPath, rawQuery] = splitOnce(request.url, '?');
  let path = rawPath;
  if (safeDecode(rawPath) === `/healthz/${SECRETS.ready}`) {
    path = '/healthz/[ready]';
    used.push('ready path');
  }
  const pairs = (rawQuery ?? '').split('&').map((pair) => {
    const [name, value] = splitOnce(pair, '=');
    const decoded = new URLSearchParams(pair).get(name) ?? undefined;
    if (name === 'key' && decoded === SECRETS.query && request.url.startsWith('/echo?')) {
      used.push('key query value');
      return 'key=[query]';
    }
    if (name === BYPASS && allowed.bypass !== undefined && decoded === allowed.bypass) {
      used.push('protection bypass');
      return `${name}=[bypass]`;
    }
    return value === undefined ? name : `${name}=${value}`;
  });
  const headers: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
    if (name.toLowerCase() === 'authorization' && value === `Bearer ${SECRETS.header}`) {
      used.push('authorization header');
      headers.push(`${name}: [bearer]`);
    } else if (name.toLowerCase() === 'authorization' && value === `Basic ${allowed.basic}`) {
      used.push('basic authorization');
      headers.push(`${name}: [basic]`);
    } else headers.push(`${name}: ${value}`);
  }
  let body = request.body;
  if (request.method === 'POST' && rawPath === '/echo') {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      if (parsed.token === SECRETS.body) {
        used.push('body token');
        body = JSON.stringify({ ...parsed, token: '[body]' });
      }
    } catch {
      // Not JSON: searched as it came.
    }
  }
  const query = rawQuery === undefined ? '' : `?${pairs.join('&')}`;
  return { text: `${request.method} ${path}${query}\n${headers.join('\n')}\n\n${body}`, used };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The requests a deployment received, as texts to search (identical requests once: the load
 * repeats them thousands of times), and how often each allowed place carried its secret.
 */
function deploymentRequests(
  name: string,
  server: Target,
  allowed: Allowed,
): { texts: Record<string, string>; used: Set<string> } {
  const distinct = new Set<string>();
  const used = new Set<string>();
  for (const request of server.requests()) {
    const sanitized = sanitizeTargetRequest(request, allowed);
    distinct.add(sanitized.text);
    for (const place of sanitized.used) used.add(place);
  }
  const texts: Record<string, string> = {};
  [...distinct].forEach((text, i) => (texts[`${name} request ${i + 1}`] = text));
  return { texts, used };
}

/** GitHub's requests: the token only as the authorization header, exactly. */
function githubRequests(github: GitHubServer): Record<string, string> {
  const texts: Record<string, string> = {};
  github.requests.forEach((q, i) => {
    const headers = Object.entries(q.headers).map(([name, value]) =>
      name === 'authorization' &&
      (value === `token ${SECRETS.token}` || value === `Bearer ${SECRETS.token}`)
        ? `${name}: [token]`
        : `${name}: ${String(value)}`,
    );
    texts[`GitHub request ${i + 1}`] =
      `${q.method} ${q.path} ${JSON.stringify(q.query)}\n${headers.join('\n')}\n\n${JSON.stringify(q.body) ?? ''}`;
  });
  return texts;
}

/** CloudWatch's requests: nothing of any secret may reach it. */
function cloudwatchRequests(cloudwatch: CloudWatchServer): Record<string, string> {
  const texts: Record<string, string> = {};
  cloudwatch.requests.forEach((q, i) => {
    texts[`CloudWatch request ${i + 1}`] =
      `${q.operation}\n${JSON.stringify(q.headers)}\n\n${JSON.stringify(q.body) ?? ''}`;
  });
  return texts;
}

/** Every file under `dir`, by its path. */
function filesUnder(dir: string, skip: (path: string) => boolean = () => false) {
  const texts: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (skip(path)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else texts[`file ${path}`] = readFileSync(path, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return texts;
}

/**
 * Everything a run's servers received, searched; and the secrets that had to travel really went
 * out, to their own deployment.
 */
function expectRequests(
  c: Case,
  servers: Servers,
): { texts: Record<string, string>; targetUsed: Set<string>; referenceUsed: Set<string> } {
  const target = deploymentRequests('target', servers.target, {
    basic: c.urlInFile ? BASIC.fileUrl : BASIC.inputUrl,
    bypass: c.urlInFile ? undefined : SECRETS.inputQuery,
  });
  const reference = deploymentRequests('reference', servers.reference, {
    basic: BASIC.baseUrl,
    bypass: SECRETS.baseQuery,
  });
  const carried = ['authorization header', 'body token', 'key query value', 'ready path'];
  expect([...target.used].sort()).toEqual(
    expect.arrayContaining(c.urlInFile ? carried : [...carried, 'protection bypass']),
  );
  if (c.sideBySide) {
    expect([...reference.used]).toEqual(expect.arrayContaining([...carried, 'protection bypass']));
  } else {
    expect(servers.reference.requests()).toEqual([]);
  }
  return {
    texts: {
      ...target.texts,
      ...reference.texts,
      ...githubRequests(servers.github),
      ...cloudwatchRequests(servers.cloudwatch),
    },
    targetUsed: target.used,
    referenceUsed: reference.used,
  };
}

function actionTexts(run: ActionRun, servers: Servers): Record<string, string> {
  return {
    stdout: visible(run.stdout),
    stderr: run.stderr,
    // The outputs file, the job summary, the event, the workspace and RUNNER_TEMP (the JSON
    // report and whatever else the run wrote).
    ...filesUnder(dirname(run.runnerTemp)),
    comments: servers.github
      .comments('acme', 'shop', 7)
      .map((c) => c.body)
      .join('\n'),
  };
}

/** The exit code, with the run's own account of itself when it is not the one expected. */
function expectExit(code: number | null, expected: number, output: string): void {
  expect(code === expected ? code : `exit code ${code}; output:\n${output}`).toBe(expected);
}

function expectMasksRegistered(run: ActionRun, c: Case): void {
  // Each secret in use was registered with the runner, which masks it in the log.
  const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
  const used: SecretName[] = ['header', 'body', 'query', 'token', 'ready'];
  used.push(c.urlInFile ? 'urlPassword' : 'inputPassword');
  if (!c.urlInFile) used.push('inputQuery');
  if (c.sideBySide) used.push('basePassword', 'baseQuery');
  // As a workflow command carries it: `%`, CR and LF escaped.
  const command = (value: string) =>
    value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  for (const name of used) expect(masks).toContain(`::add-mask::${command(SECRETS[name])}`);
}

describe('the action never prints or sends a secret', () => {
  const cases: (Case & { name: string; code: number })[] = [
    {
      name: 'passing, credentials in the budget file, a CloudWatch baseline',
      p50: '10s',
      urlInFile: true,
      cloudwatch: true,
      code: 0,
    },
    {
      name: 'failing, credentials in the budget file, a CloudWatch baseline',
      p50: '1us',
      urlInFile: true,
      cloudwatch: true,
      code: 1,
    },
    { name: 'passing, credentials in the target-url input', p50: '10s', urlInFile: false, code: 0 },
    { name: 'failing, credentials in the target-url input', p50: '1us', urlInFile: false, code: 1 },
    {
      name: 'passing, credentials and query values in the target-url and baseline-url inputs',
      p50: '10s',
      urlInFile: false,
      code: 0,
      sideBySide: true,
    },
  ];
  for (const c of cases) {
    test.concurrent(c.name, () =>
      withServers(async (servers) => {
        const run = await runAction({
          inputs: {
            'github-token': SECRETS.token,
            ...(c.urlInFile ? {} : { 'target-url': inputUrl(servers.target) }),
            ...(c.sideBySide ? { 'baseline-url': baselineUrl(servers.reference) } : {}),
          },
          env: {
            ...ENV,
            ...runnerEnv(servers.cloudwatch.url),
            GITHUB_API_URL: servers.github.url,
            RUNNER_DEBUG: '1',
          },
          files: { 'perf-budget.yml': budget(c, servers) },
        });
        expectExit(run.code, c.code, visible(run.stdout));
        expect(servers.github.comments('acme', 'shop', 7)).toHaveLength(1);
        expect(servers.github.requests.every((q) => q.token === SECRETS.token)).toBe(true);
        if (c.cloudwatch) {
          const reads = servers.cloudwatch.requests.filter((q) => q.operation === 'GetMetricData');
          expect(reads.length).toBeGreaterThan(0);
        } else expect(servers.cloudwatch.requests).toEqual([]);
        const requests = expectRequests(c, servers);
        expect(leaks({ ...actionTexts(run, servers), ...requests.texts })).toEqual([]);
        expectMasksRegistered(run, c);
      }),
    );
  }

  test.concurrent('a push run publishing to CloudWatch, comment: always', () =>
    withServers(async (servers) => {
      const c: Case = { p50: '10s', urlInFile: true, cloudwatch: true };
      const run = await runAction({
        eventName: 'push',
        event: {},
        inputs: { 'github-token': SECRETS.token, publish: 'true', comment: 'always' },
        env: {
          ...ENV,
          ...runnerEnv(servers.cloudwatch.url),
          GITHUB_API_URL: servers.github.url,
          RUNNER_DEBUG: '1',
        },
        files: { 'perf-budget.yml': budget(c, servers) },
      });
      expectExit(run.code, 0, visible(run.stdout));
      const puts = servers.cloudwatch.requests.filter((q) => q.operation === 'PutMetricData');
      expect(puts.length).toBeGreaterThan(0);
      expect(puts.every((q) => q.status === 200)).toBe(true);
      const requests = expectRequests(c, servers);
      expect(leaks({ ...actionTexts(run, servers), ...requests.texts })).toEqual([]);
      expectMasksRegistered(run, c);
    }),
  );

  test.concurrent('GitHub repeating the token in its error message', () =>
    withServers(async (servers) => {
      const c: Case = { p50: '10s', urlInFile: true };
      // 422 is not retried, so the failure comes at once; the message quotes the token back.
      servers.github.setMode({
        kind: 'server-error',
        times: 10,
        status: 422,
        message: `token ${SECRETS.token} rejected`,
      });
      const run = await runAction({
        inputs: { 'github-token': SECRETS.token },
        env: { ...ENV, GITHUB_API_URL: servers.github.url, RUNNER_DEBUG: '1' },
        files: { 'perf-budget.yml': budget(c, servers) },
      });
      expect(run.code).toBe(0); // the comment failed; the verdict stands
      expect(run.stdout).toMatch(
        /::warning::perf-gate could not .* HTTP 422: token \*\*\* rejected/,
      );
      expect(servers.github.requests.length).toBeGreaterThan(0);
      const requests = expectRequests(c, servers);
      expect(leaks({ ...actionTexts(run, servers), ...requests.texts })).toEqual([]);
    }),
  );
});

describe('the CLI never prints or sends a secret', () => {
  const cases: (Case & { name: string; code: number })[] = [
    {
      name: 'passing, credentials in the budget file, a CloudWatch baseline',
      p50: '10s',
      urlInFile: true,
      cloudwatch: true,
      code: 0,
    },
    { name: 'failing, credentials in the budget file', p50: '1us', urlInFile: true, code: 1 },
    { name: 'failing, credentials in --target-url', p50: '1us', urlInFile: false, code: 1 },
    {
      name: 'passing, credentials and query values in --target-url and --baseline-url',
      p50: '10s',
      urlInFile: false,
      code: 0,
      sideBySide: true,
    },
  ];
  cases.forEach((c, i) => {
    test.concurrent(`run --json --markdown: ${c.name}`, () =>
      withServers(async (servers) => {
        const dir = tempDir(`secrets-${i}`);
        const file = writeFile(dir, 'perf-budget.yml', budget(c, servers));
        const json = join(dir, 'report.json');
        const markdown = join(dir, 'report.md');
        const args = ['run', '--budget', file, '--json', json, '--markdown', markdown];
        if (!c.urlInFile) args.push('--target-url', inputUrl(servers.target));
        if (c.sideBySide) args.push('--baseline-url', baselineUrl(servers.reference), '--verbose');
        const run = await runCli(args, {
          env: { ...ENV, ...(c.cloudwatch ? runnerEnv(servers.cloudwatch.url) : {}) },
          timeoutMs: 60_000,
        });
        expectExit(run.code, c.code, run.stderr);
        expect(readFileSync(json, 'utf8')).toContain('"schemaVersion"');
        expect(readFileSync(markdown, 'utf8')).toContain('perf-gate');
        if (c.cloudwatch) {
          const reads = servers.cloudwatch.requests.filter((q) => q.operation === 'GetMetricData');
          expect(reads.length).toBeGreaterThan(0);
        }
        expect(servers.github.requests).toEqual([]);
        const requests = expectRequests(c, servers);
        expect(
          leaks({
            stdout: run.stdout,
            stderr: run.stderr,
            ...filesUnder(dir),
            ...requests.texts,
          }),
        ).toEqual([]);
      }),
    );
  });
});
