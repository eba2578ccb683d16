import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/**
 * Is the load generator the bottleneck? (SPEC §4) perf-gate's client is one Node event loop:
 * a response that has arrived waits until the loop gets to it, and that wait is inside every
 * latency it records. When the loop is busy nearly all of the time and its delays are a large
 * part of the latencies measured, the figures describe the generator's own queueing more than
 * the target, and a latency budget must not fail on them.
 */

export interface GeneratorLoad {
  /** Share of the run the event loop was busy (0..1), from performance.eventLoopUtilization. */
  eventLoopUtilization: number;
  /** How late the loop ran a timer: p99 and max over the run, ms (sampled every 10 ms). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/** Sampling period of the delay monitor, ms; its samples include it, so it is taken off. */
const RESOLUTION_MS = 10;

/**
 * Thresholds, from bench:engine on a 2-core runner (bench/results/engine.json, "saturation"
 * rows): see generatorSaturated.
 */
export const SATURATION_UTILIZATION = 0.9;
export const SATURATION_DELAY_SHARE = 0.25;

export const SATURATED_WARNING =
  'the load generator was saturated: latency includes its own queueing; use fewer connections';

/** Starts watching this process's event loop; `stop()` says how loaded it was meanwhile. */
export function watchGenerator(): { stop(): GeneratorLoad } {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const before = performance.eventLoopUtilization();
  return {
    stop() {
      delay.disable();
      const utilization = performance.eventLoopUtilization(before).utilization;
      const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      const sampled = delay.count > 0;
      return {
        eventLoopUtilization: round(utilization, 3),
        eventLoopDelayP99Ms: sampled ? round(ms(delay.percentile(99)), 3) : 0,
        eventLoopDelayMaxMs: sampled ? round(ms(delay.max), 3) : 0,
      };
    },
  };
}

/**
 * Saturated when the loop was busy at least 90% of the run (it had no idle time left to take
 * responses as they came) and its p99 delay is at least a quarter of the median latency measured
 * (so its queueing is a sizeable part of what was measured, not noise under a slow target).
 */
export function generatorSaturated(load: GeneratorLoad & { latencyP50Ms: number }): boolean {
  return (
    load.eventLoopUtilization >= SATURATION_UTILIZATION &&
    load.eventLoopDelayP99Ms >= SATURATION_DELAY_SHARE * load.latencyP50Ms
  );
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
