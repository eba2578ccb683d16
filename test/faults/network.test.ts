import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateReport } from '../../src/report/validate.js';
import { closedPort } from '../cli/cli-process.js';
import { runAction, type ActionRun, type ActionRunOptions } from '../e2e/action-runner.js';
import {
  startHostile,
  startSilent,
  type HostileServer,
  type SilentServer,
} from '../servers/hostile.js';
import { startTarget, type Target } from '../servers/target.js';
import { budgetText, errorCommands, isGone, reportOf, type BudgetOptions } from './budget-text.js';
import { watchPeakRss } from './process-memory.js';

/**
 * The bundled action (`node dist/index.js`, as a runner starts it) against deployments that
 * fail in every way a network can: nothing listening, no such host, resets, silence, slowness,
 * errors only, redirect loops, huge bodies. Each run must end by itself with a clear message and
 * the right exit code, and still leave a job summary and a valid report where one can be written.
 * The runs are independent, so they run side by side; each uses its own paths on the shared
 * servers, so hit counts stay attributable.
 */

let target: Target;
let hostile: HostileServer;
let silent: SilentServer;

beforeAll(async () => {
  [target, hostile, silent] = await Promise.all([startTarget(), startHostile(), startSilent()]);
});
afterAll(async () => {
  await Promise.all([target?.close(), hostile?.close(), silent?.close()]);
});

const FAKE_DNS = pathToFileURL(resolve(import.meta.dirname, 'fake-dns.mjs')).href;

interface Run extends ActionRun {
  pid: number;
}

async function gate(budget: BudgetOptions, extra: ActionRunOptions = {}): Promise<Run> {
  let pid = 0;
  const run = await runAction({
    timeoutMs: 60_000,
    ...extra,
    inputs: { comment: 'never', ...extra.inputs },
    files: { 'perf-budget.yml': budgetText(budget) },
    onSpawn: (p, stdout) => {
      pid = p;
      extra.onSpawn?.(p, stdout);
    },
  });
  return { ...run, pid };
}

/** A run that could not measure: exit 1 by itself, the reason in one error, summary and report written. */
function expectCouldNotMeasure(run: Run, reason: RegExp): void {
  expect(run.signal).toBeNull(); // ended by itself, not killed by the harness
  expect(run.code).toBe(1);
  expect(isGone(run.pid)).toBe(true);
  const failure = errorCommands(run.stdout).find((line) => line.startsWith('::error::'));
  expect(failure).toMatch(/^::error::perf-gate could not measure: /);
  expect(failure).toMatch(reason);
  expect(run.outputs.passed).toBe('false');
  expect(run.summary).toMatch(/❌/);
  const report = reportOf(run);
  expect(report).toBeDefined();
  expect(validateReport(report).valid).toBe(true);
  expect(report!.summary.passed).toBe(false);
  expect(report!.summary.errors?.map((e) => e.message).join('\n')).toMatch(reason);
  expect(run.stdout).not.toMatch(/failed unexpectedly/);
  expect(run.stdout).not.toMatch(/\n\s+at /); // no stack trace
}

