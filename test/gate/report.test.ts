import { describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { evaluateRun } from '../../src/evaluate/evaluate.js';
import { gateReport, unmeasuredReport } from '../../src/gate/report.js';
import { validateReport } from '../../src/report/validate.js';
import { TOOL } from '../../src/version.js';

/** The report both front ends write for a gate: dated, described, valid against the schema. */

const config = parseBudget(
  'version: 1\nid: shop\ntarget:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n',
  'b.yml',
  { env: {} },
);
const env = { GITHUB_ACTIONS: 'true', GITHUB_SHA: 'a'.repeat(40) };

describe('gate reports', () => {
  test('a gate that ran: dated when it finished, this tool, the config, valid', () => {
    const finishedAt = new Date('2026-03-04T05:06:07.000Z');
    const report = gateReport(
      config,
      {
        evaluation: evaluateRun([]),
        startedAt: new Date('2026-03-04T05:00:00.000Z'),
        finishedAt,
        loadMs: 0,
        plannedLoadMs: 0,
      },
      env,
    );
    expect(report.createdAt).toBe(finishedAt.toISOString());
    expect(report.tool).toEqual(TOOL);
    expect(report.gateId).toBe('shop');
    expect(report.config.file).toBe('b.yml');
    expect(report.environment.runner).toEqual({ os: process.platform, arch: process.arch });
    expect(report.environment.node).toBe(process.version);
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toMatchObject({ valid: true });
  });

  test.each([
    ['cancelled before the load', { cancelled: true }, { cancelled: true }],
    [
      'stopped by an error',
      { cancelled: false, errors: [{ message: 'target unreachable' }] },
      { errors: [{ message: 'target unreachable' }] },
    ],
  ])('measured nothing (%s): no endpoint, never passed', (_, why, expected) => {
    const report = unmeasuredReport(config, why, env);
    expect(report.endpoints).toEqual([]);
    expect(report.summary.passed).toBe(false);
    expect(report.summary).toMatchObject(expected);
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toMatchObject({ valid: true });
  });
});
