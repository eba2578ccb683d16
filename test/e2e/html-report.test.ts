import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';
import { runAction, type ActionRunOptions } from './action-runner.js';

/**
 * The bundled action's pictures: the mermaid charts in the comment and summary, and the HTML
 * report file (html-report input and output), written under the JSON report's rules.
 */

const BUDGET = [
  'version: 1',
  'id: api',
  'target:',
  '  url: ${PREVIEW_URL}',
  'defaults:',
  '  load: { connections: 4, duration: 1s, warmup: 0s, timeout: 2s }',
  'confirm: false',
  'endpoints:',
  '  - name: fast <b>list</b>',
  '    path: /fixed/2',
  '    budget: { p95: 200ms }',
  '  - name: slow search',
  '    path: /fixed/30',
  '    budget: { p95: 5ms }',
  '',
].join('\n');

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

function run(extra: ActionRunOptions = {}) {
  github.reset();
  return runAction({
    ...extra,
    inputs: { 'github-token': 'ghs_e2eHtmlToken0123456789', 'fail-on': 'none', ...extra.inputs },
    env: { PREVIEW_URL: target.url, GITHUB_API_URL: github.url, ...extra.env },
    files: { 'perf-budget.yml': BUDGET, ...extra.files },
  });
}

describe('pictures from the bundled action', () => {
  test('by default: a chart of the failing endpoint in the comment and summary, the HTML report next to the JSON', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    const body = github.comments('acme', 'shop', 7)[0]!.body;
    for (const text of [body, r.summary]) {
      expect(text.match(/^```mermaid$/gm)).toHaveLength(1);
      expect(text).toContain('xychart-beta');
    }
    expect(r.outputs['html-report']).toBe(join(r.runnerTemp, 'perf-gate', 'report.html'));
    const html = readFileSync(r.outputs['html-report']!, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|<b>list/i);
    expect(html).toContain('fast &#60;b&#62;list&#60;/b&#62;');
    expect(r.stdout).toContain(`HTML report written to ${r.outputs['html-report']}`);
  });

  test('html-report: false writes none and sets no output', async () => {
    const r = await run({ inputs: { 'html-report': 'false' } });
    expect(r.code).toBe(0);
    expect(r.outputs['html-report']).toBeUndefined();
    expect(existsSync(join(r.runnerTemp, 'perf-gate', 'report.html'))).toBe(false);
  });

  test('a symlink at the path is replaced, never written through; a path outside is refused', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'perf-gate-outside-'));
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'untouched');
    const workspace = mkdtempSync(join(tmpdir(), 'perf-gate-ws-'));
    symlinkSync(victim, join(workspace, 'pictures.html'));
    const r = await run({ workspace, inputs: { 'html-report': 'pictures.html' } });
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readFileSync(join(workspace, 'pictures.html'), 'utf8')).toContain('<svg ');
    expect(r.outputs['html-report']).toBe(join(workspace, 'pictures.html'));

    const refused = await run({ inputs: { 'html-report': '/etc/perf-gate.html' } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /::error::input html-report: "\/etc\/perf-gate.html" resolves to .* outside the workspace/,
    );
  });
});
