import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { trendChart } from '../../src/report/charts.js';
import { formatMs } from '../../src/units/format.js';
import type { Report } from '../../src/report/report.js';
import { HOSTILE, SCENARIO_NAMES, SCENARIOS } from '../fixtures/reports/scenarios.js';
import { reportNaming } from '../support/reports.js';

const built = Object.fromEntries(SCENARIO_NAMES.map((name) => [name, SCENARIOS[name]()])) as Record<
  string,
  Report
>;

// ---------------------------------------------------------------------------------------------
// A strict reader of the HTML the renderer may produce, after the HTML standard's tokenizer
// (tag open, tag name, attribute name, quoted or unquoted values, character references):
// whatever does not fit is reported, so an injected tag, attribute or comment cannot hide.

interface Element {
  name: string;
  end: boolean;
  attributes: [string, string][];
}
interface Parsed {
  elements: Element[];
  /** Text nodes, character references decoded, by the element they are in. */
  text: { parent: string; text: string }[];
  problems: string[];
}

/** One pass, as a browser decodes: a decoded `&` never starts another reference. */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&', apos: "'" };
  return text.replace(
    /&(?:#(\d+)|#x([0-9a-f]+)|(lt|gt|quot|amp|apos));/gi,
    (_, d?: string, h?: string, e?: string) =>
      d !== undefined
        ? String.fromCodePoint(Number(d))
        : h !== undefined
          ? String.fromCodePoint(parseInt(h, 16))
          : named[e!]!,
  );
}

