import { afterAll, beforeAll, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { publishMeasurements } from '../../src/baseline/cloudwatch-publish.js';
import type { Measurement } from '../../src/measure/types.js';
import { runnerEnv } from './aws.js';

/**
 * Set-up shared by the end-to-end tests of the bundled action: loopback servers per test file,
 * a CloudWatch history published under the gate the budget files name, and reading back what
 * a run reported.
 */

type Started<S> = { [K in keyof S]: S[K] extends () => Promise<infer T> ? T : never };

/**
 * Starts the servers (in the order given) before the file's tests and closes them after. The
 * returned object is filled in by `beforeAll`: read its fields inside tests, not at load time.
 */
export function serversForFile<S extends Record<string, () => Promise<{ close(): Promise<void> }>>>(
  starts: S,
): Started<S> {
  const servers = {} as Started<S>;
  const started: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    for (const name of Object.keys(starts) as (keyof S)[]) {
      const server = await starts[name]();
      started.push(server);
      servers[name] = server as Started<S>[keyof S];
    }
  });
  afterAll(async () => {
    await Promise.all(started.map((server) => server.close()));
  });
  return servers;
}

/** The gate, dimensions and region that CLOUDWATCH_BASELINE reads and publishHistory writes. */
const GATE = { gateId: 'shop', dimensions: { Service: 'shop' }, region: 'eu-west-1' };

/** The `baseline:` entry of an e2e budget file (gate `id: shop`) reading publishHistory's data. */
export const CLOUDWATCH_BASELINE =
  'cloudwatch: { region: eu-west-1, dimensions: { Service: shop }, lookback: 1d, period: 1h }';

/** A runner step's environment for the budget files here: the target, and AWS aimed at loopback. */
export function cloudWatchRunEnv(targetUrl: string, cloudWatchUrl: string): Record<string, string> {
  return { PREVIEW_URL: targetUrl, ...runnerEnv(cloudWatchUrl) };
}

interface SavedReport {
  endpoints: { name: string; measurement: Measurement }[];
}

/**
 * Publishes a saved report's measurements as each of the `hours` whole hours before now, as if
 * main had been publishing all along (the current, unfinished hour is not part of a baseline).
 */
export async function publishHistory(
  report: SavedReport,
  cloudWatchUrl: string,
  hours: number,
): Promise<void> {
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'dummy-secret-key' };
  for (let hour = hours; hour >= 1; hour--) {
    await publishMeasurements(
      {
        ...GATE,
        endpoints: report.endpoints.map((e) => ({ name: e.name, measurement: e.measurement })),
        timestamp: new Date(Date.now() - hour * 3_600_000),
      },
      { endpoint: cloudWatchUrl, credentials },
    );
  }
}

/** The JSON report a run wrote (its `report-file` output), as parsed JSON. */
export function reportOf(run: { outputs: Record<string, string> }) {
  return JSON.parse(readFileSync(run.outputs['report-file']!, 'utf8'));
}

/** The budget file with its `slowed` endpoint answering in 26 ms instead of 20 (30% slower). */
export function withSlowedEndpoint(budget: string): string {
  const slowed = budget.replace(/(name: slowed\n {4}path: )\/fixed\/20/, '$1/fixed/26');
  if (slowed === budget) throw new Error('the budget file has no `slowed` endpoint on /fixed/20');
  return slowed;
}

interface ReportedEndpoint {
  findings: { verdict: string; reason: string; metric: string }[];
}

/**
 * Of two endpoints judged against the same history, `steady` has no regression and `slowed`
 * (made 30% slower) regressed at least on p50: the tail may or may not clear its tolerance on a
 * busy machine. The reasons ride along so a failure shows what perf-gate saw. Returns the
 * metrics `slowed` regressed on.
 */
export function expectOnlySlowedRegressed(
  steady: ReportedEndpoint,
  slowed: ReportedEndpoint,
): string[] {
  const reasons = (e: ReportedEndpoint) => e.findings.map((f) => `${f.verdict}: ${f.reason}`);
  expect({
    regressions: steady.findings.filter((f) => f.verdict === 'regression'),
    why: reasons(steady),
  }).toEqual({ regressions: [], why: expect.anything() });
  const regressed = slowed.findings.filter((f) => f.verdict === 'regression').map((f) => f.metric);
  expect({ regressed, why: reasons(slowed) }).toEqual({
    regressed: expect.arrayContaining(['p50']),
    why: expect.anything(),
  });
  return regressed;
}
