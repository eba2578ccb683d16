import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  calibrate,
  capTolerance,
  noisyAdvice,
  roundUpToFivePercent,
  roundUpToNice,
  renderSuggestedFile,
  spreadOf,
  suggestTolerance,
} from '../../src/cli/calibration.js';
import { loadBudgetFile } from '../../src/config/load.js';
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

  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-calibration-'));
  /** The suggested file through the real loader: the validation `perf-gate validate` runs. */
  const validates = async (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return loadBudgetFile(path, { env: { PREVIEW_URL: 'http://127.0.0.1:3000' } });
  };
  const FILE = `# the team's budget file
version: 1
target:
  url: \${PREVIEW_URL}
defaults:
  load: { connections: 2, duration: 1s, warmup: 0s }
  budget: { p95: 500ms }
endpoints:
  - name: steady
    path: /a
  - name: noisy
    path: /b
    budget: { p99: 2s } # keep
  - name: health
    path: /healthz
    regression: false
`;

  test('shared values go to defaults, an endpoint that needs another gets its own, and the file validates', async () => {
    const results = calibrate([
      { name: 'steady', measurements: [steady(0), steady(0.1), steady(0.05)] },
      { name: 'noisy', measurements: [noisy(1), noisy(1.2), noisy(1.1)] },
      { name: 'health', measurements: [steady(0), steady(3)] },
    ]);
    const steadyP50 = results[0]!.metrics.find((m) => m.metric === 'p50')!;
    expect(steadyP50.values).toHaveLength(3);
    expect(steadyP50.suggestion).toEqual({ maxIncrease: 0.05, minDelta: 1 });
    expect(steadyP50.tooFewSamples).toBe(false);
    const noisyP50 = results[1]!.metrics.find((m) => m.metric === 'p50')!;
    expect(noisyP50.noisy).toBe(false);

    const text = renderSuggestedFile(FILE, results, new Set(['health']));
    const parsed = parse(text) as {
      defaults: { regression: Record<string, Record<string, string>> };
      endpoints: { name: string; regression?: unknown; budget?: unknown }[];
    };
    // The steady endpoint keeps its sensitivity: the noisy one does not loosen the defaults.
    expect(parsed.defaults.regression.p50).toEqual({ 'max-increase': '5%', 'min-delta': '1ms' });
    expect(parsed.endpoints[0]!.regression).toBeUndefined();
    expect((parsed.endpoints[1]!.regression as Record<string, unknown>).p50).toEqual({
      'max-increase': `${Math.round(noisyP50.suggestion.maxIncrease * 100)}%`,
      'min-delta': `${noisyP50.suggestion.minDelta}ms`,
    });
    expect(parsed.endpoints[2]!.regression).toBe(false);
    // The file as written stays: its comments, its variables, its budgets.
    expect(text).toContain("# the team's budget file");
    expect(text).toContain('${PREVIEW_URL}');
    expect(text).toContain('budget: { p99: 2s } # keep');

    const config = await validates('suggested.yml', text);
    const byName = Object.fromEntries(config.endpoints.map((e) => [e.name, e]));
    expect(byName.steady!.regression).toMatchObject({ p50: { maxIncrease: 0.05, minDelta: 1 } });
    expect(byName.noisy!.regression).toMatchObject({ p50: noisyP50.suggestion });
    expect(byName.health!.regression).toBe(false);
  });

  test('a route slow 5% of the time is too noisy to gate: capped at what validates, and said so', async () => {
    // p99 lands on the fast or the slow mode from run to run: (max − min) / median is 20 times.
    const bimodal = (slowShare: number) =>
      measurement(Array.from({ length: 2000 }, (_, i) => (i < 2000 * (1 - slowShare) ? 10 : 200)));
    const results = calibrate([
      { name: 'steady', measurements: [steady(0), steady(0.1), steady(0.05)] },
      { name: 'search', measurements: [bimodal(0.005), bimodal(0.02), bimodal(0.008)] },
    ]);
    const p99 = results[1]!.metrics.find((m) => m.metric === 'p99')!;
    expect(suggestTolerance('p99', p99.spread).maxIncrease).toBeGreaterThan(10);
    expect(p99.suggestion.maxIncrease).toBe(10);
    expect(p99.noisy).toBe(true);

    const advice = noisyAdvice(results);
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(/^"search" is too noisy to gate: p99 moved \d+/);
    expect(advice[0]).toMatch(/load\.duration 1s → about \d+s/);

    const text = renderSuggestedFile(FILE.replace(/ {2}- name: health[\s\S]*$/, ''), results);
    expect(text).toMatch(/p99: \{ max-increase: 1000%, min-delta: \d+ms \} # too noisy to gate/);
    // The noisy endpoint's need does not reach the shared defaults.
    expect(
      (parse(text) as { defaults: { regression: { p99: unknown } } }).defaults.regression.p99,
    ).toEqual({ 'max-increase': '5%', 'min-delta': '1ms' });
    await validates('noisy.yml', text);
  });

  test('capping: never above 1000%, an error-rate min-delta never above 100 points', () => {
    expect(capTolerance('p95', { maxIncrease: 60.65, minDelta: 500 })).toEqual({
      tolerance: { maxIncrease: 10, minDelta: 500 },
      noisy: true,
    });
    expect(capTolerance('p95', { maxIncrease: 0.8, minDelta: 5 })).toEqual({
      tolerance: { maxIncrease: 0.8, minDelta: 5 },
      noisy: false,
    });
    expect(capTolerance('error-rate', { maxIncrease: 2, minDelta: 2 })).toEqual({
      tolerance: { maxIncrease: 2, minDelta: 1 },
      noisy: true,
    });
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
