import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';
import type { Report } from '../../src/report/report.js';
import { runAction } from './action-runner.js';

/**
 * Verdicts a target cannot fool, through the bundled action (`node dist/index.js`): interim
 * responses and fast errors used to pass budgets the real responses break.
 */

let target: Target;
let github: GitHubServer;

beforeAll(async () => {
  target = await startTarget();
  github = await startGitHub();
});
afterAll(async () => {
  await target?.close();
  await github?.close();
});
beforeEach(() => {
  github.reset();
  target.reset();
});

function budgetFile(load: string, path: string, budget: string): string {
  return [
    'version: 1',
    'id: api',
    'target:',
    '  url: ${PREVIEW_URL}',
    'defaults:',
    `  load: { ${load}, warmup: 0s, timeout: 2s }`,
    'confirm: false',
    'endpoints:',
    '  - name: tricky',
    `    path: ${path}`,
    `    budget: ${budget}`,
    '',
  ].join('\n');
}

async function run(file: string) {
  const r = await runAction({
    inputs: { 'github-token': 'ghs_e2eToken', comment: 'never' },
    env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url },
    files: { 'perf-budget.yml': file },
  });
  const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as Report;
  return { r, report, findings: report.endpoints[0].findings };
}

describe('verdicts that cannot be fooled', () => {
  test('103 Early Hints at once and the 200 after 300 ms: the p50 is the final response’s, over a 100 ms budget', async () => {
    const { r, report, findings } = await run(
      budgetFile('connections: 4, duration: 2s', '/interim/103/300', '{ p50: 100ms }'),
    );
    // Before: ~7,000 "requests", p50 0.007 ms, half of them errors "HTTP 103", passed.
    const m = report.endpoints[0].measurement;
    expect(m.errors).toBe(0);
    expect(m.requests).toBeLessThanOrEqual(4 * Math.ceil(2000 / 300) + 4);
    expect(m.latency.p50).toBeGreaterThanOrEqual(299);
    expect(findings[0]).toMatchObject({ metric: 'p50', verdict: 'budget-exceeded' });
    expect(r.outputs.passed).toBe('false');
    expect(r.code).toBe(1);
  });

  test('503 nine times in ten, fast: min-rps and p95 are judged on the successful responses and fail', async () => {
    // The successes take 10, 20, ... 100 ms in turn (p95 ~100 ms, ~130 per second over 8
    // connections); the 503s come at once. Counting the 503s, throughput is ~10 times higher
    // and the p95 falls to the successes' median (~55 ms): both budgets passed.
    const { r, report, findings } = await run(
      budgetFile(
        'connections: 8, duration: 3s',
        '/ok-every/10?delay=10&spread=10',
        '{ min-rps: 400, p95: 80ms }',
      ),
    );
    const m = report.endpoints[0].measurement;
    expect(Math.abs(m.errorRate - 0.9)).toBeLessThanOrEqual(0.02);
    expect(m.throughput).toBeLessThan(400);
    expect(m.errorLatency!.p95).toBeLessThan(80);
    const byMetric = Object.fromEntries(findings.map((f) => [f.metric, f]));
    expect(byMetric['min-rps']).toMatchObject({ verdict: 'budget-exceeded' });
    expect(byMetric.p95).toMatchObject({ verdict: 'budget-exceeded' });
    expect(byMetric.p95.current).toBeGreaterThan(80);
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs.violations).toBe('2');
    expect(r.code).toBe(1);
  });
});

/** A raw HTTP server on loopback: `answer` writes the whole response to each request's socket. */
async function rawTarget(
  answer: (socket: Socket) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      // Answer each request (the ready probe included) once its headers are in.
      if (chunk.includes('\r\n\r\n')) setTimeout(() => answer(socket), 2);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('messages', () => {
  async function runOn(url: string) {
    const r = await runAction({
      inputs: { 'github-token': 'ghs_e2eToken', comment: 'never' },
      env: { PREVIEW_URL: url, GITHUB_API_URL: github.url },
      files: {
        'perf-budget.yml': budgetFile('connections: 2, duration: 1s', '/raw', '{ p50: 1s }'),
      },
    });
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as Report;
    return { r, report };
  }

  test('an HTTP/1.0 body that ends when the connection closes is measured, and passes', async () => {
    const raw = await rawTarget((socket) =>
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close'),
    );
    try {
      const { r, report } = await runOn(raw.url);
      // Before: "no request was completed in the load time", exit 1.
      expect(r.stdout).not.toContain('no request was completed');
      const m = report.endpoints[0].measurement;
      expect(m.requests).toBeGreaterThan(10);
      expect(m.errors).toBe(0);
      expect(r.outputs.passed).toBe('true');
      expect(r.code).toBe(0);
    } finally {
      await raw.close();
    }
  });

  test('a body shorter than its Content-Length is named as such, not "HTTP undefined"', async () => {
    const raw = await rawTarget((socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntwenty bytes, not 100'),
    );
    try {
      const { r, report } = await runOn(raw.url);
      expect(r.stdout).not.toContain('HTTP undefined');
      expect(r.stdout).toMatch(/response ended before its Content-Length ×\d+/);
      expect(report.endpoints[0].measurement.errorBreakdown.connection).toEqual({
        'response ended before its Content-Length': report.endpoints[0].measurement.requests,
      });
      expect(r.code).toBe(1);
    } finally {
      await raw.close();
    }
  });
});
