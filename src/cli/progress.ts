import type { GateLog } from '../gate/run-gate.js';
import type { MeasureProgress } from '../measure/engine.js';
import { formatCount, formatMs } from '../units/format.js';
import type { Output } from './output.js';

/**
 * Progress on stderr. On a terminal, the endpoint being measured has one line that is redrawn
 * in place (elapsed/total, requests, p95 so far) and stays on screen when it finishes; log lines
 * are printed above it. Anywhere else (CI logs, files) every line is plain text printed once.
 */

const CLEAR_LINE = '\r\x1b[2K';

export interface CliProgress {
  log: GateLog;
  onProgress(endpoint: string, progress: MeasureProgress): void;
  /** Ends the live line, if one is showing (before printing results, or on interrupt). */
  settle(): void;
}

export function createProgress(output: Output, options: { verbose?: boolean } = {}): CliProgress {
  const live = output.live;
  let current: string | undefined;

  const redraw = () => {
    if (current !== undefined) output.errRaw(`${CLEAR_LINE}${fit(current, output.columns - 1)}`);
  };
  const line = (text: string) => {
    if (live && current !== undefined) output.errRaw(CLEAR_LINE);
    output.err(text);
    if (live) redraw();
  };
  const settle = () => {
    if (live && current !== undefined) output.errRaw('\n');
    current = undefined;
  };

  const log: GateLog = {
    info: (text) => line(text),
    warning: (text) => line(`warning: ${text}`),
    debug: (text) => {
      if (options.verbose) line(`debug: ${text}`);
    },
    group: async (name, fn) => {
      settle();
      output.err(`${name}`);
      try {
        return await fn();
      } finally {
        settle();
      }
    },
  };

  return {
    log,
    onProgress: (endpoint, progress) => {
      if (!live) return;
      current = progressLine(endpoint, progress);
      redraw();
    },
    settle,
  };
}

/** `  search  [######----]  2.0s/3s  1,234 requests  p95 12.3 ms` */
export function progressLine(endpoint: string, p: MeasureProgress): string {
  const fraction = p.totalMs > 0 ? Math.min(1, Math.max(0, p.elapsedMs / p.totalMs)) : 0;
  const filled = Math.round(fraction * 10);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(10 - filled)}]`;
  const time = `${seconds(p.elapsedMs)}/${seconds(p.totalMs)}`;
  const p95 = p.requests > 0 ? `p95 ${formatMs(p.p95)}` : 'p95 -';
  // Adaptive: the looks taken of those planned; the time shown is then up to the cap.
  const look = p.look ? `  look ${p.look.taken}/${p.look.planned}` : '';
  return `  ${oneLine(endpoint)}  ${bar}  ${time}  ${formatCount(p.requests)} requests  ${p95}${look}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
}

/** Names come from the budget file: a newline or escape in one must not break the live line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ');
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
