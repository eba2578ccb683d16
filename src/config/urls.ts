/**
 * URLs of the deployment under test. Load goes only where the target URL says: endpoint and
 * ready paths are appended to it, and an absolute URL is accepted only on the target's own
 * origin, because a budget file changed in a pull request must not be able to aim load at a
 * third party.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * The target's base URL: absolute, http or https, with a host. The fragment is dropped (it is
 * never sent). `shown` is how the value may be quoted in messages (the file's text, not an
 * interpolated value).
 */
export function checkTargetUrl(text: string, shown: string): Checked<URL> {
  if (/^[A-Za-z0-9.-]+:\d+(\/|$)/.test(text.trim())) {
    return {
      ok: false,
      message: `expected an absolute URL starting with http:// or https://, found ${shown}`,
    };
  }
  const scheme = SCHEME.exec(text.trim())?.[1]?.toLowerCase();
  if (scheme && scheme !== 'http' && scheme !== 'https') {
    return {
      ok: false,
      message: `expected an http:// or https:// URL, found ${shown} (scheme ${scheme}:); perf-gate only sends HTTP load`,
    };
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return {
      ok: false,
      message: `expected an absolute http:// or https:// URL like "https://preview.example.com", found ${shown}`,
    };
  }
  if (!url.hostname) {
    return { ok: false, message: `expected a URL with a host name, found ${shown}` };
  }
  url.hash = '';
  return { ok: true, value: url };
}

/**
 * Resolves an endpoint (or ready) path against the target. A path, with or without a leading
 * slash, is appended to the target's path: target `https://x/app/` and path `/api/a` give
 * `https://x/app/api/a` (a leading slash does not climb out of the target's prefix, since preview
 * deployments are often served under one). A query string on the target is kept, after the
 * path's own. An absolute URL must have the target's origin.
 */
export function resolvePath(target: URL, path: string, shown: string): Checked<string> {
  const text = path.trim();
  if (/[\r\n\0]/.test(text)) {
    return {
      ok: false,
      message: `expected a path on one line, found a line break or NUL character in ${shown}`,
    };
  }
  if (text.startsWith('//') || text.startsWith('\\\\')) {
    return {
      ok: false,
      message: `expected a path relative to target.url, found ${shown}, which names another host; write /path`,
    };
  }
  const scheme = SCHEME.exec(text)?.[1];
  if (scheme) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return {
        ok: false,
        message: `expected a path like "/api/products" or a URL, found ${shown}`,
      };
    }
    if (url.origin !== target.origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      // Built from an interpolated value, the suggestion could show a secret: only for plain text.
      const example = shown.includes('${') ? '' : `, like "${url.pathname}${url.search}"`;
      return {
        ok: false,
        message: `${shown} is not on the target's origin: a budget file changed in a pull request must not aim load at third parties; write a path relative to target.url${example}`,
      };
    }
    url.hash = '';
    const escape = leavesPrefix(target, url.pathname, url.pathname, shown);
    if (escape) return { ok: false, message: escape };
    return { ok: true, value: url.href };
  }
  const hash = text.indexOf('#');
  const withoutHash = hash >= 0 ? text.slice(0, hash) : text;
  const q = withoutHash.indexOf('?');
  const pathPart = q >= 0 ? withoutHash.slice(0, q) : withoutHash;
  const query = q >= 0 ? withoutHash.slice(q + 1) : '';
  const prefix = target.pathname.replace(/\/+$/, '');
  const joined = `${prefix}/${pathPart.replace(/^\/+/, '')}`;
  const targetQuery = target.search.slice(1);
  const search = [query, targetQuery].filter(Boolean).join('&');
  let url: URL;
  try {
    url = new URL(`${target.origin}${joined}${search ? `?${search}` : ''}`);
  } catch {
    return { ok: false, message: `expected a path like "/api/products", found ${shown}` };
  }
  // The origin is fixed by construction; check anyway, the path is untrusted input.
  if (url.origin !== target.origin) {
    return { ok: false, message: `${shown} does not resolve to the target's origin` };
  }
  const escape = leavesPrefix(target, url.pathname, pathPart, shown);
  if (escape) return { ok: false, message: escape };
  if (target.username || target.password) {
    url.username = target.username;
    url.password = target.password;
  }
  return { ok: true, value: url.href };
}

/** Percent-decodings tried: a path decoded twice on its way (proxy, then app) is seen so. */
const MAX_DECODINGS = 3;

/**
 * Why a resolved path is outside the target's path prefix, or undefined when it is inside.
 * Checked on the path as the URL parser normalised it (`..`, `%2e%2e`, `\`), and on the path
 * as a server that decodes percent-escapes before normalising would see it (`..%2f`, `%5c`,
 * `%252e%252e`): load goes only under target.url's path, whichever way the server reads it.
 */
function leavesPrefix(
  target: URL,
  pathname: string,
  written: string,
  shown: string,
): string | undefined {
  const prefix = target.pathname.replace(/\/+$/, '');
  const inside = (path: string) => path === prefix || path.startsWith(`${prefix}/`);
  const message = `${shown} leaves the target's path ${prefix || '/'} (after resolving ".." and percent-escapes such as %2e and %2f): load goes only under target.url; write a path inside it`;
  if (!inside(pathname)) return message;
  let decoded = pathname;
  for (let i = 0; i < MAX_DECODINGS && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break; // A lone % is sent as it is and decodes to nothing else.
    }
    if (!inside(removeDotSegments(decoded.replace(/\\/g, '/')))) return message;
  }
  // Backslashes and dot segments as written, for servers that take "\" as a separator.
  const raw = `${prefix}/${written.replace(/\\/g, '/').replace(/^\/+/, '')}`;
  if (!inside(removeDotSegments(raw))) return message;
  return undefined;
}

/** RFC 3986 §5.2.4: `/a/b/../c/./d` → `/a/c/d`; never climbs above the root. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (const [i, segment] of segments.entries()) {
    if (segment === '..') {
      if (out.length > 1) out.pop();
      if (i === segments.length - 1) out.push('');
    } else if (segment === '.') {
      if (i === segments.length - 1) out.push('');
    } else {
      out.push(segment);
    }
  }
  return out.join('/') || '/';
}

/**
 * The user name and password written into a URL (`https://user:pass@host`), raw and decoded:
 * values to mask in every output. Parts shorter than `minLength` are left out, as for any
 * interpolated value (masking "a" would make all output unreadable).
 */
export function credentialsIn(url: string, minLength = 4): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const parts = new Set<string>();
  for (const raw of [u.username, u.password]) {
    parts.add(raw);
    try {
      parts.add(decodeURIComponent(raw));
    } catch {
      // Not valid percent-encoding: the raw form is what appears.
    }
  }
  return [...parts].filter((part) => part.length >= minLength);
}
