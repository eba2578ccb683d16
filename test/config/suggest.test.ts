import { describe, expect, test } from '@jest/globals';
import { closest, editDistance } from '../../src/config/suggest.js';

const BUDGET = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max', 'error-rate', 'min-rps'];

describe('did-you-mean', () => {
  test.each([
    ['p59', BUDGET, 'p95'],
    ['P95', BUDGET, 'p95'],
    ['errorrate', BUDGET, 'error-rate'],
    ['error_rate', BUDGET, 'error-rate'],
    ['conections', ['connections', 'duration', 'warmup', 'timeout', 'rate'], 'connections'],
    ['timout', ['connections', 'duration', 'warmup', 'timeout', 'rate'], 'timeout'],
    ['max-inc', ['max-increase', 'min-delta'], 'max-increase'],
    [
      'endpoint',
      ['version', 'id', 'confirm', 'target', 'defaults', 'baseline', 'endpoints'],
      'endpoints',
    ],
    ['POTS', ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], 'POST'],
    ['FETCH', ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], undefined],
    ['latency', BUDGET, undefined],
    ['m', BUDGET, undefined],
  ])('%s → %s', (word, allowed, expected) => {
    expect(closest(word, allowed)).toBe(expected);
  });

  test('a swap of neighbours is one edit', () => {
    expect(editDistance('p59', 'p95')).toBe(1);
    expect(editDistance('p59', 'p50')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
