import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTarget, type Target } from '../servers/target.js';
import { runCli, tempDir, writeFile } from './cli-process.js';

/** `perf-gate calibrate`: repeated runs of an unchanged target, and a snippet that pastes cleanly. */

let target: Target;
const dir = tempDir('calibrate');

beforeAll(async () => {
  target = await startTarget({ jitterMs: 4 });
});
afterAll(async () => {
  await target.close();
});

describe('perf-gate calibrate', () => {
  test('measures every endpoint N times, prints the spread and a YAML snippet that validates', async () => {
    const file = writeFile(
      dir,
      'budget.yml',
      `version: 1
target: { url: ${target.url} }
defaults:
  load: { connections: 2, duration: 1s, warmup: 0s }
endpoints:
  - name: item
    path: /fixed/3
`,
    );
    const before = target.hits('/fixed/3');
    const run = await runCli(['calibrate', '--budget', file, '--runs', '2']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Run 1/2: GET item');
    expect(run.stderr).toContain('Run 2/2: GET item');
    expect(target.hits('/fixed/3')).toBeGreaterThan(before);
    for (const metric of ['p50', 'p95', 'p99', 'error rate']) {
      expect(run.stdout).toMatch(
        new RegExp(
          `^ +(item +)?${metric}( \\*)? +.+ max-increase \\d+%, min-delta \\S+( \\(too noisy to gate\\))?$`,
          'm',
        ),
      );
    }

    // Printed: the budget file itself with the tolerances written in.
    const printed = run.stdout.slice(run.stdout.indexOf('# Regression tolerances suggested'));
    const suggested = parse(printed) as {
      target: { url: string };
      defaults: { regression: Record<string, { 'max-increase': string; 'min-delta': string }> };
    };
    expect(suggested.target.url).toBe(target.url);
    const rules = suggested.defaults.regression;
    expect(Object.keys(rules)).toEqual(['p50', 'p95', 'p99', 'error-rate']);
    for (const metric of ['p50', 'p95', 'p99']) {
      const increase = Number.parseFloat(rules[metric]!['max-increase']);
      expect(increase).toBeGreaterThanOrEqual(5);
      expect(increase).toBeLessThanOrEqual(1000); // what validate accepts
      expect(Number.parseFloat(rules[metric]!['min-delta'])).toBeGreaterThanOrEqual(1);
    }
    expect(Number.parseFloat(rules['error-rate']!['max-increase'])).toBeGreaterThanOrEqual(50);

    // Saved with --output, the suggested file passes perf-gate validate as it stands.
    const out = join(dir, 'suggested.yml');
    const saved = await runCli(['calibrate', '--budget', file, '--runs', '2', '--output', out]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`written into a copy of ${file}: ${out}`);
    expect(readFileSync(out, 'utf8')).toContain(
      '# Regression tolerances suggested by perf-gate calibrate from 2 runs',
    );
    const validate = await runCli(['validate', out]);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
  });

  test('fewer than 2 runs, or more load than --max-duration allows, is a usage error', async () => {
    const file = writeFile(
      dir,
      'long.yml',
      `version: 1\ntarget: { url: ${target.url} }\nendpoints:\n  - path: /fixed/1\n    load: { duration: 10m }\n`,
    );
    const one = await runCli(['calibrate', '--budget', file, '--runs', '1']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--runs: expected a whole number from 2 to 50, found "1"');

    const long = await runCli(['calibrate', '--budget', file]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('5 runs of');
    expect(long.stderr).toContain('over --max-duration 30m');
  });
});
