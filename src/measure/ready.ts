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
    last = await attempt(url, options.headers, attemptMs, options.signal);
    if (last === 'ok') {
      const elapsedMs = performance.now() - started;
      options.log?.(
        `${shown} is ready after ${formatMs(elapsedMs)} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
      );
      return { elapsedMs, attempts };
    }
    options.signal?.throwIfAborted();
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new TargetUnreachableError(
        `target ${shown} did not answer 2xx within ${formatMs(options.timeoutMs)}: last attempt: ${last}. ` +
          'Check that the deployment is up and the URL (and target.ready.path) is right, or raise target.ready.timeout.',
        shown,
        last,
      );
    }
    const pause = Math.min(delay, remaining);
    options.log?.(`waiting for ${shown}: attempt ${attempts}: ${last}; next in ${formatMs(pause)}`);
    await sleep(pause, options.signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}

/**
 * One request before load is sent, for targets without `target.ready`: a target that is down or
 * a host name that does not resolve would otherwise cost every endpoint its full load time, with
 * the load client reconnecting (and looking the name up again) thousands of times a second. Any
 * HTTP answer, even an error status, and a slow answer mean the target is there.
 * @throws TargetUnreachableError when the connection itself fails.
 */
export async function checkReachable(
  url: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const result = await attempt(url, options.headers, timeoutMs, options.signal);
  if (result === 'ok' || result.startsWith('HTTP ') || result.startsWith('timed out')) return;
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
): Promise<string> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      const request = withoutCredentials(current, headers);
      const res = await fetch(request.url, {
        headers: request.headers,
        // Followed here, on the target's origin only: a redirect elsewhere would send the
        // target's headers (tokens included) to a host the budget file never named.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      // The body is not needed, and may be huge or endless: drop it rather than read it.
      await res.body?.cancel().catch(() => undefined);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) {
        return res.status >= 200 && res.status < 300 ? 'ok' : `HTTP ${res.status}`;
      }
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
    if (timeout.aborted) return `timed out after ${formatMs(timeoutMs)}`;
    return describeFetchError(error);
  }
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

/** fetch wraps the socket error (`TypeError: fetch failed`, cause `ECONNREFUSED`); dig out its code. */
export function describeFetchError(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    const { code, errors, cause } = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    // Happy eyeballs (localhost → ::1 and 127.0.0.1) fails with an AggregateError of both attempts.
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = cause;
  }
  // No code anywhere (e.g. fetch refusing a port as "bad port"): the innermost message says most.
  let innermost: unknown = error;
  while (innermost instanceof Error && innermost.cause instanceof Error)
    innermost = innermost.cause;
  const message = innermost instanceof Error ? innermost.message : String(error);
  // Some messages quote the URL, credentials included.
  return message.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@');
}

/**
 * The URL as it may be printed: credentials and query values can carry secrets, so they are
 * dropped (a query is shown as `?…`).
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)}m`;
  return `${trim(ms / 3_600_000)}h`;
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
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
