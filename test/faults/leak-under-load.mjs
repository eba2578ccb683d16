// Preloaded into a perf-gate process (NODE_OPTIONS=--import): memory that grows while load is
// being sent and is freed when it stops, as a load generator's memory does when it misbehaves
// (on main, 600 connections over the open-file limit grew the heap until V8 killed the process).
// Every 100 ms, while LEAK_SOCKETS or more TCP sockets are open, 1 MiB more is kept alive; with
// fewer, all of it is released.
import process from 'node:process';
import { setInterval } from 'node:timers';

const kept = [];
const sockets = Number(process.env.LEAK_SOCKETS ?? 4);
setInterval(() => {
  const open = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  if (open >= sockets) kept.push(new Array(128 * 1024).fill(kept.length));
  else kept.length = 0;
}, 100).unref();
