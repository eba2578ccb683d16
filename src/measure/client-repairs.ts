import type autocannon from 'autocannon';
import type { PacedConnection } from './pacer.js';

/**
 * Repairs to autocannon 9's HTTP client, installed through its `setupClient` hook. They touch the
 * client's internals (`_connect`, `_doRequest`, `conn`, `emit`, `pipelinedRequests`, `parser`,
 * `timeoutTicker`); if those are
 * missing (another autocannon version) nothing is changed, and the reset, HEAD, interim,
 * close-delimited and open-model tests in test/measure/ and test/faults/late-timers.test.ts fail
 * loudly.
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
 * Interim responses: a 100 Continue, 102 Processing or 103 Early Hints ends, for the client's
 * parser, like any bodiless response, so the client reported it as the response (a 103 sent at
 * once made a 300 ms route look like 0.007 ms) and sent its next request while the real answer
 * was still coming. Interim responses are skipped: the request's latency runs to its final
 * response. (101 Switching Protocols is final: the connection stops speaking HTTP.)
 *
 * Close-delimited bodies: a response with neither Content-Length nor chunked encoding (HTTP/1.0
 * style) ends when the server closes the connection. The client never told its parser about the
 * close, so such responses never completed. At the close the parser is finished, which completes
 * the response; its next request goes out on the new connection. A response cut off before its
 * Content-Length (or its last chunk) is reported as such, not as a lost request.
 *
 * Pacing (the open model, `pacer.ts`): a connection sends only when the pacer hands it a due
 * request; when it would otherwise send its next request it tells the pacer it is free instead.
 * A timeout or a socket error on a connection with nothing in flight is not a failed request and
 * is not reported, and a connection that failed while free reconnects only when it is next given
 * a request (not in a tight loop against a target that is down).
 *
 * Late timers: the client's request timeout (a `retimer`, moved on by every request) works out
 * the time left when it fires; when it fires late (a busy runner, a long callback before it) that
 * is negative, and Node 24 prints a TimeoutNegativeWarning into the job's log before treating it
 * as 1 ms. The delay is raised to 1 ms first: the same timing, no warning.
 */

interface Parser {
  initialize(type: string): void;
  finish(): unknown;
  state?: string;
  constructor: { kOnHeadersComplete?: number; kOnMessageComplete?: number };
  [handler: number]: ((...args: unknown[]) => unknown) | undefined;
}

interface Ticker {
  _schedule?: (timeoutMs: number) => void;
}

interface Pending {
  startTime?: [number, number];
}

interface ClientInternals {
  _connect?: () => void;
  _doRequest?: () => void;
  conn?: NodeJS.EventEmitter;
  destroyed?: boolean;
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
  timeoutTicker?: Ticker;
  pipelinedRequests?: {
    size(): number;
    clear(): void;
    peek?: () => Pending | undefined;
    addBody?: (data: unknown) => void;
  };
  parser?: Parser;
}

/** The pacer's side of a paced connection (see pacer.ts). */
export interface PacedConnections {
  release(connection: PacedConnection): void;
}

export interface ClientRepairOptions {
  method: string;
  /** A request was lost to a connection the server closed without saying so. */
  onLostRequest: () => void;
  /** A response ended with its connection before it was complete; `what` says how. */
  onTruncated?: (what: string) => void;
  /** A request failed without a response (socket error, lost, cut short) this long after it was due, ms. */
  onFailedAfter?: (ms: number) => void;
  /** The open model: the connection sends only what this pacer hands it. */
  pacer?: PacedConnections;
}

/** What a cut-off response is called, by the state the parser was left in. */
const CUT_SHORT: Record<string, string> = {
  HEADER: 'response ended inside its headers',
  BODY_SIZED: 'response ended before its Content-Length',
  BODY_CHUNKHEAD: 'response ended before its last chunk',
  BODY_CHUNK: 'response ended before its last chunk',
  BODY_CHUNKEMPTYLINE: 'response ended before its last chunk',
  BODY_CHUNKTRAILERS: 'response ended before its last chunk',
};

const lateness = new WeakMap<object, number>();

/**
 * Open model: how late (ms) the request now in flight on this client was sent after its intended
 * time; 0 for a client that is not paced.
 */
export function sendLatenessMs(client: unknown): number {
  return (typeof client === 'object' && client !== null && lateness.get(client)) || 0;
}

