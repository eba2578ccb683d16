import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minimumNodeMajor, nodeSupportWarning } from '../../src/cli/node-support.js';
import { ROOT, runCli, tempDir, writeFile } from './cli-process.js';

/**
 * The CLI as people install it: what `npm pack` would publish, and the Node.js versions the
 * package, the README and the CLI itself agree on.
 */

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  private?: boolean;
  bin: Record<string, string>;
  files: string[];
  engines: { node: string };
  publishConfig: { access: string; provenance: boolean };
  repository: { url: string };
};
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the published package', () => {
  // --ignore-scripts: what is packed from the committed files, without building first.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);

  test('is publishable, with provenance, and its bin is the CLI bundle', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
    // Provenance links the package to its source repository.
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    expect(pkg.bin).toEqual({ 'perf-gate': 'dist/cli/index.js' });
    expect(files).toContain('dist/cli/index.js');
    expect(readFileSync(join(ROOT, 'dist/cli/index.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  test('holds the CLI bundle with its chunks, licenses and module type, not the sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/cli/index.js',
        'dist/cli/package.json',
        'dist/cli/licenses.txt',
        'dist/cli/worker.js',
        'schemas/perf-budget.schema.json',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    );
    // Every chunk the bundle loads at run time is in the package.
    const chunks = files.filter((f) => /^dist\/cli\/\d+\.index\.js$/.test(f));
    expect(chunks.length).toBeGreaterThan(0);
    const outside = files.filter(
      (f) =>
        !f.startsWith('dist/cli/') &&
        !['README.md', 'LICENSE', 'package.json'].includes(f) &&
        !f.startsWith('schemas/'),
    );
    expect(outside).toEqual([]);
    for (const f of files) expect(f).not.toMatch(/^(src|test|bench|demo|scripts|docs)\/|\.ts$/);
    expect(files).not.toContain('dist/index.js'); // the action's bundle is not the CLI's
  });
});

describe('supported Node.js versions', () => {
  const minimum = minimumNodeMajor(pkg.engines.node);

  test('engines, the README and the action agree: Node.js 22 or later, the action on 24', () => {
    expect(minimum).toBe(22);
    const stated = [...readme.matchAll(/Node\.js (\d+) or later/g)].map((m) => Number(m[1]));
    expect(stated.length).toBeGreaterThan(0);
    expect(new Set(stated)).toEqual(new Set([minimum]));
    expect(readme).not.toMatch(/Node\.js 20\+/);
    const action = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const runtime = Number(/using:\s*['"]?node(\d+)/.exec(action)?.[1]);
    expect(runtime).toBeGreaterThanOrEqual(minimum);
  });

  test.each([
    ['20.19.0', true],
    ['v18.0.0', true],
    ['21.7.3', true],
    ['22.0.0', false],
    ['v24.21.0', false],
    ['26.1.0', false],
  ])('Node.js %s warns: %s', (version, warns) => {
    const warning = nodeSupportWarning(version, pkg.engines.node);
    if (warns) expect(warning).toMatch(/is not supported \(perf-gate needs Node\.js 22 or later/);
    else expect(warning).toBeUndefined();
  });

  test('an engines range the check cannot read is an error, not a silent pass', () => {
    expect(() => minimumNodeMajor('^22 || ^24')).toThrow(/engines\.node must read ">=N"/);
  });

  test('the CLI process warns on an old Node.js and still runs; on this one it says nothing', async () => {
    // A process whose Node.js reports version 20, running the same sources as the other tests.
    const dir = tempDir('node-version');
    const entry = writeFile(
      dir,
      'old-node.mjs',
      [
        "import { createRequire } from 'node:module';",
        "import { pathToFileURL } from 'node:url';",
        `const tsx = createRequire(${JSON.stringify(join(ROOT, 'package.json'))}).resolve('tsx/esm/api');`,
        'const { register } = await import(pathToFileURL(tsx).href);',
        "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.19.0' } });",
        'register();',
        `await import(${JSON.stringify(join(ROOT, 'src/cli/index.ts'))});`,
        '',
      ].join('\n'),
    );
    const old = await runCli(['--version'], { entry, cwd: ROOT });
    expect(old.code).toBe(0);
    expect(old.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(old.stderr).toContain('perf-gate: warning: Node.js v20.19.0 is not supported');
    const current = await runCli(['--version']);
    expect(current.code).toBe(0);
    expect(current.stderr).toBe('');
  });
});
