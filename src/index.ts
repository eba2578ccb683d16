// The action's entry point: nothing but the call. Everything lives in run(), importable by tests.
// A load worker thread (load.workers) starts from this same file and measures instead.
import { run } from './action/main.js';
import { runLoadWorker } from './measure/worker-main.js';
import { isLoadWorker, setWorkerEntry } from './measure/workers.js';

if (isLoadWorker()) {
  await runLoadWorker();
} else {
  setWorkerEntry(new URL(import.meta.url));
  await run();
}
