import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from './cli-process.js';

/** Help, version and mistyped commands: what someone trying the tool out meets first. */

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

describe('perf-gate help and usage', () => {
  test('--help lists the commands and the exit codes; each command has its own help', async () => {
    const tool = await runCli(['--help']);
    expect(tool.code).toBe(0);
    for (const command of ['run', 'validate', 'compare', 'calibrate']) {
      expect(tool.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(tool.stdout).toMatch(/^ {2}3 {2}could not measure/m);

    const calibrate = await runCli(['calibrate', '-h']);
    expect(calibrate.code).toBe(0);
    expect(calibrate.stdout).toContain('max-increase = 3 x the relative spread');
  });

  test('--version prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  test('no command, or a misspelt one: exit 2 with a suggestion', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage:');

    const typo = await runCli(['calibrat']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "calibrat" (did you mean "calibrate"?)');
  });

  test('near misses get a did-you-mean', async () => {
    const cases: [string[], string][] = [
      [
        ['run', '--target-url', 'localhost:4000'],
        '--target-url: "localhost:4000" has no scheme (did you mean http://localhost:4000?)',
      ],
      [
        ['validate', '--target-url', '127.0.0.1:3000/api'],
        '(did you mean http://127.0.0.1:3000/api?)',
      ],
      [
        ['run', '--fail-on', 'budgets'],
        '--fail-on: "budgets" in "budgets" is not a finding kind (did you mean "budget"?)',
      ],
      [['compare', 'a.json', 'b.json', '--fail-on', 'regresion'], '(did you mean "regression"?)'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stderr: expect.stringContaining(message),
      });
      expect(run.stderr).not.toMatch(/\binput\b/);
    }
  });

  test('bad option values are usage errors naming the option', async () => {
    const cases: [string[], string][] = [
      [['run', '--fail-on', 'everything'], '--fail-on: "everything"'],
      [['run', '--target-url', 'ftp://x'], '--target-url: only http and https URLs'],
      [['run', '--max-duration', 'soon'], '--max-duration: expected a duration'],
      [['run', '--budget'], '--budget needs a value'],
      [['run', '--budget', 'a.yml', '--budget', 'b.yml'], '--budget is given more than once'],
      [['validate', 'a.yml', 'b.yml'], 'unexpected argument "b.yml"'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stderr: expect.stringContaining(message),
      });
    }
  });

  test('the committed bundle dist/cli/index.js runs (CI rebuilds it and checks it is unchanged)', async () => {
    const bundle = join(ROOT, 'dist/cli/index.js');
    expect(readFileSync(bundle, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const run = await runCli(['--version'], { entry: bundle });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });
});
