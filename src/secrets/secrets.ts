/**
 * The one place that knows what is secret and how a secret may look once printed (SPEC §8).
 * Every string perf-gate prints, writes or posts is masked here: log lines (src/log/lines.ts),
 * the JSON report, the markdown of the summary and the comment, annotations, messages.
 *
 * A secret is registered once, as the value the user gave; masking then looks for every form it
 * can take on the way out: as is, percent-decoded, percent-encoded (`encodeURIComponent`,
 * `encodeURI`, the form encoding with `+` for a space, the URL parser's own path, user-info and
 * query spellings) and JSON-escaped. The user name and password of a URL are secrets, and so is
 * `base64(user:password)`, the Basic authorization header they become. Every query value of the
 * target and baseline URLs is a secret too (preview protection bypasses, signed tokens), unless
 * the budget file names its parameter in `target.public-query`.
 *
 * This module imports nothing of perf-gate, so every layer may use it.
 */

/** Shorter values are too common to mask without making all output unreadable ("1", "ok"). */
export const MIN_SECRET_LENGTH = 4;

const MASK = '***';

/** `scheme://anything@`: whatever sits before an `@` of a URL may be a password. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

/** Every spelling of `value` that output may carry, each at least MIN_SECRET_LENGTH long. */
export function secretForms(value: string): string[] {
  const bases = new Set([value]);
  const decoded = safeDecode(value);
  if (decoded !== undefined) bases.add(decoded);
  const plus = safeDecode(value.replace(/\+/g, ' '));
  if (plus !== undefined) bases.add(plus);
  const forms = new Set<string>();
  for (const base of bases) {
    forms.add(base);
    const component = encodeURIComponent(base);
    forms.add(component);
    forms.add(component.replace(/%20/g, '+'));
    forms.add(lowerHex(component));
    forms.add(encodeURI(base));
    forms.add(new URLSearchParams([['k', base]]).toString().slice(2));
    forms.add(JSON.stringify(base).slice(1, -1));
    for (const spelling of urlSpellings(base)) forms.add(spelling);
  }
  // The value itself is masked whatever its length (whoever registered it chose it); its other
  // spellings only when long enough not to hit ordinary text.
  return [...forms].filter((form) => form === value || form.length >= MIN_SECRET_LENGTH);
}

/** How the WHATWG URL parser writes the value into a path, a user-info part and a query. */
function urlSpellings(value: string): string[] {
  const out: string[] = [];
  try {
    const u = new URL('http://h/');
    u.pathname = `/${value}`;
    out.push(u.pathname.slice(1));
    u.password = value;
    out.push(u.password);
    u.username = value;
    out.push(u.username);
    u.search = `?${value}`;
    out.push(u.search.slice(1));
  } catch {
    // A value the parser refuses is never written into a URL by it.
  }
  return out;
}

function lowerHex(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The secrets a URL carries: its user name and password (raw and decoded), the Basic
 * authorization they are sent as, and every query value whose parameter is not in
 * `publicQuery`. Values shorter than MIN_SECRET_LENGTH are left out.
 */
export function urlSecrets(url: string, publicQuery: readonly string[] = []): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const out = new Set<string>(urlCredentials(url));
  const open = new Set(publicQuery);
  for (const [key, value] of u.searchParams) {
    if (open.has(key)) continue;
    out.add(value);
    // The raw spelling too: the parser keeps it as written (`%2B`, `+`, unusual escapes).
    const raw = rawQueryValue(u.search, key);
    if (raw !== undefined) out.add(raw);
  }
  return [...out].filter((part) => part.length >= MIN_SECRET_LENGTH);
}

/**
 * The user name and password of a URL, raw and decoded, and `base64(user:password)`, the Basic
 * authorization header they are sent as (values shorter than MIN_SECRET_LENGTH left out).
 */
export function urlCredentials(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  if (!u.username && !u.password) return [];
  const user = safeDecode(u.username) ?? u.username;
  const password = safeDecode(u.password) ?? u.password;
  const parts = [u.username, u.password, user, password];
  parts.push(Buffer.from(`${user}:${password}`).toString('base64'));
  return [...new Set(parts)].filter((part) => part.length >= MIN_SECRET_LENGTH);
}

function rawQueryValue(search: string, key: string): string | undefined {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const name = safeDecode(pair.slice(0, at).replace(/\+/g, ' '));
    if (name === key) return pair.slice(at + 1);
  }
  return undefined;
}

/**
 * A URL as it may be printed: no user name or password, each query value shown as `***` unless
 * its parameter is public. The path is kept (it says which endpoint); it is masked like any text.
 */
export function displayUrl(url: string, publicQuery: readonly string[] = []): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return quoteUrlText(url);
  }
  const open = new Set(publicQuery);
  const query = [...u.searchParams]
    .map(([key, value]) =>
      open.has(key)
        ? new URLSearchParams([[key, value]]).toString()
        : `${encodeURIComponent(key)}=${MASK}`,
    )
    .join('&');
  return `${u.origin}${u.pathname}${query ? `?${query}` : ''}`;
}

/**
 * Text meant as a URL that may not parse (quoted in a message about it): whatever sits before an
 * `@` and everything after a `?` is hidden.
 */
export function quoteUrlText(text: string): string {
  return hideUserinfo(text)
    .replace(/^([^:/?#]*:\/\/)?[^/?#]*@/, `$1${MASK}@`)
    .replace(/[?#].*$/s, '?…');
}

/** Every `scheme://user:password@` in a text, user-info replaced by `***`. */
export function hideUserinfo(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}@`);
}

/** A set of secrets and the masking of text by them; build once, mask many strings. */
export class Secrets {
  private readonly values = new Set<string>();
  private forms: string[] = [];
  private readonly listeners: ((form: string) => void)[] = [];

  constructor(values: Iterable<string> = []) {
    this.add(...values);
  }

  /** Registers values (the empty string is ignored). */
  add(...values: string[]): void {
    let changed = false;
    for (const value of values) {
      if (value === '' || this.values.has(value)) continue;
      this.values.add(value);
      changed = true;
      for (const form of secretForms(value)) {
        if (this.forms.includes(form)) continue;
        this.forms.push(form);
        for (const listener of this.listeners) listener(form);
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    if (changed) this.forms.sort((a, b) => b.length - a.length);
  }

  /** Registers the secrets of a URL (see urlSecrets). */
  addUrl(url: string, publicQuery: readonly string[] = []): void {
    this.add(...urlSecrets(url, publicQuery));
  }

  /**
   * Called with every form of every secret, those already registered and those to come (the
   * action hands them to the runner's `::add-mask::`).
   */
  onForm(listener: (form: string) => void): void {
    this.listeners.push(listener);
    for (const form of this.forms) listener(form);
  }

  /** The values as registered. */
  list(): string[] {
    return [...this.values];
  }

  /** Every form of every secret replaced by `***`, and every `user:password@` of a URL. */
  mask(text: string): string {
    let out = hideUserinfo(text);
    for (const form of this.forms) {
      if (out.includes(form)) out = out.split(form).join(MASK);
    }
    return out;
  }
}

/** Masks one text by a list of secret values (builds the forms each call: for a few strings). */
export function maskText(text: string, secrets: readonly string[]): string {
  return new Secrets(secrets).mask(text);
}

/**
 * The process's registry: what the action and the CLI learn at run time (inputs, the budget
 * file's interpolated values, the GitHub token). The log writers mask every line by it.
 */
export const registry = new Secrets();
