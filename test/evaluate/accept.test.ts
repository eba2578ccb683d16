import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  applyAcceptances,
  coverageOf,
  decodeCommentData,
  encodeCommentData,
  failingKeys,
  nextCommentData,
  type CommentData,
  type FindingKey,
  withoutAcceptances,
} from '../../src/evaluate/accept.js';
import { parseCommand } from '../../src/github/acceptance.js';
import type { Report } from '../../src/report/report.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/reports');
const report = (name: string): Report =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Report;

const alice = {
  id: 'label:1',
  via: 'label' as const,
  by: 'alice',
  at: '2026-12-02T10:00:00Z',
  reason: '',
  permission: 'write',
};

describe('applyAcceptances', () => {
  test('covered regressions become accepted; counts follow; passed stays false', () => {
    const r = report('regressions');
    const covers: FindingKey[] = [
      ['list products', 'p50'],
      ['list products', 'p95'],
    ];
    const out = applyAcceptances(r.endpoints, r.summary, [{ ...alice, covers }], [], {
      budget: false,
    });
    const list = out.endpoints.find((e) => e.name === 'list products')!;
    expect(list.findings.filter((f) => f.verdict === 'accepted').map((f) => f.metric)).toEqual([
      'p50',
      'p95',
    ]);
    expect(list.findings.find((f) => f.metric === 'p99')!.verdict).toBe('regression');
    expect(list.verdict).toBe('regression');
    expect(out.summary).toMatchObject({ regressions: 2, accepted: 2, passed: false });
    expect(out.audit.given[0]!.accepted).toEqual(covers);
    // The input is not changed.
    expect(r.summary.regressions).toBe(4);
  });

  test('an endpoint whose only failures are accepted has the verdict accepted', () => {
    const r = report('regressions');
    const out = applyAcceptances(
      r.endpoints,
      r.summary,
      [{ ...alice, covers: failingKeys(r.endpoints) }],
      [],
      { budget: false },
    );
    expect(out.endpoints.map((e) => e.verdict)).toEqual(['accepted', 'improvement', 'accepted']);
    expect(out.summary).toMatchObject({ regressions: 0, accepted: 4 });
  });

  test('budget breaches stay unless the budget file allows accepting them', () => {
    const r = report('budget-failures');
    const covers = failingKeys(r.endpoints);
    const kept = applyAcceptances(r.endpoints, r.summary, [{ ...alice, covers }], [], {
      budget: false,
    });
    expect(kept.summary).toMatchObject({ violations: 3, accepted: 0 });
    expect(kept.audit.given[0]!.accepted).toEqual([]);
    const allowed = applyAcceptances(r.endpoints, r.summary, [{ ...alice, covers }], [], {
      budget: true,
    });
    expect(allowed.summary).toMatchObject({ violations: 0, accepted: 3 });
  });

  test('a finding over budget and regressed keeps its budget breach, with who accepted the rest', () => {
    const r = report('regressions');
    const endpoints = structuredClone(r.endpoints);
    const p95 = endpoints[0]!.findings.find((f) => f.metric === 'p95')!;
    p95.breaches = ['budget', 'regression'];
    p95.verdict = 'budget-exceeded';
    const out = applyAcceptances(
      endpoints,
      r.summary,
      [{ ...alice, covers: [['list products', 'p95']] }],
      [],
      { budget: false },
    );
    const f = out.endpoints[0]!.findings.find((x) => x.metric === 'p95')!;
    expect(f.breaches).toEqual(['budget']);
    expect(f.verdict).toBe('budget-exceeded');
    expect(f.acceptance?.by).toBe('alice');
  });
});

test('withoutAcceptances restores the saved report as it was before', () => {
  const r = report('regressions');
  const out = applyAcceptances(
    r.endpoints,
    r.summary,
    [{ ...alice, covers: failingKeys(r.endpoints) }],
    [],
    { budget: false },
  );
  const accepted = { ...r, endpoints: out.endpoints, summary: out.summary, acceptance: out.audit };
  const undone = withoutAcceptances(accepted);
  expect(undone.endpoints).toEqual(r.endpoints);
  expect(undone.summary).toEqual(r.summary);
  expect('acceptance' in undone).toBe(false);
});

describe('what an acceptance covers', () => {
  const r = report('regressions');
  const previous: CommentData = {
    v: 1,
    shown: [['list products', 'p50']],
    acceptances: [{ id: 'comment:9', covers: [['checkout', 'error-rate']], head: 'aaaa111' }],
  };
  test('fixed when first seen, from what the comment showed', () => {
    expect(coverageOf({ id: 'comment:9' }, previous, r.endpoints)).toEqual({
      covers: [['checkout', 'error-rate']],
      head: 'aaaa111',
      known: true,
    });
    expect(coverageOf({ id: 'label:5' }, previous, r.endpoints).covers).toEqual([
      ['list products', 'p50'],
    ]);
  });
  test('with no comment yet, this run’s failing findings', () => {
    expect(coverageOf({ id: 'label:5' }, undefined, r.endpoints).covers).toEqual(
      failingKeys(r.endpoints),
    );
  });
});

describe('the comment’s hidden data', () => {
  test('round trip, and nothing that could close the HTML comment', () => {
    const data = nextCommentData(
      report('regressions').endpoints,
      [{ id: 'label:1', covers: [['a --> <b>', 'p50']] }],
      'abc1234',
    );
    const line = encodeCommentData(data);
    expect(line.indexOf('-->')).toBe(line.length - 3);
    expect(decodeCommentData(`<!-- perf-gate:api -->\n${line}\nbody`)).toEqual(data);
  });
  test.each([
    ['no data', 'just a comment'],
    ['not base64 JSON', '<!-- perf-gate-data:!!! -->'],
    ['wrong version', encodeCommentData({ v: 2 } as unknown as CommentData)],
    [
      'keys not pairs',
      `<!-- perf-gate-data:${Buffer.from('{"v":1,"shown":[["a"]],"acceptances":[]}').toString('base64')} -->`,
    ],
    ['unterminated', '<!-- perf-gate-data:eyJ2IjoxfQ=='],
  ])('%s is ignored', (_, body) => {
    expect(decodeCommentData(body)).toBeUndefined();
  });
});

describe('parseCommand', () => {
  test.each([
    [
      '/perf-gate accept hashing cost, see #412',
      { command: 'accept', reason: 'hashing cost, see #412' },
    ],
    [
      '  /PERF-GATE Accept  slower on purpose  \nmore text',
      { command: 'accept', reason: 'slower on purpose' },
    ],
    ['/perf-gate accept', { command: 'accept', reason: '' }],
    ['/perf-gate revoke', { command: 'revoke', reason: '' }],
    ['/perf-gate revoke because', { command: 'revoke', reason: '' }],
    ['> /perf-gate accept quoted', undefined],
    ['please /perf-gate accept', undefined],
    ['/perf-gate accepted', undefined],
    ['/perf-gate-accept x', undefined],
    ['hello\n/perf-gate accept x', undefined],
  ])('%j', (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});
