import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, writeFile } from '../cli/cli-process.js';
import { runAction, type ActionRun } from '../e2e/action-runner.js';
import { budgetText, visible } from '../faults/budget-text.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Secrets planted everywhere a user may put one: an interpolated header value, the request
 * body, a query value, the GitHub token, the ready path (a value with a space and an `@`, which
 * the URL parser percent-encodes), credentials in the target URL (from the budget file and from
 * the target-url input), a query value of the target-url input (a preview protection bypass),
 * and credentials and a query value in the baseline-url input. Passing and failing runs, of the
 * action and of the CLI, and a GitHub that repeats the token in its error. Every output is
 * searched for every secret in every spelling (raw, percent-encoded both ways, base64 of
 * `user:password`): stdout (less the `::add-mask::` lines that register them with the runner),
 * stderr, the outputs file, the job summary, the JSON report, the markdown file, and every
 * comment GitHub received. RUNNER_DEBUG is on, so the `::debug::` lines are searched too.
 */

const SECRETS = {
  header: 'hdrSecret-7Hq2Lx9Pw',
  body: 'bodySecret-K4m8Zr1Tn',
  query: 'querySecret-B3v6Yc0Ds',
  token: 'ghs_tokenSecret5Fj7Gk2Wq',
  urlPassword: 'urlPassword-N8p4Xe6Ua',
  inputPassword: 'inputPassword-R2t9Hm5Vc',
  ready: 'rdy p@ss word-X9Lm4',
  inputQuery: 'inQuery-T5b8Nc2Hy',
  basePassword: 'basePassword-W3k7Pq1Zs',
  baseQuery: 'baseQuery-J6d2Fv8Lr',
};

/** The Basic authorization each URL's credentials are sent as. */
const BASIC = {
  fileUrl: Buffer.from(`perf-bot:${SECRETS.urlPassword}`).toString('base64'),
  inputUrl: Buffer.from(`alice-ci:${SECRETS.inputPassword}`).toString('base64'),
  baseUrl: Buffer.from(`base-bot:${SECRETS.basePassword}`).toString('base64'),
};

/** The spellings a secret may take in output, worked out here, independently of perf-gate. */
function spellings(secret: string): string[] {
  const component = encodeURIComponent(secret);
  return [...new Set([secret, component, component.replace(/%20/g, '+'), encodeURI(secret)])];
}

const ENV = {
  API_TOKEN: SECRETS.header,
  BODY_SECRET: SECRETS.body,
  QUERY_KEY: SECRETS.query,
  URL_PASSWORD: SECRETS.urlPassword,
  READY_SECRET: SECRETS.ready,
};

let target: Target;
let github: GitHubServer;

beforeAll(async () => {
  [target, github] = await Promise.all([startTarget({ maxRecorded: 200_000 }), startGitHub()]);
});
afterAll(async () => {
  await Promise.all([target?.close(), github?.close()]);
});

/**
 * A budget file using every secret. `p50` decides pass or fail; `issue` keeps each run's comment
 * apart on the shared GitHub server. With `urlInFile` false the target comes from the target-url
 * input (or --target-url), credentials included.
 */
function budget(p50: string, urlInFile: boolean, id: string, sideBySide = false): string {
  // Side by side, regressions are off: a noisy runner must not decide the exit code.
  const regression = sideBySide ? ['regression: false'] : [];
  return budgetText({
    id,
    url: urlInFile
      ? `http://perf-bot:\${URL_PASSWORD}@127.0.0.1:${target.port}`
      : 'http://unused.example',
    ready: '{ path: "/healthz/${READY_SECRET}", timeout: 5s }',
    targetLines: ['headers: { authorization: "Bearer ${API_TOKEN}" }'],
    endpoints: [
      {
        name: 'create order',
        path: '/echo',
        lines: [
          'method: POST',
          'body: { token: "${BODY_SECRET}", sku: A1 }',
          `budget: { p50: ${p50} }`,
          ...regression,
        ],
      },
      {
        name: 'search',
        path: '/echo?key=${QUERY_KEY}&q=shoe',
        lines: [`budget: { p50: ${p50} }`, ...regression],
      },
    ],
  });
}

const inputUrl = () =>
  `http://alice-ci:${SECRETS.inputPassword}@127.0.0.1:${target.port}/?x-vercel-protection-bypass=${SECRETS.inputQuery}`;
const baselineUrl = () =>
  `http://base-bot:${SECRETS.basePassword}@127.0.0.1:${target.port}/?x-vercel-protection-bypass=${SECRETS.baseQuery}`;

/** Where each secret turns up in `texts`, as `secret in where: …context…`. */
function leaks(texts: Record<string, string>): string[] {
  const found: string[] = [];
  const all = [
    ...Object.entries(SECRETS).flatMap(([name, secret]) =>
      spellings(secret).map((form) => [form === secret ? name : `${name} (${form})`, form]),
    ),
    ...Object.entries(BASIC).map(([name, form]) => [`base64 credentials of ${name}`, form]),
  ];
  for (const [where, text] of Object.entries(texts)) {
    for (const [name, secret] of all) {
      const at = text.indexOf(secret);
      if (at >= 0)
        found.push(
          `${name} in ${where}: …${text.slice(Math.max(0, at - 80), at + secret.length + 20)}…`,
        );
    }
  }
  return found;
}

function read(path: string | undefined): string {
  return path && existsSync(path) ? readFileSync(path, 'utf8') : '';
}

