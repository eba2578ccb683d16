/**
 * Request headers (`target.headers`, an endpoint's `headers`): names lower-cased, and the
 * headers that would corrupt the request, send it elsewhere or inject others refused.
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import { add, addKey, variablesIn, type NormaliseContext } from './normalise-context.js';
import { dataAt } from './validate.js';

/** Framing headers are computed from the body; a wrong one would corrupt every request. */
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding']);

/**
 * Headers that choose where a request goes. On a shared ingress, CDN or proxy, `host` (and the
 * forwarding headers such proxies honour for routing) would send the load to another virtual
 * host, or another path, than target.url names, and the ready check would check something else
 * than what is loaded. `x-forwarded-for`, `-proto` and `x-real-ip` only describe the client and
 * stay allowed.
 */
const ROUTING_HEADERS = new Set([
  'host',
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-host',
  'x-original-url',
  'x-rewrite-url',
  'x-original-host',
]);

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they control the connection to the next hop, not the
 * request. The load generator manages its own connections; `upgrade` would switch protocols
 * mid-run, `te`/`trailer` change framing, `proxy-*` are meant for a proxy.
 */
const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'te', 'trailer', 'upgrade']);

/** The headers at `path`, by lower-case name; each refused one is a problem. */
export function headersOf(
  ctx: NormaliseContext,
  raw: Raw.Headers | undefined,
  path: PathSegment[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const other = seen.get(lower);
    if (other !== undefined) {
      addKey(
        ctx,
        'header.duplicate',
        path,
        name,
        `header ${JSON.stringify(name)} is also given as ${JSON.stringify(other)}: header names are case-insensitive, keep one`,
      );
      continue;
    }
    seen.set(lower, name);
    if (FORBIDDEN_HEADERS.has(lower)) {
      addKey(
        ctx,
        'header.framing',
        path,
        name,
        `header "${lower}" is computed from the body and cannot be set`,
      );
      continue;
    }
    if (ROUTING_HEADERS.has(lower)) {
      addKey(
        ctx,
        'header.routing',
        path,
        name,
        `header "${lower}" is refused: it chooses where the request goes, and load goes only to target.url; ${lower.endsWith('-url') ? 'write the path in path' : `put the host in target.url (or ${ctx.words.targetUrl})`} instead`,
      );
      continue;
    }
    if (HOP_BY_HOP_HEADERS.has(lower) || lower.startsWith('proxy-')) {
      addKey(
        ctx,
        'header.hop-by-hop',
        path,
        name,
        `header "${lower}" is refused: it is a hop-by-hop header, about the connection to the next hop rather than the request, and perf-gate manages its own connections`,
      );
      continue;
    }
    const text = String(value);
    if (/[\r\n\0]/.test(text)) {
      const vars = variablesIn(dataAt(ctx.source.data, [...path, name]));
      add(
        ctx,
        'header.line-break',
        [...path, name],
        `header "${lower}" has a line break or NUL character in its value${vars.length ? ` (from ${vars.map((v) => `\${${v}}`).join(', ')})` : ''}: refused, as it would inject headers into the request`,
      );
      continue;
    }
    out[lower] = text;
  }
  return out;
}
