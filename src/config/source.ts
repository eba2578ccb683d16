/**
 * The budget file as YAML: parsing with the `yaml` package, and the way back from a key path to
 * the line and column of the key or value it names, so every problem points into the file.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type ParsedNode,
} from 'yaml';
import type { ProblemCode } from './codes.js';
import { formatPath, type PathSegment, type Problem } from './errors.js';
import { ACTION_WORDS, type OptionWords } from './words.js';

/** Budget files are small; anything bigger is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Aliases (`*name`) a file may expand. A few are handy, an exponential tree of them (the
 * "billion laughs") would exhaust memory.
 */
export const MAX_ALIAS_COUNT = 100;

export interface Position {
  line: number;
  col: number;
}

/** A parsed budget file: its plain data and how to locate any path in the source. */
export class BudgetSource {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  position(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  /**
   * Where `path` is written. `key` points at the mapping key of the last segment (for unknown
   * keys), `value` at its value. A path that does not exist in the source (a missing key)
   * resolves to the deepest part that does.
   */
  locate(path: readonly PathSegment[], at: 'key' | 'value' = 'value'): Position {
    let node: Node | null | undefined = this.doc.contents;
    let key: Node | null | undefined;
    for (const segment of path) {
      node = this.resolve(node);
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => scalarKey(p.key) === String(segment));
        if (!pair) break;
        key = pair.key as Node;
        next = pair.value as Node | null;
        // `key:` with nothing after it: the value is an empty scalar; the key is more useful.
        if (
          isScalar(next) &&
          next.value === null &&
          next.range &&
          next.range[0] === next.range[1]
        ) {
          next = key;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment] as Node | undefined;
        key = undefined;
        if (!next) break;
      } else {
        break;
      }
      node = next;
    }
    const target = at === 'key' && key ? key : (node ?? key);
    const offset = target?.range?.[0] ?? 0;
    return this.position(offset);
  }

  /** The node at `path`, aliases followed; undefined if absent. */
  nodeAt(path: readonly PathSegment[]): Node | undefined {
    let node: Node | null | undefined = this.doc.contents;
    for (const segment of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        node = node.items.find((p) => scalarKey(p.key) === String(segment))?.value as Node | null;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment] as Node | undefined;
      } else {
        return undefined;
      }
    }
    return this.resolve(node) ?? undefined;
  }

  problem(
    code: ProblemCode,
    path: readonly PathSegment[],
    message: string,
    at: 'key' | 'value' = 'value',
  ): Problem {
    return { code, file: this.file, ...this.locate(path, at), path: formatPath(path), message };
  }

  private resolve(node: Node | null | undefined): Node | null | undefined {
    // Follow at most a few hops: an alias always points at an anchored node defined before it.
    for (let i = 0; i < 8 && isAlias(node); i++) node = node.resolve(this.doc) as Node | undefined;
    return node;
  }
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** A problem about the whole file, with no position in it. */
export function fileProblem(file: string, code: ProblemCode, message: string): Problem {
  return { code, file, line: 0, col: 0, path: '', message };
}

const MAX_SYNTAX_ERRORS = 5;

/** `{ a: ${X} }` is a YAML error: inside a flow collection `{` opens a mapping. */
const FLOW_VARIABLE_HINT = ' (inside { } or [ ], put a ${VAR} value in quotes: "${VAR}")';

const YAML_MESSAGES: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'duplicate key: each key may appear only once in a mapping',
  MULTIPLE_DOCS:
    'the budget file must hold one YAML document; remove the second `---` and what follows',
  TAB_AS_INDENT: 'tabs are not allowed as indentation in YAML: indent with spaces',
};

/** The bracket an "unclosed flow collection" error asks for (`}` or `]`), if it is one. */
function unclosedFlow(message: string): '}' | ']' | undefined {
  return /\bflow (?:map|sequence)\b.*\bend with an? ([}\]])/i.exec(message)?.[1] as
    '}' | ']' | undefined;
}

