import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { runAction } from '../e2e/action-runner.js';
import { budgetText } from '../faults/budget-text.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * On pull_request_target and workflow_run, workflows hold secrets and write access yet often
 * check out the pull request, whose author can then edit the budget file and its target.url.
 * Measuring there without the target-url input gets a warning that says so; with the input, or
 * on a plain pull_request, there is none. The verdict is the same either way.
 */

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

function gate(eventName: string, inputs: Record<string, string> = {}) {
  return runAction({
    eventName,
    inputs: { comment: 'never', ...inputs },
    files: {
      'perf-budget.yml': budgetText({ url: target.url, endpoints: [{ path: '/fixed/0' }] }),
    },
  });
}

const WARNING =
  /^::warning::perf-budget\.yml chooses where the load goes \(target\.url: (\S+)\) in a (\S+) workflow\..*pass the target-url input/m;

test.each(['pull_request_target', 'workflow_run'])(
  'on %s without target-url: a warning naming the target the file chose',
  async (eventName) => {
    const run = await gate(eventName);
    expect(run.code).toBe(0);
    const warning = WARNING.exec(run.stdout);
    expect(warning?.slice(1)).toEqual([new URL(target.url).origin, eventName]);
  },
);

test('on pull_request_target with target-url: no warning', async () => {
  const run = await gate('pull_request_target', { 'target-url': target.url });
  expect(run.code).toBe(0);
  expect(run.stdout).not.toMatch(/chooses where the load goes/);
});

test('on pull_request: no warning', async () => {
  const run = await gate('pull_request');
  expect(run.code).toBe(0);
  expect(run.stdout).not.toMatch(/chooses where the load goes/);
});
