import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { publishMeasurements } from '../../src/baseline/cloudwatch-publish.js';
import { readBaselines } from '../../src/baseline/cloudwatch-read.js';
import { endpointDimensionValue } from '../../src/baseline/cloudwatch-metrics.js';
import { quantileMs } from '../../src/measure/histogram.js';
import { cloudWatchForBlock } from '../support/aws.js';
import { HOUR, cloudWatchConfig, endpointConfig, lognormalHistogram } from './fixtures.js';
import { measurementOfHistogram } from '../support/measurements.js';

/**
 * Endpoint names are free text, CloudWatch dimension values are not (ASCII, a non-whitespace
 * character, no control characters, 1-1024 characters: the `Dimension` API reference). The
 * loopback CloudWatch refuses what the service refuses, so these round trips would fail if
 * perf-gate sent a name as it is.
 */

/** What the Dimension reference allows in a value. */
function cloudWatchTakes(value: string): boolean {
  return (
    value.length >= 1 && value.length <= 1024 && /^[\x20-\x7e]*$/.test(value) && /\S/.test(value)
  );
}

const AWKWARD = [
  'Suche – café ✓',
  ' ',
  '\t \u00a0',
  'línea\nnueva',
  '検索',
  '🚀 launch',
  'Café',
  'Cafe\u0301', // the same word, decomposed: a different name, so a different value
  'x'.repeat(1100),
];

describe('endpointDimensionValue', () => {
  test('a name CloudWatch takes is used as it is', () => {
    for (const name of ['list products', 'GET /api/v1/items?x=1', ' padded ', '~x']) {
      expect(endpointDimensionValue(name)).toBe(name);
    }
  });

  test('awkward names map to valid, stable, distinct values that keep their ASCII part', () => {
    const values = AWKWARD.map(endpointDimensionValue);
    for (const v of values) expect(cloudWatchTakes(v)).toBe(true);
    expect(new Set(values).size).toBe(AWKWARD.length);
    expect(AWKWARD.map(endpointDimensionValue)).toEqual(values);
    expect(values[0]).toMatch(/^Suche cafe ~[0-9a-f]{8}$/);
    expect(values[1]).toMatch(/^~[0-9a-f]{8}$/);
    expect(values[3]).toMatch(/^linea nueva ~[0-9a-f]{8}$/);
  });

  test('any string maps to a value CloudWatch takes, always the same one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), (name) => {
        const v = endpointDimensionValue(name);
        expect(cloudWatchTakes(v)).toBe(true);
        expect(endpointDimensionValue(name)).toBe(v);
      }),
    );
  });
});

describe('publish and read back endpoints whose names CloudWatch cannot take as they are', () => {
  const cw = cloudWatchForBlock();
  const now = new Date();

  test('non-ASCII and whitespace names publish, read back their own history, and are listed', async () => {
    const names = ['Suche – café ✓', ' ', '\t', 'plain'];
    const histograms = names.map((_, i) => lognormalHistogram(40 + i, 4000, 10 * (i + 1), 0.4));
    const lines: string[] = [];
    for (let k = 0; k < 3; k++) {
      const result = await publishMeasurements({
        gateId: 'api',
        dimensions: { Service: 'checkout' },
        endpoints: names.map((name, i) => ({
          name,
          measurement: measurementOfHistogram(histograms[i]),
        })),
        timestamp: new Date(now.getTime() - (k + 1) * HOUR),
        log: (l) => lines.push(l),
      });
      expect(result.datums).toBeGreaterThan(0);
    }
    // The service stored every datum; every value it holds is one it takes.
    const puts = cw.server.requests.filter((r) => r.operation === 'PutMetricData');
    expect(puts.every((r) => r.status === 200)).toBe(true);
    const stored = new Set(cw.server.store.datums.map((d) => d.dimensions.Endpoint));
    expect(stored).toEqual(new Set(names.map(endpointDimensionValue)));
    expect(stored.has('plain')).toBe(true);
    // The publish log says which names were mapped and to what.
    expect(lines).toContain(
      `endpoint "Suche – café ✓" is published with CloudWatch dimension Endpoint=${JSON.stringify(endpointDimensionValue('Suche – café ✓'))} (dimension values must be printable ASCII with a non-whitespace character)`,
    );
    expect(lines.filter((l) => l.startsWith('endpoint "plain"'))).toEqual([]);

    const baselines = await readBaselines({
      gateId: 'api',
      endpoints: names.map((name) => endpointConfig(name)),
      fileConfig: cloudWatchConfig(),
      now,
    });
    expect(
      cw.server.requests.filter((r) => r.operation === 'GetMetricData' && r.status !== 200),
    ).toEqual([]);
    names.forEach((name, i) => {
      const b = baselines.get(name);
      if (b?.kind !== 'cloudwatch')
        throw new Error(`${JSON.stringify(name)}: ${JSON.stringify(b)}`);
      // Three runs read back, each the endpoint's own distribution (not another's).
      expect(b.periods.p50).toHaveLength(3);
      const truth = quantileMs(histograms[i], 0.5);
      for (const p50 of b.periods.p50!) expect(Math.abs(p50 - truth) / truth).toBeLessThan(0.01);
      // The source the report shows names the dimension value actually queried.
      expect(b.source).toContain(`Endpoint=${endpointDimensionValue(name)},`);
    });
  });

  test('a user dimension CloudWatch would refuse is a config error naming it, before any call', async () => {
    for (const [dimensions, what] of [
      [{ Service: 'Bücher' }, 'the value "Bücher" of dimension Service'],
      [{ Service: '  ' }, 'the value "  " of dimension Service'],
      [{ ':Service': 'x' }, 'dimension name ":Service"'],
    ] as const) {
      await expect(
        publishMeasurements({
          gateId: 'api',
          dimensions,
          endpoints: [
            { name: 'x', measurement: measurementOfHistogram(lognormalHistogram(1, 10, 10, 0.1)) },
          ],
          timestamp: new Date(),
        }),
      ).rejects.toMatchObject({
        name: 'CloudWatchError',
        kind: 'config',
        message: expect.stringContaining(what),
      });
      await expect(
        readBaselines({
          gateId: 'api',
          endpoints: [endpointConfig('x')],
          fileConfig: cloudWatchConfig({ dimensions, metric: 'TargetResponseTime' }),
          now,
        }),
      ).rejects.toMatchObject({ kind: 'config', message: expect.stringContaining(what) });
    }
    expect(cw.server.requests).toHaveLength(0);
  });
});
