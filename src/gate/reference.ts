import type { Config } from '../config/types.js';

/**
 * The reference deployment's URL for a URL of the target: the same path under the reference's
 * prefix, with the URL's own query, the target's parameters replaced by the reference's (both
 * base URLs may carry one, e.g. a protection bypass), and the reference's credentials.
 */
export function onReference(url: string, config: Config, referenceUrl: string): string {
  const target = new URL(config.target.url);
  const own = new URL(url);
  const out = new URL(referenceUrl);
  const prefix = target.pathname.replace(/\/+$/, '');
  const rest = own.pathname.startsWith(prefix) ? own.pathname.slice(prefix.length) : own.pathname;
  out.pathname = `${out.pathname.replace(/\/+$/, '')}${rest.startsWith('/') ? '' : '/'}${rest}`;
  const query = new URLSearchParams(own.search);
  for (const key of target.searchParams.keys()) query.delete(key);
  for (const [key, value] of new URL(referenceUrl).searchParams) query.append(key, value);
  out.search = query.toString();
  return out.href;
}
