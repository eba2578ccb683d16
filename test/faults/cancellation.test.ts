import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateReport } from '../../src/report/validate.js';
import { runAction } from '../e2e/action-runner.js';
import { startTarget, type Target } from '../servers/target.js';
import { budgetText, errorCommands, isGone, reportOf } from './budget-text.js';

/**
 * A cancelled job: the runner sends SIGINT (cancel button) or SIGTERM. The load must stop at
 * once, the run must still write a partial report and summary marked cancelled, and exit
 * non-zero. The signal is sent once the run shows it is measuring and the target has seen load.
 */

let target: Target;
let starting: Target;

beforeAll(async () => {
  // `starting` never becomes ready: its /healthz answers 503 for an hour.
  [target, starting] = await Promise.all([startTarget(), startTarget({ readyAfterMs: 3_600_000 })]);
});
afterAll(async () => {
  await Promise.all([target?.close(), starting?.close()]);
});

interface Cancelled {
  run: Awaited<ReturnType<typeof runAction>>;
  pid: number;
  /** ms from the signal to the process's exit. */
  exitedAfterMs: number;
  /** Hits on the path when the signal was sent, 1 s after, and 2.5 s after. */
  hitsAtSignal: number;
  hitsAfter1s: number;
  hitsAfter2500ms: number;
}

async function cancelWhile(
  signal: NodeJS.Signals,
  budget: string,
  ready: (stdout: string) => boolean,
  hits: () => number,
): Promise<Cancelled> {
  let pid = 0;
  let signalledAt = 0;
  let hitsAtSignal = 0;
  const run = await runAction({
    timeoutMs: 60_000,
    inputs: { comment: 'never' },
    files: { 'perf-budget.yml': budget },
    onSpawn: (p, stdout) => {
      pid = p;
      const timer = setInterval(() => {
        if (!ready(stdout())) return;
        clearInterval(timer);
        hitsAtSignal = hits();
        signalledAt = performance.now();
        process.kill(p, signal);
      }, 25);
    },
  });
  const exitedAfterMs = performance.now() - signalledAt;
  if (signalledAt === 0)
    throw new Error(`the run ended before it could be cancelled:\n${run.stdout}`);
  await sleep(Math.max(0, signalledAt + 1000 - performance.now()));
  const hitsAfter1s = hits();
  await sleep(Math.max(0, signalledAt + 2500 - performance.now()));
  return { run, pid, exitedAfterMs, hitsAtSignal, hitsAfter1s, hitsAfter2500ms: hits() };
}

/** Twenty seconds of load on each of two endpoints, if nothing stopped it. */
const longLoad = (path: string) =>
  budgetText({
    url: target.url,
    load: '{ connections: 4, duration: 20s, warmup: 0s, timeout: 2s }',
    endpoints: [
      { name: 'first', path },
      { name: 'second', path: `${path}?second` },
    ],
  });

function expectCancelled(c: Cancelled): void {
  const { run } = c;
  expect(run.signal).toBeNull(); // it exited by itself, with a status
  expect(run.code).toBe(1);
  expect(isGone(c.pid)).toBe(true);
  expect(run.stdout).not.toMatch(/failed unexpectedly/);
  expect(errorCommands(run.stdout)).toContainEqual(
    expect.stringMatching(
      /^::error::perf-gate was cancelled; the partial results are in the job summary and the report\.$/,
    ),
  );
  expect(run.outputs.passed).toBe('false');
  expect(run.summary).toMatch(/cancelled/);
  const report = reportOf(run)!;
  expect(validateReport(report).valid).toBe(true);
  expect(report.summary.cancelled).toBe(true);
  expect(report.summary.passed).toBe(false);
  // Generous: the planned load was 40 s; the process is gone long before.
  expect(c.exitedAfterMs).toBeLessThan(10_000);
}

describe('cancelled mid-run', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test.concurrent(
      `${signal}: the load stops, a partial report and summary marked cancelled, exit 1`,
      async () => {
        // A path of its own, so the other signal's run (side by side) does not move the count.
        const path = signal === 'SIGTERM' ? '/fixed/3' : '/fixed/4';
        const hits = () => target.hits(path);
        const c = await cancelWhile(
          signal,
          longLoad(path),
          (stdout) => /::group::Measuring GET first/.test(stdout) && hits() > 0,
          hits,
        );
        expectCancelled(c);
        expect(c.run.stdout).toContain(
          `::warning::Received ${signal}: stopping the load and writing partial results.`,
        );
        // Load was running when the signal came, and no request arrived a second after it.
        expect(c.hitsAtSignal).toBeGreaterThan(0);
        expect(c.hitsAfter2500ms).toBe(c.hitsAfter1s);
        const report = reportOf(c.run)!;
        expect(report.endpoints.map((e) => e.name)).toEqual(['first']); // the second never started
        const first = report.endpoints[0]!.measurement;
        expect(first.cancelled).toBe(true);
        expect(first.durationMs).toBeLessThan(20_000);
      },
    );
  }
});

describe('cancelled while waiting for the target', () => {
  test.concurrent(
    'SIGTERM during the ready-wait: no crash, a report marked cancelled, nothing measured',
    async () => {
      const c = await cancelWhile(
        'SIGTERM',
        budgetText({
          url: starting.url,
          ready: '{ path: /healthz, timeout: 60s }',
          endpoints: [{ path: '/fixed/1' }],
        }),
        (stdout) => /waiting for .*\/healthz: attempt 1: HTTP 503/.test(stdout),
        () => starting.hits('/healthz'),
      );
      expectCancelled(c);
      expect(reportOf(c.run)!.endpoints).toEqual([]);
      expect(starting.hits('/fixed/1')).toBe(0);
      expect(c.hitsAfter2500ms).toBe(c.hitsAfter1s); // polling stopped too
    },
  );
});
