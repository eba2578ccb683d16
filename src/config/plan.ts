/**
 * How long the load of an endpoint really lasts, from the same rules the measurement follows.
 * Pure and free of the load generator, so the budget-file check (SPEC §3, `max-duration`) and the
 * gate's run-time cap can share it without loading autocannon.
 *
 * The written durations are not the load: autocannon ends a run only on one of its sample ticks,
 * so a run lasts at least one tick and is rounded up to whole ticks; a side-by-side round lasts at
 * least MIN_ROUND_MS; and side by side, every endpoint is measured in several rounds per side,
 * each side with its own warmup.
 */
import type { LoadSettings } from './types.js';

/** autocannon ends a run only on one of its sample ticks; a short tick keeps durations and stops prompt. */
export const SAMPLE_INTERVAL_MS = 100;

/** Shortest round: a round opens fresh connections and autocannon ends runs on 100 ms ticks. */
export const MIN_ROUND_MS = 500;

/**
 * Blocks for a duration per side: at least 2 (4 round pairs), because significance is judged over
 * the round pairs as well as the requests and needs at least 4 of them (evaluate's
 * MIN_ROUND_PAIRS); beyond that one block per 10 s, so rounds stay about 5 s long and the
 * connections each round opens afresh (a TLS handshake on a remote deployment) stay a small share
 * of its requests; at most 6. Never so many that a round would be shorter than MIN_ROUND_MS.
 */
export function defaultBlocks(durationMs: number): number {
  const wanted = Math.min(6, Math.max(2, Math.floor(durationMs / 10_000)));
  const fitting = Math.max(1, Math.floor(durationMs / (2 * MIN_ROUND_MS)));
  return Math.min(wanted, fitting);
}

/** The recorded length of one side-by-side round: each side's duration split over its rounds. */
export function roundDurationMs(durationMs: number, blocks: number): number {
  return Math.max(MIN_ROUND_MS, Math.round(durationMs / (2 * blocks)));
}

/** How long one autocannon run asked for `ms` lasts at least: whole ticks, one at the least. */
export function runMs(ms: number): number {
  return Math.max(1, Math.ceil(ms / SAMPLE_INTERVAL_MS)) * SAMPLE_INTERVAL_MS;
}

/**
 * The load one measurement of an endpoint generates, ms: its warmup and recorded runs as the
 * engine makes them. Side by side (`sideBySide`), both deployments are measured in ABBA rounds,
 * each side warmed up once.
 */
export function plannedLoadMs(
  load: Pick<LoadSettings, 'durationMs' | 'warmupMs'>,
  sideBySide: boolean,
): number {
  const warmup = load.warmupMs > 0 ? runMs(load.warmupMs) : 0;
  if (!sideBySide) return warmup + runMs(load.durationMs);
  const blocks = defaultBlocks(load.durationMs);
  const rounds = 4 * blocks;
  return 2 * warmup + rounds * runMs(roundDurationMs(load.durationMs, blocks));
}

/** Adaptive measurement: recorded load every endpoint gets before it may stop (SPEC §4). */
export const DEFAULT_MIN_DURATION_MS = 5_000;

/** Adaptive measurement: time between two looks at the data after the minimum. */
export const SLICE_MS = 1_000;

/**
 * The looks of an adaptive measurement, as ms of recorded load: the first at the minimum, then
 * one every SLICE_MS while under the cap, the last at the cap (`durationMs`). Fixed in advance
 * from the settings alone, so the number of looks, and with it the confidence spent on each
 * (evaluate/sequential.ts), does not depend on the data. A minimum at or over the cap leaves one
 * look: the fixed design.
 */
export function adaptiveLooks(
  load: Pick<LoadSettings, 'durationMs' | 'minDurationMs'>,
  sliceMs = SLICE_MS,
): number[] {
  const cap = load.durationMs;
  const first = Math.min(load.minDurationMs ?? DEFAULT_MIN_DURATION_MS, cap);
  const looks: number[] = [];
  for (let t = first; t < cap; t += sliceMs) looks.push(t);
  looks.push(cap);
  return looks;
}