/**
 * Where the `{` or `[` that is not closed before `offset` was opened (1-based line and column of
 * the nearest line above with more openers than closers; quotes aside, good enough to point).
 */
function unclosedOpener(
  text: string,
  offset: number,
  closer: '}' | ']',
): { line: number; col: number } | undefined {
  const opener = closer === '}' ? '{' : '[';
  const before = text.slice(0, offset).split('\n');
  for (let i = before.length - 1; i >= 0; i--) {
    const line = before[i]!.replace(/#.*$/, '');
    if (line.split(opener).length > line.split(closer).length) {
      return { line: i + 1, col: line.lastIndexOf(opener) + 1 };
    }
  }
  return undefined;
}

/** Parses YAML text; returns the source, or the syntax problems that stop any further check. */
export function parseYamlSource(
  text: string,
  file: string,
  words: OptionWords = ACTION_WORDS,
): { source: BudgetSource; problems: [] } | { source?: undefined; problems: Problem[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    return { problems: [fileProblem(file, 'file.too-large', tooLarge(bytes, words))] };
  }
  const lines = new LineCounter();
  const at = (offset: number): Pick<Problem, 'line' | 'col'> => {
    const { line, col } = lines.linePos(offset);
    return { line, col };
  };
  const tooDeep = deepFlowOffset(text);
  if (tooDeep !== undefined) {
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return {
      problems: [
        {
          code: 'yaml.too-deep',
          file,
          ...at(tooDeep),
          path: '',
          message: `[ ] and { } are nested more than ${MAX_FLOW_DEPTH} levels deep here: budget files are shallow, and a deeper file is refused before parsing (it could take the parser minutes)`,
        },
      ],
    };
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems = syntaxProblems(text, file, doc, at);
  if (problems.length) return { problems };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const offset = firstAliasOffset(doc);
    const message = String((e as Error).message ?? e);
    const aliases = /excessive alias count/i.test(message);
    const text = aliases
      ? `aliases are limited: this file expands its anchors (&name / *name) more than ${MAX_ALIAS_COUNT} times, as a "billion laughs" attack would; write the values out or use defaults`
      : `YAML: ${lowerFirst(message)}`;
    const code = aliases ? ('yaml.aliases' as const) : ('yaml.error' as const);
    return { problems: [{ code, file, ...at(offset), path: '', message: text }] };
  }
  return { source: new BudgetSource(file, text, doc, lines, data), problems: [] };
}

/**
 * The parser's errors and warnings as problems, echoes left out: after an unclosed `{` or `[`
 * (or a `${VAR}` inside one) and after the first few, what follows is mostly caused by them.
 */
function syntaxProblems(
  text: string,
  file: string,
  doc: Document.Parsed,
  at: (offset: number) => Pick<Problem, 'line' | 'col'>,
): Problem[] {
  const problems: Problem[] = [];
  // An unclosed { or [ makes the parser read what follows as part of it: every error after the
  // first such one is its echo, so one missing } is one problem.
  // So does a ${VAR} inside one (its first error gets the hint below).
  const unclosed = doc.errors.findIndex((e) => unclosedFlow(e.message) !== undefined);
  const first = doc.errors[0];
  const flowVariable =
    first !== undefined && /[{[][^\n]*\$\{/.test(text.split('\n')[at(first.pos[0]).line - 1] ?? '');
  const errors = flowVariable
    ? doc.errors.slice(0, 1)
    : unclosed < 0
      ? doc.errors
      : doc.errors.slice(0, unclosed + 1);
  // After the first few, syntax errors are mostly echoes of the first: a page of them hides it.
  for (const [i, e] of errors.slice(0, MAX_SYNTAX_ERRORS).entries()) {
    const closer = unclosedFlow(e.message);
    const opened = closer ? unclosedOpener(text, e.pos[0], closer) : undefined;
    const message =
      e.code === 'DUPLICATE_KEY'
        ? duplicateKey(text, e.pos)
        : closer
          ? `this ${closer === '}' ? '{' : '['} is not closed: add the missing ${closer}`
          : YAML_MESSAGES[e.code];
    const position = opened ?? at(e.pos[0]);
    const line = text.split('\n')[position.line - 1] ?? '';
    const hint = i === 0 && /[{[][^\n]*\$\{/.test(line) ? FLOW_VARIABLE_HINT : '';
    problems.push({
      code: 'yaml.syntax',
      file,
      ...position,
      path: '',
      message: `YAML syntax error: ${message ?? lowerFirst(e.message)}${hint}`,
    });
  }
  const more = errors.length - MAX_SYNTAX_ERRORS;
  if (more > 0) {
    problems.push({
      code: 'yaml.syntax-more',
      file,
      ...at(errors[MAX_SYNTAX_ERRORS]!.pos[0]),
      path: '',
      message: `YAML syntax error: ${more} more after this point, probably caused by the ones before; fix those first`,
    });
  }
  for (const w of doc.warnings) {
    const message =
      w.code === 'TAG_RESOLVE_FAILED'
        ? `${lowerFirst(w.message)}: budget files use plain YAML without custom tags`
        : lowerFirst(w.message);
    problems.push({
      code: 'yaml.warning',
      file,
      ...at(w.pos[0]),
      path: '',
      message: `YAML: ${message}`,
    });
  }
  return problems;
}

/**
 * Flow collections (`[ ]`, `{ }`) a file may nest. A budget file needs three or four; the YAML
 * parser recurses per level, and a file of 200,000 `[` keeps it busy for 20 s.
 */
export const MAX_FLOW_DEPTH = 64;

/** Control tokens of the YAML lexer that stand for no source text. */
const LEXER_MARKERS = new Set(['\x02', '\x18', '\x1f']);

/**
 * Where flow collections first nest deeper than MAX_FLOW_DEPTH, as an offset; undefined if they
 * never do. The lexer is linear and keeps no stack, so it measures what the parser cannot.
 */
function deepFlowOffset(text: string): number | undefined {
  if (!/[[{]/.test(text)) return undefined;
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_FLOW_DEPTH) return offset;
    } else if (token === ']' || token === '}') {
      depth = Math.max(0, depth - 1);
    }
    if (!LEXER_MARKERS.has(token)) offset += token.length;
  }
  return undefined;
}

export function tooLarge(bytes: number, words: OptionWords): string {
  // Just over the limit, a rounded size would read as equal to it.
  const size =
    formatBytes(bytes) === formatBytes(MAX_FILE_BYTES) ? `${bytes} bytes` : formatBytes(bytes);
  return `the budget file is ${size}, over the ${formatBytes(MAX_FILE_BYTES)} limit: budget files are small YAML, check that ${words.budgetFile} points at the right file`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

function duplicateKey(text: string, pos: [number, number]): string {
  // The error marks where the key starts; the key runs to its colon.
  const m = /^("[^"\n]*"|'[^'\n]*'|[^:\n,{}[\]]+?)\s*:/.exec(text.slice(pos[0]));
  const key = m ? m[1]!.replace(/^["']|["']$/g, '') : '';
  return key
    ? `duplicate key ${JSON.stringify(key)}: each key may appear only once in a mapping`
    : (YAML_MESSAGES.DUPLICATE_KEY as string);
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  const walk = (node: ParsedNode | null | undefined | unknown): boolean => {
    if (isAlias(node)) {
      offset = node.range?.[0] ?? 0;
      return true;
    }
    if (isMap(node)) return node.items.some((p) => walk(p.key) || walk(p.value));
    if (isSeq(node)) return node.items.some(walk);
    return false;
  };
  walk(doc.contents);
  return offset;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
