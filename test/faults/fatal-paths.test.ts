import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTarget, type Target } from '../servers/target.js';
import { runAction } from '../e2e/action-runner.js';
import { watchHeap, type HeapReading } from '../../src/measure/heap-watchdog.js';

/**
 * The fatal paths still leave the step its outputs and summary (issue "Hardening", case 7): an
 * error nobody can catch, and a heap that fills while load runs (stopped before V8 dies).
 * Through the bundled action (`npm run build` first), with the fault preloaded into the process
 * (NODE_OPTIONS=--import), the way test/faults/fake-dns.mjs fakes name lookups.
 */

const preload = (name: string) =>
  `--import ${pathToFileURL(resolve(import.meta.dirname, name)).href}`;

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target.close();
});

const budget = [
  'version: 1',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 8, duration: 20s, warmup: 0s }',
  'confirm: false',
  // The fixed design: the endpoint must run its whole duration for the heap to fill, and a
  // budget this far off would otherwise be settled, and the load stopped, after 5 s.
  'adaptive: false',
  'endpoints:',
  '  - name: list',
  '    path: /fixed/2',
  '    budget: { p95: 1s }',
  '',
].join('\n');

describe('fatal paths', () => {
  test('an uncaught error mid-run: outputs, summary and one failure, no stack trace', async () => {
    const run = await runAction({
      timeoutMs: 40_000,
      inputs: { comment: 'never' },
      env: { PREVIEW_URL: target.url, NODE_OPTIONS: preload('throw-later.mjs') },
      files: { 'perf-budget.yml': budget },
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::perf-gate failed unexpectedly: simulated fault in a library callback',
    );
    expect(run.outputs.passed).toBe('false');
    expect(run.summary).toContain('perf-gate stopped on an internal error');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test('a heap filling under load: the load stops before V8 runs out, and the run reports', async () => {
    const run = await runAction({
      timeoutMs: 50_000,
      inputs: { comment: 'never' },
      env: {
        PREVIEW_URL: target.url,
        NODE_OPTIONS: `--max-old-space-size=192 ${preload('leak-under-load.mjs')}`,
      },
      files: { 'perf-budget.yml': budget },
    });
    expect(run.signal).toBeNull();
    expect(run.stderr).not.toContain('heap out of memory');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::warning::perf-gate stopped the load: the process used \d+ MiB of its 192 MiB heap/,
    );
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs['report-file']).toBeDefined();
    expect(run.summary.length).toBeGreaterThan(0);
  });
});

describe('the heap watchdog', () => {
  test('acts once, after readings in a row above the share, never on a lone spike', async () => {
    const used = [50, 80, 50, 80, 80, 80, 80];
    const readings: HeapReading[] = [];
    const calls: HeapReading[] = [];
    let i = 0;
    const stop = watchHeap((r) => calls.push(r), {
      everyMs: 5,
      readings: 2,
      share: 0.75,
      read: () => {
        const r = { oldUsed: used[Math.min(i++, used.length - 1)]!, oldLimit: 100 };
        readings.push(r);
        return r;
      },
    });
    // Until it fires (a starved runner may take long to give it five readings), then a while
    // longer: a watch that stopped takes no more readings.
    for (const deadline = Date.now() + 20_000; calls.length === 0 && Date.now() < deadline;) {
      await new Promise((done) => setTimeout(done, 10));
    }
    await new Promise((done) => setTimeout(done, 100));
    stop();
    expect(calls).toEqual([{ oldUsed: 80, oldLimit: 100 }]);
    // The spike at the 2nd reading passed; the 4th and 5th in a row set it off, and it stopped.
    expect(readings).toHaveLength(5);
  });
});
