import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  README_PATH,
  readmeRegion,
  renderReference,
  SCHEMA_PATH,
  type Schema,
} from '../../scripts/generate-reference.js';

/**
 * The README's budget-file reference is generated from the JSON Schema; these tests keep the
 * two from drifting apart. Fix a failure with `npm run docs:reference`.
 */

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Schema;
const region = readmeRegion(readFileSync(README_PATH, 'utf8'));
const documented = new Set([...region.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!));

/**
 * Every key path of the schema, found by walking it: properties, list items, anyOf branches and
 * $refs. A definition is expanded where it is first met; later uses are the key alone.
 */
function schemaPaths(root: Schema): { paths: string[]; names: Set<string> } {
  const defs = root.$defs ?? {};
  const expanded = new Set<string>();
  const paths: string[] = [];
  const walk = (node: Schema, prefix: string): void => {
    if (node.$ref) {
      const name = node.$ref.replace('#/$defs/', '');
      if (expanded.has(name)) return;
      expanded.add(name);
      walk(defs[name]!, prefix);
      return;
    }
    for (const option of node.anyOf ?? []) walk(option, prefix);
    if (node.items) walk(node.items, `${prefix}[]`);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      paths.push(path);
      walk(child, path);
    }
  };
  walk(root, '');
  // Every key a definition declares, reached from the root or not.
  const names = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      const { properties } = node as Schema;
      for (const key of Object.keys(properties ?? {})) names.add(key);
      Object.values(node).forEach(collect);
    }
  };
  collect(root);
  return { paths, names };
}

describe('README budget-file reference', () => {
  const { paths, names } = schemaPaths(schema);

  test('documents every key path of the schema', () => {
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((p) => !documented.has(p))).toEqual([]);
  });

  test('documents every key any definition declares', () => {
    const lastSegments = new Set([...documented].map((p) => p.split('.').at(-1)!));
    // `p99.9` is one key that contains a dot.
    for (const p of documented) if (p.endsWith('.p99.9')) lastSegments.add('p99.9');
    expect([...names].filter((n) => !lastSegments.has(n))).toEqual([]);
  });

  test('a key that reuses another key’s definition points at a documented path', () => {
    const pointers = [...region.matchAll(/Same keys as `([^`]+)`/g)].map((m) => m[1]!);
    expect(pointers.length).toBeGreaterThan(0);
    for (const target of pointers) {
      expect([...documented].some((p) => p.startsWith(`${target}.`))).toBe(true);
    }
  });

  test('is exactly what npm run docs:reference generates', () => {
    expect(region).toBe(renderReference(schema));
  });
});
