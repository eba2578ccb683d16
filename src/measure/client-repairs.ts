import type autocannon from 'autocannon';

/**
 * Repairs to autocannon 9's HTTP client, installed through its `setupClient` hook. They touch the
 * client's internals (`_connect`, `pipelinedRequests`, `parser`, `timeoutTicker`); if those are
 * missing (another autocannon version) nothing is changed, and the reset and HEAD tests in
 * test/measure/engine.test.ts and test/faults/late-timers.test.ts fail loudly.
 *
 * Reconnects: when the server resets or closes a connection with a request in flight, the client
 * reconnects but keeps the dead request in its queue of pending requests, so every later response
 * on that connection is timed from an earlier request (a 20 ms route measured ~120 ms after a few
 * resets). It also counts a request lost to a server-side close (FIN) nowhere. Before each
 * reconnect the queue and the half-read response are cleared, and a request lost to a close the
 * server did not announce is reported (as Node's own client does: "socket hang up", ECONNRESET).
 * A close announced with `Connection: close` is not counted: autocannon ignores that header and
 * writes its next request into the closing connection, a client artefact, not a target failure.
 *
 * Bodies: the client appends every response body to a string it keeps until the response ends,
 * only for autocannon's body checks, which perf-gate never uses; a 50 MB response then costs
 * 50 MB per connection. The bytes are still counted; the text is dropped.
 *
 * HEAD: a response to HEAD has a Content-Length but no body, which the client's parser cannot
 * know, so it waits for a body that never comes and every request times out. The parser is told
 * to skip the body.
 *
 * Late timers: the client's request timeout (a `retimer`, moved on by every request) works out
 * the time left when it fires; when it fires late (a busy runner, a long callback before it) that
 * is negative, and Node 24 prints a TimeoutNegativeWarning into the job's log before treating it
 * as 1 ms. The delay is raised to 1 ms first: the same timing, no warning.
 */

interface Parser {
  initialize(type: string): void;
  constructor: { kOnHeadersComplete?: number };
  [handler: number]: ((...args: unknown[]) => unknown) | undefined;
}

interface Ticker {
  _schedule?: (timeoutMs: number) => void;
}

interface ClientInternals {
  _connect?: () => void;
  timeoutTicker?: Ticker;
  pipelinedRequests?: { size(): number; clear(): void; addBody?: (data: unknown) => void };
  parser?: Parser;
}

export interface ClientRepairOptions {
  method: string;
  /** A request was lost to a connection the server closed without saying so. */
  onLostRequest: () => void;
}

export function repairClient(client: autocannon.Client, options: ClientRepairOptions): void {
  const internals = client as unknown as ClientInternals;
  const connect = internals._connect;
  const queue = internals.pipelinedRequests;
  if (typeof connect !== 'function' || !queue) return;
  if (typeof queue.addBody === 'function') queue.addBody = () => {};

  let errored = false;
  let keepAlive = true;
  const events = client as unknown as NodeJS.EventEmitter;
  events.on('headers', (info: unknown) => {
    keepAlive = (info as { shouldKeepAlive?: boolean } | null)?.shouldKeepAlive !== false;
  });
  // Emitted before autocannon reconnects; autocannon itself counts the request as an error.
  events.on('connError', () => {
    errored = true;
  });

  let first = true;
  internals._connect = function (this: ClientInternals) {
    // The first connect comes at the end of the client's constructor, once the parser's handlers
    // are in place.
    if (first) {
      first = false;
      if (options.method.toUpperCase() === 'HEAD') skipBodies(internals.parser);
      neverNegative(internals.timeoutTicker);
    }
    if (queue.size() > 0) {
      if (!errored && keepAlive) options.onLostRequest();
      queue.clear();
      internals.parser?.initialize('RESPONSE');
    }
    errored = false;
    keepAlive = true;
    connect.call(this);
  };
}

function neverNegative(ticker: Ticker | undefined): void {
  const schedule = ticker?._schedule;
  if (!ticker || typeof schedule !== 'function') return;
  ticker._schedule = function (this: Ticker, timeoutMs: number) {
    schedule.call(this, Math.max(1, timeoutMs));
  };
}

function skipBodies(parser: Parser | undefined): void {
  const key = parser?.constructor.kOnHeadersComplete;
  const onHeaders = key === undefined ? undefined : parser?.[key];
  if (!parser || key === undefined || typeof onHeaders !== 'function') return;
  parser[key] = (...args: unknown[]) => {
    onHeaders(...args);
    return true; // skip the body
  };
}
