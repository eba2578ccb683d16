import { describe, expect, test } from '@jest/globals';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { validateReport } from '../../src/report/validate.js';
import { runAction } from '../e2e/action-runner.js';
import { closedPort, runCli, tempDir } from '../cli/cli-process.js';

/**
 * Where reports are written (issue "Hardening", case 10): the action's report-file stays inside
 * the workspace or RUNNER_TEMP, and no report is written through a symlink, by the action or by
 * the CLI. Through the bundled action (`npm run build` first) and the CLI as processes. The
 * action runs against a target that refuses connections: it fails fast and still writes its
 * report.
 */

const BUDGET = [
  'version: 1',
  'target:',
  '  url: ${PREVIEW_URL}',
  '  ready: { path: /healthz, timeout: 1s }',
  'endpoints:',
  '  - name: list',
  '    path: /list',
  '    budget: { p95: 100ms }',
  '',
].join('\n');

async function gate(
  reportFile: string | ((workspace: string) => string),
  prepare: (workspace: string) => void = () => {},
) {
  const base = tempDir('report-file');
  const workspace = join(base, 'workspace');
  mkdirSync(workspace);
  prepare(workspace);
  const input = typeof reportFile === 'string' ? reportFile : reportFile(workspace);
  const port = await closedPort();
  const run = await runAction({
    workspace,
    inputs: { 'report-file': input, comment: 'never' },
    env: { PREVIEW_URL: `http://127.0.0.1:${port}` },
    files: { 'perf-budget.yml': BUDGET },
  });
  return { run, base, workspace, input };
}

describe('the action’s report-file', () => {
  test('a path that climbs out of the workspace is refused, naming the input', async () => {
    // ../../<a fresh folder>/report.json: out of the workspace, yet inside this test's own
    // temporary folder, so that main (which wrote it) cannot litter the machine.
    const outside = join(tempDir('outside'), 'report.json');
    const { run, input } = await gate((workspace) => relative(workspace, outside));
    expect(input).toMatch(/^\.\.\/\.\.\/perf-gate-outside-\w+\/report\.json$/);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `::error::input report-file: "${input}" resolves to ${outside}, outside the workspace (`,
    );
    expect(run.stdout).toMatch(/and RUNNER_TEMP \(\S+\): name a file inside either/);
    expect(run.outputs.passed).toBe('false');
    expect(existsSync(outside)).toBe(false);
    expect(run.stdout).not.toContain('Report written to');
  });

  test('a symlink named as the report file is replaced, its target left untouched', async () => {
    const victimDir = tempDir('victim');
    const victim = join(victimDir, 'precious.txt');
    writeFileSync(victim, 'precious\n');
    const { run, workspace } = await gate('report.json', (ws) =>
      symlinkSync(victim, join(ws, 'report.json')),
    );
    expect(run.code).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const written = join(workspace, 'report.json');
    expect(lstatSync(written).isSymbolicLink()).toBe(false);
    expect(run.outputs['report-file']).toBe(written);
    expect(validateReport(JSON.parse(readFileSync(written, 'utf8'))).valid).toBe(true);
  });

  test('a symlinked folder leading out of the workspace is not written through', async () => {
    const outside = tempDir('outside');
    const { run } = await gate('out/report.json', (ws) => symlinkSync(outside, join(ws, 'out')));
    expect(run.code).toBe(1);
    expect(existsSync(join(outside, 'report.json'))).toBe(false);
    expect(run.stdout).toMatch(
      /::warning::Could not write the report to \S+out\/report\.json: its folder is \S+ once symlinks are followed, outside the workspace and RUNNER_TEMP \(input report-file\)/,
    );
    expect(run.outputs['report-file']).toBeUndefined();
    // The verdict and the summary do not depend on the file.
    expect(run.outputs.passed).toBe('false');
    expect(run.summary.length).toBeGreaterThan(0);
  });
});

describe('the CLI’s --json and --markdown', () => {
  test('replace a symlink at the path instead of writing through it', async () => {
    const dir = tempDir('cli-links');
    const fixture = join(import.meta.dirname, '../fixtures/reports/all-pass.json');
    const victim = join(tempDir('cli-victim'), 'precious.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, 'out.json'));
    symlinkSync(victim, join(dir, 'out.md'));
    const run = await runCli([
      'compare',
      fixture,
      fixture,
      '--json',
      join(dir, 'out.json'),
      '--markdown',
      join(dir, 'out.md'),
    ]);
    expect(run.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    for (const name of ['out.json', 'out.md']) {
      expect(lstatSync(join(dir, name)).isSymbolicLink()).toBe(false);
    }
    expect(validateReport(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).valid).toBe(
      true,
    );
  });
});
