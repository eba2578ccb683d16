import type { Baseline } from '../baseline/types.js';
import { abbaDesign, abbaSideMs, type AbbaDesign } from '../config/abba-plan.js';
import { DEFAULT_MIN_DURATION_MS } from '../config/plan.js';
import { DEFAULT_CONFIDENCE, type EndpointConfig } from '../config/types.js';
import type { EvaluateOptions } from '../evaluate/evaluate.js';
import {
  abbaLookLevels,
  abbaStop,
  judgeAbbaLook,
  lookRecord,
  unconfirmedAtCap,
  type LookLevels,
  type LookState,
} from '../evaluate/sequential-abba.js';
import type { MeasureProgress } from '../measure/engine.js';
import { measureSideBySideSequential } from '../measure/side-by-side-sequential.js';
import type { Measurement } from '../measure/types.js';

/**
 * The gate's side of a sequential side-by-side measurement (SPEC §5): the design for an endpoint,
 * and the measurement with the stopping rule wired in. The breach confirmation happens inside
 * the sequence (a breach must hold over one more block; one seen at the last look only is
 * recorded as unconfirmed and does not count), so run-gate does not measure such an endpoint
 * again.
 */

/** The sequential design for an endpoint compared side by side, or undefined for the fixed one. */
export function sequentialSideBySideFor(endpoint: EndpointConfig): AbbaDesign | undefined {
  if (endpoint.adaptive !== true) return undefined;
  return abbaDesign(endpoint.load);
}

export interface SequentialGateOptions {
  referenceUrl: string;
  /** Source shown for the reference (no credentials). */
  source: string;
  confirm: boolean;
  evaluate?: EvaluateOptions;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Warnings (a breach the cap left unconfirmed); `log` when absent. */
  warn?: (line: string) => void;
  /** After every look: the candidate's load so far a side, and the looks taken of those planned. */
  onProgress?: (progress: MeasureProgress) => void;
}

export async function measureSequentialSideBySide(
  endpoint: EndpointConfig,
  design: AbbaDesign,
  options: SequentialGateOptions,
): Promise<{ measurement: Measurement; baseline: Baseline & { kind: 'reference' } }> {
  const states: LookState[] = [];
  let levels: LookLevels | undefined;
  let look = 0;
  let unconfirmed = false;
  const looks = design.looks.length;
  const capMs = abbaSideMs(design);
  const result = await measureSideBySideSequential(endpoint, {
    referenceUrl: options.referenceUrl,
    design,
    signal: options.signal,
    log: options.log,
    afterBlock: (blocks, soFar) => {
      look = blocks - design.looks[0] + 1;
      levels = abbaLookLevels(
        design,
        look,
        options.evaluate?.confidence ?? 0.95,
        endpoint.confidence ?? DEFAULT_CONFIDENCE,
      );
      const state = judgeAbbaLook({
        endpoint,
        candidate: soFar.candidate,
        baseline: {
          kind: 'reference',
          source: options.source,
          measurement: soFar.reference,
          rounds: soFar.rounds,
        },
        levels,
        options: options.evaluate,
      });
      states.push(state);
      options.onProgress?.({
        elapsedMs: abbaSideMs(design, blocks),
        totalMs: capMs,
        requests: soFar.candidate.requests,
        p95: soFar.candidate.latency.p95,
        look: { taken: look, planned: looks },
      });
      const stop = abbaStop(states, looks, options.confirm);
      if (stop === 'cap' && unconfirmedAtCap(states, looks, options.confirm)) {
        unconfirmed = true;
        (options.warn ?? options.log)?.(
          `${endpoint.name}: breach seen at the last look only, not confirmed: the ${seconds(capMs)} cap (the duration) left no block to repeat it in, so it does not count (inconclusive); a longer duration gives a late breach room to repeat`,
        );
      }
      if (stop) {
        options.log?.(
          `${endpoint.name}: ${stop} at look ${look} of ${looks} (${blocks} ABBA block${blocks === 1 ? '' : 's'}, ${seconds(abbaSideMs(design, blocks))} a side of the ${seconds(capMs)} cap)`,
        );
      }
      return stop;
    },
  });
  const candidate = result.candidate;
  if (result.stop && levels && !candidate.cancelled) {
    candidate.adaptive = lookRecord(
      design,
      look,
      result.blocks,
      levels,
      result.stop,
      Math.min(endpoint.load.minDurationMs ?? DEFAULT_MIN_DURATION_MS, endpoint.load.durationMs),
    );
    if (unconfirmed) candidate.adaptive.unconfirmed = true;
  }
  return {
    measurement: candidate,
    baseline: {
      kind: 'reference',
      source: options.source,
      measurement: result.reference,
      rounds: result.rounds,
    },
  };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
