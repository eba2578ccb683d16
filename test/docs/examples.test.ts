import { afterEach, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument, stringify } from 'yaml';
import { readSettings } from '../../src/action/settings.js';
import { BudgetFileError, formatProblem, parseBudget } from '../../src/config/load.js';

/**
 * The examples in the README and docs/ are what new users copy: every YAML and JSON block must
 * parse; every budget file (or budget-file fragment) must pass perf-gate's own loader; every
 * workflow step that uses perf-gate may only pass inputs action.yml declares, with values the
 * action accepts, and may only read outputs it sets.
 */

const ROOT = join(import.meta.dirname, '../..');
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter(
  (f) => f.endsWith('.md'),
);
/** How every recipe names the action (the README's quick start). */
const ACTION = 'perf-gate/perf-gate@v1';

interface Block {
  where: string;
  lang: string;
  text: string;
}

function codeBlocks(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) {
      body.push(lines[i]!.slice(indent));
    }
    blocks.push({ where: `${file}:${start + 1}`, lang: open[2]!, text: body.join('\n') });
  }
  return blocks;
}

const blocks = FILES.flatMap(codeBlocks);
const yamlBlocks = blocks.filter((b) => b.lang === 'yaml');
const jsonBlocks = blocks.filter((b) => b.lang === 'json');
const isWorkflow = (b: Block) => /^jobs:/m.test(b.text);
/**
 * Helper workflows that only re-run perf-gate's own workflow (docs/github.md, "Accept an intended
 * regression") use no perf-gate step; they are still parsed as YAML below.
 */
const HELPERS = ['# .github/workflows/perf-accept.yml'];
const isHelper = (b: Block) => HELPERS.some((h) => b.text.startsWith(h));
const workflows = yamlBlocks.filter((b) => isWorkflow(b) && !isHelper(b));
const budgets = yamlBlocks.filter((b) => !isWorkflow(b));

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};

test('the docs hold the examples this test checks', () => {
  expect(workflows.length).toBeGreaterThanOrEqual(6);
  expect(budgets.length).toBeGreaterThanOrEqual(4);
  expect(jsonBlocks.length).toBeGreaterThanOrEqual(2);
});

describe.each(yamlBlocks.map((b) => [b.where, b] as const))('YAML block at %s', (_where, block) => {
  test('parses', () => {
    const doc = parseDocument(block.text, { uniqueKeys: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
  });
});

describe.each(jsonBlocks.map((b) => [b.where, b] as const))('JSON block at %s', (_where, block) => {
  test('parses', () => {
    expect(() => JSON.parse(block.text)).not.toThrow();
  });
});

/** A complete budget file a fragment is laid over (its top-level keys replace these). */
const BASE = {
  version: 1,
  id: 'docs',
  target: { url: 'https://preview.example.com' },
  endpoints: [{ path: '/' }],
};

describe.each(budgets.map((b) => [b.where, b] as const))('budget file at %s', (_where, block) => {
  test('passes perf-gate’s loader', () => {
    const fragment = parse(block.text) as Record<string, unknown>;
    expect(typeof fragment).toBe('object');
    const text = stringify({ ...BASE, ...fragment });
    // Every ${VAR} the example reads is set, as the workflow around it would.
    const env = Object.fromEntries(
      [...block.text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map(([, name]) => [
        name!,
        /URL$/.test(name!) ? 'https://preview.example.com' : 'docs-example-value',
      ]),
    );
    let problems: string[] = [];
    try {
      parseBudget(text, 'perf-budget.yml', { env });
    } catch (error) {
      if (!(error instanceof BudgetFileError)) throw error;
      problems = error.problems.map(formatProblem);
    }
    expect(problems).toEqual([]);
  });
});

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

function perfGateSteps(block: Block): Step[] {
  const workflow = parse(block.text) as { jobs: Record<string, { steps?: Step[] }> };
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps ?? [])
    .filter((step) => /(^|\/)perf-gate@/.test(step.uses ?? ''));
}

/**
 * A workflow expression as a runner would expand it: a URL where a URL goes, the first matrix
 * entry in a shard (`${{ matrix.shard }}/3`), else a number.
 */
function expand(name: string, value: unknown): string {
  const text = String(value);
  if (/^\$\{\{[^}]*\}\}$/.test(text.trim()) && /-url$/.test(name)) return 'https://example.com';
  return text.replace(/\$\{\{[^}]*\}\}/g, name === 'shard' ? '1' : '7');
}

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe.each(workflows.map((b) => [b.where, b] as const))('workflow at %s', (_where, block) => {
  const steps = perfGateSteps(block);

  test(`uses perf-gate as ${ACTION}`, () => {
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step.uses).toBe(ACTION);
  });

  test('passes only declared inputs, with values the action accepts', () => {
    for (const step of steps) {
      const given = Object.keys(step.with ?? {});
      expect(given.filter((name) => !(name in action.inputs))).toEqual([]);
      for (const key of Object.keys(process.env)) {
        if (key.startsWith('INPUT_')) delete process.env[key];
      }
      for (const [name, value] of Object.entries(step.with ?? {})) {
        process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = expand(name, value);
      }
      expect(() => readSettings({ GITHUB_WORKSPACE: ROOT })).not.toThrow();
    }
  });

  test('reads only outputs the action sets', () => {
    const ids = new Set(steps.map((s) => s.id).filter(Boolean));
    const read = [...block.text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)]
      .filter(([, id]) => ids.has(id!))
      .map(([, , output]) => output!);
    expect(read.filter((output) => !(output in action.outputs))).toEqual([]);
  });
});

describe('docs/github.md reads as a guide', () => {
  const text = readFileSync(join(ROOT, 'docs/github.md'), 'utf8');

  test('it starts by saying what it is for, not as notes for another document', () => {
    expect(text).not.toMatch(/Material for the README/i);
    const intro = text.slice(text.indexOf('\n'), text.indexOf('\n## '));
    expect(intro).toContain('This guide');
    for (const recipe of ['preview deployment', 'forks', 'release branch', 'CloudWatch baseline']) {
      expect(intro).toContain(recipe);
    }
  });

  test('the preview bypass secret is sent only in the example for protected previews', () => {
    const protectedAt = text.indexOf('**If your previews are protected**');
    const nextSection = text.indexOf('\n## ', protectedAt);
    expect(protectedAt).toBeGreaterThan(0);
    const mentions = [...text.matchAll(/VERCEL_BYPASS/g)].map((m) => m.index);
    expect(mentions.length).toBeGreaterThan(0);
    for (const at of mentions) {
      expect(at).toBeGreaterThan(protectedAt);
      expect(at).toBeLessThan(nextSection);
    }
  });
});
