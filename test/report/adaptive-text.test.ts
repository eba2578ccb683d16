import { describe, expect, test } from '@jest/globals';
import { adaptiveText } from '../../src/report/markdown.js';
import { sequentialCapRecord } from '../support/measurements.js';

describe('how an adaptive measurement stopped, in the details', () => {
  test('side by side, sequentially: the ABBA blocks and the level the regression was judged at', () => {
    expect(
      adaptiveText({
        looks: 13,
        look: 1,
        stop: 'settled: pass',
        capMs: 30_000,
        minDurationMs: 5_000,
        confidence: 0.99,
        regressionConfidence: 0.996,
        blocks: 3,
      }),
    ).toBe(
      'adaptive: settled: pass at look 1 of 13 (3 ABBA blocks, minimum 5s, cap 30s, bounds at 99%, regression at 99.6%)',
    );
  });

  test('budgets only: as before, no blocks', () => {
    expect(
      adaptiveText({ looks: 26, look: 26, stop: 'cap', capMs: 30_000, minDurationMs: 5_000 }),
    ).toBe('adaptive: cap at look 26 of 26 (minimum 5s, cap 30s)');
  });

  test('side by side: a breach the cap left unconfirmed is said so', () => {
    expect(adaptiveText(sequentialCapRecord())).toBe(
      'adaptive: cap at look 13 of 13 (15 ABBA blocks, minimum 5s, cap 30s); breach at the last look only, unconfirmed',
    );
  });
});
