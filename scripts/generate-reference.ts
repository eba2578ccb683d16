/**
 * Generates the budget-file reference in README.md (between the budget-reference markers) from
 * schemas/perf-budget.schema.json: every key by its full path, its type, default and
 * description. The schema is the single source; a test regenerates the text in memory and fails
 * when the README differs.
 *
 *   npm run docs:reference            rewrite the README's reference
 *   npm run docs:reference -- --check exit 1 if it is out of date
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
export const SCHEMA_PATH = resolve(root, 'schemas/perf-budget.schema.json');
export const README_PATH = resolve(root, 'README.md');
export const START = '<!-- budget-reference:start -->';
export const END = '<!-- budget-reference:end -->';

/** The JSON Schema subset the budget schema uses. */
export interface Schema {
  $ref?: string;
  $defs?: Record<string, Schema>;
  title?: string;
  description?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  additionalProperties?: boolean | Schema;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** Definitions that are kinds of value, described once in their own table, not as keys. */
const VALUE_TYPES: Record<string, string> = {
  latency: 'latency',
  duration: 'duration',
  rate: 'rate',
  increase: 'increase',
  headers: 'headers',
  dimensions: 'dimensions',
};

export interface Row {
  /** Full path: `defaults.load.connections`, `endpoints[].budget.p95`. */
  path: string;
  type: string;
  default?: string;
  description: string;
  required: boolean;
}

function defName(ref: string): string {
  const m = /^#\/\$defs\/(.+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}: only #/$defs/... is handled`);
  return m[1]!;
}

/**
 * Every key of the schema, depth first in the schema's own order. A definition used in several
 * places (the load settings of `defaults` and of each endpoint) is spelled out where it first
 * appears; later uses get one row that points there.
 */
export function referenceRows(schema: Schema): Row[] {
  const defs = schema.$defs ?? {};
  const firstUse = new Map<string, string>();
  const rows: Row[] = [];

  const resolveRef = (node: Schema): { node: Schema; def?: string } => {
    if (!node.$ref) return { node };
    const def = defName(node.$ref);
    const target = defs[def];
    if (!target) throw new Error(`$ref ${node.$ref} names no definition`);
    return { node: target, def };
  };

  /** The object form of a node: itself, or the object alternative of an anyOf. */
  const objectOf = (node: Schema): { node: Schema; def?: string } | undefined => {
    const resolved = resolveRef(node);
    if (resolved.node.properties) return resolved;
    for (const option of resolved.node.anyOf ?? []) {
      const inner = resolveRef(option);
      if (inner.node.properties) return { node: inner.node, def: inner.def ?? resolved.def };
    }
    return undefined;
  };

  const visit = (properties: Record<string, Schema>, required: string[], prefix: string) => {
    for (const [key, property] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const resolved = resolveRef(property);
      const described = property.description ?? resolved.node.description ?? '';
      const { text, fallback } = splitDefault(described);
      const row: Row = {
        path,
        type: typeOf(property, defs),
        description: text,
        required: required.includes(key),
      };
      const value = property.default ?? resolved.node.default;
      row.default = value !== undefined ? `\`${JSON.stringify(value)}\`` : fallback;
      rows.push(row);

      const items = resolved.node.items;
      const object = items ? objectOf(items) : objectOf(property);
      if (!object) continue;
      const childPrefix = items ? `${path}[]` : path;
      const def = object.def;
      if (def && !(def in VALUE_TYPES)) {
        const first = firstUse.get(def);
        if (first !== undefined) {
          row.description += ` Same keys as \`${first}\`.`;
          continue;
        }
        firstUse.set(def, childPrefix);
      }
      visit(object.node.properties!, object.node.required ?? [], childPrefix);
    }
  };

  visit(schema.properties ?? {}, schema.required ?? [], '');
  return rows;
}

/**
 * A sentence `Default 10.` or `Default: any 2xx.` after the first becomes the default column
 * (a description that starts with "Default ..." describes a default section instead).
 */
function splitDefault(description: string): { text: string; fallback?: string } {
  const m = /\sDefault:? (.+?)\.(?=\s|$)(.*)$/s.exec(description);
  if (!m) return { text: description };
  const rest = m[2]!.trim();
  const text = description.slice(0, m.index).trim() + (rest ? ` ${rest}` : '');
  return { text, fallback: m[1] };
}

function typeOf(node: Schema, defs: Record<string, Schema>): string {
  if (node.$ref) {
    const def = defName(node.$ref);
    if (def in VALUE_TYPES) return `[${VALUE_TYPES[def]}](#value-types)`;
    return typeOf({ ...defs[def]!, description: undefined }, defs);
  }
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (node.anyOf) {
    const options = node.anyOf.map((option) =>
      option.properties ? 'mapping' : typeOf(option, defs),
    );
    return options.join(' or ');
  }
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const names = types.map((t) => {
    if (t === 'array') {
      if (!node.items) return 'list';
      if (node.items.$ref) return 'list of mappings';
      return `list of ${typeOf(node.items, defs).replace(/^(integer|number|text)\b/, '$1s')}`;
    }
    if (t === 'integer' || t === 'number') return numberType(t, node);
    return { string: 'text', object: 'mapping', boolean: 'boolean' }[t] ?? t;
  });
  if (names.length > 1) return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return names[0] ?? 'any';
}

function numberType(type: string, node: Schema): string {
  const name = type === 'integer' ? 'integer' : 'number';
  if (node.exclusiveMinimum !== undefined) return `${name} > ${node.exclusiveMinimum}`;
  if (node.minimum !== undefined && node.maximum !== undefined) {
    return `${name} ${node.minimum}–${node.maximum}`;
  }
  if (node.minimum !== undefined) return `${name} ≥ ${node.minimum}`;
  return name;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The Markdown between the markers (without them). */
export function renderReference(schema: Schema): string {
  const defs = schema.$defs ?? {};
  const lines = [
    '<!-- prettier-ignore-start -->',
    '<!-- Generated from schemas/perf-budget.schema.json by `npm run docs:reference`; do not edit by hand. -->',
    '',
    cell(schema.description ?? ''),
    '',
    '| Key | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...referenceRows(schema).map(
      (r) =>
        `| \`${r.path}\`${r.required ? ' (required)' : ''} | ${cell(r.type)} | ${cell(r.default ?? '')} | ${cell(r.description)} |`,
    ),
    '',
    '### Value types',
    '',
    '| Type | Written as |',
    '| --- | --- |',
    ...Object.entries(VALUE_TYPES).map(
      ([def, name]) => `| ${name} | ${cell(defs[def]?.description ?? '')} |`,
    ),
    '<!-- prettier-ignore-end -->',
  ];
  return lines.join('\n');
}

/** The README with its reference region replaced. */
export function spliceReference(readme: string, reference: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${START} ... ${END} region to write the reference into`);
  }
  return `${readme.slice(0, start + START.length)}\n${reference}\n${readme.slice(end)}`;
}

/** The text between the markers, as the README has it now. */
export function readmeRegion(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return '';
  return readme
    .slice(start + START.length, end)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

export async function loadSchema(): Promise<Schema> {
  return JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as Schema;
}

async function main(): Promise<void> {
  const readme = await readFile(README_PATH, 'utf8');
  const reference = renderReference(await loadSchema());
  if (process.argv.includes('--check')) {
    if (readmeRegion(readme) !== reference) {
      process.stderr.write(
        'README.md budget reference is out of date: run npm run docs:reference\n',
      );
      process.exitCode = 1;
    }
    return;
  }
  const updated = spliceReference(readme, reference);
  if (updated !== readme) await writeFile(README_PATH, updated);
  process.stdout.write(`${updated === readme ? 'unchanged' : 'wrote'} ${README_PATH}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
