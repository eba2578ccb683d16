#!/usr/bin/env node
// The `perf-gate` bin: wires the process (arguments, streams, environment, signals) to runCli.
import { runCli } from './main.js';
import { nodeSupportWarning } from './node-support.js';
import { runLoadWorker } from '../measure/worker-main.js';
import { isLoadWorker, setWorkerEntry } from '../measure/workers.js';

const EXIT_AFTER_SECOND_SIGNAL = 130;

// A load worker thread (load.workers) starts from this same file and measures instead.
if (isLoadWorker()) {
  await runLoadWorker();
} else {
  setWorkerEntry(new URL(import.meta.url));
  await main();
}

async function main(): Promise<void> {
  let interrupts = 0;
  const onInterrupt = (handler: (signal: string) => void) => {
    const listener = (signal: NodeJS.Signals) => {
      interrupts++;
      // The first signal stops the load and lets the partial report be written; a second one
      // means the user will not wait for that.
      if (interrupts > 1) process.exit(EXIT_AFTER_SECOND_SIGNAL);
      handler(signal);
    };
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  };

  const unsupported = nodeSupportWarning(process.versions.node);
  if (unsupported) process.stderr.write(`perf-gate: warning: ${unsupported}\n`);

  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt,
  });
  // Everything is written by now; a socket some library left open must not keep a CI job waiting.
  setTimeout(() => process.exit(), 2000).unref();
}
