import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { marked } from 'marked';
import { actionLog } from '../../src/action/log.js';
import type { Report } from '../../src/report/report.js';
import { runAction } from '../e2e/action-runner.js';
import { budgetText } from '../faults/budget-text.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * Text a pull request controls (endpoint names and paths in the budget file, or a whole saved
 * report in the fork-safe `workflow_run` pattern) rendered into the comment. The comment GitHub
 * received is parsed as GitHub does (GFM, with marked): only the renderer's own elements may
 * come out, no mention, issue reference or link may form, and the table keeps its columns.
 */

const TOKEN = 'ghs_hostileText0123456789';

/** Names the budget file accepts (one line, printable); each attacks the comment another way. */
const HOSTILE_NAMES = [
  '**bold** _it_ <script>alert(1)</script>',
  '@octocat @acme/admins please look at #123, GH-42 and acme/shop#7',
  '`code` | pipe | cell ||| and \\| escaped',
  '[click](https://evil.example) ![img](https://evil.example/x.png) <https://evil.example> www.evil.example',
  '<!-- perf-gate:other --> --> <details><summary>open</summary>',
  '<img src=x onerror=alert(1)> &amp; &lt;b&gt; :+1: $x^2$ ~~strike~~ &#64;octocat',
  '| Endpoint | Metric |\\n|---|---|',
  '\u202eevil\u202c reversed \u2066isolated\u2069 text',
];
const HOSTILE_PATH = '/echo?q=<b>|@octocat #1 `x`&long=' + 'a|@b#1<'.repeat(1_430); // 10,000+ characters

/**
 * Elements the renderer itself produces: markdown structure, its own code/details/summary/sub,
 * and one link, to the workflow run of this repository (the runner's GITHUB_SERVER_URL).
 */
const OWN_ELEMENTS = new Set([
  'p',
  'h3',
  'h4',
  'strong',
  'em',
  'ul',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'code',
  // Fenced chart blocks (```mermaid) render as <pre><code>.
  'pre',
  'details',
  'summary',
  'sub',
  'br',
  'hr',
  'blockquote',
  'a',
]);
const OWN_ATTRIBUTES =
  /^(align="(left|right|center)"|class="language-mermaid"|href="https:\/\/github\.com\/acme\/shop\/actions\/runs\/\d+(\/attempts\/\d+)?")?$/;

let target: Target;
let github: GitHubServer;

beforeAll(async () => {
  [target, github] = await Promise.all([startTarget(), startGitHub()]);
});
afterAll(async () => {
  await Promise.all([target?.close(), github?.close()]);
});

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] !== '#') return named[code.toLowerCase()] ?? whole;
    const n =
      code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1));
    return String.fromCodePoint(n);
  });
}

/** The comment as GitHub shows it: elements, attributes, visible text, and each table's raw rows. */
function render(body: string) {
  const html = marked.parse(body, { gfm: true, async: false }) as string;
  const elements = [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attributes: m[2]!.trim(),
  }));
  const text = decodeEntities(html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ''));
  return { elements, text };
}

