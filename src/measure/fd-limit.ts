import { readFileSync } from 'node:fs';
import type { Problem } from '../config/errors.js';
import type { Config } from '../config/types.js';

/**
 * Connections against the open-file limit (`ulimit -n`). Each connection is a socket, and a
 * socket is a file descriptor: past the limit every new connection fails with EMFILE, the load
 * generator reconnects in a tight loop, and the process ran out of heap in about two minutes
 * without writing anything. So the plan is checked before any load is sent.
 */

/**
 * Descriptors a run needs besides the connections: stdio, libuv's epoll and wakeup handles, the
 * GitHub and CloudWatch sockets, the files perf-gate writes, and a reconnecting socket that
 * overlaps the one it replaces.
 */
export const RESERVED_FILES = 64;

/**
 * The soft open-file limit of this process. Node has no getrlimit, so it is read from Linux's
 * /proc/self/limits ("Max open files  <soft>  <hard>  files"); elsewhere, or when unlimited,
 * undefined and the check is skipped.
 */
export function openFileLimit(limitsFile = '/proc/self/limits'): number | undefined {
  if (process.platform !== 'linux' && limitsFile === '/proc/self/limits') return undefined;
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\S+)\s+/m.exec(text);
  if (!m || m[1] === 'unlimited') return undefined;
  const soft = Number(m[1]);
  return Number.isInteger(soft) && soft > 0 ? soft : undefined;
}

/** One located problem per endpoint whose connections do not fit under `limit`. */
export function connectionLimitProblems(config: Config, limit: number | undefined): Problem[] {
  if (limit === undefined) return [];
  const fit = limit - RESERVED_FILES;
  return config.endpoints.flatMap((e, i) => {
    const connections = e.load.connections;
    if (connections <= fit) return [];
    return [
      {
        code: 'load.connections-over-file-limit' as const,
        file: config.file,
        line: e.line,
        col: 0,
        path: `endpoints[${i}].load.connections`,
        message:
          `"${e.name}" asks for ${connections} connections, but this process may open only ${limit} files (ulimit -n), ` +
          `${RESERVED_FILES} of which perf-gate keeps for itself: at most ${Math.max(0, fit)} connections fit. ` +
          `Lower connections, or raise the limit before the step (ulimit -n ${connections + RESERVED_FILES}).`,
      },
    ];
  });
}
