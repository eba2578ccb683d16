import { quoteUrlText } from '../secrets/secrets.js';
import { parseArgs } from 'node:util';
import { closest } from '../config/suggest.js';
import { parseDuration } from '../units/parse.js';
import { parseFailOn, type FailOn } from '../evaluate/fail-on.js';

/**
 * Command-line arguments: node's strict parser, with messages that say which option was wrong and
 * what was probably meant. Every failure is a UsageError, which the CLI turns into exit status 2
 * and a pointer to `--help`.
 */

/**
 * The user gave something the CLI cannot use (exit status 2). With `command`, the arguments
 * themselves were wrong and the message points at that command's `--help`.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** The options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = { help: { type: 'boolean', short: 'h' } };

export function parseCommandArgs(
  command: string,
  args: readonly string[],
  options: OptionSpecs,
): ParsedArgs {
  const specs = { ...COMMON_OPTIONS, ...options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: specs,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error, specs), command);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) {
      throw new UsageError(`--${token.name} is given more than once: give it once`, command);
    }
    seen.add(token.name);
  }
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

function describeParseError(error: unknown, specs: OptionSpecs): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /Unknown option '([^']+)'/.exec(text)?.[1] ?? text;
    const names = Object.keys(specs);
    const bare = option.replace(/^-+/, '');
    const guess = option.startsWith('--')
      ? closest(bare, names)
      : Object.entries(specs).find(([, spec]) => spec.short === bare.toLowerCase())?.[0];
    return `unknown option ${option}${guess ? ` (did you mean --${guess}?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(?:-\w, )?(--[\w-]+)/.exec(text)?.[1];
    if (text.includes('does not take an argument')) return `${option} does not take a value`;
    if (option) return `${option} needs a value: ${option} VALUE (or ${option}=VALUE)`;
  }
  return text.split('\n')[0] ?? text;
}

export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

/** Exactly the positional arguments a command takes, named for the message. */
export function positionals(
  parsed: ParsedArgs,
  command: string,
  names: readonly string[],
): string[] {
  const given = parsed.positionals;
  if (given.length < names.length) {
    const missing = names.slice(given.length).join(' and ');
    throw new UsageError(`missing ${missing}`, command);
  }
  if (given.length > names.length) {
    const extra = given
      .slice(names.length)
      .map((a) => JSON.stringify(a))
      .join(', ');
    throw new UsageError(
      names.length === 0
        ? `unexpected argument ${extra}: this command takes options only`
        : `unexpected argument ${extra}: expected only ${names.join(' and ')}`,
      command,
    );
  }
  return [...given];
}

/** An http(s) URL option; anything else is refused before any load is sent. */
export function urlOption(parsed: ParsedArgs, name: string, command: string): string | undefined {
  const value = stringOption(parsed, name)?.trim();
  if (value === undefined) return undefined;
  // "localhost:4000" parses as a URL whose scheme is "localhost:": say what was meant instead.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && /^[\w.-]+(:\d+)?(\/\S*)?$/.test(value)) {
    throw new UsageError(
      `--${name}: "${value}" has no scheme (did you mean http://${value}?); give an absolute http(s) URL`,
      command,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--${name}: expected an absolute http(s) URL such as http://localhost:3000, found "${quoteUrlText(value)}"`,
      command,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `--${name}: only http and https URLs can be measured, found "${url.protocol}"`,
      command,
    );
  }
  return value;
}

export function failOnOption(parsed: ParsedArgs, command: string): FailOn {
  try {
    return parseFailOn(stringOption(parsed, 'fail-on') ?? '', '--fail-on');
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^input /, ''), command);
  }
}

export function durationOption(
  parsed: ParsedArgs,
  name: string,
  fallback: string,
  command: string,
): number {
  const value = stringOption(parsed, name) ?? fallback;
  try {
    // A bare number on the command line is seconds, as in the budget file.
    const ms = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
    if (ms <= 0) throw new Error(`expected a duration above 0, found "${value}"`);
    return ms;
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`, command);
  }
}

export function integerOption(
  parsed: ParsedArgs,
  name: string,
  range: { min: number; max: number; fallback: number },
  command: string,
): number {
  const value = stringOption(parsed, name);
  if (value === undefined) return range.fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < range.min || n > range.max) {
    throw new UsageError(
      `--${name}: expected a whole number from ${range.min} to ${range.max}, found "${value}"`,
      command,
    );
  }
  return n;
}
