/**
 * A common start for the shards of a run (docs/architecture.md §4): every shard waits until
 * `start-at`, and starts each endpoint at a fixed offset from it, computed from the budget file
 * alone, so the shards load every endpoint at the same time whatever their runners' speed.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { plannedLoadMs } from '../config/plan.js';
import type { Config } from '../config/types.js';

/** Room for connecting, ticks and evaluation after an endpoint's planned load. */
export const SLOT_SLACK = { fraction: 0.2, ms: 2_000 };

/** The longest wait a start-at may ask for: a start further away is a mistake in the time. */
export const MAX_START_WAIT_MS = 60 * 60_000;

/**
 * `2026-12-01T10:00:00Z` (ISO 8601 with a zone), `@1764583200` (Unix seconds, what `date +%s`
 * prints), or, when `relative` is allowed, `+90s` (a duration after a moment the caller knows:
 * the action's workflow run's creation); a message saying what is wrong otherwise.
 */
export function parseStartAt(
  text: string,
  relative = false,
): Date | { afterMs: number } | { error: string } {
  const trimmed = text.trim();
  const epoch = /^@(\d{9,11})$/.exec(trimmed);
  if (epoch) return new Date(Number(epoch[1]) * 1000);
  const after = /^\+(\d{1,4})(s|m)$/.exec(trimmed);
  if (after && relative) return { afterMs: Number(after[1]) * (after[2] === 'm' ? 60_000 : 1000) };
  const forms = `an ISO 8601 time with its zone (2026-12-01T10:00:00Z), Unix seconds after @ (@$(date +%s))${relative ? ', or +90s after the workflow run was created' : ''}`;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(trimmed)) {
    return { error: `"${text}" is not a start time: give ${forms}` };
  }
  const at = new Date(trimmed);
  if (Number.isNaN(at.getTime())) return { error: `"${text}" is not a valid time` };
  return at;
}

/** When each endpoint starts, ms after start-at: the slots of the endpoints before it. */
export function endpointOffsetsMs(config: Config, sideBySide: boolean): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const endpoint of config.endpoints) {
    offsets.push(at);
    const planned = plannedLoadMs(endpoint.load, sideBySide);
    at += Math.ceil(planned * (1 + SLOT_SLACK.fraction)) + SLOT_SLACK.ms;
  }
  return offsets;
}

export interface Schedule {
  /** Waits until endpoint `index`'s start; returns how late it started, ms (0 = on time). */
  beforeEndpoint(index: number, signal?: AbortSignal): Promise<number>;
}

/**
 * The schedule of a sharded run. Checks the start against `now`: a start more than an hour away
 * is refused; one already past starts at once (with the offsets kept relative to it, so a shard
 * that was late stays late and the merge's overlap check says so).
 */
export function scheduleFrom(
  startAt: Date,
  config: Config,
  sideBySide: boolean,
  clock: () => number = Date.now,
): Schedule {
  const wait = startAt.getTime() - clock();
  if (wait > MAX_START_WAIT_MS) {
    throw new Error(
      `start-at ${startAt.toISOString()} is ${Math.round(wait / 60_000)} minutes away (at most ${MAX_START_WAIT_MS / 60_000}): check the time and its zone`,
    );
  }
  const offsets = endpointOffsetsMs(config, sideBySide);
  return {
    async beforeEndpoint(index, signal) {
      const due = startAt.getTime() + offsets[index];
      const now = clock();
      if (now >= due) return now - due;
      // An abort ends the wait early; the gate then sees the signal and stops.
      await delay(due - now, undefined, { signal }).catch(() => undefined);
      return 0;
    },
  };
}
