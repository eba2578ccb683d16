import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { marked } from 'marked';
import { escapeInline, renderMarkdown } from '../../src/report/markdown.js';
import { endpointNeedsChart } from '../../src/report/charts.js';
import type { Report } from '../../src/report/report.js';
import { HOSTILE, SCENARIO_NAMES, SCENARIOS } from '../fixtures/reports/scenarios.js';
import { ENVIRONMENT, reportNaming } from '../support/reports.js';

const built = Object.fromEntries(SCENARIO_NAMES.map((name) => [name, SCENARIOS[name]()])) as Record<
  string,
  Report
>;
const MARKER = '<!-- perf-gate:api -->';

// ---------------------------------------------------------------------------------------------
// Reading rendered HTML back (marked, GFM: what GitHub's renderer does with tables and HTML)

const html = (markdown: string) => marked.parse(markdown, { gfm: true, async: false });

function decode(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The first table of rendered HTML: header cells and body rows, as plain text. */
function firstTable(rendered: string): { header: string[]; rows: string[][] } {
  const table = /<table>([\s\S]*?)<\/table>/.exec(rendered);
  if (!table) return { header: [], rows: [] };
  const cells = (row: string, tag: string) =>
    [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
      decode(m[1]),
    );
  const rows = [...table[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
  return { header: cells(rows[0], 'th'), rows: rows.slice(1).map((r) => cells(r, 'td')) };
}

const ALLOWED_TAGS = new Set([
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'p',
  'code',
  'strong',
  'em',
  'ul',
  'li',
  'h3',
  'h4',
  'details',
  'summary',
  'sub',
  'a',
  'pre',
]);

/** Every problem a hostile string could cause once GitHub renders the markdown. */
function injectionProblems(markdown: string): string[] {
  const rendered = html(markdown);
  const problems: string[] = [];
  for (const [, tag] of rendered.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)) {
    if (!ALLOWED_TAGS.has(tag.toLowerCase())) problems.push(`element <${tag}>`);
  }
  for (const [attrs] of rendered.matchAll(/<[a-z0-9]+\s[^>]*>/gi)) {
    if (
      !/^<a href="https:\/\/github\.com\/acme\/shop\/actions\/runs\/\d+\/attempts\/\d+">$/.test(
        attrs,
      ) &&
      !/^<(th|td) align="(right|left)">$/.test(attrs) &&
      attrs !== '<code class="language-mermaid">'
    ) {
      problems.push(`attributes ${attrs}`);
    }
  }
  const text = decode(rendered.replace(/<!--[\s\S]*?-->/g, ''));
  for (const m of text.matchAll(/(^|[^\w`])@[A-Za-z0-9]/g)) problems.push(`mention ${m[0]}`);
  for (const m of text.matchAll(/#\d/g)) problems.push(`issue reference ${m[0]}`);
  for (const m of text.matchAll(/\bGH-\d/gi)) problems.push(`issue reference ${m[0]}`);
  for (const m of text.matchAll(/[a-z0-9.+-]+@[a-z0-9-]+\.[a-z]/gi)) problems.push(`email ${m[0]}`);
  // eslint-disable-next-line no-control-regex -- looking for the NUL that must have been removed
  if (/[\u202a-\u202e\u2066-\u2069\u0000]/.test(text)) problems.push('control or bidi character');
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('snapshots of the fixture reports', () => {
  test.each(SCENARIO_NAMES)('%s', (name) => {
    expect(renderMarkdown(built[name], { marker: MARKER })).toMatchSnapshot();
  });
});

describe('headline', () => {
  const first = (name: string, options = {}) => renderMarkdown(built[name], options).split('\n')[0];

  test.each([
    ['all-pass', '### ✅ perf-gate <code>api</code>: 3 endpoints, all within budget'],
    ['budget-failures', '### ❌ perf-gate <code>api</code>: 3 budget violations in 3 endpoints'],
    [
      'regressions',
      '### ❌ perf-gate <code>api</code>: 4 regressions in 3 endpoints (3 improvements)',
    ],
    [
      'inconclusive',
      '### ✅ perf-gate <code>api</code>: 2 endpoints, all within budget (5 inconclusive)',
    ],
    ['no-baseline', '### ✅ perf-gate <code>api</code>: 1 endpoint, all within budget'],
    [
      'budgets-only',
      '### ❌ perf-gate <code>api</code>: 1 budget violation in 2 endpoints (budgets only; no baseline configured)',
    ],
    ['could-not-measure', '### ❌ perf-gate <code>api</code>: 1 error, cancelled in 1 endpoint'],
    [
      'many-endpoints',
      '### ❌ perf-gate <code>api</code>: 24 regressions, 24 budget violations in 200 endpoints',
    ],
  ])('%s', (name, headline) => {
    expect(first(name)).toBe(headline);
  });

  test('the default gate is not named', () => {
    expect(renderMarkdown({ ...built['all-pass'], gateId: 'default' }).split('\n')[0]).toBe(
      '### ✅ perf-gate: 3 endpoints, all within budget',
    );
  });

  test('the marker comes first, on its own line', () => {
    expect(renderMarkdown(built['all-pass'], { marker: MARKER }).split('\n').slice(0, 2)).toEqual([
      '<!-- perf-gate:api -->',
      '### ✅ perf-gate <code>api</code>: 3 endpoints, all within budget',
    ]);
  });
});

describe('content', () => {
  test('failures come first with their reasons, then the table, then folded details', () => {
    const md = renderMarkdown(built['budget-failures']);
    const failures = md.indexOf('**Why it failed**');
    const table = md.indexOf('| Endpoint | Metric |');
    const details = md.indexOf('<details>');
    expect(failures).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(failures);
    expect(details).toBeGreaterThan(table);
    expect(md).toContain(
      '- ❌ **list products** <code>GET /api/products?limit=20</code> p95: p95 ≥ 286 ms with 95% confidence, over the 200 ms budget (measured 294 ms over 2,000 requests); repeated on the confirmation run (p95 295 ms)',
    );
    expect(md).toContain(
      '- ❌ **create order** <code>POST /api/orders</code> throughput: throughput 85 req/s is under the 100 req/s minimum',
    );
    // The breach that did not repeat is not a failure.
    expect(md).not.toMatch(/^- .*search.*p95/m);
  });

  test('the table has one row per finding, seven columns, failing rows first', () => {
    const { header, rows } = firstTable(html(renderMarkdown(built.regressions)));
    expect(header).toEqual([
      'Endpoint',
      'Metric',
      'Budget',
      'Baseline',
      'Current',
      'Change',
      'Verdict',
    ]);
    const findings = built.regressions.endpoints.flatMap((e) => e.findings);
    expect(rows).toHaveLength(findings.length);
    for (const row of rows) expect(row).toHaveLength(7);
    expect(rows[0]).toEqual([
      'list products',
      'p50',
      '—',
      '99 ms',
      '124 ms (confirm: 128 ms)',
      '+24.9% (+25 ms)',
      '🔺 regression',
    ]);
    expect(rows[1][2]).toBe('≤ 1.00 s');
    expect(rows.map((r) => r[6])).toEqual([
      ...Array(4).fill('🔺 regression'),
      ...Array(3).fill('🟢 improvement'),
      ...Array(5).fill('✅ pass'),
    ]);
  });

  test('details hold every percentile, counts, errors by kind, load and baseline', () => {
    const md = renderMarkdown(built['budget-failures']);
    const details = md.slice(md.indexOf('<details>'));
    expect(details).toContain('| | p50 | p75 | p90 | p95 | p99 | p99.9 | mean | max |');
    expect(details).toMatch(/\| this run \| \d+ ms \| \d+ ms \| \d+ ms \| 294 ms \|/);
    expect(details).toMatch(/\| confirmation \| .* \| 295 ms \|/);
    expect(details).toContain(
      '- this run: 1,000 requests in 12s, 85 req/s; 37 errors (3.7%): 5 timeouts, ECONNRESET × 2, HTTP 500 × 25, HTTP 503 × 5',
    );
    expect(details).toContain('- load: 10 connections for 30s, 5s warmup, 10s timeout');
    expect(details).toContain('- baseline: none (no baseline is configured)');
    expect(md).toContain(
      '<sub>perf-gate 0.1.0 · runner Linux X64 · Node v24.1.0 · [workflow run](https://github.com/acme/shop/actions/runs/123456789/attempts/1)',
    );
  });

  test('inconclusive findings are warned about, not failed', () => {
    const md = renderMarkdown(built.inconclusive);
    const warnings = md.slice(md.indexOf('**Warnings**'), md.indexOf('| Endpoint'));
    expect(warnings).toContain(
      'p99.9: p99.9 may be over or under the 400 ms budget&#58; with 95% confidence it is at least 251 ms, with no upper bound from 600 requests (one needs 2,995) (measured 310 ms over 600 requests); about 2,395 more requests would settle it if latencies kept the distribution measured so far (an estimate)',
    );
    expect(warnings).toContain(
      'export** <code>GET /api/export</code> p95: on the reference, p95 needs 200 requests a side to be compared with a reference, got 150',
    );
    expect(md).not.toContain('**Why it failed**');
  });

  test('the details show the confidence bounds of each percentile and what would settle them', () => {
    const md = renderMarkdown(built.inconclusive);
    const details = md.slice(md.indexOf('<details>'));
    expect(details).toContain(
      '- p95 with 95% confidence: 124 ms to 143 ms (order statistics 561 and 580 of 600 requests); about 232 more requests would settle it (an estimate)',
    );
    expect(details).toContain(
      '- p99.9 with 95% confidence: at least 251 ms (order statistic 598 of 600 requests); no upper bound with fewer than 2,995 requests; about 2,395 more requests would settle it (an estimate)',
    );
    const failed = renderMarkdown(built['budget-failures']);
    expect(failed.slice(failed.indexOf('<details>'))).toMatch(
      /- p95 with 95% confidence: 286 ms to \d+ ms \(order statistics 1,\d{3} and 1,\d{3} of 2,000 requests\)\n/,
    );
  });

  test('CloudWatch baselines show their source, periods and partial data', () => {
    const md = renderMarkdown(built.cloudwatch);
    expect(md).toContain('| CloudWatch median |');
    expect(md).toMatch(
      /- baseline: CloudWatch <code>PerfGate\/latency \{Gate=api, Endpoint=list products\}<\/code>, 48 periods \(partial data\)/,
    );
  });

  test('errors and cancellation are failures', () => {
    const md = renderMarkdown(built['could-not-measure']);
    expect(md).toContain(
      '- ❌ **create order**: create order&#58; POST https&#58;//preview-42.shop.example/api/orders?token=&#42;&#42;&#42;&#58; connect ECONNREFUSED',
    );
    expect(md).toContain('⚠️ The run was cancelled');
    expect(md).toContain('cut short by cancellation');
  });

  test('a workflow run link that is not one is shown as nothing, not linked', () => {
    const forged = {
      ...built['all-pass'],
      environment: {
        ...ENVIRONMENT,
        ci: { provider: 'github-actions' as const, runUrl: 'https://evil.example/phish' },
      },
    };
    const md = renderMarkdown(forged);
    expect(md).not.toContain('evil.example');
    expect(md).not.toContain('[workflow run]');
  });

  test('an endpoint with nothing to check still has a row', () => {
    const { rows } = firstTable(html(renderMarkdown(built['all-pass'])));
    expect(rows.at(-1)).toEqual(['health', '—', '—', '—', '—', '—', '✅ pass (nothing to check)']);
  });
});

describe('budgets only: no baseline configured', () => {
  const report = built['budgets-only'];
  const md = renderMarkdown(report);

  test('the details say how long an adaptive endpoint ran and why it stopped; the footer the time saved', () => {
    expect(md).toContain(
      'this run: 2,000 requests in 7s, 286 req/s; no errors; adaptive: settled: pass at look 3 of 26 (minimum 5s, cap 30s, bounds at 99.96%)',
    );
    // The endpoint measured for its whole duration says nothing about looks.
    expect(md.match(/adaptive:/g)).toHaveLength(1);
    expect(md).toContain('load 1m 22s of the 1m 45s planned (23s saved by adaptive measurement)');
    // Its verdicts are judged at the confidence of the look it stopped at.
    expect(
      report.endpoints.find((e) => e.name === 'list products')!.findings[0]!.interval!.confidence,
    ).toBeCloseTo(0.9996, 10);
  });

  test('only the budgets are findings: no "no baseline" rows or reasons, no baseline columns', () => {
    // The endpoints have the default regression rules (p50, p95, p99, error rate), yet with no
    // baseline set up only the three budgeted metrics are rows.
    expect(report.config.endpoints[0]!.regression).not.toBe(false);
    const { header, rows } = firstTable(html(md));
    expect(header).toEqual(['Endpoint', 'Metric', 'Budget', 'Current', 'Verdict']);
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).toEqual([
      'search p95',
      'list products p95',
      'list products error rate',
    ]);
    expect(md).not.toContain('➖');
    expect(md).not.toMatch(/no baseline:/);
    expect(md).not.toMatch(/\| Change \|/);
    const reasons = report.endpoints.flatMap((e) => e.findings.map((f) => f.reason));
    for (const reason of reasons) expect(reason).not.toMatch(/baseline/);
    expect(report.summary.noBaseline).toBe(0);
  });

  test('the failure is listed with its budget reason alone', () => {
    const failures = md.slice(md.indexOf('**Why it failed**'), md.indexOf('| Endpoint'));
    expect(failures).toContain(
      'p95: p95 ≥ 260 ms with 95% confidence, over the 150 ms budget (measured 268 ms over 2,000 requests); repeated on the confirmation run',
    );
    expect(failures).not.toMatch(/baseline/);
  });

  test('a baseline set up without data still shows its columns and no-baseline rows', () => {
    const other = renderMarkdown(built['no-baseline']);
    expect(firstTable(html(other)).header).toContain('Baseline');
    expect(other).toContain('➖ no baseline');
    expect(other).not.toContain('budgets only');
  });
});

describe('hostile text from the budget file', () => {
  const md = renderMarkdown(built['hostile-names'], { marker: MARKER });

  test('cannot add elements, attributes, mentions or references', () => {
    expect(injectionProblems(md)).toEqual([]);
  });

  test('cannot break the table: each name stays in its cell, shown as written on one line', () => {
    const { header, rows } = firstTable(html(md));
    expect(header).toHaveLength(7);
    const findings = built['hostile-names'].endpoints.flatMap((e) => e.findings);
    expect(rows).toHaveLength(findings.length);
    for (const row of rows) expect(row).toHaveLength(7);
    const shown = new Set(rows.map((r) => r[0].replace(/\u200d/g, '')));
    for (const name of HOSTILE) {
      const oneLine = name
        // eslint-disable-next-line no-control-regex -- the control characters the renderer drops
        .replace(/[\u0000-\u001f\u202a-\u202e]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      const expected =
        Array.from(oneLine).length > 60 ? `${Array.from(oneLine).slice(0, 59).join('')}…` : oneLine;
      expect(shown).toContain(expected);
    }
  });

  test('escapeInline by example', () => {
    expect(escapeInline('a | b')).toBe('a &#124; b');
    expect(escapeInline('@octocat')).toBe('@\u200doctocat');
    expect(escapeInline('#12')).toBe('#\u200d12');
    expect(escapeInline('GH-12')).toBe('GH\u200d-12');
    expect(escapeInline('<b>x</b>')).toBe('&#60;b&#62;x&#60;/b&#62;');
    expect(escapeInline('www.x.io')).toBe('www&#46;x.io');
    expect(escapeInline('one\ntwo\u202e')).toBe('one two');
    expect(escapeInline('abcdef', 4)).toBe('abc…');
    expect(escapeInline('😀😀😀😀😀', 3)).toBe('😀😀…');
  });

  test('property: any endpoint name renders safely and keeps the table whole', () => {
    const nasty = fc.constantFrom(
      ...'|`<>@#\\\n\r*_[]()!&;:-~$w.Gh1 \u202e\u0000\u2028'.split(''),
      'www.',
      '<script>',
      '@a',
      '#1',
      'GH-1',
      '```',
      '&#124;',
      '&lt;',
    );
    const names = fc.oneof(
      fc.array(nasty, { minLength: 1, maxLength: 30 }).map((parts) => parts.join('')),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(names, { minLength: 1, maxLength: 4 }), (endpointNames) => {
        const report = reportNaming(endpointNames);
        const markdown = renderMarkdown(report);
        expect(injectionProblems(markdown)).toEqual([]);
        const { header, rows } = firstTable(html(markdown));
        expect(header).toHaveLength(7);
        expect(rows).toHaveLength(endpointNames.length);
        for (const row of rows) expect(row).toHaveLength(7);
      }),
      { seed: 7, numRuns: 80 },
    );
  });
});

describe('size', () => {
  const many = built['many-endpoints'];
  const failureLines = (md: string) => md.split('\n').filter((l) => /^- (❌|🔺) /.test(l));

  test('200 endpoints fit the default 60,000 characters with every failure kept', () => {
    const md = renderMarkdown(many, { marker: MARKER });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(failureLines(md)).toHaveLength(44);
    expect(md).toContain(
      '*Left out to fit: 174 passing table rows, the charts, the details; the full report is in the job summary and the JSON report.*',
    );
    expect(md.trimEnd().endsWith('</sub>')).toBe(true);
    // What is left is still well-formed: one table, every row with seven cells.
    const { rows } = firstTable(html(md));
    expect(rows.length).toBeGreaterThan(44);
    for (const row of rows) expect(row).toHaveLength(7);
  });

  test('without a limit problem nothing is left out', () => {
    const md = renderMarkdown(many, { maxChars: 10_000_000 });
    expect(md).not.toContain('left out');
    const charted = many.endpoints.filter((e) => endpointNeedsChart(e)).length;
    expect(charted).toBeGreaterThan(0);
    // One heading per endpoint's details, one above each chart.
    expect(md.match(/^#### /gm)).toHaveLength(200 + charted);
    expect(md.match(/^```mermaid$/gm)).toHaveLength(charted);
  });

  test('details go before table rows, and rows before failures', () => {
    const withSomeDetails = renderMarkdown(many, { maxChars: 150_000 });
    expect(withSomeDetails.length).toBeLessThanOrEqual(150_000);
    expect(withSomeDetails).toMatch(/\*Details of [\d,]+ more endpoints left out\.\*/);
    expect(withSomeDetails).not.toContain('table rows left out');

    // The failure lines name their confidence bounds: 44 of them take about 13,000 characters.
    const tight = renderMarkdown(many, {
      maxChars: 13_500,
      fullReportHint: 'see the report artifact',
    });
    expect(tight.length).toBeLessThanOrEqual(13_500);
    expect(failureLines(tight)).toHaveLength(44);
    expect(tight).toContain('; see the report artifact.*');
  });

  test('as a last resort failures are cut too, saying how many', () => {
    const md = renderMarkdown(many, { maxChars: 4_000 });
    expect(md.length).toBeLessThanOrEqual(4_000);
    expect(md).toMatch(/^- … and \d+ more$/m);
    expect(md).toMatch(/Left out to fit: \d+ failures/);
    expect(renderMarkdown(many, { maxChars: 300 }).length).toBeLessThanOrEqual(300);
  });
});

describe('marker validation', () => {
  test.each(['<!-- perf-gate:api -->', '<!-- perf-gate:a--b -->', '<!-- perf-gate:a%20b -->'])(
    'accepts %j',
    (marker) => {
      expect(renderMarkdown(built['all-pass'], { marker }).split('\n')[0]).toBe(marker);
    },
  );

  test.each(['perf-gate', '<!-- a --> b -->', '<!-- a\nb -->', '<!--> x -->', '<!-- a'])(
    'rejects %j',
    (marker) => {
      expect(() => renderMarkdown(built['all-pass'], { marker })).toThrow(
        /marker must be one HTML comment on one line/,
      );
    },
  );
});
