import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Baseline } from '../../src/baseline/types.js';
import { parseBudget } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { baselineReading, baselineSource } from '../../src/gate/baselines.js';
import { runnerEnv, setAwsEnv } from '../support/aws.js';
import { startCloudWatch, type CloudWatchServer } from '../servers/cloudwatch.js';

/**
 * Which baseline a budget file asks for, decided once for both front ends (the action and
 * `perf-gate run`): the decision, and how the gate is then told to read it.
 */

function config(baseline: string, endpoints = '  - path: /a\n'): Config {
  return parseBudget(
    `version: 1\ntarget:\n  url: http://127.0.0.1:8080\n${baseline}endpoints:\n${endpoints}`,
    'b.yml',
    { env: {} },
  );
}

const CLOUDWATCH_ENDPOINT =
  '  - path: /a\n  - path: /b\n    baseline:\n      cloudwatch: { namespace: AWS/ApplicationELB, metric: TargetResponseTime, unit: s }\n';

describe('baselineSource', () => {
  test.each([
    ['nothing set up', config(''), undefined, { kind: 'none' }],
    [
      'baseline.cloudwatch in the file',
      config('baseline:\n  cloudwatch: { region: us-east-1 }\n'),
      undefined,
      { kind: 'cloudwatch' },
    ],
    [
      'CloudWatch on one endpoint only',
      config('', CLOUDWATCH_ENDPOINT),
      undefined,
      { kind: 'cloudwatch' },
    ],
    [
      'baseline.github with its default branch',
      config('baseline:\n  github: {}\n'),
      undefined,
      { kind: 'github', branch: 'perf-gate-history' },
    ],
    [
      'baseline.github with a branch of its own',
      config('baseline:\n  github: { branch: perf/data }\n'),
      undefined,
      { kind: 'github', branch: 'perf/data' },
    ],
    [
      'a reference deployment, nothing in the file',
      config(''),
      'http://127.0.0.1:9090',
      { kind: 'reference', url: 'http://127.0.0.1:9090' },
    ],
    [
      'a reference deployment wins over CloudWatch',
      config('baseline:\n  cloudwatch: { region: us-east-1 }\n'),
      'http://127.0.0.1:9090',
      { kind: 'reference', url: 'http://127.0.0.1:9090' },
    ],
    [
      'a reference deployment wins over the data branch',
      config('baseline:\n  github: {}\n'),
      'http://127.0.0.1:9090',
      { kind: 'reference', url: 'http://127.0.0.1:9090' },
    ],
  ])('%s', (_, cfg, baselineUrl, expected) => {
    expect(baselineSource(cfg, baselineUrl)).toEqual(expected);
  });
});

describe('baselineReading', () => {
  const log = () => {};
  const history = new Map<string, Baseline>([
    ['GET /a', { kind: 'none', reason: 'from the test reader' }],
  ]);
  const readGitHub = () => Promise.resolve(history);

  test('nothing set up: the gate reads nothing', () => {
    const reading = baselineReading(config(''), { log, readGitHub });
    expect(reading).toEqual({ source: { kind: 'none' } });
  });

  test('a reference deployment: measured side by side, no history read', () => {
    const reading = baselineReading(config('baseline:\n  github: {}\n'), {
      log,
      readGitHub,
      baselineUrl: 'http://127.0.0.1:9090',
    });
    expect(reading.readCloudWatch).toBeUndefined();
    expect(reading.unread).toBeUndefined();
  });

  test('the data branch with a reader (the action): read with it, named in the heading', async () => {
    const cfg = config('baseline:\n  github: { branch: perf/data }\n');
    const reading = baselineReading(cfg, { log, readGitHub });
    expect(reading.historyName).toBe('the data branch perf/data');
    expect(reading.unread).toBeUndefined();
    expect(await reading.readCloudWatch!(cfg)).toBe(history);
  });

  test('the data branch without a reader (the CLI): nothing read, and said to be unread', () => {
    const reading = baselineReading(config('baseline:\n  github: {}\n'), { log });
    expect(reading.readCloudWatch).toBeUndefined();
    expect(reading.unread).toEqual({ kind: 'github', branch: 'perf-gate-history' });
  });

  describe('CloudWatch', () => {
    let cw: CloudWatchServer;
    let restoreEnv: () => void;
    beforeAll(async () => {
      cw = await startCloudWatch();
      restoreEnv = setAwsEnv(runnerEnv(cw.url));
    });
    afterAll(async () => {
      restoreEnv();
      await cw.close();
    });

    test('read from CloudWatch (the loopback server) under the default heading, never with the data-branch reader', async () => {
      let used = false;
      const cfg = config('', CLOUDWATCH_ENDPOINT);
      const lines: string[] = [];
      const reading = baselineReading(cfg, {
        log: (line) => lines.push(line),
        readGitHub: () => {
          used = true;
          return Promise.resolve(history);
        },
      });
      expect(reading.source).toEqual({ kind: 'cloudwatch' });
      expect(reading.historyName).toBeUndefined();
      const baselines = await reading.readCloudWatch!(cfg);
      expect(used).toBe(false);
      // Asked over the wire; the endpoint with CloudWatch set up has no history there yet.
      expect(cw.requests.map((r) => r.operation)).toContain('GetMetricData');
      const b = baselines.get('GET /b');
      expect(b?.kind).toBe('none');
      // Set up but empty: not "no baseline configured" (that would be budgets only).
      expect(b?.kind === 'none' && b.configured).not.toBe(false);
    });
  });
});