describe('the target cannot be reached', () => {
  test.concurrent(
    'nothing listens: fails at once with ECONNREFUSED, even without a ready path',
    async () => {
      const port = await closedPort();
      const run = await gate({
        url: `http://127.0.0.1:${port}`,
        // Without the reachability check this would spin for a minute of refused connections.
        load: '{ connections: 2, duration: 60s, warmup: 0s, timeout: 1s }',
        endpoints: [{ path: '/api' }],
      });
      expectCouldNotMeasure(
        run,
        /target http:\/\/127\.0\.0\.1:\d+\/ cannot be reached: ECONNREFUSED/,
      );
      expect(run.summary).toContain('ECONNREFUSED');
      expect(reportOf(run)!.endpoints).toEqual([]);
    },
  );

  test.concurrent(
    'a host name that does not resolve (lookup failed in-process): ENOTFOUND on the ready path and under load',
    async () => {
      const dnsLog = join(mkdtempSync(join(tmpdir(), 'perf-gate-dns-')), 'lookups');
      const env = { NODE_OPTIONS: `--import ${FAKE_DNS}`, FAKE_DNS_LOG: dnsLog };
      const url = `http://preview.perf-gate.invalid:${target.port}`;
      const [ready, load] = await Promise.all([
        gate(
          { url, ready: '{ path: /healthz, timeout: 1s }', endpoints: [{ path: '/fixed/1' }] },
          { env },
        ),
        gate(
          {
            url,
            load: '{ connections: 2, duration: 60s, warmup: 0s, timeout: 1s }',
            endpoints: [{ path: '/fixed/1' }],
          },
          { env },
        ),
      ]);
      expectCouldNotMeasure(
        ready,
        /target http:\/\/preview\.perf-gate\.invalid:\d+\/healthz did not answer 2xx within 1s: last attempt: ENOTFOUND/,
      );
      expectCouldNotMeasure(
        load,
        /target http:\/\/preview\.perf-gate\.invalid:\d+\/ cannot be reached: ENOTFOUND/,
      );
      // The name went to the fake resolver, and nothing reached the target.
      expect(readFileSync(dnsLog, 'utf8')).toMatch(/^preview\.perf-gate\.invalid$/m);
      expect(target.hits('/fixed/1') + target.hits('/healthz')).toBe(0);
    },
  );
});

describe('the target misbehaves under load', () => {
  test.concurrent(
    'connections reset mid-run: counted as errors, the error-rate budget fails the step',
    async () => {
      const run = await gate({
        url: target.url,
        budget: '{ error-rate: 1% }',
        endpoints: [{ name: 'flaky', path: '/reset-every/4?delay=1' }],
      });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      const report = reportOf(run)!;
      const m = report.endpoints[0]!.measurement;
      expect(m.errorBreakdown.resets).toBeGreaterThan(0);
      expect(m.requests - m.errors).toBeGreaterThan(0);
      expect(report.summary.errors).toBeUndefined(); // measured, not "could not measure"
      expect(run.stdout).toMatch(
        /::error title=perf-gate%3A flaky,file=perf-budget.yml,line=\d+::flaky: error rate /,
      );
      expect(run.stdout).toMatch(/::error::perf-gate failed: 1 endpoint\(s\), 1 budget violation/);
    },
  );

  test.concurrent(
    'a server that accepts and never answers: the reachability check times out, no load is sent',
    async () => {
      const run = await gate({ url: silent.url, endpoints: [{ path: '/api' }] });
      // A first connection that stalls says nothing of what later ones reach: not "reachable".
      expectCouldNotMeasure(run, /cannot be reached: timed out after 1s/);
      expect(silent.connections()).toBeGreaterThan(0);
    },
  );

  test.concurrent(
    'a server that never answers the ready path: gives up at target.ready.timeout',
    async () => {
      const run = await gate({
        url: silent.url,
        ready: '{ path: /healthz, timeout: 1s }',
        endpoints: [{ path: '/api' }],
      });
      expectCouldNotMeasure(run, /did not answer 2xx within 1s: last attempt: timed out after 1s/);
    },
  );

  test.concurrent(
    'an endpoint slower than every timeout fails the run; the others are still measured',
    async () => {
      const run = await gate({
        url: hostile.url,
        ready: '{ path: /slow/1, timeout: 2s }',
        endpoints: [
          { name: 'quick', path: '/slow/2' },
          // Three times the 1 s timeout: its requests time out well inside the load time, also
          // on a busy machine (at a 1 s duration the run could end before the first did).
          { name: 'stuck', path: '/slow/4000', lines: ['load: { duration: 3s }'] },
        ],
      });
      expectCouldNotMeasure(
        run,
        /stuck: could not be measured: none of its \d+ requests succeeded \(\d+ timed out\)/,
      );
      const report = reportOf(run)!;
      expect(report.endpoints.map((e) => e.name)).toEqual(['quick', 'stuck']);
      const quick = report.endpoints[0]!.measurement;
      expect(quick.requests).toBeGreaterThan(10);
      expect(quick.errors).toBe(0);
      const stuck = report.endpoints[1]!.measurement;
      expect(stuck.errorBreakdown.timeouts).toBe(stuck.requests);
      // A timed-out request is recorded at the timeout, never below it.
      expect(stuck.latency.p50).toBeGreaterThanOrEqual(1000);
    },
  );

  test.concurrent('100% server errors fail the run even with fail-on none', async () => {
    const run = await gate(
      { url: hostile.url, endpoints: [{ path: '/fail' }] },
      { inputs: { 'fail-on': 'none' } },
    );
    expectCouldNotMeasure(run, /none of its \d+ requests succeeded \(HTTP 500 ×\d+\)/);
    expect(hostile.hits('/fail')).toBeGreaterThan(10);
  });

  test.concurrent(
    'a redirect loop on an endpoint: redirects are not followed under load, every 302 is an error',
    async () => {
      const run = await gate({
        url: hostile.url,
        endpoints: [{ path: '/redirect-loop?endpoint' }],
      });
      expectCouldNotMeasure(run, /none of its \d+ requests succeeded \(HTTP 302 ×\d+\)/);
    },
  );

  test.concurrent(
    'a redirect loop on the ready path: a few redirects, then the next attempt',
    async () => {
      const run = await gate({
        url: hostile.url,
        ready: '{ path: /redirect-loop, timeout: 1s }',
        endpoints: [{ path: '/slow/1' }],
      });
      expectCouldNotMeasure(
        run,
        /last attempt: HTTP 302: more than 5 redirects \(a redirect loop\?\)/,
      );
    },
  );

  test.concurrent(
    'a ready path redirecting to another origin is not followed (the headers would go with it)',
    async () => {
      const run = await gate({
        url: hostile.url,
        ready: '{ path: /redirect-away, timeout: 1s }',
        targetLines: ['headers: { x-api-key: not-for-others }'],
        endpoints: [{ path: '/slow/1' }],
      });
      expectCouldNotMeasure(
        run,
        /last attempt: HTTP 302 redirect to another origin \(http:\/\/localhost:\d+\/healthz\), not followed/,
      );
      // The other origin is this same server under another name: a followed redirect would be a hit.
      expect(hostile.hits('/healthz')).toBe(0);
    },
  );
});

