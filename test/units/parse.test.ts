import { describe, expect, test } from '@jest/globals';
import { parseDuration, parseLatency, parseRate, UnitError } from '../../src/units/parse.js';
import { formatDuration } from '../../src/units/format.js';

describe('parseLatency (→ ms)', () => {
  test.each([
    ['800us', 0.8],
    ['800µs', 0.8],
    ['1us', 0.001],
    ['250ms', 250],
    ['2.5ms', 2.5],
    ['0.1s', 100],
    ['1.5s', 1500],
    ['1.005s', 1005],
    ['250 ms', 250],
    [250, 250],
    [0.8, 0.8],
    [0, 0],
  ])('%p is exactly %p', (input, ms) => {
    expect(parseLatency(input)).toBe(ms);
  });

  test.each([
    [
      'fast',
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "fast"',
    ],
    [
      '10 parsecs',
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "10 parsecs"',
    ],
    ['5m', 'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "5m"'],
    [
      '250',
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found "250" (add a unit, e.g. "250ms")',
    ],
    ['-5ms', 'expected a latency of 0 or more, found "-5ms"'],
    [-1, 'expected a latency of 0 or more, found -1'],
    [Number.NaN, 'expected a latency as a finite number, found NaN'],
    [Number.POSITIVE_INFINITY, 'expected a latency as a finite number, found Infinity'],
    [
      null,
      'expected a latency like "250ms" (us, ms, s) or a number of milliseconds, found nothing',
    ],
  ])('%p is refused', (input, message) => {
    expect(() => parseLatency(input)).toThrow(new UnitError(message));
  });
});

describe('parseDuration (→ ms; numbers are seconds)', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['0.1s', 100],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['14d', 1_209_600_000],
    ['0s', 0],
    [30, 30_000],
    [1.5, 1500],
    [0.3, 300],
    [0.1, 100],
  ])('%p is exactly %p ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each([
    [
      '10 parsecs',
      'expected a duration like "30s" (ms, s, m, h, d) or a number of seconds, found "10 parsecs"',
    ],
    [
      '30',
      'expected a duration like "30s" (ms, s, m, h, d) or a number of seconds, found "30" (add a unit, e.g. "30s")',
    ],
    ['-5s', 'expected a duration of 0 or more, found "-5s"'],
    [-30, 'expected a duration of 0 or more, found -30'],
    [Number.NaN, 'expected a duration as a finite number, found NaN'],
    ['1w', 'expected a duration like "30s" (ms, s, m, h, d) or a number of seconds, found "1w"'],
  ])('%p is refused', (input, message) => {
    expect(() => parseDuration(input)).toThrow(new UnitError(message));
  });
});

describe('parseRate (→ fraction)', () => {
  test.each([
    ['1%', 0.01],
    ['0.5%', 0.005],
    ['50%', 0.5],
    ['100%', 1],
    ['0%', 0],
    ['33.3%', 0.333],
    [0.01, 0.01],
    [1, 1],
  ])('%p is exactly %p', (input, fraction) => {
    expect(parseRate(input)).toBe(fraction);
  });

  test('a larger maximum admits relative increases over 100%', () => {
    expect(parseRate('250%', 10)).toBe(2.5);
  });

  test.each([
    [
      '150%',
      'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found "150%"',
    ],
    [
      5,
      'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found 5 (did you mean "5%"?)',
    ],
    ['-1%', 'expected a rate of 0 or more, found "-1%"'],
    [
      'one percent',
      'expected a percentage like "1%" or a fraction like 0.01 (at most 100%), found "one percent"',
    ],
    [Number.NaN, 'expected a rate as a finite number, found NaN'],
  ])('%p is refused', (input, message) => {
    expect(() => parseRate(input)).toThrow(new UnitError(message));
  });
});

describe('formatDuration', () => {
  test.each([
    [250, '250ms'],
    [1500, '1.5s'],
    [90_000, '1m 30s'],
    [3_600_000, '1h'],
    [16 * 60_000 + 5000, '16m 5s'],
  ])('%p ms reads %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
