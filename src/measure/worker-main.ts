/**
 * The body of a load worker thread (measure/workers.ts): measures the share of the load it was
 * given and posts the measurement back. Nothing here prints: log lines go to the parent, which
 * masks and prints them like its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { measureEndpoint } from './engine.js';
import type { WorkerJob, WorkerMessage } from './workers.js';

export async function runLoadWorker(): Promise<void> {
  const port = parentPort!;
  const job = workerData as WorkerJob;
  const controller = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message.type === 'abort') controller.abort(new Error('stopped by the parent'));
  });
  const post = (message: WorkerMessage) => port.postMessage(message);
  try {
    const measurement = await measureEndpoint(job.endpoint, {
      ...job.options,
      signal: controller.signal,
      log: (line) => post({ type: 'log', line }),
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', measurement });
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
  port.close();
}
