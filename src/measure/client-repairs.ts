import type autocannon from 'autocannon';

/**
 * Repairs autocannon 9's reconnect after a dropped connection. When the server resets or closes
 * a connection with a request in flight, autocannon's client reconnects but keeps the dead
 * request in its queue of pending requests, so every later response on that connection is timed
 * from an earlier request: a 20 ms route measured ~120 ms after a few resets. It also counts a
 * request lost to a server-side close (FIN) nowhere. Before each reconnect this clears the queue
 * and the half-read response, and reports a request lost to a close the server did not announce
 * (as Node's own client does: "socket hang up", ECONNRESET). A close announced with
 * `Connection: close` is not counted: autocannon ignores that header and writes its next request
 * into the closing connection, a client artefact rather than a failure of the target.
 *
 * Uses autocannon's client internals (`_connect`, `pipelinedRequests`, `parser`); if they are
 * missing (another autocannon version) it does nothing, and the reset test in
 * test/measure/engine.test.ts fails loudly.
 */

interface ClientInternals {
  _connect?: () => void;
  pipelinedRequests?: { size(): number; clear(): void };
  parser?: { initialize(type: string): void };
}

export function repairReconnects(client: autocannon.Client, onLostRequest: () => void): void {
  const internals = client as unknown as ClientInternals;
  const connect = internals._connect;
  const queue = internals.pipelinedRequests;
  if (typeof connect !== 'function' || !queue) return;

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

  internals._connect = function (this: ClientInternals) {
    if (queue.size() > 0) {
      if (!errored && keepAlive) onLostRequest();
      queue.clear();
      internals.parser?.initialize('RESPONSE');
    }
    errored = false;
    keepAlive = true;
    connect.call(this);
  };
}
