import { describe, expect, test } from '@jest/globals';
import { parseShard, shareOf, shardLoad } from '../../src/config/shard.js';

describe('shard shares', () => {
  test('the n shares of every total add up to it exactly and differ by at most one', () => {
    for (let count = 1; count <= 12; count++) {
      for (let total = count; total <= 200; total++) {
        const shares = [...Array(count).keys()].map((i) => shareOf(total, { index: i + 1, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        expect(Math.min(...shares)).toBeGreaterThan(0);
      }
    }
  });

  test('an open-model rate is split in thousandths, so the shares add up to the rate', () => {
    for (const rate of [1, 1.5, 7, 33.333, 250]) {
      const load = { connections: 12, durationMs: 1000, warmupMs: 0, timeoutMs: 1000, rate };
      const rates = [1, 2, 3].map((index) => shardLoad(load, { index, count: 3 }).rate!);
      expect(Math.round(rates.reduce((a, b) => a + b, 0) * 1000)).toBe(Math.round(rate * 1000));
    }
  });

  test('i/n is parsed, and every wrong form says how to write it', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard('0/3')).toEqual({ error: expect.stringContaining('from 1 to 3') });
    expect(parseShard('3')).toEqual({ error: expect.stringContaining('write i/n') });
    expect(parseShard('1/0')).toEqual({ error: expect.stringContaining('from 1 to 256') });
  });
});