function actionOutputs(run: ActionRun, issue: number): Record<string, string> {
  return {
    stdout: visible(run.stdout),
    stderr: run.stderr,
    outputs: JSON.stringify(run.outputs),
    summary: run.summary,
    report: read(run.outputs['report-file']),
    comments: github
      .comments('acme', 'shop', issue)
      .map((c) => c.body)
      .join('\n'),
    'comment requests': JSON.stringify(
      github.requests.filter((q) => q.path.includes(`/${issue}/`)).map((q) => q.body),
    ),
  };
}

async function action(
  p50: string,
  urlInFile: boolean,
  issue: number,
  sideBySide = false,
): Promise<ActionRun> {
  return runAction({
    event: { pull_request: { number: issue } },
    inputs: {
      'github-token': SECRETS.token,
      ...(urlInFile ? {} : { 'target-url': inputUrl() }),
      ...(sideBySide ? { 'baseline-url': baselineUrl() } : {}),
    },
    env: { ...ENV, GITHUB_API_URL: github.url, RUNNER_DEBUG: '1' },
    files: { 'perf-budget.yml': budget(p50, urlInFile, `secrets-${issue}`, sideBySide) },
  });
}

/** The secrets really went out: to the target (header, body, query), never elsewhere. */
function expectSentToTarget(): void {
  const sent = target.requests();
  expect(sent.some((r) => r.headers.authorization === `Bearer ${SECRETS.header}`)).toBe(true);
  expect(sent.some((r) => r.body.includes(SECRETS.body))).toBe(true);
  expect(sent.some((r) => r.url.includes(SECRETS.query))).toBe(true);
  // The ready path, as the URL parser spells it.
  expect(target.hits(`/healthz/${encodeURI(SECRETS.ready)}`)).toBeGreaterThan(0);
}

describe('the action never prints a secret', () => {
  const cases = [
    {
      name: 'passing, credentials in the budget file',
      p50: '10s',
      urlInFile: true,
      issue: 101,
      code: 0,
    },
    {
      name: 'failing, credentials in the budget file',
      p50: '1us',
      urlInFile: true,
      issue: 102,
      code: 1,
    },
    {
      name: 'passing, credentials in the target-url input',
      p50: '10s',
      urlInFile: false,
      issue: 103,
      code: 0,
    },
    {
      name: 'failing, credentials in the target-url input',
      p50: '1us',
      urlInFile: false,
      issue: 104,
      code: 1,
    },
    {
      name: 'passing, credentials and query values in the target-url and baseline-url inputs',
      p50: '10s',
      urlInFile: false,
      issue: 105,
      code: 0,
      sideBySide: true,
    },
  ];
  for (const c of cases) {
    test.concurrent(c.name, async () => {
      const run = await action(c.p50, c.urlInFile, c.issue, c.sideBySide);
      expect({ code: run.code, stdout: run.stdout }).toMatchObject({ code: c.code });
      expect(github.comments('acme', 'shop', c.issue)).toHaveLength(1);
      expect(leaks(actionOutputs(run, c.issue))).toEqual([]);
      // Each secret in use was registered with the runner, which masks it in the log.
      const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
      const used = [SECRETS.header, SECRETS.body, SECRETS.query, SECRETS.token];
      used.push(SECRETS.ready);
      used.push(c.urlInFile ? SECRETS.urlPassword : SECRETS.inputPassword);
      if (!c.urlInFile) used.push(SECRETS.inputQuery);
      if (c.sideBySide) used.push(SECRETS.basePassword, SECRETS.baseQuery);
      for (const secret of used) expect(masks).toContain(`::add-mask::${secret}`);
      expectSentToTarget();
    });
  }

  test.concurrent('GitHub repeating the token in its error message', async () => {
    const gh = await startGitHub();
    try {
      // 422 is not retried, so the failure comes at once; the message quotes the token back.
      gh.setMode({
        kind: 'server-error',
        times: 10,
        status: 422,
        message: `token ${SECRETS.token} rejected`,
      });
      const run = await runAction({
        inputs: { 'github-token': SECRETS.token },
        env: { ...ENV, GITHUB_API_URL: gh.url },
        files: { 'perf-budget.yml': budget('10s', true, 'secrets-gh') },
      });
      expect(run.code).toBe(0); // the comment failed; the verdict stands
      expect(run.stdout).toMatch(
        /::warning::perf-gate could not .* HTTP 422: token \*\*\* rejected/,
      );
      expect(
        leaks({
          stdout: visible(run.stdout),
          stderr: run.stderr,
          summary: run.summary,
          report: read(run.outputs['report-file']),
        }),
      ).toEqual([]);
    } finally {
      await gh.close();
    }
  });
});

describe('the CLI never prints a secret', () => {
  const dir = tempDir('secrets');
  const cases = [
    { name: 'passing, credentials in the budget file', p50: '10s', urlInFile: true, code: 0 },
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
    test.concurrent(`run --json --markdown: ${c.name}`, async () => {
      const file = writeFile(
        dir,
        `budget-${i}.yml`,
        budget(c.p50, c.urlInFile, `cli-${i}`, c.sideBySide),
      );
      const json = join(dir, `report-${i}.json`);
      const markdown = join(dir, `report-${i}.md`);
      const args = ['run', '--budget', file, '--json', json, '--markdown', markdown];
      if (!c.urlInFile) args.push('--target-url', inputUrl());
      if (c.sideBySide) args.push('--baseline-url', baselineUrl(), '--verbose');
      const run = await runCli(args, { env: ENV, timeoutMs: 60_000 });
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: c.code });
      expect(read(json)).toContain('"schemaVersion"');
      expect(read(markdown)).toContain('perf-gate');
      expect(
        leaks({
          stdout: run.stdout,
          stderr: run.stderr,
          json: read(json),
          markdown: read(markdown),
        }),
      ).toEqual([]);
      expectSentToTarget();
    });
  });
});
