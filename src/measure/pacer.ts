/**
 * The open model's arrival process (SPEC §4): requests are due at evenly spaced intended times
 * `start + k / rate`, and each due request goes out on a connection that has nothing in flight.
 * autocannon's own rate modes give each connection a per-second quota that it spends at once,
 * so the target sees all connections fire together at the top of every second; here the target
 * sees one request every `1 / rate` seconds, at any rate, fractional ones included.
 *
 * A request that falls due while every connection is busy is dropped (not sent) and counted, as
 * k6 counts dropped iterations: queueing it would hide how far behind the load fell, and more
 * than a few dropped means the result is not the load that was asked for. A request sent late
 * (the timer fired late, the event loop was busy) is timed from its intended time, so time lost
 * before sending is not lost from its latency (coordinated omission).
 */

/** A connection the pacer can hand a due request to. */
export interface PacedConnection {
  /** Sends one request now, due at `intendedAt` (ms on the pacer's clock); false if it cannot. */
  send(intendedAt: number): boolean;
}

export interface PacerCounts {
  /** Requests that fell due within the window. */
  intended: number;
  sent: number;
  /** Requests that fell due while every connection was busy, and were not sent. */
  dropped: number;
  /** The window the arrivals were spread over, ms. */
  windowMs: number;
}

export interface PacerOptions {
  /** Requests per second (> 0). */
  rate: number;
  /** Requests fall due during this many ms after `start()`. */
  durationMs: number;
  /** Clock in ms; performance.now by default (tests can drive a simulated one). */
  now?: () => number;
  /** Timer; setTimeout by default. */
  schedule?: (fn: () => void, delayMs: number) => { cancel(): void };
  /** Called once, `durationMs` after `start()`, when the window is over. */
  onWindowEnd?: () => void;
}

export class Pacer {
  private readonly intervalMs: number;
  private durationMs: number;
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, delayMs: number) => { cancel(): void };
  private readonly onWindowEnd: (() => void) | undefined;
  /** Connections with nothing in flight, in the order they became free. */
  private readonly free = new Set<PacedConnection>();
  private started: number | undefined;
  private next = 0;
  private timer: { cancel(): void } | undefined;
  private stopped = false;
  private counts = { intended: 0, sent: 0, dropped: 0 };

  constructor(options: PacerOptions) {
    if (!(options.rate > 0)) throw new Error(`the rate must be positive, got ${options.rate}`);
    this.intervalMs = 1000 / options.rate;
    this.durationMs = options.durationMs;
    this.now = options.now ?? (() => performance.now());
    this.onWindowEnd = options.onWindowEnd;
    this.schedule =
      options.schedule ??
      ((fn, delayMs) => {
        const t = setTimeout(fn, delayMs);
        return { cancel: () => clearTimeout(t) };
      });
  }

  /** The connection has nothing in flight and may be given the next due request. */
  release(connection: PacedConnection): void {
    this.free.add(connection);
  }

  /** The connection is gone (the run is over, or it was destroyed). */
  forget(connection: PacedConnection): void {
    this.free.delete(connection);
  }

  start(): void {
    if (this.started !== undefined || this.stopped) return;
    this.started = this.now();
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * Ends the arrival window now (an adaptive measurement settled early): no more requests fall
   * due, the window is as long as it has been, and `onWindowEnd` follows as at its planned end.
   */
  endWindow(): void {
    if (this.stopped || this.started === undefined) return;
    this.durationMs = Math.min(this.durationMs, this.now() - this.started);
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.onWindowEnd?.();
  }

  result(): PacerCounts {
    return { ...this.counts, windowMs: this.durationMs };
  }

  /** Intended time of the k-th request (ms on the pacer's clock). */
  private due(k: number): number {
    return this.started! + k * this.intervalMs;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped || this.started === undefined) return;
    const end = this.started + this.durationMs;
    const now = this.now();
    // Every request due by now goes out (or is dropped), however late the timer fired.
    while (this.due(this.next) <= now && this.due(this.next) < end) {
      const intendedAt = this.due(this.next++);
      this.counts.intended++;
      if (this.sendOnFree(intendedAt)) this.counts.sent++;
      else this.counts.dropped++;
    }
    const nextAt = this.due(this.next);
    if (nextAt < end) {
      this.timer = this.schedule(() => this.tick(), Math.max(0, nextAt - this.now()));
    } else {
      this.timer = this.schedule(
        () => {
          this.timer = undefined;
          if (!this.stopped) this.onWindowEnd?.();
        },
        Math.max(0, end - this.now()),
      );
    }
  }

  /** Hands the request to the connection free the longest; false if none can take it. */
  private sendOnFree(intendedAt: number): boolean {
    for (const connection of this.free) {
      this.free.delete(connection);
      if (connection.send(intendedAt)) return true;
    }
    return false;
  }
}
