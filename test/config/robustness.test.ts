import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { BudgetFileError } from '../../src/config/errors.js';
import { parseBudget } from '../../src/config/load.js';
import schema from '../../schemas/perf-budget.schema.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '../..');
const ENV = { PR: '1234', API_KEY: 'k-abcdef-secret', STAGE: 'pr' };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value in `data`. */
function paths(data: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function replaced(data: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  if (data === null || typeof data !== 'object') return data; // an earlier edit removed the path
  const [head, ...rest] = path;
  if (Array.isArray(data)) return data.map((v, i) => (i === head ? replaced(v, rest, value) : v));
  const obj = data as Record<string, Json>;
  return { ...obj, [head as string]: replaced(obj[head as string] as Json, rest, value) };
}

describe('robustness', () => {
  test('any damage to a valid file yields a Config or located problems, never a crash or a leaked secret', async () => {
    const text = await readFile(resolve(root, 'test/fixtures/budgets/everything.yml'), 'utf8');
    const base = parse(text) as Json;
    const all = paths(base);
    const damage = fc.array(
      fc.tuple(
        fc.constantFrom(...all),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
          fc.constantFrom<Json>(
            'fast',
            '-1ms',
            '${API_KEY}',
            '${UNSET}',
            'https://evil.example/',
            '\r\n',
            0,
            -5,
            1e308,
            '150%',
            false,
          ),
        ),
      ),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(damage, (edits) => {
        let data = base;
        for (const [path, value] of edits) data = replaced(data, path, value);
        const yaml = stringify(data);
        try {
          const config = parseBudget(yaml, 'fuzz.yml', { env: ENV });
          expect(config.endpoints.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof BudgetFileError)) throw e;
          expect(e.problems.length).toBeGreaterThan(0);
          for (const p of e.problems) {
            expect(p.file).toBe('fuzz.yml');
            expect(p.message.length).toBeGreaterThan(0);
            expect(p.message).not.toContain(ENV.API_KEY);
            expect(p.line).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the schema documents itself', () => {
  /** Every property schema, with its path, throughout the schema and its definitions. */
  function properties(node: unknown, path: string, out: [string, Record<string, unknown>][] = []) {
    if (node === null || typeof node !== 'object') return out;
    const n = node as Record<string, unknown>;
    if (n.properties && typeof n.properties === 'object') {
      for (const [k, v] of Object.entries(n.properties))
        out.push([`${path}.${k}`, v as Record<string, unknown>]);
    }
    for (const [k, v] of Object.entries(n)) properties(v, `${path}/${k}`, out);
    return out;
  }

  test('every key has a description (the README reference is generated from them)', () => {
    const missing = properties(schema, '#')
      .filter(([, s]) => typeof s.description !== 'string' || s.description.length < 10)
      .map(([p]) => p);
    expect(missing).toEqual([]);
    const defs = Object.entries(schema.$defs).filter(
      ([, d]) => typeof (d as { description?: string }).description !== 'string',
    );
    expect(defs).toEqual([]);
  });

  test('every mapping with named keys refuses unknown keys', () => {
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && n.additionalProperties !== false) open.push(path);
      for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });
});
