import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The AWS SDK is large: a run without CloudWatch must not load it. So src/ may import it only
 * as types, and load it with `await import()` where CloudWatch is actually used.
 */

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('loading the AWS SDK', () => {
  test('no module in src imports @aws-sdk at the top level, except types', () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      // Static imports and re-exports; `import type` and `import { type X }`-only forms erase.
      for (const m of text.matchAll(
        /^\s*(import|export)\s+([^;]*?)\s+from\s+['"](@aws-sdk\/[^'"]+)['"]/gms,
      )) {
        const clause = m[2];
        const typeOnly = /^type\s/.test(clause) || /^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(clause);
        if (!typeOnly) offenders.push(`${relative(SRC, file)}: ${m[0].trim()}`);
      }
      for (const m of text.matchAll(/^\s*import\s+['"](@aws-sdk\/[^'"]+)['"]/gm)) {
        offenders.push(`${relative(SRC, file)}: ${m[0].trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  test('the CloudWatch modules load it on demand', () => {
    const client = readFileSync(join(SRC, 'baseline/cloudwatch-client.ts'), 'utf8');
    expect(client).toContain("await import('@aws-sdk/client-cloudwatch')");
  });
});