export function repairClient(client: autocannon.Client, options: ClientRepairOptions): void {
  const internals = client as unknown as ClientInternals;
  const connect = internals._connect;
  const doRequest = internals._doRequest;
  const emit = internals.emit;
  const queue = internals.pipelinedRequests;
  if (typeof connect !== 'function' || typeof doRequest !== 'function' || !queue) return;
  if (typeof queue.addBody === 'function') queue.addBody = () => {};
  const pacer = options.pacer;

  let errored = false;
  let keepAlive = true;
  /** Completing a close-delimited response: its connection is closing, the next request waits for the new one. */
  let closing = false;
  /** A request is out on this connection (what a timeout or socket error can have failed). */
  let inFlight = false;
  /** The pacer is handing this connection a request. */
  let granted = false;
  /** Paced: the connection failed while free and reconnects when it is next given a request. */
  let deferred = false;

  const sinceDue = (): number | undefined => {
    const start = queue.peek?.()?.startTime;
    if (!start) return undefined;
    const [s, ns] = process.hrtime(start);
    return s * 1e3 + ns / 1e6 + sendLatenessMs(client);
  };
  const failed = () => {
    const ms = sinceDue();
    if (ms !== undefined) options.onFailedAfter?.(ms);
  };

  const events = client as unknown as NodeJS.EventEmitter;
  events.on('headers', (info: unknown) => {
    keepAlive = (info as { shouldKeepAlive?: boolean } | null)?.shouldKeepAlive !== false;
  });

  internals.emit = function (this: ClientInternals, event: string | symbol, ...args: unknown[]) {
    if (event === 'connError') {
      // Emitted before autocannon reconnects; autocannon itself counts the request as an error.
      errored = true;
      if (pacer && !inFlight) return false; // nothing was out: no request failed
      failed();
      inFlight = false;
    } else if (event === 'timeout') {
      // A paced connection that was free has no request to time out.
      if (pacer && !inFlight) return false;
      inFlight = false;
    } else if (event === 'response') {
      inFlight = false;
    }
    return emit.call(this, event, ...args);
  };

  const paced: PacedConnection = {
    send(intendedAt: number): boolean {
      if (internals.destroyed) return false;
      lateness.set(client, Math.max(0, performance.now() - intendedAt));
      granted = true;
      try {
        if (deferred) {
          deferred = false;
          internals._connect!.call(internals); // connects, then sends
        } else {
          internals._doRequest!.call(internals);
        }
      } finally {
        granted = false;
      }
      return true;
    },
  };

  internals._doRequest = function (this: ClientInternals) {
    if (closing) return;
    if (pacer && !granted) {
      pacer.release(paced);
      return;
    }
    granted = false;
    inFlight = true;
    doRequest.call(this);
  };

  let first = true;
  internals._connect = function (this: ClientInternals) {
    // The first connect comes at the end of the client's constructor, once the parser's handlers
    // are in place.
    if (first) {
      first = false;
      repairParser(internals.parser, options.method.toUpperCase() === 'HEAD');
      neverNegative(internals.timeoutTicker);
    } else {
      if (queue.size() > 0) {
        if (!errored && keepAlive) {
          options.onLostRequest();
          failed();
          inFlight = false;
        }
        queue.clear();
      }
      // The old connection's half-read response, if any, goes with it.
      internals.parser?.initialize('RESPONSE');
    }
    // (A timeout reconnects before it is reported: `inFlight` stays until then.)
    if (pacer && errored && !granted) {
      errored = false;
      keepAlive = true;
      deferred = true;
      pacer.release(paced);
      return;
    }
    errored = false;
    keepAlive = true;
    deferred = false;
    connect.call(this);
    const conn = internals.conn;
    conn?.prependListener('end', () => {
      if (internals.conn !== conn || internals.destroyed || queue.size() === 0) return;
      const parser = internals.parser;
      const state = parser?.state ?? '';
      if (state === 'BODY_RAW') {
        // A close-delimited body is complete when the connection closes.
        closing = true;
        try {
          parser!.finish();
        } finally {
          closing = false;
        }
      } else if (CUT_SHORT[state]) {
        options.onTruncated?.(CUT_SHORT[state]);
        failed();
        inFlight = false;
        queue.clear(); // reported: not a lost request as well
      }
    });
  };
}

function neverNegative(ticker: Ticker | undefined): void {
  const schedule = ticker?._schedule;
  if (!ticker || typeof schedule !== 'function') return;
  ticker._schedule = function (this: Ticker, timeoutMs: number) {
    schedule.call(this, Math.max(1, timeoutMs));
  };
}

/** Skips interim (1xx) responses, and the bodies of HEAD responses. */
function repairParser(parser: Parser | undefined, head: boolean): void {
  const headersKey = parser?.constructor.kOnHeadersComplete;
  const completeKey = parser?.constructor.kOnMessageComplete;
  if (!parser || headersKey === undefined || completeKey === undefined) return;
  const onHeaders = parser[headersKey];
  const onComplete = parser[completeKey];
  if (typeof onHeaders !== 'function' || typeof onComplete !== 'function') return;
  let interim = false;
  parser[headersKey] = (...args: unknown[]) => {
    const status = statusOf(args);
    if (status >= 100 && status < 200 && status !== 101) {
      interim = true; // the parser ends it at once: 1xx responses have no body
      return false;
    }
    const skip = onHeaders(...args);
    return head ? true : skip;
  };
  parser[completeKey] = (...args: unknown[]) => {
    if (interim) {
      interim = false;
      return undefined;
    }
    return onComplete(...args);
  };
}

/** http-parser-js passes an info object, or (in Node's own calling convention) the status sixth. */
function statusOf(args: unknown[]): number {
  const info = args[0];
  if (typeof info === 'object' && info !== null)
    return Number((info as { statusCode?: unknown }).statusCode);
  return Number(args[5]);
}
