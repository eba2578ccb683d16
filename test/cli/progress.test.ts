import { describe, expect, test } from '@jest/globals';
import { Output, type CliContext } from '../../src/cli/output.js';
import { createProgress, progressLine } from '../../src/cli/progress.js';

/** Progress on stderr: a redrawn line on a terminal, plain lines in CI logs, secrets masked in both. */

function capture(isTTY: boolean, env: Record<string, string> = {}) {
  let stderr = '';
  const context: CliContext = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text), isTTY, columns: 60 },
    env,
  };
  return { output: new Output(context), text: () => stderr };
}

const tick = (elapsedMs: number, requests: number) => ({
  elapsedMs,
  totalMs: 2000,
  requests,
  p95: 12.34,
});

async function measureTwoTicks(output: Output): Promise<void> {
  const progress = createProgress(output);
  await progress.log.group('Measuring GET orders', () => {
    progress.onProgress('orders', tick(1000, 150));
    progress.log.info('a log line in between');
    progress.onProgress('orders', tick(2000, 300));
    return Promise.resolve();
  });
}

describe('CLI progress', () => {
  test('on a terminal: one line per endpoint, redrawn in place, kept when done', async () => {
    const { output, text } = capture(true);
    await measureTwoTicks(output);
    const shown = text();
    expect(shown).toContain('\r\x1b[2K  orders  [#####-----]  1s/2s  150 requests  p95 12 ms');
    expect(shown).toContain('\r\x1b[2K  orders  [##########]  2s/2s  300 requests  p95 12 ms\n');
    // The log line is printed above the live line, which is then drawn again.
    // eslint-disable-next-line no-control-regex
    expect(shown).toMatch(/\r\x1b\[2Ka log line in between\n\r\x1b\[2K {2}orders/);
    // What remains on screen once carriage returns have done their work: the heading, the log
    // line, and the endpoint's last state.
    const screen = shown
      .split('\n')
      .map((line) => line.split('\r').at(-1)!.replaceAll('\x1b[2K', ''));
    expect(screen).toEqual([
      'Measuring GET orders',
      'a log line in between',
      '  orders  [##########]  2s/2s  300 requests  p95 12 ms',
      '',
    ]);
  });

  test('in CI or when piped: plain lines only, no escape codes', async () => {
    for (const { output, text } of [capture(true, { CI: 'true' }), capture(false)]) {
      await measureTwoTicks(output);
      expect(text()).toBe('Measuring GET orders\na log line in between\n');
    }
  });

  test('a long line is cut to the terminal width; secrets are masked', () => {
    const { output, text } = capture(true);
    output.mask(['s3cret-tenant']);
    const progress = createProgress(output);
    progress.onProgress(`orders of s3cret-tenant ${'x'.repeat(80)}`, tick(500, 10));
    progress.settle();
    const line = text().split('\r\x1b[2K').at(-1)!.replace(/\n$/, '');
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line.endsWith('…')).toBe(true);
    expect(text()).not.toContain('s3cret');
  });
});

describe('adaptive measurement on the live line', () => {
  test('the looks taken of those planned follow the time up to the cap', () => {
    expect(
      progressLine('fast', {
        elapsedMs: 7000,
        totalMs: 30_000,
        requests: 1234,
        p95: 12.3,
        look: { taken: 3, planned: 26 },
      }),
    ).toBe('  fast  [##--------]  7s/30s  1,234 requests  p95 12 ms  look 3/26');
    expect(
      progressLine('fixed', { elapsedMs: 1000, totalMs: 2000, requests: 5, p95: 1 }),
    ).not.toMatch(/look/);
  });
});
