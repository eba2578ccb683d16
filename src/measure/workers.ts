/**
 * Load from several threads (`load.workers`): one Node load generator saturates one core, so an
 * endpoint's load can be split over worker threads, each driving its share of the connections
 * and rate (config/shard.ts splits them exactly) and recording its own histograms; the parts are
 * merged exactly, as measurements taken at once (measure/merge.ts).
 *
 * A worker runs the same entry file as the process (the action's or the CLI's bundle, or the
 * sources under tsx), which asks `isLoadWorker()` first and then runs `runLoadWorker`
 * (measure/worker-main.ts) instead of the gate. The entry tells this module its own file with
 * `setWorkerEntry`.
 */
import os from 'node:os';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { shardLoad } from '../config/shard.js';
import type { EndpointConfig } from '../config/types.js';
import { mergeMeasurements } from './merge.js';
import type { Measurement } from './types.js';

/** What a worker is given: plain data only (no functions cross threads). */
export interface WorkerJob {
  perfGateLoadWorker: true;
  endpoint: EndpointConfig;
  options: { baseUrl?: string; durationMs?: number; warmupMs?: number };
}

export type WorkerMessage =
  | { type: 'progress'; progress: unknown }
  | { type: 'log'; line: string }
  | { type: 'done'; measurement: Measurement }
  | { type: 'failed'; message: string };

let entry: URL | string | undefined;

/** The file a worker runs: the entry point of this process (it must check isLoadWorker first). */
export function setWorkerEntry(file: URL | string): void {
  entry = file;
}

/** Whether this thread was started to generate load for a parent (see runLoadWorker). */
export function isLoadWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerJob> | null)?.perfGateLoadWorker === true;
}

/**
 * Threads for an endpoint: `auto` is the cores minus one (one is left to the process that
 * merges, logs and, side by side, runs the other deployment's turn), at least 1; never more
 * threads than connections, so each has one at least.
 */
export function workerCount(
  endpoint: EndpointConfig,
  cores: number = os.availableParallelism(),
): number {
  const wanted = endpoint.load.workers ?? 1;
  const n = wanted === 'auto' ? Math.max(1, cores - 1) : wanted;
  return Math.max(1, Math.min(n, endpoint.load.connections));
}

export interface WorkerRunOptions {
  baseUrl?: string;
  durationMs?: number;
  warmupMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (progress: never) => void;
}

/**
 * Measures `endpoint` in `count` threads at once and merges their measurements. Progress and
 * log lines come from the first thread (each thread's share is alike). Aborting stops every
 * thread, which resolves with what it measured, as a single-thread run does.
 */
export async function measureInWorkers(
  endpoint: EndpointConfig,
  count: number,
  options: WorkerRunOptions,
): Promise<Measurement> {
  if (entry === undefined) {
    throw new Error(
      'load.workers needs the entry point to start its threads from (setWorkerEntry was not called)',
    );
  }
  const file = entry;
  const parts = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      runWorker(
        file,
        {
          perfGateLoadWorker: true,
          endpoint: {
            ...endpoint,
            load: { ...shardLoad(endpoint.load, { index: i + 1, count }), workers: 1 },
          },
          options: {
            baseUrl: options.baseUrl,
            durationMs: options.durationMs,
            warmupMs: options.warmupMs,
          },
        },
        i === 0 ? options : { signal: options.signal },
      ),
    ),
  );
  const merged = mergeMeasurements(parts, 'at once');
  merged.workers = count;
  return merged;
}

function runWorker(
  file: URL | string,
  job: WorkerJob,
  options: WorkerRunOptions,
): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: job });
    let settled = false;
    const abort = () => worker.postMessage({ type: 'abort' });
    options.signal?.addEventListener('abort', abort, { once: true });
    if (options.signal?.aborted) abort();
    const finish = (error?: Error, measurement?: Measurement) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      void worker.terminate();
      if (error) reject(error);
      else resolve(measurement!);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.progress as never);
      else if (message.type === 'log') options.log?.(message.line);
      else if (message.type === 'done') finish(undefined, message.measurement);
      else finish(new Error(message.message));
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) =>
      finish(new Error(`a load worker thread exited (code ${code}) before it finished`)),
    );
  });
}
