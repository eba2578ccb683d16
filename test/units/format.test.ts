import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  formatChange,
  formatCount,
  formatDuration,
  formatDurationExact,
  formatMetricDelta,
  formatMetricValue,
  formatMs,
  formatPercent,
  formatPoints,
  formatRate,
  formatRatio,
  formatRps,
  formatSignedMs,
} from '../../src/units/format.js';

describe('examples', () => {
  test.each([
    [0, '0 ms'],
    [0.001, '0.001 ms'],
    [0.05, '0.05 ms'],
    [0.8, '0.8 ms'],
    [0.84, '0.84 ms'],
    [0.996, '1.0 ms'],
    [4.25, '4.3 ms'],
    [9.96, '10 ms'],
    [212.4, '212 ms'],
    [999.6, '1.00 s'],
    [1420, '1.42 s'],
    [14_240, '14.2 s'],
    [142_000, '142 s'],
    [1_420_000, '1,420 s'],
  ])('formatMs(%d) = %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  test.each([
    [formatSignedMs(31.2), '+31 ms'],
    [formatSignedMs(-3.24), '-3.2 ms'],
    [formatSignedMs(0), '0 ms'],
    [formatChange(0.124), '+12.4%'],
    [formatChange(-0.03), '-3.0%'],
    [formatChange(0.00001), '0.0%'],
    [formatChange(-0.00001), '0.0%'],
    [formatChange(12.345), '+1,235%'],
    [formatPercent(-0.124), '12.4%'],
    [formatRate(0), '0%'],
    [formatRate(0.00001), '<0.01%'],
    [formatRate(0.0053), '0.53%'],
    [formatRate(0.012), '1.2%'],
    [formatRate(1), '100%'],
    [formatPoints(0.005), '+0.50 pts'],
    [formatPoints(-0.021), '-2.1 pts'],
    [formatPoints(0), '0 pts'],
    [formatRps(4.52), '4.5 req/s'],
    [formatRps(85), '85 req/s'],
    [formatRps(1234.4), '1,234 req/s'],
    [formatRps(0), '0 req/s'],
    [formatCount(1234567), '1,234,567'],
    [formatCount(-0.2), '0'],
    [formatRatio(1.1234), '1.12'],
    [formatDuration(30_000), '30s'],
    [formatDuration(90_000), '1m 30s'],
    [formatDuration(250), '250ms'],
    [formatDuration(3_600_000), '1h'],
    [formatDuration(1500), '1.5s'],
    [formatDuration(11_700, 'seconds'), '12s'],
    [formatDuration(999.6), '1s'],
    [formatDuration(59_960), '1m'],
    [formatDuration(16 * 60_000 + 5000), '16m 5s'],
    [formatDurationExact(1_209_600_000), '14d'],
    [formatDurationExact(90_000), '90s'],
    [formatDurationExact(3_600_000), '1h'],
    [formatDurationExact(1500), '1500ms'],
    [formatMetricValue('error-rate', 0.02), '2.0%'],
    [formatMetricValue('min-rps', 120), '120 req/s'],
    [formatMetricValue('p95', 212), '212 ms'],
    [formatMetricDelta('error-rate', 0.035), '+3.5 pts'],
    [formatMetricDelta('min-rps', -12), '-12 req/s'],
    [formatMetricDelta('p95', 31), '+31 ms'],
  ])('%s is %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  test('non-finite values print as n/a', () => {
    for (const f of [
      formatMs,
      formatSignedMs,
      formatChange,
      formatRate,
      formatPoints,
      formatRps,
      formatCount,
      formatRatio,
      formatPercent,
    ]) {
      expect(f(Number.NaN)).toBe('n/a');
      expect(f(Number.POSITIVE_INFINITY)).toBe('n/a');
    }
  });
});

/** The number a formatted value stands for, in the formatter's input unit. */
function parse(text: string, unitScale: Record<string, number>): number {
  const match = /^([+-]?)<?([\d,]*\.?\d+)\s*(.*)$/.exec(text);
  if (!match) throw new Error(`cannot parse ${text}`);
  const value = Number(match[2].replace(/,/g, '')) * (unitScale[match[3]] ?? Number.NaN);
  return match[1] === '-' ? -value : value;
}

describe('properties', () => {
  const anyDouble = fc.double({ noDefaultInfinity: false });
  const formatters = [
    formatMs,
    formatSignedMs,
    formatChange,
    formatRate,
    formatPoints,
    formatRps,
    formatCount,
    formatRatio,
    formatPercent,
    formatDuration,
  ];

  test('never throws and never prints NaN, Infinity or undefined', () => {
    fc.assert(
      fc.property(anyDouble, (value) => {
        for (const format of formatters) {
          const text = format(value);
          expect(typeof text).toBe('string');
          expect(text).not.toMatch(/NaN|Infinity|undefined|e[+-]\d/);
        }
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  const monotonic = (
    format: (v: number) => string,
    scale: Record<string, number>,
    range: fc.Arbitrary<number>,
  ) =>
    fc.assert(
      fc.property(range, range, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(parse(format(lo), scale)).toBeLessThanOrEqual(parse(format(hi), scale));
      }),
      { seed: 2, numRuns: 3000 },
    );

  const latencies = fc.oneof(
    fc.double({ min: 0, max: 20, noNaN: true }),
    fc.double({ min: 0, max: 5e7, noNaN: true }),
  );

  test('latency is monotonic', () => monotonic(formatMs, { ms: 1, s: 1000 }, latencies));
  test('signed latency is monotonic', () =>
    monotonic(formatSignedMs, { ms: 1, s: 1000 }, fc.double({ min: -5e6, max: 5e6, noNaN: true })));
  test('change is monotonic', () =>
    monotonic(formatChange, { '%': 0.01 }, fc.double({ min: -50, max: 50, noNaN: true })));
  test('rate is monotonic', () =>
    monotonic(formatRate, { '%': 0.01 }, fc.double({ min: 0, max: 1, noNaN: true })));
  test('points are monotonic', () =>
    monotonic(formatPoints, { pts: 0.01 }, fc.double({ min: -1, max: 1, noNaN: true })));
  test('throughput is monotonic', () =>
    monotonic(formatRps, { 'req/s': 1 }, fc.double({ min: 0, max: 1e6, noNaN: true })));
  test('counts are monotonic', () =>
    monotonic(formatCount, { '': 1 }, fc.double({ min: -1e9, max: 1e9, noNaN: true })));

  test('latency keeps about three significant digits', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e7, noNaN: true }), (ms) => {
        expect(Math.abs(parse(formatMs(ms), { ms: 1, s: 1000 }) - ms) / ms).toBeLessThan(0.05);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });
});
