/**
 * The blocks of an adaptive side-by-side measurement (SPEC §4, §5; docs/noise.md "Side by side,
 * sequentially"): pure, from the load settings alone, so the number of looks (and with it the
 * error spent at each, evaluate/sequential-abba.ts) is fixed before any data is seen.
 *
 * Rounds are shorter than the fixed design's (about ADAPTIVE_ROUND_MS instead of about 5 s): a
 * look can only come after a whole ABBA block, and more, shorter round pairs give the round-pair
 * t-interval more degrees of freedom for the same load (measured: with 1 s rounds an A/A
 * comparison on the noisy runner settles in a median 6 s a side, with 2 s rounds in 17 s;
 * bench/sequential-simulation.ts). The cap is the written `duration` per
 * side, as in the fixed design, never passed (a duration that is not a whole number of 2 s blocks
 * leaves the remainder unused); the first look comes once every side has recorded
 * `load.min-duration` and there are MIN_ROUND_PAIRS pairs (2 blocks).
 */
import { DEFAULT_MIN_DURATION_MS, SAMPLE_INTERVAL_MS } from './plan.js';
import type { LoadSettings } from './types.js';

/** Target length of one round of an adaptive side-by-side measurement, ms. */
export const ADAPTIVE_ROUND_MS = 1_000;

/** Fewest blocks before the first look: 4 round pairs, the fewest the round-pair interval judges on. */
export const MIN_LOOK_BLOCKS = 2;

export interface AbbaDesign {
  /** Recorded length of every round, ms. */
  roundMs: number;
  /** Blocks measured at each look, ascending; the last is the cap. */
  looks: number[];
  /** Blocks at the cap (the written duration per side). */
  capBlocks: number;
}

/** Load a side after `blocks` ABBA blocks (two rounds a side each), ms; at the cap by default. */
export function abbaSideMs(design: AbbaDesign, blocks = design.capBlocks): number {
  return blocks * 2 * design.roundMs;
}

/**
 * The sequential design for an endpoint's load, or undefined when the duration leaves room for
 * a single look only (then the fixed design runs).
 */
export function abbaDesign(
  load: Pick<LoadSettings, 'durationMs' | 'minDurationMs'>,
): AbbaDesign | undefined {
  const capBlocks = Math.floor(load.durationMs / (2 * ADAPTIVE_ROUND_MS));
  if (capBlocks <= MIN_LOOK_BLOCKS) return undefined;
  // Whole sample ticks, rounded down: a run lasts whole ticks (plan.ts runMs), so a round of
  // 1,033 ms would run 1,100 and the cap would pass the written duration. At least 1 s, as
  // capBlocks leaves at least 2 s a block.
  const tick = SAMPLE_INTERVAL_MS;
  const roundMs = Math.floor(load.durationMs / (2 * capBlocks) / tick) * tick;
  const minMs = Math.min(load.minDurationMs ?? DEFAULT_MIN_DURATION_MS, load.durationMs);
  const first = Math.max(MIN_LOOK_BLOCKS, Math.ceil(minMs / (2 * roundMs)));
  if (first >= capBlocks) return undefined;
  const looks: number[] = [];
  for (let b = first; b <= capBlocks; b++) looks.push(b);
  return { roundMs, looks, capBlocks };
}
