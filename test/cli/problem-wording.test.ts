import { describe, expect, test } from '@jest/globals';
import { ACTION_WORDS, CLI_WORDS, type OptionWords } from '../../src/config/words.js';
import { runAction } from '../e2e/action-runner.js';
import { runCli, tempDir, writeFile } from './cli-process.js';

/**
 * One budget file, refused by the bundled action and by the CLI, each run as a process: the same
 * problems at the same places, worded for each front end and differing only in the words that
 * name what is set outside the file (an input or an option, the step's env or the shell's).
 */

const dir = tempDir('problem-wording');

const FILE = `version: 1
target:
  url: \${PREVIEW_URL}
  headers: { host: example.com }
  ready: { path: /healthz, timeout: 20m }
endpoints:
  - path: /a
    budget: { p59: 100ms }
`;

/** `LINE:COL path: message` with each front-end word replaced by its slot's name. */
function unworded(text: string, words: OptionWords): string {
  const slots = (Object.entries(words) as [keyof OptionWords, string][]).sort(
    (a, b) => b[1].length - a[1].length,
  );
  let out = text;
  for (const [slot, word] of slots) out = out.split(word).join(`<${slot}>`);
  return out;
}

describe('the same budget-file problems, worded by each front end', () => {
  test('action annotations and CLI lines differ only in the front-end words', async () => {
    const file = writeFile(dir, 'perf-budget.yml', FILE);
    const [action, cli] = await Promise.all([
      runAction({ inputs: { comment: 'never' }, files: { 'perf-budget.yml': FILE } }),
      runCli(['validate', file]),
    ]);
    expect(action.code).toBe(1);
    expect(cli.code).toBe(2);

    // `::error title=...,file=perf-budget.yml,line=3,col=8::target.url: message`
    const fromAction = action.stdout
      .split('\n')
      .map((l) => /^::error title=[^,]*,file=perf-budget\.yml,line=(\d+),col=(\d+)::(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]}:${m[2]} ${m[3]!.replace(/%0A/g, '\n').replace(/%25/g, '%')}`);
    const fromCli = cli.stderr
      .split('\n')
      .filter((l) => l.startsWith(`${file}:`))
      .map((l) => l.slice(file.length + 1));
    expect(fromAction.length).toBe(4);
    expect(fromCli.length).toBe(fromAction.length);

    const validateWords = { ...CLI_WORDS, budgetFile: 'perf-gate validate FILE' };
    expect(fromCli.map((l) => unworded(l, validateWords))).toEqual(
      fromAction.map((l) => unworded(l, ACTION_WORDS)),
    );
    // Three of the four name something outside the file, each in its own front end's words.
    expect(fromCli.filter((l, i) => l !== fromAction[i]).length).toBe(3);
    for (const line of fromCli) expect(line).not.toMatch(/\binput\b|step's env/);
    for (const line of fromAction) expect(line).not.toMatch(/(^|\s)--[a-z]/);
    expect(cli.stderr).toContain('Or pass --target-url URL in place of target.url.');
  });
});
