import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './cli-process.js';

/** `perf-gate report REPORT.json --html OUT`: a saved report rendered, as a process. */

const FIXTURES = join(import.meta.dirname, '../fixtures/reports');

describe('perf-gate report', () => {
  test('renders a saved report as HTML and Markdown', async () => {
    const dir = tempDir('report-html');
    const html = join(dir, 'out', 'report.html');
    const markdown = join(dir, 'report.md');
    const fixture = join(FIXTURES, 'budget-failures.json');
    const run = await runCli(['report', fixture, '--html', html, '--markdown', markdown]);
    expect(run.stderr).toContain(`Report written to ${html}`);
    expect(run.code).toBe(0);
    const saved = JSON.parse(readFileSync(fixture, 'utf8')) as {
      endpoints: { measurement: { requests: number } }[];
    };
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(
      saved.endpoints.filter((e) => e.measurement.requests > 0).length,
    );
    expect(page).not.toMatch(/<script/i);
    expect(readFileSync(markdown, 'utf8')).toMatch(/^```mermaid$/m);
  });

  test('hostile names in a saved report stay text', async () => {
    const dir = tempDir('report-hostile');
    const html = join(dir, 'report.html');
    const run = await runCli(['report', join(FIXTURES, 'hostile-names.json'), '--html', html]);
    expect(run.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<(script|img)/i);
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  test('usage errors: nothing to write, a folder, a missing or invalid report', async () => {
    const dir = tempDir('report-usage');
    const fixture = join(FIXTURES, 'all-pass.json');
    const none = await runCli(['report', fixture]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name what to write: --html OUT');

    mkdirSync(join(dir, 'folder'));
    const folder = await runCli(['report', fixture, '--html', join(dir, 'folder')]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('is a folder; name a file, e.g.');
    expect(folder.stderr).toContain('report.html');

    const missing = await runCli(['report', join(dir, 'nope.json'), '--html', join(dir, 'a.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json');
    expect(existsSync(join(dir, 'a.html'))).toBe(false);

    writeFileSync(join(dir, 'bad.json'), '{"schemaVersion": 2}');
    const bad = await runCli(['report', join(dir, 'bad.json'), '--html', join(dir, 'b.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  test('a symlink at --html is replaced, not written through', async () => {
    const dir = tempDir('report-link');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, 'report.html'));
    const run = await runCli([
      'report',
      join(FIXTURES, 'all-pass.json'),
      '--html',
      join(dir, 'report.html'),
    ]);
    expect(run.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg ');
  });
});
