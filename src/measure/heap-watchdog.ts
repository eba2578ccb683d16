import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/**
 * Stops the load before V8 runs out of heap. V8 does not warn before "JavaScript heap out of
 * memory": the process dies (exit 134) with no report, summary or outputs. The watchdog reads the
 * heap every few hundred milliseconds and, when the old generation (where everything that lives
 * on ends up) stays above a share of its limit, calls back once, so the run can be stopped like
 * a cancellation and still report what it has.
 */

export interface HeapReading {
  /** Bytes used in every space but the young generation. */
  oldUsed: number;
  /** The old generation's limit, bytes. */
  oldLimit: number;
}

const MIB = 1024 * 1024;

/**
 * V8's young generation is 3 semi-spaces of 16 MiB by default on 64-bit, counted in
 * `heap_size_limit` but never available to long-lived objects.
 */
const DEFAULT_YOUNG_BYTES = 48 * MIB;

/** --max-old-space-size from the command line or NODE_OPTIONS, in bytes, if given. */
function oldSpaceFlag(): number | undefined {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  let found: number | undefined;
  for (const arg of args) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(arg);
    if (m) found = Number(m[1]) * MIB;
  }
  return found;
}

export function readHeap(): HeapReading {
  const young = new Set(['new_space', 'new_large_object_space']);
  const oldUsed = getHeapSpaceStatistics()
    .filter((s) => !young.has(s.space_name))
    .reduce((sum, s) => sum + s.space_used_size, 0);
  const oldLimit = oldSpaceFlag() ?? getHeapStatistics().heap_size_limit - DEFAULT_YOUNG_BYTES;
  return { oldUsed, oldLimit };
}

/**
 * Share of the old generation's limit past which the load is stopped. V8 gives up before the
 * limit itself ("ineffective mark-compacts near heap limit" was seen at 83% of a 128 MiB heap),
 * so the watchdog acts well before: a run that really needs three quarters of the heap is
 * already in trouble.
 */
export const HEAP_STOP_SHARE = 0.75;

export interface HeapWatchOptions {
  everyMs?: number;
  /** Readings in a row above the share before stopping (garbage awaiting a collection passes). */
  readings?: number;
  share?: number;
  read?: () => HeapReading;
}

/** Calls `onLow` once when the heap stays too full; returns a function that stops watching. */
export function watchHeap(
  onLow: (reading: HeapReading) => void,
  options: HeapWatchOptions = {},
): () => void {
  const { everyMs = 100, readings = 2, share = HEAP_STOP_SHARE, read = readHeap } = options;
  let high = 0;
  const timer = setInterval(() => {
    const reading = read();
    high = reading.oldUsed > share * reading.oldLimit ? high + 1 : 0;
    if (high >= readings) {
      clearInterval(timer);
      onLow(reading);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function describeHeap(reading: HeapReading): string {
  const mib = (n: number) => `${Math.round(n / MIB)} MiB`;
  return `${mib(reading.oldUsed)} of its ${mib(reading.oldLimit)} heap`;
}
