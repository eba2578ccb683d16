/**
 * Generates src/config/budget-file.generated.ts, the TypeScript type of a raw budget file, from
 * schemas/perf-budget.schema.json. The schema is the single source: a test regenerates the type
 * in memory and fails when the committed file differs, so they cannot drift apart.
 *
 *   npm run generate:types
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const root = resolve(fileURLToPath(import.meta.url), '../..');
export const SCHEMA_PATH = resolve(root, 'schemas/perf-budget.schema.json');
export const GENERATED_PATH = resolve(root, 'src/config/budget-file.generated.ts');

const BANNER = `/* eslint-disable */
/**
 * The raw budget file as written (before interpolation, defaults and unit conversion).
 * GENERATED from schemas/perf-budget.schema.json by scripts/generate-types.ts: do not edit,
 * change the schema and run \`npm run generate:types\`.
 */`;

/** The generated module's source text. */
export async function generateBudgetFileTypes(): Promise<string> {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as JSONSchema;
  return compile(withoutRefDescriptions(schema), 'PerfBudgetFile', {
    bannerComment: BANNER,
    additionalProperties: false,
    strictIndexSignatures: true,
    unknownAny: true,
    ignoreMinAndMaxItems: true,
    cwd: root,
    style: { singleQuote: true, printWidth: 100, trailingComma: 'all' },
  });
}

/**
 * A `description` next to a `$ref` documents the property for the README, but makes the
 * generator emit a numbered copy of the referenced type per property (Latency1, Latency2...).
 * Without them every property is typed by its definition's own name.
 */
function withoutRefDescriptions(node: unknown): JSONSchema {
  if (Array.isArray(node)) return node.map(withoutRefDescriptions) as unknown as JSONSchema;
  if (node === null || typeof node !== 'object') return node as JSONSchema;
  const entries = Object.entries(node).filter(
    ([key]) => !(key === 'description' && '$ref' in node),
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutRefDescriptions(v)])) as JSONSchema;
}

async function main(): Promise<void> {
  await writeFile(GENERATED_PATH, await generateBudgetFileTypes());
  process.stdout.write(`wrote ${GENERATED_PATH}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
