import { describe, expect, test } from '@jest/globals';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  recordMs,
  summarize,
} from '../../src/measure/histogram.js';

describe('histogram', () => {
  test('records float milliseconds at microsecond resolution', () => {
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10); // 0.1 .. 100 ms
    const s = summarize(h);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p95).toBeCloseTo(95, 0);
    expect(Math.abs(s.p99 - 99) / 99).toBeLessThan(0.002);
    expect(s.max).toBeCloseTo(100, 0);
    expect(s.min).toBeCloseTo(0.1, 3);
  });

  test('survives encode/decode and merges counts', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 0; i < 500; i++) recordMs(a, 10);
    for (let i = 0; i < 500; i++) recordMs(b, 100);
    const merged = mergeHistograms([
      decodeHistogram(encodeHistogram(a)),
      decodeHistogram(encodeHistogram(b)),
    ]);
    expect(merged.totalCount).toBe(1000);
    expect(summarize(merged).p50).toBeCloseTo(10, 1);
    expect(summarize(merged).p75).toBeCloseTo(100, 0);
  });

  test('an empty histogram summarises to zeros, not NaN', () => {
    expect(Object.values(summarize(createHistogram())).every((v) => v === 0)).toBe(true);
  });
});