function parseHtml(html: string): Parsed {
  const elements: Element[] = [];
  const text: Parsed['text'] = [];
  const problems: string[] = [];
  const stack: string[] = [];
  let i = 0;
  // HTML's void elements; inside <svg> an element is empty only when written self-closing.
  const VOID = new Set(['meta', 'br']);
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const chunk = html.slice(i, lt === -1 ? html.length : lt);
    if (chunk.length > 0) {
      if (/&(?!#\d+;|#x[0-9a-f]+;|lt;|gt;|quot;|amp;|apos;)/i.test(chunk))
        problems.push(`bare & in text: ${chunk.slice(0, 40)}`);
      text.push({ parent: stack[stack.length - 1] ?? '', text: decodeEntities(chunk) });
    }
    if (lt === -1) break;
    if (html.startsWith('<!DOCTYPE html>', lt) && lt === 0) {
      i = lt + '<!DOCTYPE html>'.length;
      continue;
    }
    if (html.startsWith('<!', lt) || html.startsWith('<?', lt)) {
      problems.push(`markup declaration or comment at ${lt}`);
      i = lt + 2;
      continue;
    }
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt));
    if (!tag) {
      problems.push(`"<" not opening a tag at ${lt}`);
      i = lt + 1;
      continue;
    }
    let j = lt + tag[0].length;
    const attributes: [string, string][] = [];
    for (;;) {
      while (/\s/.test(html[j] ?? '')) j++;
      if (html[j] === '>' || html.startsWith('/>', j)) {
        j += html[j] === '>' ? 1 : 2;
        break;
      }
      const name = /^[^\s/>="'<]+/.exec(html.slice(j));
      if (!name) {
        problems.push(`bad attribute syntax in <${tag[2]}> at ${j}`);
        j = html.indexOf('>', j) + 1;
        break;
      }
      j += name[0].length;
      let value = '';
      if (html[j] === '=') {
        j++;
        const quote = html[j];
        if (quote === '"' || quote === "'") {
          const close = html.indexOf(quote, j + 1);
          value = html.slice(j + 1, close);
          j = close + 1;
        } else {
          problems.push(`unquoted value of ${name[0]} in <${tag[2]}>`);
          const v = /^[^\s>]*/.exec(html.slice(j))![0];
          value = v;
          j += v.length;
        }
      }
      if (/[<>]/.test(value)) problems.push(`raw < or > in ${name[0]}="${value.slice(0, 40)}"`);
      attributes.push([name[0].toLowerCase(), decodeEntities(value)]);
    }
    const element = { name: tag[2].toLowerCase(), end: tag[1] === '/', attributes };
    elements.push(element);
    if (element.end) {
      if (stack.pop() !== element.name) problems.push(`unbalanced </${element.name}>`);
    } else if (!VOID.has(element.name) && !html.slice(lt, j).endsWith('/>')) {
      stack.push(element.name);
      if (element.name === 'style') {
        const close = html.indexOf('</style>', j);
        text.push({ parent: 'style', text: html.slice(j, close) });
        j = close;
      }
    }
    i = j;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return { elements, text, problems };
}

const TAGS = new Set(
  'html head meta title style body h1 h2 h3 p strong ul li table tr th td code span section figure figcaption svg line text circle polyline i footer'.split(
    ' ',
  ),
);
const ATTRIBUTES = new Set(
  'lang charset http-equiv content name class id title viewbox width height role aria-label x y x1 x2 y1 y2 cx cy r points text-anchor dominant-baseline'.split(
    ' ',
  ),
);

function injectionProblems(html: string): string[] {
  const parsed = parseHtml(html);
  const problems = [...parsed.problems];
  for (const e of parsed.elements) {
    if (!TAGS.has(e.name)) problems.push(`element <${e.name}>`);
    for (const [name, value] of e.attributes) {
      if (!ATTRIBUTES.has(name)) problems.push(`attribute ${name} on <${e.name}>`);
      if (/url\(|javascript:|https?:/i.test(value) && name !== 'title' && name !== 'aria-label')
        problems.push(`${name}="${value}"`);
    }
  }
  if (parsed.elements.filter((e) => e.name === 'style' && !e.end).length !== 1)
    problems.push('more than one style element');
  if (parsed.elements.filter((e) => e.name === 'meta' && !e.end).length !== 3)
    problems.push('a meta element other than the three');
  return problems;
}

const textOf = (html: string) =>
  parseHtml(html)
    .text.filter((t) => t.parent !== 'style')
    .map((t) => t.text)
    .join('\n');

// ---------------------------------------------------------------------------------------------

describe('the HTML report', () => {
  test.each(SCENARIO_NAMES)('%s: well formed, nothing but the allowed elements', (name) => {
    const html = renderHtml(built[name]);
    expect(injectionProblems(html)).toEqual([]);
  });

  test('no network: a CSP that forbids every fetch, and no URL anywhere a browser would load', () => {
    const html = renderHtml(built['budget-failures']);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
  });

  test('a verdict row per finding and a chart per measured endpoint, with its legend', () => {
    for (const name of SCENARIO_NAMES) {
      const report = built[name];
      const html = renderHtml(report);
      const parsed = parseHtml(html);
      const rows = parsed.elements.filter(
        (e) => e.name === 'tr' && !e.end && e.attributes.some(([, v]) => /^(fail|v-)/.test(v)),
      );
      const findings = report.endpoints.reduce((sum, e) => sum + Math.max(0, e.findings.length), 0);
      expect(rows).toHaveLength(findings);
      const svgs = (cls: string) =>
        parsed.elements.filter(
          (e) =>
            e.name === 'svg' && !e.end && e.attributes.some(([n, v]) => n === 'class' && v === cls),
        );
      expect(svgs('chart')).toHaveLength(
        report.endpoints.filter((e) => e.measurement.requests > 0).length,
      );
      const configs = new Map(report.config.endpoints.map((e) => [e.name, e]));
      expect(svgs('chart trend')).toHaveLength(
        report.endpoints.filter((e) => trendChart(e, configs.get(e.name)) !== undefined).length,
      );
    }
  });

  test('the chart shows the report’s own percentiles: hover titles name them', () => {
    const report = built['budget-failures'];
    const text = textOf(renderHtml(report));
    for (const e of report.endpoints) {
      if (e.measurement.requests === 0) continue;
      for (const p of ['p50', 'p95', 'p99', 'p99.9'] as const) {
        expect(text).toContain(`this run, ${p}: ${formatMs(e.measurement.latency[p])}`);
      }
      if (e.confirmation) {
        expect(text).toContain(`confirmation, p95: ${formatMs(e.confirmation.latency.p95)}`);
      }
    }
    const withBudget = report.config.endpoints.find((e) => e.budget.p95 !== undefined)!;
    expect(text).toContain(`p95 budget: ${formatMs(withBudget.budget.p95!)}`);
  });

  test('A/B: the reference curve is drawn with this run', () => {
    const report = built.regressions;
    const html = renderHtml(report);
    const reference = report.endpoints.filter((e) => e.baseline.kind === 'reference');
    expect(html.match(/class="series s-baseline"/g)?.length ?? 0).toBe(
      report.endpoints.filter(
        (e) =>
          (e.baseline.kind === 'reference' && e.baseline.measurement.requests > 0) ||
          (e.baseline.kind === 'cloudwatch' &&
            Object.values(e.baseline.metrics).some((m) => Number.isFinite(m?.median))),
      ).length,
    );
    for (const e of reference) {
      if (e.baseline.kind !== 'reference') continue;
      expect(textOf(html)).toContain(
        `reference, p95: ${formatMs(e.baseline.measurement.latency.p95)}`,
      );
    }
  });

  test('CloudWatch history: a trend of the periods with this run as the last point', () => {
    const report = built.cloudwatch;
    const html = renderHtml(report);
    const text = textOf(html);
    let trends = 0;
    for (const e of report.endpoints) {
      const trend = trendChart(
        e,
        report.config.endpoints.find((c) => c.name === e.name),
      );
      if (!trend || e.baseline.kind !== 'cloudwatch') continue;
      trends++;
      expect(trend.history).toEqual(e.baseline.metrics[trend.metric]!.values);
      expect(trend.current).toBe(e.measurement.latency[trend.metric]);
      expect(text).toContain(`this run, ${trend.metric}: ${formatMs(trend.current)}`);
      expect(text).toContain(`${trend.history.length} periods, oldest first, then this run`);
    }
    expect(trends).toBeGreaterThan(0);
    expect(html.match(/class="chart trend"/g)).toHaveLength(trends);
  });

  test('20 endpoints stay well under 1 MB', () => {
    const many = built['many-endpoints'];
    const twenty: Report = {
      ...many,
      endpoints: many.endpoints.slice(0, 20),
      config: { ...many.config, endpoints: many.config.endpoints.slice(0, 20) },
    };
    expect(Buffer.byteLength(renderHtml(twenty))).toBeLessThan(1_000_000);
  });
});

describe('hostile text', () => {
  test('every hostile name is shown as text, never as markup', () => {
    const report = built['hostile-names'];
    const html = renderHtml(report);
    expect(injectionProblems(html)).toEqual([]);
    const text = textOf(html);
    const titles = parseHtml(html)
      .elements.flatMap((e) => e.attributes)
      .map(([, v]) => v)
      .join('\n');
    for (const name of HOSTILE) {
      const shown = name.replace(
        // eslint-disable-next-line no-control-regex -- the characters the renderer shows as spaces
        /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g,
        ' ',
      );
      expect(`${text}\n${titles}`).toContain(shown);
    }
  });

  test('escapeHtml by example', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe(
      '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;',
    );
    expect(escapeHtml('a\u202eb\u0000c\nd')).toBe('a b c\nd');
  });

  test('property: any endpoint name or path renders as text only', () => {
    const nasty = fc.constantFrom(
      ...`<>"'&\`=/ \n\t\u0000\u202e`.split(''),
      '<script>alert(1)</script>',
      '"><svg onload=alert(1)>',
      "' onmouseover='x",
      '</style><script>',
      '<!--',
      ']]>',
      '&amp;',
      '&#60;',
      'javascript:',
    );
    const names = fc.oneof(
      fc.array(nasty, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(names, { minLength: 1, maxLength: 3 }), (endpointNames) => {
        const report = reportNaming(endpointNames);
        expect(injectionProblems(renderHtml(report))).toEqual([]);
      }),
      { seed: 11, numRuns: 60 },
    );
  });
});

describe('a budgets-only report', () => {
  test('has no Baseline or Change columns and counts no regressions', () => {
    const html = renderHtml(SCENARIOS['budgets-only']());
    expect(html).toContain('budgets only; no baseline configured');
    expect(html).not.toMatch(/<th>Baseline<\/th>|<th>Change<\/th>/);
    expect(html).not.toMatch(/\d regressions?/);
    // Every verdict row has as many cells as the header.
    const table = html.slice(html.indexOf('<table class="verdicts">'), html.indexOf('</table>'));
    const widths = table
      .split('</tr>')
      .filter((r) => r.includes('<t'))
      .map((r) => (r.match(/<t[hd][ >]/g) ?? []).length);
    expect(new Set(widths)).toEqual(new Set([5]));
  });
});