describe('huge and endless bodies', () => {
  test.concurrent('50 MB responses are measured, and memory stays bounded', async () => {
    // Its own server: the byte count must be this run's alone, not the concurrent tests'.
    const own = await startHostile();
    let stop: () => number = () => 0;
    const run = await gate(
      {
        url: own.url,
        load: '{ connections: 1, duration: 1s, warmup: 0s, timeout: 5s }',
        endpoints: [{ name: 'download', path: '/big/50' }],
      },
      { onSpawn: (pid) => (stop = watchPeakRss(pid)) },
    );
    const peak = stop();
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    const m = reportOf(run)!.endpoints[0]!.measurement;
    expect(m.requests).toBeGreaterThan(0);
    expect(m.errors).toBe(0);
    const sent = own.bytesSent();
    await own.close();
    // Every measured response was sent in full (aborted ones on stop may add some).
    expect(sent).toBeGreaterThanOrEqual(m.requests * 50 * 1024 * 1024);
    // Bodies are counted, never kept (client-repairs.ts), so 50 MB responses cost no more memory
    // than small ones: well under what holding even one body as a string would add.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(250 * 1024 * 1024);
  });

  test.concurrent(
    'a ready path answering 200 with a 50 MB or an endless body is ready at once',
    async () => {
      const [big, endless] = await Promise.all(
        ['/big/50', '/endless'].map((path) =>
          gate({
            url: hostile.url,
            ready: `{ path: ${path}, timeout: 3s }`,
            endpoints: [{ path: '/slow/1' }],
          }),
        ),
      );
      for (const run of [big, endless]) {
        expect(run.signal).toBeNull();
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/is ready after \d+(ms|\.\ds|s) \(1 attempt\)/);
      }
    },
  );
});
