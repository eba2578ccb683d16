/**
 * Schema validation of a budget file with ajv (JSON Schema 2020-12), and the translation of
 * ajv's errors into located, human messages: one message per offending key or value, saying what
 * was expected and what was found, with the nearest valid key for a misspelt one.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../schemas/perf-budget.schema.json' with { type: 'json' };
import type { ProblemCode } from './codes.js';
import type { PathSegment, Problem } from './errors.js';
import type { BudgetSource } from './source.js';
import { closest } from './suggest.js';
import { parseDuration, parseLatency, parseRate, showValue, UnitError } from '../units/parse.js';

type SchemaNode = Record<string, unknown>;

/** A problem with its path kept as segments, so callers can tell which subtrees are sound. */
export interface LocatedProblem {
  segments: PathSegment[];
  problem: Problem;
}

let compiled: { validate: ValidateFunction; owner: Map<object, string> } | undefined;

/** Compiled on first use, not at import: importing the config module costs nothing. */
function validator(): { validate: ValidateFunction; owner: Map<object, string> } {
  if (!compiled) {
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      allowUnionTypes: true,
    });
    compiled = { validate: ajv.compile(schema), owner: definitionOwners() };
  }
  return compiled;
}

/**
 * Which `$defs` entry each sub-schema object belongs to. ajv's `schemaPath` is relative to
 * whichever compiled function reported the error, so it cannot say which definition failed;
 * `parentSchema` (with `verbose`) is the schema object itself, which can.
 */
function definitionOwners(): Map<object, string> {
  const owner = new Map<object, string>();
  const walk = (node: unknown, name: string): void => {
    if (node === null || typeof node !== 'object') return;
    owner.set(node, name);
    for (const [key, child] of Object.entries(node)) if (key !== '$defs') walk(child, name);
  };
  walk(schema, '');
  for (const [name, def] of Object.entries(schema.$defs)) walk(def, name);
  return owner;
}

/** Unions whose branches' errors read best as one message about the union. */
const UNION_EXPECTED: Readonly<Record<string, string>> = {
  endpointRegression:
    'expected false (no baseline comparison) or a mapping of metrics to allowed increases, like { p95: 10% }',
  latencyTolerance:
    'expected an allowed increase like "10%", or { max-increase: 10%, min-delta: 5ms }',
  rateTolerance:
    'expected an allowed increase like "50%", or { max-increase: 50%, min-delta: 0.5% }',
};

/** Definitions of unit values: their parsers say precisely what is wrong. */
const UNIT_PARSERS: Readonly<Record<string, (value: unknown) => unknown>> = {
  latency: parseLatency,
  duration: parseDuration,
  rate: (v) => parseRate(v),
  increase: (v) => parseRate(v, 10),
};

/** The code of a value refused by its unit's parser, by the unit's definition. */
const UNIT_CODES: Readonly<Record<string, ProblemCode>> = {
  latency: 'latency.unit',
  duration: 'duration.unit',
  rate: 'rate.unit',
  increase: 'increase.unit',
};

/** Reports a problem under the mapping's path, located at the key or item it is about. */
type Add = (
  code: ProblemCode,
  message: string,
  at?: 'key' | 'value',
  locateAt?: PathSegment[],
) => void;

/** Errors about the keys of a mapping, worth reporting even inside a union. */
const KEY_KEYWORDS = new Set([
  'additionalProperties',
  'required',
  'dependentRequired',
  'propertyNames',
  'minProperties',
  'maxProperties',
]);

const TYPE_NAMES: Readonly<Record<string, string>> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'text',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
  null: 'nothing',
};

const INTERPOLATION_HINT =
  ' (${VAR} is expanded only in text values: URLs, paths, headers, bodies, names and CloudWatch settings)';

