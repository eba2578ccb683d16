import type { AbbaDesign } from '../config/abba-plan.js';
import type { EndpointConfig } from '../config/types.js';
import { measureEndpoint } from './engine.js';
import { pairedRounds, type SideBySideResult } from './side-by-side.js';
import type { AdaptiveRecord, Measurement } from './types.js';

/**
 * Side by side, sequentially (SPEC §5, docs/noise.md): ABBA blocks of the design's rounds are
 * measured one at a time; after each block from the design's first look on, `afterBlock` judges
 * the data so far and says whether to stop. The stopping rule and its levels are the caller's
 * (evaluate/sequential-abba.ts); this file only runs the rounds in order.
 */

export interface SequentialSideBySideOptions {
  /** Base URL of the reference deployment. */
  referenceUrl: string;
  /** Base URL of the candidate; default: the endpoint's own target. */
  candidateUrl?: string;
  design: AbbaDesign;
  /**
   * Judges the data after `blocks` blocks (from the design's first look on): a stop ends the
   * measurement, undefined measures another block.
   */
  afterBlock(blocks: number, soFar: SideBySideResult): AdaptiveRecord['stop'] | undefined;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface SequentialSideBySideResult extends SideBySideResult {
  /** Undefined when cancelled before a stop. */
  stop?: AdaptiveRecord['stop'];
  blocks: number;
}

type Side = 'candidate' | 'reference';

export async function measureSideBySideSequential(
  endpoint: EndpointConfig,
  options: SequentialSideBySideOptions,
): Promise<SequentialSideBySideResult> {
  const { design } = options;
  const measured: Record<Side, Measurement[]> = { candidate: [], reference: [] };
  const warmedUp = new Set<Side>();
  let blocks = 0;
  let round = 0;
  let stop: AdaptiveRecord['stop'] | undefined;
  const soFar = (): SideBySideResult => pairedRounds(measured, options.signal);
  blocksLoop: while (blocks < design.capBlocks) {
    for (const side of ['candidate', 'reference', 'reference', 'candidate'] as const) {
      if (options.signal?.aborted) break blocksLoop;
      round++;
      options.log?.(
        `${endpoint.name}: round ${round} (${side}), block ${blocks + 1} of at most ${design.capBlocks}`,
      );
      const m = await measureEndpoint(endpoint, {
        baseUrl: side === 'reference' ? options.referenceUrl : options.candidateUrl,
        durationMs: design.roundMs,
        warmupMs: warmedUp.has(side) ? 0 : endpoint.load.warmupMs,
        signal: options.signal,
        log: options.log,
      });
      warmedUp.add(side);
      measured[side].push(m);
    }
    if (options.signal?.aborted) break;
    blocks++;
    if (blocks < design.looks[0]) continue;
    stop = options.afterBlock(blocks, soFar());
    if (stop) break;
  }
  if (measured.candidate.length === 0 || measured.reference.length === 0) {
    throw new Error(
      `${endpoint.name}: side-by-side measurement was cancelled before a round finished`,
    );
  }
  return { ...soFar(), ...(stop ? { stop } : {}), blocks };
}
