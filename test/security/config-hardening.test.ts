import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-process.js';
import { runAction, type ActionRun } from '../e2e/action-runner.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * A pull request edits the budget file; the bundled action (and the CLI, as a process) must
 * refuse what would let it aim load elsewhere, run longer than max-duration, flood the job with
 * annotations, or echo a file that is not a budget file. Issue "Hardening", cases 3, 4, 9, 11
 * and 12, and issue "Verdicts that cannot be fooled", cases 5 and 6c. Every refusal is an error
 * annotation on the file's line and column, before any request reaches the loopback target.
 */

let target: Target;
let env: Record<string, string>;

beforeAll(async () => {
  target = await startTarget();
  env = { TARGET_URL: target.url };
});
afterAll(async () => {
  await target?.close();
});

const HEAD = 'version: 1\ntarget:\n  url: ${TARGET_URL}\n';
const ANNOTATION = '::error title=perf-gate%3A invalid budget file,file=perf-budget.yml,';

function annotations(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith(ANNOTATION));
}

/** Runs the action on `budget`; expects it refused with `located` among its annotations. */
async function refused(
  budget: string,
  located: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runAction({
    inputs: { comment: 'never', ...inputs },
    env,
    files: { 'perf-budget.yml': budget },
  });
  expect(run.code).toBe(1);
  expect(run.outputs.passed).toBe('false');
  expect(annotations(run).join('\n')).toContain(`${ANNOTATION}${located}`);
  return run;
}

describe('case 3: a budget file may not choose the Host or manage connections', () => {
  test.concurrent('a Host header is refused even when the workflow sets target-url', async () => {
    await refused(
      `${HEAD}  headers:\n    Host: admin.internal\nendpoints:\n  - path: /echo\n`,
      'line=5,col=5::target.headers: header "host" is refused: it chooses where the request goes',
      { 'target-url': target.url },
    );
  });

  test.concurrent('hop-by-hop headers are refused, each at its key', async () => {
    const run = await refused(
      `${HEAD}endpoints:\n  - path: /echo\n    headers:\n      connection: close\n      upgrade: h2c\n      te: trailers\n      proxy-authorization: Basic eA==\n      x-forwarded-host: admin.internal\n`,
      'line=7,col=7::endpoints[0].headers: header "connection" is refused: it is a hop-by-hop header',
    );
    expect(annotations(run).map((l) => /line=(\d+),col=(\d+)/.exec(l)!.slice(1).join(':'))).toEqual(
      ['7:7', '8:7', '9:7', '10:7', '11:7'],
    );
  });
});

describe('case 12: paths stay under the target path, names read differently', () => {
  test.concurrent.each([
    ['/echo/../../prod/admin'],
    ['/echo/%2e%2e/%2e%2e/prod/admin'],
    ['/echo/..%2f..%2fprod/admin'],
    ['"/echo\\\\..\\\\..\\\\prod"'],
  ])('path %s is refused', async (path) => {
    await refused(
      `version: 1\ntarget:\n  url: \${TARGET_URL}/app/\nendpoints:\n  - path: ${path}\n`,
      'line=5,col=11::endpoints[0].path: ',
    );
    expect(target.hits()).toBe(0);
  });

  test.concurrent(
    'names differing by a zero-width space or a Cyrillic letter are refused',
    async () => {
      const run = await refused(
        `${HEAD}endpoints:\n  - name: checkout\n    path: /echo\n  - name: "check\u200Bout"\n    path: /fixed/1\n  - name: "сheckout"\n    path: /fixed/2\n`,
        'line=7,col=11::endpoints[1].name: endpoint name "check\\u{200B}out" reads the same as "checkout" on line 5',
      );
      expect(annotations(run).join('\n')).toContain(
        'line=9,col=11::endpoints[2].name: endpoint name "\\u{441}heckout" reads the same as "checkout" on line 5',
      );
    },
  );
});

describe('case 4: max-duration is the load as run', () => {
  test.concurrent('20 endpoints of 1 ms under max-duration 1s are refused', async () => {
    const endpoints = Array.from({ length: 20 }, (_, i) => `  - path: /fixed/${i}\n`).join('');
    await refused(
      `${HEAD}defaults:\n  load: { duration: 1ms, warmup: 0s }\nendpoints:\n${endpoints}`,
      'line=5,col=21::defaults.load.duration: expected a duration of at least 1s',
      { 'max-duration': '1s' },
    );
  });

  test.concurrent(
    'side by side, rounds of whole ticks count, not the written durations',
    async () => {
      const endpoints = Array.from({ length: 10 }, (_, i) => `  - path: /fixed/${i}\n`).join('');
      await refused(
        `${HEAD}defaults:\n  load: { duration: 1.5s, warmup: 10ms }\nendpoints:\n${endpoints}`,
        'line=6,col=1::endpoints: the endpoints ask for 34s of load',
        { 'max-duration': '31s', 'baseline-url': target.url },
      );
    },
  );

  test.concurrent('more than 200 endpoints are refused', async () => {
    const endpoints = Array.from({ length: 201 }, (_, i) => `  - path: /fixed/${i}\n`).join('');
    await refused(
      `${HEAD}defaults:\n  load: { duration: 1s, warmup: 0s }\nendpoints:\n${endpoints}`,
      'line=6,col=1::endpoints: expected at most 200 endpoints, found 201',
      { 'max-duration': '1h' },
    );
  });
});

