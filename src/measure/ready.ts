import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TlsSettings } from '../config/types.js';
import { displayUrl, hideUserinfo } from '../secrets/secrets.js';
import { CERTIFICATE_HINT, isCertificateError, tlsConnectOptions } from './tls.js';
import { formatDuration } from '../units/format.js';

/**
 * Waiting for a freshly deployed target to come up (docs/architecture.md §3 `target.ready`): poll until it answers
 * 2xx, backing off exponentially so a slow start is not hammered, and give up with a message that
 * says which URL failed and how. Header values are sent but never printed: they may be secrets.
 */

export interface WaitForReadyOptions {
  /** Give up after this long, ms. */
  timeoutMs: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Longest a single attempt may take, ms (default 10 s; past the deadline by at most 1 s). */
  attemptTimeoutMs?: number;
  /** First pause between attempts, ms (default 250); doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Longest pause between attempts, ms (default 5000). */
  maxDelayMs?: number;
  /** How the target's certificate is checked (default: verified against Node's CAs). */
  tls?: TlsSettings;
}

export interface ReadyResult {
  elapsedMs: number;
  attempts: number;
}

export class TargetUnreachableError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly lastAttempt: string,
  ) {
    super(message);
    this.name = 'TargetUnreachableError';
  }
}

export async function waitForReady(
  url: string,
  options: WaitForReadyOptions,
): Promise<ReadyResult> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const shown = displayUrl(url);
  let delay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  let attempts = 0;
  let last = 'no attempt made';

  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    // An attempt stops at the deadline, but even the last one gets a fair chance to answer.
    const attemptLimit = options.attemptTimeoutMs ?? 10_000;
    const attemptMs = Math.max(
      Math.min(attemptLimit, 1000),
      Math.min(attemptLimit, deadline - performance.now()),
    );
    last = await attempt(url, options.headers, attemptMs, options.signal, options.tls);
    if (last === 'ok') {
      const elapsedMs = performance.now() - started;
      options.log?.(
        `${shown} is ready after ${formatDuration(elapsedMs)} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
      );
      return { elapsedMs, attempts };
    }
    options.signal?.throwIfAborted();
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new TargetUnreachableError(
        `target ${shown} did not answer 2xx within ${formatDuration(options.timeoutMs)}: last attempt: ${last}. ` +
          'Check that the deployment is up and the URL (and target.ready.path) is right, or raise target.ready.timeout.',
        shown,
        last,
      );
    }
    const pause = Math.min(delay, remaining);
    options.log?.(
      `waiting for ${shown}: attempt ${attempts}: ${last}; next in ${formatDuration(pause)}`,
    );
    await sleep(pause, options.signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}

/**
 * One request before load is sent, for targets without `target.ready`: a target that is down or
 * a host name that does not resolve would otherwise cost every endpoint its full load time, with
 * the load client reconnecting (and looking the name up again) thousands of times a second. Any
 * HTTP answer, even an error status, means the target is there. No answer within the timeout
 * does not: a first connection that merely stalls says nothing about what later ones reach.
 * @throws TargetUnreachableError when the connection fails, is not trusted, or times out.
 */
export async function checkReachable(
  url: string,
  options: {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    timeoutMs?: number;
    tls?: TlsSettings;
  } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const result = await attempt(url, options.headers, timeoutMs, options.signal, options.tls);
  if (result === 'ok' || result.startsWith('HTTP ')) return;
  const shown = displayUrl(url);
  throw new TargetUnreachableError(
    `target ${shown} cannot be reached: ${result}. Check that the deployment is up and the URL is right (target.url in the budget file, or the URL given in its place).`,
    shown,
    result,
  );
}

/** Redirects a readiness probe follows (on the target's origin). */
const MAX_REDIRECTS = 5;

/** One probe: 'ok', or what went wrong in a few words (`HTTP 503`, `ECONNREFUSED`, `timed out after 10s`). */
async function attempt(
  url: string,
  headers: Record<string, string> | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  tls: TlsSettings | undefined,
): Promise<string> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      const request = withoutCredentials(current, headers);
      const res = await probe(
        request.url,
        request.headers ?? {},
        signal ? AbortSignal.any([signal, timeout]) : timeout,
        tls,
      );
      const location = res.location;
      if (res.status < 300 || res.status >= 400 || location === undefined) {
        return res.status >= 200 && res.status < 300 ? 'ok' : `HTTP ${res.status}`;
      }
      // Followed here, on the target's origin only: a redirect elsewhere would send the
      // target's headers (tokens included) to a host the budget file never named.
      const next = new URL(location, current);
      if (next.origin !== new URL(current).origin) {
        return `HTTP ${res.status} redirect to another origin (${displayUrl(next.href)}), not followed`;
      }
      if (redirects >= MAX_REDIRECTS) {
        return `HTTP ${res.status}: more than ${MAX_REDIRECTS} redirects (a redirect loop?)`;
      }
      current = next.href;
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) return `timed out after ${formatDuration(timeoutMs)}`;
    const described = describeFetchError(error);
    return isCertificateError(described) ? `${described}: ${CERTIFICATE_HINT}` : described;
  }
}

/**
 * One GET with Node's own client (which takes the same certificate options as the load's
 * connections): the status and the Location header. The body is not needed, and may be huge or
 * endless: the response is dropped once its head is in.
 */
function probe(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  tls: TlsSettings | undefined,
): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const secure = new URL(url).protocol === 'https:';
    const options = { method: 'GET', headers, signal, agent: false as const };
    const onResponse = (res: IncomingMessage) => {
      const location = res.headers.location;
      resolve({ status: res.statusCode ?? 0, ...(location ? { location } : {}) });
      res.destroy();
    };
    const req = secure
      ? httpsRequest(url, { ...options, ...tlsConnectOptions(tls) }, onResponse)
      : httpRequest(url, options, onResponse);
    req.on('error', reject);
    req.end();
  });
}

/**
 * fetch refuses a URL with credentials in it (`http://user:pass@host`), which the load itself
 * (autocannon) sends as Basic authentication: do the same, unless an authorization header is set.
 */
export function withoutCredentials(
  url: string,
  headers: Record<string, string> | undefined,
): { url: string; headers: Record<string, string> | undefined } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, headers };
  }
  if (!u.username && !u.password) return { url, headers };
  const credentials = `${safeDecode(u.username)}:${safeDecode(u.password)}`;
  u.username = '';
  u.password = '';
  const hasAuthorization = Object.keys(headers ?? {}).some(
    (k) => k.toLowerCase() === 'authorization',
  );
  return {
    url: u.href,
    headers: hasAuthorization
      ? headers
      : { ...headers, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The code of a failed request (`ECONNREFUSED`, `CERT_HAS_EXPIRED`), dug out of wrapped errors;
 * else the innermost message, URL credentials hidden.
 */
export function describeFetchError(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    const { code, errors, cause } = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    // Happy eyeballs (localhost → ::1 and 127.0.0.1) fails with an AggregateError of both attempts.
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = cause;
  }
  // No code anywhere: the innermost message says most.
  let innermost: unknown = error;
  while (innermost instanceof Error && innermost.cause instanceof Error)
    innermost = innermost.cause;
  const message = innermost instanceof Error ? innermost.message : String(error);
  // Some messages quote the URL, credentials included.
  return hideUserinfo(message);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