/** Validates the raw (not yet interpolated) data against the schema; [] when it conforms. */
export function validateSchema(source: BudgetSource): LocatedProblem[] {
  const { validate, owner } = validator();
  if (validate(source.data)) return [];
  const errors = validate.errors ?? [];
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  // Paths with an error below them, found once: asking every error per path is quadratic.
  const ancestors = new Set<string>();
  for (const path of byPath.keys()) {
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      ancestors.add(path.slice(0, i));
    }
  }
  const out: LocatedProblem[] = [];
  for (const [instancePath, group] of byPath) {
    const segments = toSegments(instancePath, source.data);
    const deeper = ancestors.has(instancePath);
    const defOf = (e: ErrorObject): string => owner.get(e.parentSchema as object) ?? '';
    // Reported under the mapping's path, located at the key or item it is about.
    const add: Add = (code, message, at = 'value', locateAt = segments) => {
      const problem = {
        ...source.problem(code, segments, message),
        ...source.locate(locateAt, at),
      };
      out.push({ segments: locateAt, problem });
    };
    const found = (): string => describeFound(dataAt(source.data, segments));

    const union = group.find((e) => e.keyword === 'anyOf' && UNION_EXPECTED[defOf(e)]);
    const keyErrors = group.filter((e) => KEY_KEYWORDS.has(e.keyword));
    if (union) {
      // The value had the shape of one branch: the other branches' complaints are noise.
      if (keyErrors.length || deeper) {
        for (const e of keyErrors) translate(e, segments, add);
      } else {
        add('budget-file.shape', `${UNION_EXPECTED[defOf(union)]}, found ${found()}`);
      }
      continue;
    }
    const unit = group.find((e) => UNIT_PARSERS[defOf(e)]);
    if (unit && !deeper) {
      add(
        UNIT_CODES[defOf(unit)]!,
        unitMessage(UNIT_PARSERS[defOf(unit)]!, dataAt(source.data, segments)) ?? `${unit.message}`,
      );
      continue;
    }
    const rest = group.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'propertyNames');
    const precise = rest.filter((e) => e.keyword !== 'type');
    for (const e of precise.length ? precise : rest) translate(e, segments, add);
    // `propertyNames` wraps the real error (which carries the name); report the wrapper only if alone.
    if (!rest.length) for (const e of group) translate(e, segments, add);
  }
  return out;
}

function unitMessage(parse: (v: unknown) => unknown, value: unknown): string | undefined {
  try {
    parse(value);
    if (typeof value === 'string' && value !== value.trim()) {
      // The parser trims, the schema does not: say what is expected, as for any other wrong value.
      parse('');
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof UnitError)) throw e;
    if (typeof value === 'string' && value !== value.trim() && e.message.endsWith(', found ""')) {
      return `${e.message.slice(0, -', found ""'.length)}, found ${showValue(value)} (remove the spaces around it)`;
    }
    return (
      e.message + (typeof value === 'string' && value.includes('${') ? INTERPOLATION_HINT : '')
    );
  }
}

function describeFound(value: unknown): string {
  const shown = showValue(value);
  return typeof value === 'string' && value.includes('${') ? shown + INTERPOLATION_HINT : shown;
}

/** One ajv error as a located problem: about a mapping's keys, or about a value. */
function translate(e: ErrorObject, segments: PathSegment[], add: Add): void {
  if (!translateKeyError(e, segments, add)) translateValueError(e, segments, add);
}

/** An error about a mapping's keys (unknown, missing, invalid, too few or many); false if not one. */
function translateKeyError(e: ErrorObject, segments: PathSegment[], add: Add): boolean {
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const name = (e as ErrorObject & { propertyName?: string }).propertyName;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      add('budget-file.unknown-key', unknownKey(key, parent), 'key', [...segments, key]);
      return true;
    }
    case 'required':
      add(
        'budget-file.missing-key',
        `missing required key "${String(params.missingProperty)}"${requiredHint(segments, params.missingProperty)}`,
      );
      return true;
    case 'dependentRequired': {
      const property = String(params.property);
      const missing = String(params.missingProperty);
      add(
        'budget-file.key-needs-key',
        property === 'unit'
          ? `"unit" applies only with "metric" (an existing CloudWatch metric); perf-gate's own metrics are in ms`
          : missing === 'unit'
            ? `"metric" needs "unit" too: the unit of its values (us, ms or s)`
            : `"${property}" needs "${missing}" too`,
        'key',
        [...segments, property],
      );
      return true;
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      add('budget-file.invalid-key', `invalid key ${JSON.stringify(key)}`, 'key', [
        ...segments,
        key,
      ]);
      return true;
    }
    case 'pattern':
    case 'minLength':
    case 'maxLength':
      // The same keywords check text values; with a property name they check a key.
      if (name === undefined) return false;
      add('budget-file.invalid-key', invalidName(name, segments), 'key', [...segments, name]);
      return true;
    case 'minProperties':
      add('budget-file.empty-mapping', `expected at least one key, found an empty mapping`);
      return true;
    case 'maxProperties':
      add(
        'budget-file.too-many-keys',
        `expected at most ${String(params.limit)} keys, found ${Object.keys(e.data as object).length}`,
      );
      return true;
    default:
      return false;
  }
}