describe('cases 5 and 6c (verdicts): timeouts and stray spaces', () => {
  test.concurrent('a request timeout of 30d is refused', async () => {
    await refused(
      `${HEAD}endpoints:\n  - path: /fixed/1\n    load: { timeout: 30d }\n`,
      'line=6,col=22::endpoints[0].load.timeout: expected a request timeout of at most 10m',
    );
  });

  test.concurrent('a ready timeout over max-duration is refused', async () => {
    await refused(
      `${HEAD}  ready: { path: /healthz, timeout: 1h }\nendpoints:\n  - path: /fixed/1\n`,
      'line=4,col=37::target.ready.timeout: expected a ready timeout of at most the max-duration (15m)',
    );
  });

  test.concurrent('p95: " 100ms" gets the latency message', async () => {
    const run = await refused(
      `${HEAD}endpoints:\n  - path: /fixed/1\n    budget: { p95: " 100ms" }\n`,
      'line=6,col=20::endpoints[0].budget.p95: expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found " 100ms" (remove the spaces around it)',
    );
    expect(run.stdout).not.toContain('must be number');
  });
});

describe('case 9: 20,000 problems', () => {
  test('at most 50 annotations, a summary far under 1 MiB that counts the rest', async () => {
    const endpoints = Array.from(
      { length: 20_000 },
      (_, i) => `  - path: /fixed/${i}\n    budget: { p59: 1ms }\n`,
    ).join('');
    const run = await refused(
      `${HEAD}endpoints:\n${endpoints}`,
      'line=4,col=1::endpoints: expected at most 200 endpoints, found 20000',
    );
    expect(annotations(run)).toHaveLength(50);
    expect(Buffer.byteLength(run.summary)).toBeLessThan(64 * 1024);
    expect(run.summary).toContain('the budget file has 20,001 problems');
    expect(run.summary).toContain('... and 19,951 more');
    expect(run.stdout).toContain(
      '::error::perf-budget.yml: 20,001 problems in the budget file (50 shown as annotations, and 19,951 more); nothing was measured.',
    );
  }, 120_000);
});

describe('case 11: the budget file is a regular file inside the workspace', () => {
  const SECRET = 'hunter2-do-not-echo-0123456789';

  /** A workspace whose perf-budget.yml is a symlink to `to`. */
  function workspaceLinkingTo(to: string): string {
    const workspace = mkdtempSync(join(tmpdir(), 'perf-gate-link-'));
    symlinkSync(to, join(workspace, 'perf-budget.yml'));
    return workspace;
  }

  test.concurrent(
    'a symlink to /proc/self/environ is refused, and nothing of it is echoed',
    async () => {
      const run = await runAction({
        inputs: { comment: 'never' },
        env: { ...env, SECRET_TOKEN: SECRET },
        workspace: workspaceLinkingTo('/proc/self/environ'),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '::error::perf-budget.yml: 1 problem in the budget file; nothing was measured.',
      );
      expect(run.stdout).toContain('is outside the workspace once symlinks are resolved');
      for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain('SECRET_TOKEN=');
      }
    },
  );

  test.concurrent('a symlink to a valid budget file outside the workspace is refused', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'perf-gate-outside-'));
    writeFileSync(join(outside, 'b.yml'), `${HEAD}endpoints:\n  - path: /fixed/1\n`);
    const run = await runAction({
      inputs: { comment: 'never' },
      env,
      workspace: workspaceLinkingTo(join(outside, 'b.yml')),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is outside the workspace once symlinks are resolved');
    expect(target.hits('/fixed/1')).toBe(0);
  });

  test.concurrent('a file in the workspace that is not YAML is not quoted back', async () => {
    const run = await runAction({
      inputs: { comment: 'never' },
      env,
      files: { 'perf-budget.yml': `SECRET_TOKEN=${SECRET}\n` },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'line=1,col=1::expected a mapping (keys such as version, target, endpoints) at the top level, found text',
    );
    expect(run.stdout + run.summary).not.toContain(SECRET);
  });

  test('the CLI in a job (GITHUB_WORKSPACE set) refuses the same symlink', async () => {
    const workspace = workspaceLinkingTo('/proc/self/environ');
    const run = await runCli(['validate', join(workspace, 'perf-budget.yml')], {
      env: { GITHUB_WORKSPACE: workspace, SECRET_TOKEN: SECRET },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'perf-budget.yml: is outside the workspace once symlinks are resolved',
    );
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  test('the CLI anywhere refuses a special file that reports no size', async () => {
    const run = await runCli(['validate', '/proc/self/environ'], {
      env: { SECRET_TOKEN: SECRET },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a special file');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});

describe('the CLI as a process', () => {
  test('validate refuses a Host header and a path out of the prefix, located', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-hardening-'));
    writeFileSync(
      join(dir, 'b.yml'),
      `version: 1\ntarget:\n  url: http://127.0.0.1:9/app/\n  headers: { host: admin.internal }\nendpoints:\n  - path: /echo/../../prod/admin\n`,
    );
    const run = await runCli(['validate', join(dir, 'b.yml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${join(dir, 'b.yml')}:4:14 target.headers: header "host" is refused`,
    );
    expect(run.stderr).toContain(
      `${join(dir, 'b.yml')}:6:11 endpoints[0].path: "/echo/../../prod/admin" leaves the target's path /app`,
    );
  });
});
