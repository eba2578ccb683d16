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
  /** How late the loop ran a timer: median, p99 and max over the run, ms (sampled every 10 ms). */
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/** Sampling period of the delay monitor, ms; its samples include it, so it is taken off. */
const RESOLUTION_MS = 10;

/**
 * Thresholds (see generatorSaturated), from four runs of bench:engine's saturation rows on this
 * project's 2-core runner, shared with other jobs (load average 8-12), the target in another
 * process (bench/results/engine.json). Against a 0 ms route the loop was 32-58% busy at every
 * connection count; its median delay was 0.01-0.08 ms at 4 and 16 connections, but 0.2-0.29 ms
 * at 64, 0.32-2.2 ms at 128 and 1.5-2.2 ms at 256, i.e. 9-44% of the median latency, which rose
 * from 0.1 ms to 1.7-8.3 ms while the target's own time stayed under 0.03 ms. Against a 20 ms
 * route the loop was 2-11% busy, with a median delay of 0.13-0.32 ms (1-2% of the latency).
 */
export const SATURATION_UTILIZATION = 0.2;
export const SATURATION_DELAY_SHARE = 0.05;
export const SATURATION_MIN_DELAY_MS = 0.2;

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
        eventLoopDelayP50Ms: sampled ? round(ms(delay.percentile(50)), 3) : 0,
        eventLoopDelayP99Ms: sampled ? round(ms(delay.percentile(99)), 3) : 0,
        eventLoopDelayMaxMs: sampled ? round(ms(delay.max), 3) : 0,
      };
    },
  };
}

/**
 * Saturated when the loop's median delay, the wait a typical response had before the client
 * could read it, is at least 5% of the median latency measured (half the 10% a regression is
 * judged at by default) and at least 0.2 ms (above an idle loop's 0.13 ms), while the loop was
 * busy at least 20% of the run (it was working, not an idle loop descheduled by a busy runner,
 * as against the 20 ms route at 2-11%). The median delay, not a high percentile: a shared runner
 * that deschedules the process now and then moves an idle loop's p99 delay to 10-90 ms, but not
 * its median.
 */
export function generatorSaturated(load: GeneratorLoad & { latencyP50Ms: number }): boolean {
  return (
    load.eventLoopUtilization >= SATURATION_UTILIZATION &&
    load.eventLoopDelayP50Ms >= SATURATION_MIN_DELAY_MS &&
    load.eventLoopDelayP50Ms >= SATURATION_DELAY_SHARE * load.latencyP50Ms
  );
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
