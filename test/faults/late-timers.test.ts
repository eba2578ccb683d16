import { expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../cli/cli-process.js';

/**
 * A stalled event loop: a busy shared runner, or a long callback, makes every timer fire late.
 * The measurement carries on, and the job's log must not fill with Node's warnings about the
 * load generator's late timers (autocannon's request timeout computes a negative delay then,
 * which Node 24 warns about before treating it as 1 ms). Run in a process of its own, since Node
 * prints the warning to that process's stderr.
 */
test('a measurement whose timers fire 1.5 s late finishes without Node warnings', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/faults/late-timers-child.ts')],
    { cwd: ROOT, timeout: 30_000 },
  );
  expect(stderr).toBe('');
  const counts = JSON.parse(stdout) as { requests: number; timeouts: number };
  // Load went on before and after the stall.
  expect(counts.requests).toBeGreaterThan(50);
});
