import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { ChartsMode } from '../../src/config/types.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/report.js';
import { SCENARIO_NAMES, SCENARIOS } from '../fixtures/reports/scenarios.js';

/**
 * Every chart block perf-gate writes into a comment or job summary is parsed by the `mermaid`
 * package's own parser (test/report/mermaid-parse.mjs, in a node process of its own), so a block
 * GitHub would show as "Unable to render rich display" fails here instead.
 */

type Parsed = { ok: true; type: string } | { ok: false; error: string };

const helper = fileURLToPath(new URL('./mermaid-parse.mjs', import.meta.url));

function parseWithMermaid(blocks: string[]): Parsed[] {
  const result = spawnSync(process.execPath, [helper], {
    input: JSON.stringify(blocks),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`mermaid-parse.mjs exited ${result.status}: ${result.stderr}`);
  }
  const parsed = JSON.parse(result.stdout) as Parsed[];
  expect(parsed).toHaveLength(blocks.length);
  return parsed;
}

const blocksOf = (md: string) =>
  [...md.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);

const withCharts = (report: Report, charts: ChartsMode): Report => ({
  ...report,
  config: { ...report.config, charts },
});

// The fixture reports the issue names, and the rest of the fixtures for good measure.
const REQUIRED = [
  'regressions',
  'budget-failures',
  'many-endpoints',
  'hostile-names',
  'no-baseline',
] as const;

interface Rendered {
  scenario: string;
  mode: string;
  blocks: string[];
}

const rendered: Rendered[] = [];
for (const scenario of SCENARIO_NAMES) {
  const report = SCENARIOS[scenario]();
  for (const charts of ['failing', 'all'] as const) {
    const md = renderMarkdown(withCharts(report, charts), { maxChars: 10_000_000 });
    rendered.push({ scenario, mode: `charts: ${charts}`, blocks: blocksOf(md) });
  }
  // As posted: the default charts setting within the comment's length limit.
  rendered.push({ scenario, mode: 'default', blocks: blocksOf(renderMarkdown(report)) });
}

const allBlocks = rendered.flatMap((r) => r.blocks);
let results: Parsed[] = [];
const controls = {
  // A chart block with a number missing from a series.
  broken: [
    'xychart-beta',
    '  title "Latency by percentile (ms)"',
    '  x-axis "percentile" ["p50", "p90"]',
    '  y-axis "ms" 0 --> 100',
    '  line [12.5, , 40]',
  ].join('\n'),
  // What a hostile endpoint name would do if it were written into the block unescaped.
  injected: [
    'xychart-beta',
    '  title "checkout "fast" path"',
    '  x-axis "percentile" ["p50", "p90"]',
    '  y-axis "ms" 0 --> 100',
    '  line [12.5, 40]',
  ].join('\n'),
  // Valid mermaid, but not an xychart: the type check must tell them apart.
  flowchart: 'graph TD\n  A --> B',
};
let controlResults: Parsed[] = [];

beforeAll(() => {
  const parsed = parseWithMermaid([...allBlocks, ...Object.values(controls)]);
  results = parsed.slice(0, allBlocks.length);
  controlResults = parsed.slice(allBlocks.length);
});

describe('mermaid blocks in the markdown parse with mermaid', () => {
  test.each(REQUIRED)('%s has chart blocks with charts: all', (scenario) => {
    const all = rendered.find((r) => r.scenario === scenario && r.mode === 'charts: all');
    expect(all?.blocks.length).toBeGreaterThan(0);
  });

  test('many-endpoints draws a chart for each of its 200 endpoints with charts: all', () => {
    const all = rendered.find((r) => r.scenario === 'many-endpoints' && r.mode === 'charts: all');
    expect(all?.blocks.filter((b) => b.includes('Latency by percentile')).length).toBe(200);
  });

  test('every block from every fixture report parses as an xychart', () => {
    expect(allBlocks.length).toBeGreaterThan(200);
    let next = 0;
    const failures = rendered.flatMap((r) =>
      r.blocks.flatMap((block) => {
        const result = results[next++];
        return result.ok && result.type === 'xychart'
          ? []
          : [{ scenario: r.scenario, mode: r.mode, block, result }];
      }),
    );
    expect(next).toBe(results.length);
    expect(failures).toEqual([]);
  });

  test('the checker can fail: a broken block, an unescaped name and another diagram type', () => {
    const [broken, injected, flowchart] = controlResults;
    expect(broken.ok).toBe(false);
    expect(injected.ok).toBe(false);
    expect(flowchart).toEqual({ ok: true, type: 'flowchart-v2' });
  });
});
