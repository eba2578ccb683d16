import { readFile } from 'node:fs/promises';
import { describe, expect, test } from '@jest/globals';
import { GENERATED_PATH, generateBudgetFileTypes } from '../../scripts/generate-types.js';

describe('generated raw budget-file type', () => {
  test('the committed file is exactly what the schema generates (run npm run generate:types)', async () => {
    const committed = await readFile(GENERATED_PATH, 'utf8');
    const fresh = await generateBudgetFileTypes();
    expect(fresh).toContain('export interface PerfBudgetFile');
    expect(committed).toBe(fresh);
  });
});
