import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { runCli, tempDir, writeFile } from '../cli/cli-process.js';
import { runAction } from '../e2e/action-runner.js';
import { budgetText } from '../faults/budget-text.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * A GitHub runner reads every line of a step's stdout and stderr for workflow commands: a line
 * that starts with `::` (after blanks) is one, and so is `##[` anywhere in it (the older syntax).
 * Endpoint names come from the budget file, which a pull request may edit, and perf-gate prints
 * them at the start of its progress lines and table rows. Names that are workflow commands must
 * come out as text, never as commands: through the bundled action (stdout) and the CLI under
 * CI=true (stderr and stdout) alike.
 */

const NAMES = [
  '::stop-commands::pwned',
  '::set-output name=passed::true',
  '::error title=Forged::Security review passed',
  '  ::warning::indented',
  '##[error]old syntax',
];

/** The commands perf-gate itself issues in the action (through @actions/core). */
const OWN_COMMANDS = new Set(['add-mask', 'debug', 'group', 'endgroup', 'warning', 'error']);

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

function budget(): string {
  return budgetText({
    url: target.url,
    // A warmup prints "<name>: warming up", a line that starts with the name.
    load: '{ connections: 1, duration: 1s, warmup: 1s, timeout: 1s }',
    // Failing, so names also reach annotations and the failure list.
    budget: '{ p50: 1us }',
    // 10 ms answers: an instant route on a busy machine can saturate the generator, and a
    // breach measured so is inconclusive, not failed (SPEC §4).
    endpoints: NAMES.map((name) => ({ name, path: '/fixed/10' })),
  });
}

/** How a name reads in a progress line: `##[` is escaped as the toolkit escapes `#`. */
const asText = (name: string) => name.trim().replace('##[', '%23%23[');

/** Every line a runner would execute as a command, with what it is. */
function commands(output: string): { name: string; line: string }[] {
  return output
    .split(/\r?\n/)
    .filter((line) => /^\s*::/.test(line) || line.includes('##['))
    .map((line) => ({ name: /^\s*::([^\s:]*)/.exec(line)?.[1] ?? '##[', line }));
}

test('the action prints names as text: only its own commands, none forged', async () => {
  const run = await runAction({
    inputs: { comment: 'never' },
    files: { 'perf-budget.yml': budget() },
  });
  expect(run.code).toBe(1);
  const found = commands(run.stdout);
  expect(found.filter((c) => !OWN_COMMANDS.has(c.name))).toEqual([]);
  // Its own error annotations name perf-gate in the title; the forged one would say "Forged".
  for (const c of found.filter((c) => c.name === 'error')) {
    expect(c.line).toMatch(/^::error( title=perf-gate|::)/);
  }
  expect(commands(run.stderr)).toEqual([]);
  // The names are still there, as text (progress lines, escaped annotation titles).
  for (const name of NAMES) expect(run.stdout).toContain(`${asText(name)}: warming up`);
  expect(run.outputs.passed).toBe('false');
});

test('the CLI under CI=true prints names as text on stderr and stdout', async () => {
  const dir = tempDir('workflow-commands');
  const file = writeFile(dir, 'perf-budget.yml', budget());
  const run = await runCli(['run', '--budget', file], { env: { CI: 'true' }, timeoutMs: 60_000 });
  expect(run.code).toBe(1);
  expect(commands(run.stderr)).toEqual([]);
  expect(commands(run.stdout)).toEqual([]);
  for (const name of NAMES) expect(run.stderr).toContain(`${asText(name)}: warming up`);
});
