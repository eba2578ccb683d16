import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { waitForTarget, type ReadyLog } from '../../src/gate/ready.js';
import { TargetUnreachableError } from '../../src/measure/ready.js';
import { refusedPort } from '../servers/ports.js';
import { startTarget, type Target } from '../servers/target.js';

/**
 * The ready-wait the gate and `perf-gate calibrate` share: with target.ready it waits until the
 * target (and a reference deployment) answers; without, one request must reach each.
 */

function config(url: string, ready: string): Config {
  return parseBudget(
    `version: 1\ntarget:\n  url: ${url}\n${ready}endpoints:\n  - path: /fixed/0\n`,
    'b.yml',
    { env: {} },
  );
}

function recordingLog(): ReadyLog & { groups: string[]; warnings: string[] } {
  const groups: string[] = [];
  const warnings: string[] = [];
  return {
    groups,
    warnings,
    info: () => {},
    warning: (line) => warnings.push(line),
    group: (name, fn) => {
      groups.push(name);
      return fn();
    },
  };
}

describe('waitForTarget', () => {
  let slow: Target;
  let reference: Target;
  beforeAll(async () => {
    slow = await startTarget({ readyAfterMs: 600 });
    reference = await startTarget({ readyAfterMs: 900 });
  });
  afterAll(async () => {
    await slow.close();
    await reference.close();
  });

  test('target.ready: waits until the target and the reference answer it, under one heading', async () => {
    const log = recordingLog();
    const result = await waitForTarget(
      config(slow.url, '  ready: { path: /healthz, timeout: 30s }\n'),
      { baselineUrl: reference.url, log },
    );
    expect(log.groups).toEqual(['Waiting for the target to be ready']);
    expect(log.warnings).toEqual([]);
    expect(result?.attempts).toBeGreaterThanOrEqual(2);
    expect(slow.hits('/healthz')).toBeGreaterThanOrEqual(2);
    // The reference's own /healthz was waited for as well (503 for its first 900 ms).
    expect(reference.hits('/healthz')).toBeGreaterThanOrEqual(1);
  });

  test('no target.ready, nothing listening: TargetUnreachableError before any load', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    const log = recordingLog();
    await expect(waitForTarget(config(url, ''), { log })).rejects.toBeInstanceOf(
      TargetUnreachableError,
    );
    expect(log.groups).toEqual([]);
  });

  test('no target.ready, the reference unreachable: refused as well', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    await expect(
      waitForTarget(config(slow.url, ''), { baselineUrl: url, log: recordingLog() }),
    ).rejects.toBeInstanceOf(TargetUnreachableError);
  });

  test('target.tls.insecure: warned before the target is contacted', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    const log = recordingLog();
    await expect(
      waitForTarget(config(url, '  tls: { insecure: true }\n'), { log }),
    ).rejects.toBeInstanceOf(TargetUnreachableError);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/^target\.tls\.insecure is true: certificates are NOT checked/);
  });
});
