import type { EndpointConfig } from '../config/types.js';
import { measureEndpoint } from './engine.js';
import { mergeMeasurements } from './merge.js';
import type { Measurement } from './types.js';
import { defaultBlocks, roundDurationMs } from '../config/plan.js';

/**
 * Side-by-side measurement (docs/architecture.md §5): the candidate and the reference deployment are measured
 * in alternating rounds in ABBA order on the same runner, so slow drift of a shared machine
 * (another job starting, thermal throttling) lands on both sides equally instead of looking
 * like a regression.
 */

export interface SideBySideOptions {
  /** Base URL of the reference deployment. */
  referenceUrl: string;
  /** Base URL of the candidate; default: the endpoint's own target. */
  candidateUrl?: string;
  /** Number of ABBA blocks (each block is 2 rounds per side). Default: `defaultBlocks(duration)`. */
  blocks?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface SideBySideResult {
  /** All candidate rounds merged (marked `cancelled` if the run was aborted). */
  candidate: Measurement;
  /** All reference rounds merged. */
  reference: Measurement;
  /**
   * Round pairs in time order: the i-th candidate and the i-th reference round, which ran next to
   * each other (C R | R C in each block), so whatever the runner did then hit both. Evaluation
   * judges significance over these pairs as well as over the requests.
   */
  rounds: { reference: Measurement; candidate: Measurement }[];
}

/** The order of sides for `blocks` ABBA blocks: A B B A, A B B A, ... (A = candidate). */
export function abbaOrder(blocks: number): ('candidate' | 'reference')[] {
  const order: ('candidate' | 'reference')[] = [];
  for (let b = 0; b < blocks; b++) order.push('candidate', 'reference', 'reference', 'candidate');
  return order;
}

export { defaultBlocks, MIN_ROUND_MS } from '../config/plan.js';

export async function measureSideBySide(
  endpoint: EndpointConfig,
  options: SideBySideOptions,
): Promise<SideBySideResult> {
  const blocks = options.blocks ?? defaultBlocks(endpoint.load.durationMs);
  if (!(Number.isInteger(blocks) && blocks >= 1)) {
    throw new Error(
      `${endpoint.name}: side-by-side blocks must be a whole number of at least 1, got ${blocks}`,
    );
  }
  const order = abbaOrder(blocks);
  // Each side gets the endpoint's whole duration, split over its rounds.
  const roundMs = roundDurationMs(endpoint.load.durationMs, blocks);
  const measured: Record<'candidate' | 'reference', Measurement[]> = {
    candidate: [],
    reference: [],
  };
  const warmedUp = new Set<string>();
  for (const [i, side] of order.entries()) {
    if (options.signal?.aborted) break;
    const baseUrl = side === 'reference' ? options.referenceUrl : options.candidateUrl;
    options.log?.(`${endpoint.name}: round ${i + 1}/${order.length} (${side})`);
    const m = await measureEndpoint(endpoint, {
      baseUrl,
      durationMs: roundMs,
      // The first round on each side warms it up; later rounds reuse the warm deployment.
      warmupMs: warmedUp.has(side) ? 0 : endpoint.load.warmupMs,
      signal: options.signal,
      log: options.log,
    });
    warmedUp.add(side);
    measured[side].push(m);
  }
  if (measured.candidate.length === 0 || measured.reference.length === 0)
    throw new Error(
      `${endpoint.name}: side-by-side measurement was cancelled before a round finished`,
    );
  return pairedRounds(measured, options.signal);
}

/**
 * Both sides' rounds merged (histograms added) and paired in order. A cancelled run measured
 * fewer or shorter rounds than asked for: its merged measurements say so, as a single run would.
 */
export function pairedRounds(
  measured: Record<'candidate' | 'reference', Measurement[]>,
  signal?: AbortSignal,
): SideBySideResult {
  const pairs = Math.min(measured.candidate.length, measured.reference.length);
  const merge = (parts: Measurement[]): Measurement => {
    const merged = mergeMeasurements(parts);
    return signal?.aborted || parts.some((p) => p.cancelled)
      ? { ...merged, cancelled: true }
      : merged;
  };
  return {
    candidate: merge(measured.candidate),
    reference: merge(measured.reference),
    rounds: Array.from({ length: pairs }, (_, i) => ({
      reference: measured.reference[i],
      candidate: measured.candidate[i],
    })),
  };
}
