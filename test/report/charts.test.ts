import { describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { BudgetFileError, formatProblem } from '../../src/config/errors.js';
import type { ChartsMode } from '../../src/config/types.js';
import { evaluateRun } from '../../src/evaluate/evaluate.js';
import {
  budgetEnvelope,
  endpointNeedsChart,
  endpointsToChart,
  latencyChart,
  mermaidNumber,
  mermaidTrend,
  niceCeiling,
  TREND_POINTS,
  trendChart,
} from '../../src/report/charts.js';
import { TREND_PERIODS } from '../../src/evaluate/evaluate.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { reportConfigFrom, type Report } from '../../src/report/report.js';
import { endpoint, measurementOf, mix } from '../support/measurements.js';
import { HOSTILE, SCENARIO_NAMES, SCENARIOS } from '../fixtures/reports/scenarios.js';
import { reportNaming } from '../support/reports.js';

const built = Object.fromEntries(SCENARIO_NAMES.map((name) => [name, SCENARIOS[name]()])) as Record<
  string,
  Report
>;
const withCharts = (report: Report, charts: ChartsMode): Report => ({
  ...report,
  config: { ...report.config, charts },
});
const blocksOf = (md: string) =>
  [...md.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);

/**
 * The whole language a block may use: the fixed init directive, header, title, axes and numeric
 * lines. Anything else (a name, a quote, a directive from the report) fails the test.
 */
const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const BLOCK_LINES = [
  /^%%\{init: \{"themeVariables":\{"xyChart":\{"plotColorPalette":"[a-z]+(, [a-z]+)*"\}\}\}\}%%$/,
  /^xychart-beta$/,
  /^ {2}title "Latency by percentile \(ms\)"$/,
  /^ {2}x-axis "percentile" \["p\d+(\.\d)?"(, "p\d+(\.\d)?")*\]$/,
  /^ {2}title "(p\d+(\.\d)?|mean|max) per period, then this run \(ms\)"$/,
  /^ {2}x-axis "period" 1 --> \d+$/,
  new RegExp(`^ {2}y-axis "ms" 0 --> ${NUMBER}$`),
  new RegExp(`^ {2}line \\[${NUMBER}(, ${NUMBER})*\\]$`),
];
function strayLines(block: string): string[] {
  return block.split('\n').filter((line) => !BLOCK_LINES.some((re) => re.test(line)));
}

describe('which endpoints get a chart', () => {
  test('failing (the default): endpoints with a breach, a regression or an inconclusive finding', () => {
    for (const name of SCENARIO_NAMES) {
      const report = built[name];
      const drawn = endpointsToChart(report).map((e) => e.name);
      const expected = report.endpoints
        .filter((e) =>
          e.findings.some(
            (f) =>
              f.breaches.length > 0 ||
              f.verdict === 'budget-exceeded' ||
              f.verdict === 'regression' ||
              f.verdict === 'inconclusive',
          ),
        )
        .map((e) => e.name);
      expect(drawn).toEqual(expected);
    }
    expect(endpointsToChart(built['all-pass'])).toEqual([]);
    expect(endpointsToChart(built['budget-failures']).length).toBeGreaterThan(0);
    expect(endpointsToChart(built.inconclusive).length).toBeGreaterThan(0);
  });

  test('all and none', () => {
    const report = built['budget-failures'];
    expect(endpointsToChart(withCharts(report, 'all'))).toHaveLength(report.endpoints.length);
    expect(endpointsToChart(withCharts(report, 'none'))).toEqual([]);
    expect(blocksOf(renderMarkdown(withCharts(report, 'none')))).toEqual([]);
    expect(blocksOf(renderMarkdown(withCharts(built['all-pass'], 'all')))).toHaveLength(
      built['all-pass'].endpoints.length,
    );
  });

  test('the budget file key: failing, all or none, anything else refused with its place', () => {
    const file = (charts: string) =>
      `version: 1\n${charts}target:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n`;
    expect(parseBudget(file(''), 'b.yml', { env: {} }).charts).toBeUndefined();
    for (const mode of ['failing', 'all', 'none'] as const) {
      const config = parseBudget(file(`charts: ${mode}\n`), 'b.yml', { env: {} });
      expect(config.charts).toBe(mode);
      expect(reportConfigFrom(config).charts).toBe(mode);
    }
    let problems: string[] = [];
    try {
      parseBudget(file('charts: some\n'), 'b.yml', { env: {} });
    } catch (error) {
      if (!(error instanceof BudgetFileError)) throw error;
      problems = error.problems.map(formatProblem);
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^b\.yml:2:9 charts: /);
    expect(problems[0]).toContain('"failing"');
  });
});

describe('the chart of an endpoint', () => {
  test('this run, the reference, the confirmation and the budget, each from the report', () => {
    const report = built['budget-failures'];
    const configs = new Map(report.config.endpoints.map((e) => [e.name, e]));
    const withConfirmation = report.endpoints.find((e) => e.confirmation)!;
    const chart = latencyChart(withConfirmation, configs.get(withConfirmation.name))!;
    expect(chart.percentiles).toEqual(['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9']);
    const run = chart.series.find((s) => s.kind === 'run')!;
    expect(run.values).toEqual(
      chart.percentiles.map((p) => withConfirmation.measurement.latency[p]),
    );
    const confirmation = chart.series.find((s) => s.kind === 'confirmation')!;
    expect(confirmation.values).toEqual(
      chart.percentiles.map((p) => withConfirmation.confirmation!.latency[p]),
    );
    expect(chart.yMax).toBeGreaterThanOrEqual(Math.max(...run.values, ...confirmation.values));

    const ab = built.regressions.endpoints.find((e) => e.baseline.kind === 'reference');
    if (ab && ab.baseline.kind === 'reference') {
      const abChart = latencyChart(ab, undefined)!;
      const reference = abChart.series.find((s) => s.kind === 'baseline')!;
      expect(reference.label).toBe('reference');
      expect(reference.values).toEqual(
        abChart.percentiles.map(
          (p) => ab.baseline.kind === 'reference' && ab.baseline.measurement.latency[p],
        ),
      );
    }
  });

  test('a CloudWatch baseline with some percentiles narrows the axis to them', () => {
    const report = built.cloudwatch;
    for (const e of report.endpoints) {
      if (e.baseline.kind !== 'cloudwatch') continue;
      const chart = latencyChart(e, undefined)!;
      const baseline = chart.series.find((s) => s.kind === 'baseline');
      const present = (['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'] as const).filter(
        (p) => e.baseline.kind === 'cloudwatch' && e.baseline.metrics[p]?.median !== undefined,
      );
      if (present.length >= 2) {
        expect(chart.percentiles).toEqual(present);
        expect(baseline!.values).toEqual(
          present.map((p) =>
            e.baseline.kind === 'cloudwatch' ? e.baseline.metrics[p]!.median : 0,
          ),
        );
      } else {
        expect(baseline).toBeUndefined();
        expect(chart.percentiles).toHaveLength(6);
      }
    }
  });

  test('the budget line: a limit on a higher percentile bounds the lower ones; none above the highest', () => {
    const points = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'] as const;
    const config = (budget: Record<string, number>) =>
      ({ ...built['all-pass'].config.endpoints[0]!, budget }) as never;
    expect(budgetEnvelope(config({ p95: 300 }), points)).toEqual([
      300,
      300,
      300,
      300,
      undefined,
      undefined,
    ]);
    expect(budgetEnvelope(config({ p50: 100, p95: 300, p99: 250 }), points)).toEqual([
      100,
      250,
      250,
      250,
      250,
      undefined,
    ]);
    expect(budgetEnvelope(config({ max: 900, mean: 10, 'error-rate': 0.01 }), points)).toEqual(
      points.map(() => 900),
    );
    expect(budgetEnvelope(config({ 'min-rps': 100 }), points)).toEqual(points.map(() => undefined));
  });

  test('nothing measured: no chart', () => {
    const e = built['budget-failures'].endpoints[0]!;
    expect(latencyChart(e, undefined)).toBeDefined();
    expect(latencyChart({ ...e, measurement: { ...e.measurement, requests: 0 } }, undefined)).toBe(
      undefined,
    );
    const broken = { ...e.measurement, latency: { ...e.measurement.latency, p99: Number.NaN } };
    expect(latencyChart({ ...e, measurement: broken }, undefined)).toBeUndefined();
  });

  test('numbers as mermaid reads them', () => {
    expect(mermaidNumber(179.834)).toBe('179.8');
    expect(mermaidNumber(12.345)).toBe('12.35');
    expect(mermaidNumber(0.0004)).toBe('0');
    expect(mermaidNumber(0.1234)).toBe('0.123');
    expect(mermaidNumber(1e21)).toBe('1000000000000');
    expect(mermaidNumber(-1e21)).toBe('-1000000000000');
    expect(mermaidNumber(Number.NaN)).toBe('0');
    expect(mermaidNumber(200)).toBe('200');
    expect([niceCeiling(0.9), niceCeiling(110), niceCeiling(880), niceCeiling(2600)]).toEqual([
      1, 200, 1000, 5000,
    ]);
    expect(niceCeiling(0)).toBe(1);
  });
});

describe('blocks in the comment', () => {
  test('every block of every fixture uses only the fixed chart language', () => {
    let count = 0;
    for (const name of SCENARIO_NAMES) {
      for (const mode of ['failing', 'all'] as const) {
        const md = renderMarkdown(withCharts(built[name], mode), { maxChars: 10_000_000 });
        for (const block of blocksOf(md)) {
          count += 1;
          expect(strayLines(block)).toEqual([]);
          const lines = block.split('\n');
          const axis = lines.find((l) => l.includes('x-axis'))!;
          const categories = /\[(.*)\]/.exec(axis);
          const points = categories
            ? categories[1]!.split(', ').length
            : Number(/--> (\d+)$/.exec(axis)![1]);
          for (const line of lines.filter((l) => l.startsWith('  line'))) {
            expect(/\[(.*)\]/.exec(line)![1].split(', ')).toHaveLength(points);
          }
        }
      }
    }
    expect(count).toBeGreaterThan(200);
  });

  test('hostile names never reach a block: the blocks equal those of plain names', () => {
    const hostile = withCharts(built['hostile-names'], 'all');
    const md = renderMarkdown(hostile, { maxChars: 10_000_000 });
    const blocks = blocksOf(md);
    expect(blocks.length).toBe(hostile.endpoints.length);
    for (const block of blocks) expect(strayLines(block)).toEqual([]);
    // Fences: the markdown has exactly one closing fence per opening one.
    expect(md.match(/^```mermaid$/gm)).toHaveLength(blocks.length);
    expect(md.match(/^```$/gm)).toHaveLength(blocks.length);

    // The same report with every name replaced: identical blocks.
    const plain: Report = {
      ...hostile,
      config: {
        ...hostile.config,
        endpoints: hostile.config.endpoints.map((e, i) => ({ ...e, name: `e${i}`, path: '/x' })),
      },
      endpoints: hostile.endpoints.map((e, i) => ({ ...e, name: `e${i}`, path: '/x' })),
    };
    expect(blocksOf(renderMarkdown(plain, { maxChars: 10_000_000 }))).toEqual(blocks);
    for (const name of HOSTILE) expect(blocks.join('\n')).not.toContain(name);
  });

  test('a name made of mermaid syntax is escaped in its heading, never in a block', () => {
    const names = ['%%{init: {"theme":"dark"}}%%', 'a"]\n```\n<script>x</script>', '`]`'];
    const report = reportNaming(names, (_, i) => `/${i}`);
    const md = renderMarkdown(withCharts(report, 'all'));
    const blocks = blocksOf(md);
    expect(blocks).toHaveLength(3);
    for (const block of blocks) expect(strayLines(block)).toEqual([]);
    // The name shows as text (headings, table, failures); a directive only opens the blocks' own lines.
    expect(md.match(/^%%\{init/gm)).toHaveLength(3);
    expect(md).not.toContain('<script>');
    expect(md.match(/^```/gm)).toHaveLength(6);
  });
});

describe('charts are the first thing left out', () => {
  const report = withCharts(built['budget-failures'], 'all');
  const full = renderMarkdown(report, { maxChars: 10_000_000 });
  const blocks = blocksOf(full).length;

  test('with room everything is there', () => {
    expect(blocks).toBe(report.endpoints.filter((e) => e.measurement.requests > 0).length);
    expect(full).not.toContain('left out');
  });

  test('a little short: charts go, the details and every failure stay', () => {
    const md = renderMarkdown(report, { maxChars: full.length - 10 });
    expect(md.length).toBeLessThanOrEqual(full.length - 10);
    expect(blocksOf(md).length).toBeLessThan(blocks);
    expect(md).toContain('<summary>Details');
    expect(md).not.toMatch(/Details of [\d,]+ more endpoints left out/);
    expect(md).toMatch(/Left out to fit: (the charts|charts of [\d,]+ endpoints)/);
    const failures = (text: string) => text.split('\n').filter((l) => /^- (❌|🔺) /.test(l));
    expect(failures(md)).toEqual(failures(full));
  });

  test('200 endpoints in the default limit: charts left out before details and rows', () => {
    const many = built['many-endpoints'];
    expect(endpointsToChart(many).length).toBeGreaterThan(0);
    expect(many.endpoints.some((e) => endpointNeedsChart(e))).toBe(true);
    const md = renderMarkdown(many);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(blocksOf(md)).toEqual([]);
    expect(md).toContain('the charts');
  });
});

describe('trend from a CloudWatch history', () => {
  test('the report keeps the latest periods, and the comment draws them with this run last', () => {
    const periods = Array.from({ length: 400 }, (_, i) => 100 + (i % 7));
    const inputs = [
      {
        endpoint: endpoint({ name: 'list', budget: { p95: 50 }, line: 1 }),
        measurement: measurementOf(mix([300, 120])),
        baseline: {
          kind: 'cloudwatch' as const,
          source: 'PerfGate/Latency',
          periods: { p95: periods },
          partial: false,
        },
      },
    ];
    const evaluation = evaluateRun(inputs);
    const result = evaluation.endpoints[0]!;
    expect(result.baseline.kind).toBe('cloudwatch');
    if (result.baseline.kind !== 'cloudwatch') return;
    expect(result.baseline.metrics.p95!.values).toEqual(periods.slice(-TREND_PERIODS));
    expect(result.baseline.metrics.p95!.periods).toBe(400);

    const trend = trendChart(result, { budget: { p95: 50 } } as never)!;
    expect(trend.metric).toBe('p95');
    expect(trend.budget).toBe(50);
    const block = mermaidTrend(trend);
    const line = /^ {2}line \[(.*)\]$/m.exec(block)![1]!.split(', ');
    expect(line).toHaveLength(TREND_POINTS + 1);
    expect(line.at(-1)).toBe(mermaidNumber(result.measurement.latency.p95));
    expect(line.slice(0, -1)).toEqual(periods.slice(-TREND_POINTS).map(mermaidNumber));
    for (const b of blocksOf(block)) expect(strayLines(b)).toEqual([]);
  });

  test('no CloudWatch history, no trend', () => {
    for (const e of built['budget-failures'].endpoints) {
      expect(trendChart(e, undefined)).toBeUndefined();
    }
  });
});
