import { describe, expect, test } from '@jest/globals';
import type * as Raw from '../../src/config/budget-file.generated.js';
import { cloudWatchOf } from '../../src/config/normalise-baseline.js';
import {
  createContext,
  type NormaliseContext,
  type NormaliseOptions,
} from '../../src/config/normalise-context.js';
import { headersOf } from '../../src/config/normalise-headers.js';
import { budgetOf } from '../../src/config/normalise-latency.js';
import { checkTotalLoad, loadOf } from '../../src/config/normalise-load.js';
import { toleranceOf } from '../../src/config/normalise-regression.js';
import { parseYamlSource } from '../../src/config/source.js';
import { CLI_WORDS } from '../../src/config/words.js';
import type { EndpointConfig } from '../../src/config/types.js';

/** A context over `yaml` as if it passed the schema and interpolation untouched. */
function contextOf(yaml: string, options: NormaliseOptions = {}): NormaliseContext {
  const { source } = parseYamlSource(yaml, 'b.yml');
  if (!source) throw new Error('not YAML');
  return createContext({
    source,
    data: source.data as Raw.PerfBudgetFile,
    secrets: [],
    options,
    schemaSound: () => true,
    textSound: () => true,
  });
}

const problems = (ctx: NormaliseContext): [string, string, string][] =>
  ctx.problems.map(({ problem: p }) => [p.code, `${p.line}:${p.col} ${p.path}`, p.message]);

describe('each part of normalisation works on a context alone', () => {
  test('load: units converted, a too-short duration refused with its code and place', () => {
    const ctx = contextOf('load:\n  duration: 500ms\n  warmup: 2s\n  timeout: 30\n');
    expect(loadOf(ctx, ['load'])).toEqual({ warmupMs: 2000, timeoutMs: 30_000 });
    expect(problems(ctx)).toEqual([
      [
        'load.duration-too-short',
        '2:13 load.duration',
        'expected a duration of at least 1s (a shorter run measures connection setup, not the endpoint), found "500ms"',
      ],
    ]);
  });

  test('headers: lower-cased, and a routing header refused in the front end’s words', () => {
    const ctx = contextOf('h:\n  X-Team: perf\n  Host: example.com\n', { words: CLI_WORDS });
    expect(headersOf(ctx, (ctx.source.data as { h: Raw.Headers }).h, ['h'])).toEqual({
      'x-team': 'perf',
    });
    expect(problems(ctx)).toEqual([
      [
        'header.routing',
        '3:3 h',
        'header "host" is refused: it chooses where the request goes, and load goes only to target.url; put the host in target.url (or --target-url) instead',
      ],
    ]);
  });

  test('budget and regression: latencies in ms, increases as fractions', () => {
    const ctx = contextOf(
      'b: { p95: 250ms, error-rate: 1% }\nr: { max-increase: 10%, min-delta: 2ms }\n',
    );
    expect(budgetOf(ctx, ['b'])).toEqual({ p95: 250, 'error-rate': 0.01 });
    expect(toleranceOf(ctx, 'p95', ['r'])).toEqual({ maxIncrease: 0.1, minDelta: 2 });
    expect(ctx.problems).toEqual([]);
  });

  test('cloudwatch: keys not given are inherited', () => {
    const ctx = contextOf('c: { period: 5m }\n');
    const inherited = {
      region: 'eu-west-1',
      namespace: 'Shop',
      unit: 'ms' as const,
      dimensions: { Service: 'api' },
      lookbackMs: 86_400_000,
      periodMs: 3_600_000,
    };
    expect(cloudWatchOf(ctx, ['c'], inherited)).toEqual({ ...inherited, periodMs: 300_000 });
  });

  test('total load: over the cap, worded with the front end’s option', () => {
    const ctx = contextOf('endpoints: []\n', { maxDurationMs: 10_000, words: CLI_WORDS });
    const endpoint = {
      load: { connections: 1, durationMs: 10_000, warmupMs: 1000, timeoutMs: 10_000 },
    };
    checkTotalLoad(ctx, [endpoint as EndpointConfig]);
    expect(problems(ctx)).toEqual([
      [
        'load.over-max-duration',
        '1:1 endpoints',
        'the endpoints ask for 11s of load (warmup + duration of 1 endpoint), over the max-duration of 10s: shorten durations or warmups, or raise --max-duration',
      ],
    ]);
  });
});
