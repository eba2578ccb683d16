import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { isIP } from 'node:net';
import { parseBudget } from '../../src/config/load.js';
import { nothingSucceeded, runGate, type GateLog } from '../../src/gate/run-gate.js';
import { measureEndpoint } from '../../src/measure/engine.js';
import { TargetUnreachableError } from '../../src/measure/ready.js';
import { startTarget, type Target } from '../servers/target.js';
import { budgetText } from './budget-text.js';

/**
 * A host name that does not resolve, in-process: Node's own `dns` module (the object net and
 * fetch resolve through, taken with process.getBuiltinModule so no test-runner copy stands in)
 * answers ENOTFOUND for every name but IP literals and localhost. No lookup leaves the machine.
 */

type Lookup = (hostname: string, options: unknown, callback?: unknown) => void;
const dns = process.getBuiltinModule('node:dns') as unknown as { lookup: Lookup };
const systemLookup = dns.lookup;
const refused: string[] = [];

let target: Target;

beforeAll(async () => {
  target = await startTarget();
  dns.lookup = function (hostname: string, options: unknown, callback?: unknown) {
    if (isIP(hostname) || hostname === 'localhost') {
      return systemLookup.call(this, hostname, options, callback);
    }
    refused.push(hostname);
    const done = (typeof options === 'function' ? options : callback) as (e: Error) => void;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname,
    });
    setImmediate(done, error);
  };
});
afterAll(async () => {
  dns.lookup = systemLookup;
  await target?.close();
});

const HOST = 'preview.perf-gate.invalid';
const quiet: GateLog = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_name, fn) => fn(),
};

function config(ready?: string) {
  return parseBudget(
    budgetText({
      url: `http://${HOST}:${target.port}`,
      ready,
      load: '{ connections: 2, duration: 1s, warmup: 0s, timeout: 1s }',
      endpoints: [{ name: 'list', path: '/fixed/1' }],
    }),
    'perf-budget.yml',
    { env: {} },
  );
}

describe('a target host name that does not resolve', () => {
  test('the ready-wait gives up with ENOTFOUND, naming the URL', async () => {
    const error = await runGate({
      config: config('{ path: /healthz, timeout: 700ms }'),
      log: quiet,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^target http://${HOST.replace(/\./g, '\\.')}:\\d+/healthz did not answer 2xx within 700ms: last attempt: ENOTFOUND`,
      ),
    );
    expect(refused).toContain(HOST);
    expect(target.hits()).toBe(0);
  });

  test('without a ready path, the reachability check fails before any load', async () => {
    const before = refused.length;
    const error = await runGate({ config: config(), log: quiet }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as Error).message).toMatch(
      /cannot be reached: ENOTFOUND\. Check that the deployment is up/,
    );
    // One lookup, not one per connection attempt of a load run.
    expect(refused.length - before).toBe(1);
    expect(target.hits()).toBe(0);
  });

  test('under load (the engine alone), every attempt fails with ENOTFOUND and the gate calls it unmeasurable', async () => {
    const endpoint = config().endpoints[0]!;
    const m = await measureEndpoint(endpoint);
    expect(m.requests).toBeGreaterThan(0);
    expect(m.errorBreakdown.connection.ENOTFOUND).toBe(m.requests);
    expect(nothingSucceeded({ measurement: m })).toMatch(
      new RegExp(`^none of its ${m.requests} requests succeeded \\(ENOTFOUND ×${m.requests}\\)`),
    );
    expect(target.hits()).toBe(0);
  });
});
