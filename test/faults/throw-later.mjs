// Preloaded into a perf-gate process (NODE_OPTIONS=--import): throws from a timer callback once
// the run is under way (THROW_AFTER_MS, default 1500), as a bug in a library callback would. No
// caller can catch it: only a process-level handler sees it.
import process from 'node:process';
import { setTimeout } from 'node:timers';

setTimeout(
  () => {
    throw new Error('simulated fault in a library callback');
  },
  Number(process.env.THROW_AFTER_MS ?? 1500),
).unref();
