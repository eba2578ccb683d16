import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import {
  calibrate,
  roundUpToFivePercent,
  roundUpToNice,
  renderSuggestion,
  spreadOf,
  suggestTolerance,
} from '../../src/cli/calibration.js';
import {
  createHistogram,
  encodeHistogram,
  recordMs,
  summarize,
} from '../../src/measure/histogram.js';
import type { Measurement } from '../../src/measure/types.js';

/** The calibration rule, as documented in `perf-gate calibrate --help`. */

describe('rounding to values a person would write', () => {
  test.each([
    [0, 0],
    [0.03, 0.05],
    [0.05, 0.05],
    [0.15, 0.15],
    [0.1500001, 0.2],
    [0.61, 0.65],
    [2.01, 2.05],
  ])('roundUpToFivePercent(%p) = %p', (input, expected) => {
    expect(roundUpToFivePercent(input)).toBe(expected);
  });

  test.each([
    [0.7, 1],
    [1, 1],
    [1.01, 2],
    [3, 5],
    [12, 20],
    [36, 50],
    [50, 50],
    [51, 100],
    [0.0031, 0.005],
    [0.012, 0.02],
  ])('roundUpToNice(%p) = %p', (input, expected) => {
    expect(roundUpToNice(input)).toBe(expected);
  });
});

describe('suggested tolerances', () => {
  test('three times the observed spread, rounded up', () => {
    // Relative spread 10% → 30%; absolute spread 4 ms → 12 → 20 ms.
    expect(suggestTolerance('p95', spreadOf([40, 44, 42]))).toEqual({
      maxIncrease: 0.3,
      minDelta: 20,
    });
  });

  test('never below the floors: 5% and 1 ms for latency, 50% and 0.5 points for errors', () => {
    expect(suggestTolerance('p50', spreadOf([10, 10, 10]))).toEqual({
      maxIncrease: 0.05,
      minDelta: 1,
    });
    expect(suggestTolerance('error-rate', spreadOf([0, 0, 0]))).toEqual({
      maxIncrease: 0.5,
      minDelta: 0.005,
    });
    // A noisy error rate: 1% to 3% → 3 × 200% relative, 3 × 2 points → 10 points.
    expect(suggestTolerance('error-rate', spreadOf([0.01, 0.02, 0.03]))).toEqual({
      maxIncrease: 3,
      minDelta: 0.1,
    });
  });
});

function measurement(latencies: number[], errors = 0): Measurement {
  const h = createHistogram();
  for (const ms of latencies) recordMs(h, ms);
  const requests = latencies.length + errors;
  return {
    requests,
    errors,
    errorRate: errors / requests,
    errorBreakdown: {
      timeouts: 0,
      connection: {},
      resets: 0,
      status: errors ? { 500: errors } : {},
    },
    throughput: latencies.length,
    durationMs: 1000,
    latency: summarize(h),
    histogram: encodeHistogram(h),
    startedAt: new Date(0).toISOString(),
  };
}

describe('calibrate and the snippet', () => {
  const steady = (shift: number) =>
    measurement(Array.from({ length: 2000 }, (_, i) => 10 + shift + (i % 10) / 10));
  const noisy = (scale: number) =>
    measurement(Array.from({ length: 2000 }, (_, i) => (50 + (i % 50)) * scale));

  test('the defaults take the loosest need of any endpoint, and say which endpoint set it', () => {
    const results = calibrate([
      { name: 'steady', measurements: [steady(0), steady(0.1), steady(0.05)] },
      { name: 'noisy', measurements: [noisy(1), noisy(1.2), noisy(1.1)] },
    ]);
    const steadyP50 = results[0]!.metrics.find((m) => m.metric === 'p50')!;
    expect(steadyP50.values).toHaveLength(3);
    expect(steadyP50.suggestion).toEqual({ maxIncrease: 0.05, minDelta: 1 });
    expect(steadyP50.tooFewSamples).toBe(false);

    const yaml = renderSuggestion(results);
    const parsed = parse(yaml) as {
      defaults: { regression: Record<string, Record<string, string>> };
    };
    const noisyP50 = results[1]!.metrics.find((m) => m.metric === 'p50')!;
    expect(parsed.defaults.regression.p50).toEqual({
      'max-increase': `${Math.round(noisyP50.suggestion.maxIncrease * 100)}%`,
      'min-delta': `${noisyP50.suggestion.minDelta}ms`,
    });
    expect(yaml).toMatch(/p50: \{ max-increase: \d+%, min-delta: \d+ms \} # set by "noisy"/);
    // The error rate never moved: the floor applies and no endpoint is blamed.
    expect(yaml).toMatch(/error-rate: \{ max-increase: 50%, min-delta: 0\.5% \}\n/);
  });

  test('flags percentiles measured on fewer requests than a verdict needs', () => {
    const few = () => measurement(Array.from({ length: 300 }, (_, i) => 10 + (i % 7)));
    const [result] = calibrate([{ name: 'short', measurements: [few(), few()] }]);
    const flags = Object.fromEntries(result!.metrics.map((m) => [m.metric, m.tooFewSamples]));
    expect(flags).toEqual({ p50: false, p95: false, p99: true, 'error-rate': false });
  });

  test('one run cannot show a spread', () => {
    expect(() => calibrate([{ name: 'once', measurements: [steady(0)] }])).toThrow(
      'needs at least 2 runs',
    );
  });
});
