/**
 * `${VAR}` in the budget file's text values, read from the environment. An unset variable is an
 * error, never an empty string: a missing secret must not silently turn into a request without
 * credentials. `$${` writes a literal `${`. Every value that came from the environment is
 * collected as a secret so later output can mask it; values never appear in messages.
 */
import { isScalar } from 'yaml';
import type { ProblemCode } from './codes.js';
import type { PathSegment } from './errors.js';
import type { BudgetSource } from './source.js';
import type { LocatedProblem } from './validate.js';
import { MIN_SECRET_LENGTH, urlCredentials } from '../secrets/secrets.js';

export interface Interpolation {
  /** The data with every text value expanded. */
  data: unknown;
  /** Values that came from the environment (4 characters or more, so "1" is not masked). */
  secrets: string[];
  problems: LocatedProblem[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands every string value (mapping keys are never expanded). `skip` names paths left as
 * written: `target.url` when the target-url input replaces it.
 */
export function interpolate(
  source: BudgetSource,
  env: Readonly<Record<string, string | undefined>>,
  skip: (path: readonly PathSegment[]) => boolean = () => false,
  setVariable: string,
): Interpolation {
  const secrets = new Set<string>();
  const problems: LocatedProblem[] = [];

  const expand = (text: string, path: PathSegment[]): string => {
    if (!text.includes('$')) return text;
    let out = '';
    let i = 0;
    let searchFrom = 0;
    while (i < text.length) {
      if (text.startsWith('$${', i)) {
        out += '${';
        i += 3;
        continue;
      }
      if (!text.startsWith('${', i)) {
        out += text[i];
        i += 1;
        continue;
      }
      const end = text.indexOf('}', i + 2);
      const token = end < 0 ? text.slice(i) : text.slice(i, end + 1);
      const at = offsetOf(source, path, token, searchFrom);
      searchFrom = at.next;
      const report = (code: ProblemCode, message: string): void => {
        problems.push({
          segments: path,
          problem: { ...source.problem(code, path, message), ...at.position },
        });
      };
      if (end < 0) {
        report(
          'variable.unclosed',
          `unclosed "\${" in a text value: write \${NAME}, or $\${ for a literal "\${"`,
        );
        break;
      }
      const name = text.slice(i + 2, end);
      i = end + 1;
      if (!NAME.test(name)) {
        report(
          'variable.invalid-name',
          `invalid variable reference ${JSON.stringify(token)}: a name is letters, digits and "_", not starting with a digit; write $\${ for a literal "\${"`,
        );
        continue;
      }
      const value = env[name];
      if (value === undefined || value === '') {
        report(
          value === '' ? 'variable.empty' : 'variable.unset',
          `environment variable ${name} is ${value === '' ? 'empty' : 'not set'} (used as \${${name}}): ${setVariable}, or write $\${ for a literal "\${"`,
        );
        continue;
      }
      for (const secret of secretsIn(value, path)) secrets.add(secret);
      out += value;
    }
    return out;
  };

  const walk = (value: unknown, path: PathSegment[]): unknown => {
    if (skip(path)) return value;
    if (typeof value === 'string') return expand(value, path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };

  const data = walk(source.data, []);
  return { data, secrets: [...secrets], problems };
}

/**
 * Where `token` is written in the source: inside the scalar when the scalar's source text
 * contains it verbatim (plain and quoted one-line values), else the scalar's start.
 */
function offsetOf(
  source: BudgetSource,
  path: PathSegment[],
  token: string,
  from: number,
): { position: { line: number; col: number }; next: number } {
  const node = source.nodeAt(path);
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    const index = source.text.slice(start, end).indexOf(token, from);
    if (index >= 0) return { position: source.position(start + index), next: index + token.length };
    return { position: source.position(start), next: from };
  }
  return { position: source.locate(path), next: from };
}

/**
 * What of an interpolated value must be masked. Everything, except in `target.url`: the
 * deployment's address is named in every progress line and error message, and masking it would
 * make them useless. Credentials written into that URL are still masked (and its query values,
 * by the loader, which knows `target.public-query`).
 */
function secretsIn(value: string, path: readonly PathSegment[]): string[] {
  if (path.length === 2 && path[0] === 'target' && path[1] === 'url' && URL.canParse(value)) {
    return urlCredentials(value);
  }
  return value.length >= MIN_SECRET_LENGTH ? [value] : [];
}