/** An error about a value: its type, text, range, allowed values, or list items. */
function translateValueError(e: ErrorObject, segments: PathSegment[], add: Add): void {
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const data = e.data;
  const found = describeFound(data);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'minLength':
      add('budget-file.text', `expected non-empty text, found ${found}`);
      return;
    case 'maxLength':
      add(
        'budget-file.text',
        `expected at most ${String(params.limit)} characters, found ${String(data).length}`,
      );
      return;
    case 'pattern':
      add('budget-file.text', patternMessage(segments, found, String(params.pattern)));
      return;
    case 'type': {
      const names = String(params.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t);
      const expected =
        names.length > 1
          ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
          : names[0];
      add('budget-file.type', `expected ${expected}, found ${found}`);
      return;
    }
    case 'const':
      if (segments.length === 1 && segments[0] === 'version')
        add('budget-file.version', `expected 1 (the only budget-file version), found ${found}`);
      else
        add('budget-file.const', `expected ${JSON.stringify(params.allowedValue)}, found ${found}`);
      return;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const near = typeof data === 'string' ? closest(data, allowed) : undefined;
      add(
        'budget-file.enum',
        `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, found ${found}` +
          (near ? ` (did you mean "${near}"?)` : ''),
      );
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      add('budget-file.range', `expected ${rangeText(parent)}, found ${found}`);
      return;
    case 'minItems':
      add(
        'budget-file.empty-list',
        segments.length === 1 && segments[0] === 'endpoints'
          ? 'expected at least one endpoint, found an empty list'
          : `expected at least ${String(params.limit)} item(s), found an empty list`,
      );
      return;
    case 'uniqueItems': {
      const list = data as unknown[];
      const later = Math.max(Number(params.i), Number(params.j));
      add(
        'budget-file.duplicate-item',
        `expected each value once, found ${showValue(list[later])} twice`,
        'value',
        [...segments, later],
      );
      return;
    }
    default:
      add('budget-file.invalid', `${e.message ?? 'is invalid'}, found ${found}`);
  }
}

function unknownKey(key: string, parent: SchemaNode): string {
  const properties = (parent.properties ?? {}) as Record<string, SchemaNode>;
  const allowed = Object.keys(properties);
  // A key written one level too high (`p95` directly under an endpoint) belongs in a child.
  for (const [name, child] of Object.entries(properties)) {
    const childProps = resolveRef(child).properties as Record<string, unknown> | undefined;
    // Own keys only: `__proto__` or `constructor` is "in" every object.
    if (childProps && Object.hasOwn(childProps, key)) {
      return `unknown key "${key}" (it belongs under "${name}")`;
    }
  }
  if (key === 'min-rps' && 'p95' in properties) {
    return `unknown key "min-rps": it is a budget only, throughput has no regression rule`;
  }
  const near = closest(key, allowed);
  if (near) return `unknown key "${key}" (did you mean "${near}"?)`;
  return `unknown key "${key}" (allowed here: ${allowed.join(', ')})`;
}

function resolveRef(node: SchemaNode): SchemaNode {
  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    return (schema.$defs as Record<string, SchemaNode>)[ref.slice('#/$defs/'.length)] ?? node;
  }
  return node;
}

function requiredHint(segments: PathSegment[], missing: unknown): string {
  if (missing === 'path' && segments[segments.length - 1] === 'ready') {
    return ': the path polled until it answers 2xx, like /healthz';
  }
  if (missing === 'path')
    return ': the path to measure, relative to target.url, like /api/products';
  if (missing === 'version' && segments.length === 0) return ': add "version: 1" at the top';
  if (missing === 'endpoints' && segments.length === 0) return ': list the endpoints to measure';
  return '';
}

function invalidName(name: string, segments: PathSegment[]): string {
  const where = segments[segments.length - 1];
  if (where === 'headers') {
    return `invalid header name ${JSON.stringify(name)}: header names are letters, digits and !#$%&'*+-.^_\`|~, without spaces or colons`;
  }
  return `invalid dimension name ${JSON.stringify(name)}: expected 1 to 255 characters`;
}

function patternMessage(segments: PathSegment[], found: string, pattern: string): string {
  if (segments.length === 1 && segments[0] === 'id') {
    return `expected an id of letters, digits, ".", "_" or "-" (starting with a letter or digit, at most 64), found ${found}`;
  }
  return `expected text matching ${pattern}, found ${found}`;
}

function rangeText(s: SchemaNode): string {
  const kind = s.type === 'integer' ? 'a whole number' : 'a number';
  const low =
    typeof s.minimum === 'number'
      ? { n: s.minimum, exclusive: false }
      : typeof s.exclusiveMinimum === 'number'
        ? { n: s.exclusiveMinimum, exclusive: true }
        : undefined;
  const high = typeof s.maximum === 'number' ? s.maximum : undefined;
  if (low && !low.exclusive && high !== undefined) return `${kind} from ${low.n} to ${high}`;
  const parts: string[] = [];
  if (low) parts.push(low.exclusive ? `greater than ${low.n}` : `at least ${low.n}`);
  if (high !== undefined) parts.push(`at most ${high}`);
  return `${kind} ${parts.join(' and ')}`;
}

/** `/endpoints/1/budget` → ['endpoints', 1, 'budget'], indices as numbers where the data is a list. */
function toSegments(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment: PathSegment = Array.isArray(node) ? Number(key) : key;
    out.push(segment);
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  return out;
}

export function dataAt(data: unknown, segments: readonly PathSegment[]): unknown {
  let node = data;
  for (const s of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}