/** Everything that makes rendered text dangerous, in one place. */
function expectInert(body: string): void {
  expect(body.length).toBeLessThanOrEqual(65_536);
  const { elements, text } = render(body);
  expect(elements.filter((e) => !OWN_ELEMENTS.has(e.name)).map((e) => e.name)).toEqual([]);
  // Alignment on table cells and the run link; a hostile attribute (onerror=, href=) never appears.
  expect(elements.filter((e) => !OWN_ATTRIBUTES.test(e.attributes))).toEqual([]);
  const tables = tablesOf(body);
  // GitHub's mentions and references: @user or @org/team, #123, GH-123, owner/repo#123.
  expect(text).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  expect(text).not.toMatch(/(^|[^&\w])#\d/);
  expect(text).not.toMatch(/\bGH-\d/i);
  // No bidi overrides or isolates survive to reorder what a reviewer reads.
  expect(body).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  // Each table keeps its columns: every raw row has as many cell separators as its header.
  expect(tables.length).toBeGreaterThan(0);
  for (const rows of tables) {
    const pipes = (row: string) => row.split('|').length;
    for (const row of rows) expect(pipes(row)).toBe(pipes(rows[0]!));
  }
}

function tablesOf(body: string): string[][] {
  return marked
    .lexer(body, { gfm: true })
    .filter((t) => t.type === 'table')
    .map((t) => t.raw.trim().split('\n'));
}

describe('hostile text from the budget file', () => {
  test('names and a 10,000-character path render inert in the comment and the summary', async () => {
    const budget = budgetText({
      url: target.url,
      id: 'hostile',
      load: '{ connections: 1, duration: 1s, warmup: 0s, timeout: 1s }',
      budget: '{ p50: 1us }', // every endpoint fails, so names appear in the reasons list too
      endpoints: [
        // 10 ms answers: an instant route on a busy machine can saturate the generator, and a
        // breach measured so is inconclusive, not failed (SPEC §4).
        ...HOSTILE_NAMES.map((name, i) => ({
          name,
          path: `/echo?i=${i}&delay=10&q=<b>|@octocat #1 \`x\``,
        })),
        { path: HOSTILE_PATH },
      ],
    });
    const run = await runAction({
      inputs: { 'github-token': TOKEN },
      env: { GITHUB_API_URL: github.url },
      files: { 'perf-budget.yml': budget },
    });
    expect(run.code).toBe(1);
    const comment = github.comments('acme', 'shop', 7)[0]!.body;
    expectInert(comment);
    expectInert(run.summary);
    // Shown, not swallowed: the hostile text is there, as text.
    const { text } = render(comment);
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('[click](https://evil.example)');
    // The 10,000-character path is cut to a line.
    expect(comment).not.toContain('a|@b#1<'.repeat(40));
  });
});

describe('a hostile saved report (workflow_run)', () => {
  test('names, paths and error messages of any length or character render inert', async () => {
    // A genuine report, then rewritten the way a fork's author could rewrite the artifact.
    const measured = await runAction({
      inputs: { comment: 'never' },
      files: {
        'perf-budget.yml': budgetText({
          url: target.url,
          budget: '{ p50: 1us }',
          endpoints: [
            { name: 'one', path: '/fixed/1' },
            { name: 'two', path: '/fixed/2' },
          ],
        }),
      },
    });
    const report = JSON.parse(readFileSync(measured.outputs['report-file']!, 'utf8')) as Report;
    const names = [
      '\u202eevil\u202c \u2066isolated\u2069 and a bell\u0007 and\nnew\r\nlines: ::error::forged',
      `@octocat ${'<img src=x onerror=alert(1)>'.repeat(400)}`, // over 10,000 characters
    ];
    report.endpoints.forEach((e, i) => {
      e.name = names[i]!;
      e.path = HOSTILE_PATH;
      for (const f of e.findings) f.reason = `${names[i]} | ${f.reason}`;
    });
    report.config.endpoints.forEach((e, i) => (e.name = names[i]!));
    report.summary.errors = [
      { endpoint: names[0], message: `**${'x'.repeat(10_000)}** @octocat #9 <a href=x>` },
    ];
    report.gateId = 'api --> <img src=x>';
    report.environment.ci = {
      provider: 'github-actions',
      runUrl: 'https://evil.example/acme/shop/actions/runs/1',
    };

    const run = await runAction({
      eventName: 'workflow_run',
      event: { workflow_run: { id: 1 } },
      inputs: { 'github-token': TOKEN, report: 'report.json', 'pr-number': '8', 'fail-on': 'none' },
      env: { GITHUB_API_URL: github.url },
      files: { 'report.json': JSON.stringify(report) },
    });
    expect(run.stdout).not.toMatch(/failed unexpectedly/);
    // The forged command stays inside an escaped annotation, never on a line of its own.
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::forged'))).toEqual([]);
    const comments = github.comments('acme', 'shop', 8);
    expect(comments).toHaveLength(1);
    expectInert(comments[0]!.body);
    expectInert(run.summary);
    expect(comments[0]!.body).not.toContain('evil.example/acme');
    expect(
      comments[0]!.body.startsWith(`<!-- perf-gate:${encodeURIComponent(report.gateId)} -->`),
    ).toBe(true);
  });
});

describe('log lines', () => {
  test('a line break in a logged text cannot start a workflow command line', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      actionLog.info('list: warming up\n::error title=forged::pwned\r\n::add-mask::x');
      const written = write.mock.calls.map((c) => String(c[0])).join('');
      expect(written.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
      expect(written).toContain('list: warming up ::error title=forged::pwned ::add-mask::x');
    } finally {
      write.mockRestore();
    }
  });
});
