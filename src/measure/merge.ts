import { decodeHistogram, encodeHistogram, mergeHistograms, summarize } from './histogram.js';
import type { ErrorBreakdown, Measurement } from './types.js';

/**
 * Merges measurements of the same endpoint: histograms are added, counts summed, and every
 * percentile is recomputed from the merged histogram, never averaged. `one after another` (side-by-side
 * rounds, a report merged with another): durations add up. `at once` (shards of one load, each
 * driving its share at the same time): throughputs and open-model rates add up, and the
 * duration is the span from the first start to the last end.
 */
export function mergeMeasurements(
  parts: Measurement[],
  timing: 'one after another' | 'at once' = 'one after another',
): Measurement {
  if (parts.length === 0) throw new Error('mergeMeasurements needs at least one measurement');
  if (parts.length === 1) return parts[0];
  const histogram = mergeHistograms(parts.map((p) => decodeHistogram(p.histogram)));
  const requests = sum(parts.map((p) => p.requests));
  const errors = sum(parts.map((p) => p.errors));
  const together = timing === 'at once';
  const durationMs = together ? spanMs(parts) : sum(parts.map((p) => p.durationMs));
  const completed = sum(parts.map((p) => p.throughput * (p.durationMs / 1000)));
  const merged: Measurement = {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    errorBreakdown: mergeBreakdowns(parts.map((p) => p.errorBreakdown)),
    throughput: together
      ? sum(parts.map((p) => p.throughput))
      : durationMs === 0
        ? 0
        : completed / (durationMs / 1000),
    durationMs,
    latency: summarize(histogram),
    histogram: encodeHistogram(histogram),
    startedAt: parts.map((p) => p.startedAt).sort()[0],
  };
  if (parts.every((p) => p.uncorrectedHistogram)) {
    const raw = mergeHistograms(parts.map((p) => decodeHistogram(p.uncorrectedHistogram!)));
    merged.uncorrected = summarize(raw);
    merged.uncorrectedHistogram = encodeHistogram(raw);
  }
  const failed = parts.filter((p) => p.errorHistogram);
  if (failed.length > 0) {
    const errors = mergeHistograms(failed.map((p) => decodeHistogram(p.errorHistogram!)));
    merged.errorLatency = summarize(errors);
    merged.errorHistogram = encodeHistogram(errors);
  }
  if (parts.every((p) => p.arrivals)) {
    merged.arrivals = {
      rate: together ? sum(parts.map((p) => p.arrivals!.rate)) : parts[0].arrivals!.rate,
      intended: sum(parts.map((p) => p.arrivals!.intended)),
      sent: sum(parts.map((p) => p.arrivals!.sent)),
      dropped: sum(parts.map((p) => p.arrivals!.dropped)),
    };
  }
  // The generator's state of the most loaded part: saturation in any part taints the merged latencies.
  const loads = parts.flatMap((p) => (p.generator ? [p.generator] : []));
  if (loads.length > 0) {
    merged.generator = {
      eventLoopUtilization: Math.max(...loads.map((g) => g.eventLoopUtilization)),
      eventLoopDelayP50Ms: Math.max(...loads.map((g) => g.eventLoopDelayP50Ms)),
      eventLoopDelayP99Ms: Math.max(...loads.map((g) => g.eventLoopDelayP99Ms)),
      eventLoopDelayMaxMs: Math.max(...loads.map((g) => g.eventLoopDelayMaxMs)),
      saturated: loads.some((g) => g.saturated),
    };
  }
  const warnings = [...new Set(parts.flatMap((p) => p.warnings ?? []))];
  if (warnings.length > 0) merged.warnings = warnings;
  return merged;
}

/** The time from the first part's start to the last part's end, ms. */
function spanMs(parts: Measurement[]): number {
  const starts = parts.map((p) => Date.parse(p.startedAt));
  const ends = parts.map((p, i) => starts[i] + p.durationMs);
  if (starts.some((t) => Number.isNaN(t))) return Math.max(...parts.map((p) => p.durationMs));
  return Math.max(...ends) - Math.min(...starts);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function mergeBreakdowns(parts: ErrorBreakdown[]): ErrorBreakdown {
  const merged: ErrorBreakdown = { timeouts: 0, connection: {}, resets: 0, status: {} };
  for (const p of parts) {
    merged.timeouts += p.timeouts;
    merged.resets += p.resets;
    addCounts(merged.connection, p.connection);
    addCounts(merged.status, p.status);
  }
  return merged;
}
