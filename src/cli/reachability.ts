import { describeFetchError, displayUrl } from '../measure/ready.js';
import type { Measurement } from '../measure/types.js';

/**
 * Whether anything answers at the target before load is sent. Without `target.ready` a wrong
 * URL would otherwise cost the full load time of every endpoint before the run could say so.
 */

export interface Unreachable {
  /** Safe to print (no credentials, no query values). */
  url: string;
  /** ECONNREFUSED, ENOTFOUND, ... */
  reason: string;
}

/**
 * One request; any HTTP answer, even an error status, means the target is there. Only a failure
 * to connect (refused, no such host, TLS) counts as unreachable: a slow answer is left for the
 * measurement to judge.
 */
export async function probe(
  url: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Unreachable | undefined> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  try {
    const res = await fetch(url, {
      headers: options.headers,
      redirect: 'manual',
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  } catch (error) {
    if (options.signal?.aborted || timeout.aborted) return undefined;
    return { url: displayUrl(url), reason: describeFetchError(error) };
  }
}

/** Every request of the measurement failed to connect: nothing answered at all. */
export function neverConnected(m: Measurement): boolean {
  const connection = Object.values(m.errorBreakdown.connection).reduce((a, b) => a + b, 0);
  return m.requests === 0 || connection === m.requests;
}

/** `ECONNREFUSED x120` for a message. */
export function connectionErrors(m: Measurement): string {
  const entries = Object.entries(m.errorBreakdown.connection);
  return entries.length === 0
    ? 'no request completed'
    : entries.map(([code, n]) => `${code} x${n}`).join(', ');
}
