import { readFileSync } from 'node:fs';

/**
 * The peak resident memory of another process, from Linux's /proc/PID/status (VmHWM, the
 * high-water mark), polled until stopped. Polling keeps the last value read before the process
 * exits, which is its peak up to that moment.
 */
export function watchPeakRss(pid: number, everyMs = 100): () => number {
  let peakKb = 0;
  const read = () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // Exited: the last reading stands.
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return () => {
    clearInterval(timer);
    return peakKb * 1024;
  };
}
