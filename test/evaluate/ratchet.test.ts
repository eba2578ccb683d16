import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadBudgetFile } from '../../src/config/load.js';
import { ratchetSuggestions, roundUp2 } from '../../src/evaluate/ratchet.js';
import type { EndpointResult, Finding } from '../../src/evaluate/types.js';
import { ratchetYaml, renderRatchet } from '../../src/report/ratchet.js';
import type { Report } from '../../src/report/report.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/reports');
const cloudwatch = (): Report =>
  JSON.parse(readFileSync(join(FIXTURES, 'cloudwatch.json'), 'utf8')) as Report;

/** One endpoint with a CloudWatch history of p95 (median, upper bound) and one p95 finding. */
function endpoint(
  name: string,
  p95: { budget: number; current: number; high?: number; verdict?: Finding['verdict'] },
  history: { median: number; high: number; periods: number },
): EndpointResult {
  const base = cloudwatch().endpoints[0]!;
  return {
    ...base,
    name,
    baseline: {
      kind: 'cloudwatch',
      source: 'PerfGate',
      partial: false,
      metrics: { p95: { median: history.median, high: history.high, periods: history.periods } },
    },
    findings: [
      {
        metric: 'p95',
        verdict: p95.verdict ?? 'pass',
        breaches: [],
        budget: p95.budget,
        current: p95.current,
        reason: 'within',
        ...(p95.high === undefined
          ? {}
          : { interval: { confidence: 0.95, samples: 3000, high: p95.high } }),
      },
    ],
  };
}

describe('roundUp2', () => {
  test.each([
    [37.2, 38],
    [143, 150],
    [140, 140],
    [0.812, 0.82],
    [1001, 1100],
    [9.99, 10],
  ])('%d → %d', (value, expected) => {
    expect(roundUp2(value)).toBe(expected);
  });
});

describe('ratchetSuggestions', () => {
  test('room: upper bound plus the headroom the noise needs, rounded up', () => {
    // History spread (100 - 90) / 90 = 11%; the run's (105 - 95) / 95 = 10.5%: 3 × 11% = 33% headroom.
    const [s] = ratchetSuggestions([
      endpoint(
        'list',
        { budget: 1000, current: 95, high: 105 },
        { median: 90, high: 100, periods: 24 },
      ),
    ]);
    expect(s).toMatchObject({ endpoint: 'list', metric: 'p95', limit: 1000, upper: 105 });
    expect(s!.headroom).toBeCloseTo(1 / 3, 6);
    expect(s!.suggested).toBe(roundUp2(105 * (1 + 1 / 3)));
    expect(s!.suggested).toBe(140);
  });

  test('quiet history: the minimum 25% headroom', () => {
    const [s] = ratchetSuggestions([
      endpoint(
        'list',
        { budget: 1000, current: 40, high: 41 },
        { median: 40, high: 41, periods: 24 },
      ),
    ]);
    expect(s!.headroom).toBe(0.25);
    expect(s!.suggested).toBe(52); // 41 × 1.25 = 51.25
  });

  test.each([
    [
      'the run reaches half the limit',
      { budget: 200, current: 95, high: 101 },
      { median: 90, high: 95, periods: 24 },
    ],
    [
      'the history reaches half the limit',
      { budget: 200, current: 40, high: 45 },
      { median: 60, high: 100, periods: 24 },
    ],
    [
      'too few periods',
      { budget: 1000, current: 40, high: 45 },
      { median: 40, high: 45, periods: 4 },
    ],
    [
      'over budget',
      { budget: 1000, current: 40, high: 45, verdict: 'budget-exceeded' as const },
      { median: 40, high: 45, periods: 24 },
    ],
    [
      'headroom would reach the limit',
      { budget: 100, current: 10, high: 49 },
      { median: 10, high: 40, periods: 24 },
    ],
  ])('no suggestion when %s', (_, p95, history) => {
    expect(ratchetSuggestions([endpoint('list', p95, history)])).toEqual([]);
  });
});

describe('the YAML fragment', () => {
  test('pasted into the budget file, it validates and sets the suggested limits', async () => {
    const suggestions = ratchetSuggestions([
      endpoint(
        'list "products": a|b',
        { budget: 1000, current: 95, high: 105 },
        { median: 90, high: 100, periods: 24 },
      ),
      endpoint(
        'tiny',
        { budget: 10, current: 0.3, high: 0.31 },
        { median: 0.3, high: 0.32, periods: 24 },
      ),
    ]);
    expect(suggestions.map((s) => s.suggested)).toEqual([140, 0.4]);
    const fragment = parse(ratchetYaml(suggestions)) as {
      endpoints: Array<{ name: string; budget: Record<string, string> }>;
    };
    expect(fragment.endpoints.map((e) => e.name)).toEqual(['list "products": a|b', 'tiny']);
    // Paste: each entry's budget replaces the one in the file.
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-ratchet-'));
    const file = join(dir, 'perf-budget.yml');
    const endpoints = fragment.endpoints.map((e, i) => ({
      name: e.name,
      path: `/e${i}`,
      budget: e.budget,
    }));
    writeFileSync(
      file,
      [
        'version: 1',
        'target: { url: "http://127.0.0.1:9" }',
        'baseline: { cloudwatch: { region: us-east-1 } }',
        `endpoints: ${JSON.stringify(endpoints)}`,
        '',
      ].join('\n'),
    );
    const config = await loadBudgetFile(file, { env: {}, workspace: dir });
    expect(config.endpoints.map((e) => e.budget.p95)).toEqual([140, 0.4]);
  });

  test('rendered folded, in a fence no name can close', () => {
    const suggestions = ratchetSuggestions([
      endpoint(
        'a ```` b',
        { budget: 1000, current: 95, high: 105 },
        { median: 90, high: 100, periods: 24 },
      ),
    ]);
    const md = renderRatchet(suggestions);
    expect(md).toContain('<summary>Budgets with room: 1 tighter limit(s) suggested</summary>');
    expect(md).toContain('`````yaml\n');
    expect(renderRatchet([])).toBe('');
  });
});
