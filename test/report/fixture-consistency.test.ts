import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The saved report fixtures are built from measurement objects (scenarios.ts, generate.ts), so
 * their numbers must agree with each other as a real run's do: a report saying "1,000 requests
 * in 10s, 85 req/s" describes no run at all.
 */

const DIR = join(import.meta.dirname, '../fixtures/reports');

interface MeasurementLike {
  requests: number;
  errors: number;
  durationMs: number;
  throughput: number;
}

/** Every object in the report that looks like a measurement, with where it is. */
function measurements(value: unknown, path = '$'): [string, MeasurementLike][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => measurements(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own: [string, MeasurementLike][] =
    typeof record.requests === 'number' &&
    typeof record.durationMs === 'number' &&
    typeof record.throughput === 'number'
      ? [[path, record as unknown as MeasurementLike]]
      : [];
  return [...own, ...Object.entries(record).flatMap(([k, v]) => measurements(v, `${path}.${k}`))];
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('report fixtures are self-consistent', () => {
  test('there are fixtures with measurements to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  test.each(files)('%s: throughput is the requests over the duration', (file) => {
    const report = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as unknown;
    const found = measurements(report);
    expect(found.length).toBeGreaterThan(0);
    const off = found
      .filter(([, m]) => m.requests > 0 && m.durationMs > 0)
      .filter(([, m]) => {
        const implied = m.requests / (m.durationMs / 1000);
        return Math.abs(m.throughput - implied) > 0.01 * implied;
      })
      .map(
        ([where, m]) =>
          `${where}: ${m.requests} requests in ${m.durationMs} ms, ${m.throughput} req/s`,
      );
    expect(off).toEqual([]);
    for (const [, m] of found) expect(m.errors).toBeLessThanOrEqual(m.requests);
  });
});
