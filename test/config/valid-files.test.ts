import { resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadBudgetFile, parseBudget } from '../../src/config/load.js';
import type { Config, EndpointConfig, RegressionRules } from '../../src/config/types.js';

const root = resolve(import.meta.dirname, '../..');
const fixture = (name: string): string => resolve(root, 'test/fixtures/budgets', name);

/** SPEC §3's canary rule, the regression default of a file without any `regression` section. */
const CANARY: RegressionRules = {
  p50: { maxIncrease: 0.1, minDelta: 1 },
  p95: { maxIncrease: 0.1, minDelta: 1 },
  p99: { maxIncrease: 0.2, minDelta: 1 },
  'error-rate': { maxIncrease: 0.5, minDelta: 0.005 },
};

describe('perf-budget.example.yml', () => {
  test('loads with PREVIEW_URL set to the exact normalised config', async () => {
    const config = await loadBudgetFile(resolve(root, 'perf-budget.example.yml'), {
      env: { PREVIEW_URL: 'http://127.0.0.1:4010' },
      maxDurationMs: 15 * 60_000,
    });
    const regression: RegressionRules = {
      p50: { maxIncrease: 0.1, minDelta: 1 },
      p95: { maxIncrease: 0.1, minDelta: 5 },
      p99: { maxIncrease: 0.2, minDelta: 10 },
      'error-rate': { maxIncrease: 0.5, minDelta: 0.005 },
    };
    const load = { connections: 8, durationMs: 3000, warmupMs: 1000, timeoutMs: 5000 };
    const headers = { accept: 'application/json' };
    const expected: Config = {
      version: 1,
      id: 'shop-api',
      file: resolve(root, 'perf-budget.example.yml'),
      target: {
        url: 'http://127.0.0.1:4010/',
        headers,
        ready: { url: 'http://127.0.0.1:4010/healthz', timeoutMs: 120_000 },
      },
      baseline: { required: false },
      confirm: true,
      endpoints: [
        {
          name: 'list products',
          method: 'GET',
          path: '/api/products?limit=20',
          url: 'http://127.0.0.1:4010/api/products?limit=20',
          headers,
          load,
          budget: { p95: 200, p99: 800, 'error-rate': 0.01 },
          regression,
          adaptive: true,
          line: 35,
        },
        {
          name: 'product detail',
          method: 'GET',
          path: '/api/products/42',
          url: 'http://127.0.0.1:4010/api/products/42',
          headers,
          load,
          budget: { p95: 100, p99: 250, 'error-rate': 0.01 },
          regression,
          adaptive: true,
          line: 39,
        },
        {
          name: 'create order',
          method: 'POST',
          path: '/api/orders',
          url: 'http://127.0.0.1:4010/api/orders',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: '{"sku":"A1","qty":1}',
          expectStatus: [201],
          load: { ...load, connections: 4 },
          budget: { p95: 300, p99: 800, 'error-rate': 0.01 },
          regression,
          adaptive: true,
          line: 43,
        },
        {
          name: 'search',
          method: 'GET',
          path: '/api/search?q=shoe',
          url: 'http://127.0.0.1:4010/api/search?q=shoe',
          headers,
          load,
          budget: { p95: 150, p99: 800, 'error-rate': 0.01 },
          regression,
          adaptive: true,
          line: 50,
        },
      ],
      secrets: [],
    };
    expect(config).toEqual(expected);
  });

  test('keeps the demo short: about 20 s of load with warmups, 16 s before any re-measure', async () => {
    const config = await loadBudgetFile(resolve(root, 'perf-budget.example.yml'), {
      env: { PREVIEW_URL: 'http://127.0.0.1:4010' },
    });
    const total = config.endpoints.reduce((s, e) => s + e.load.warmupMs + e.load.durationMs, 0);
    expect(total).toBe(16_000);
  });
});

describe('the SPEC §3 budget file', () => {
  test('loads to the exact normalised config', async () => {
    const file = fixture('spec-example.yml');
    const config = await loadBudgetFile(file, {
      env: { PREVIEW_URL: 'http://127.0.0.1:4010', API_TOKEN: 'tok-123456' },
    });
    const regression: RegressionRules = {
      p50: { maxIncrease: 0.1, minDelta: 1 },
      p95: { maxIncrease: 0.1, minDelta: 5 },
      'error-rate': { maxIncrease: 0.5, minDelta: 0.005 },
    };
    const load = { connections: 10, durationMs: 30_000, warmupMs: 5000, timeoutMs: 10_000 };
    const auth = { authorization: 'Bearer tok-123456' };
    const expected: Config = {
      version: 1,
      id: 'api',
      file,
      target: {
        url: 'http://127.0.0.1:4010/',
        headers: auth,
        ready: { url: 'http://127.0.0.1:4010/healthz', timeoutMs: 300_000 },
      },
      baseline: {
        cloudwatch: {
          region: 'us-east-1',
          namespace: 'PerfGate',
          unit: 'ms',
          dimensions: { Service: 'checkout' },
          lookbackMs: 14 * 86_400_000,
          periodMs: 3_600_000,
        },
        required: false,
      },
      confirm: true,
      endpoints: [
        {
          name: 'list products',
          method: 'GET',
          path: '/api/products?limit=20',
          url: 'http://127.0.0.1:4010/api/products?limit=20',
          headers: auth,
          load,
          budget: { p95: 200, p99: 800, 'error-rate': 0.01 },
          regression,
          adaptive: true,
          line: 24,
        },
        {
          name: 'create order',
          method: 'POST',
          path: '/api/orders',
          url: 'http://127.0.0.1:4010/api/orders',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{"sku":"A1","qty":1}',
          expectStatus: [201],
          load: { ...load, connections: 4 },
          budget: { p95: 300, p99: 800, 'error-rate': 0.01 },
          regression,
          adaptive: true,
          line: 27,
        },
        {
          name: 'search (from ALB metrics)',
          method: 'GET',
          path: '/api/search?q=shoe',
          url: 'http://127.0.0.1:4010/api/search?q=shoe',
          headers: auth,
          load,
          budget: { p95: 300, p99: 800, 'error-rate': 0.01 },
          regression,
          cloudwatch: {
            region: 'us-east-1',
            namespace: 'AWS/ApplicationELB',
            metric: 'TargetResponseTime',
            unit: 's',
            dimensions: { LoadBalancer: 'app/shop/123', TargetGroup: 'targetgroup/search/456' },
            lookbackMs: 14 * 86_400_000,
            periodMs: 3_600_000,
          },
          adaptive: true,
          line: 34,
        },
      ],
      secrets: ['tok-123456'],
    };
    expect(config).toEqual(expected);
  });
});

describe('a file using every key', () => {
  test('loads to the exact normalised config', async () => {
    const file = fixture('everything.yml');
    const config = await loadBudgetFile(file, {
      env: { PR: '1234', API_KEY: 'k-abcdef', STAGE: 'pr' },
    });
    const targetHeaders = { 'x-api-key': 'k-abcdef', 'x-literal': '${NOT_A_VAR}', 'x-build': '42' };
    const budget = {
      p50: 0.8,
      p75: 100,
      p90: 50,
      'p99.9': 2000,
      mean: 40,
      max: 5000,
      'min-rps': 150.5,
    };
    const defaultRegression: RegressionRules = {
      'p99.9': { maxIncrease: 1.5, minDelta: 1 },
      mean: { maxIncrease: 0.05, minDelta: 1 },
      max: { maxIncrease: 0, minDelta: 50 },
      'error-rate': { maxIncrease: 0.25, minDelta: 0.005 },
    };
    const load = {
      connections: 20,
      durationMs: 60_000,
      minDurationMs: 8_000,
      warmupMs: 0,
      timeoutMs: 2500,
      rate: 200,
    };
    const fileCloudWatch = {
      region: 'eu-west-1',
      namespace: 'PerfGate',
      unit: 'ms' as const,
      dimensions: { Service: 'checkout', Stage: 'pr' },
      lookbackMs: 14 * 86_400_000,
      periodMs: 3_600_000,
    };
    const expected: Config = {
      version: 1,
      id: 'checkout.v2',
      file,
      target: {
        url: 'https://preview-1234.example.com/app/?region=eu',
        headers: targetHeaders,
        ready: {
          url: 'https://preview-1234.example.com/app/healthz?region=eu',
          timeoutMs: 300_000,
        },
      },
      baseline: { cloudwatch: fileCloudWatch, required: true },
      confirm: false,
      endpoints: [
        {
          name: 'cart',
          method: 'PUT',
          path: '/cart/items?sku=A1',
          url: 'https://preview-1234.example.com/app/cart/items?sku=A1&region=eu',
          headers: { ...targetHeaders, 'x-api-key': 'endpoint-key', 'content-type': 'text/plain' },
          body: 'sku=A1&qty=${qty}',
          expectStatus: [200, 204],
          load: { ...load, rate: 50, durationMs: 10_000 },
          budget: { ...budget, p50: 1.5, 'error-rate': 0.005 },
          regression: {
            ...defaultRegression,
            p50: { maxIncrease: 0.05, minDelta: 0.25 },
            'error-rate': { maxIncrease: 1, minDelta: 0.01 },
          },
          adaptive: true,
          line: 28,
        },
        {
          name: 'same-origin absolute path',
          method: 'GET',
          path: 'https://preview-1234.example.com/app/other',
          url: 'https://preview-1234.example.com/app/other',
          headers: targetHeaders,
          load,
          budget,
          regression: false,
          cloudwatch: { ...fileCloudWatch, lookbackMs: 2 * 86_400_000, periodMs: 300_000 },
          adaptive: false,
          line: 38,
        },
        {
          name: 'GET /list',
          method: 'GET',
          path: '/list',
          url: 'https://preview-1234.example.com/app/list?region=eu',
          headers: { ...targetHeaders, 'content-type': 'application/json' },
          body: '[1,2,3]',
          load,
          budget,
          regression: defaultRegression,
          cloudwatch: {
            region: 'us-east-2',
            namespace: 'AWS/ApiGateway',
            metric: 'Latency',
            unit: 'ms',
            dimensions: { ApiName: 'shop' },
            lookbackMs: 14 * 86_400_000,
            periodMs: 3_600_000,
          },
          adaptive: false,
          line: 43,
        },
      ],
      secrets: ['1234', 'k-abcdef'],
    };
    expect(config).toEqual(expected);
  });
});

describe('defaults and merging', () => {
  const minimal = 'version: 1\ntarget:\n  url: http://127.0.0.1:8080\nendpoints:\n  - path: /a\n';
  const endpoint = (yaml: string, options = {}): EndpointConfig =>
    parseBudget(yaml, 'b.yml', { env: {}, ...options }).endpoints[0]!;

  test('a minimal file gets every default', () => {
    expect(parseBudget(minimal, 'b.yml', { env: {} })).toEqual({
      version: 1,
      id: 'default',
      file: 'b.yml',
      target: { url: 'http://127.0.0.1:8080/', headers: {} },
      baseline: { required: false },
      confirm: true,
      endpoints: [
        {
          name: 'GET /a',
          method: 'GET',
          path: '/a',
          url: 'http://127.0.0.1:8080/a',
          headers: {},
          load: { connections: 10, durationMs: 30_000, warmupMs: 5000, timeoutMs: 10_000 },
          budget: {},
          regression: CANARY,
          adaptive: true,
          line: 5,
        },
      ],
      secrets: [],
    });
  });

  test('endpoint values override defaults key by key', () => {
    const e = endpoint(
      'version: 1\ntarget: { url: "http://127.0.0.1:8080" }\n' +
        'defaults:\n  load: { connections: 3, duration: 2s }\n  budget: { p95: 300ms, p99: 1s }\n' +
        'endpoints:\n  - path: /a\n    load: { duration: 1s }\n    budget: { p99: 900ms, max: 2s }\n',
    );
    expect(e.load).toEqual({ connections: 3, durationMs: 1000, warmupMs: 5000, timeoutMs: 10_000 });
    expect(e.budget).toEqual({ p95: 300, p99: 900, max: 2000 });
  });

  test('an endpoint rule adds to the canary rule when the file has no defaults.regression', () => {
    const e = endpoint(minimal + '    regression: { p95: 5%, mean: { min-delta: 2ms } }\n');
    expect(e.regression).toEqual({
      ...CANARY,
      p95: { maxIncrease: 0.05, minDelta: 1 },
      mean: { maxIncrease: 0, minDelta: 2 },
    });
  });

  test('defaults.regression replaces the canary rule', () => {
    const e = endpoint(
      'version: 1\ntarget: { url: "http://127.0.0.1:8080" }\ndefaults:\n  regression: { p99: 30% }\nendpoints:\n  - path: /a\n',
    );
    expect(e.regression).toEqual({ p99: { maxIncrease: 0.3, minDelta: 1 } });
  });

  test('regression: false turns comparison off for one endpoint only', () => {
    const config = parseBudget(minimal + '    regression: false\n  - path: /b\n', 'b.yml', {
      env: {},
    });
    expect(config.endpoints.map((e) => e.regression)).toEqual([false, CANARY]);
  });

  test('method is upper-cased and header names lower-cased', () => {
    const e = endpoint(minimal + '    method: delete\n    headers: { X-Trace-ID: abc }\n');
    expect(e.method).toBe('DELETE');
    expect(e.headers).toEqual({ 'x-trace-id': 'abc' });
  });

  test('an object body keeps an explicit content-type; a text body gets none added', () => {
    const json = endpoint(
      minimal +
        '    method: POST\n    headers: { Content-Type: application/vnd.api+json }\n    body: { a: [1, "x"] }\n',
    );
    expect(json.body).toBe('{"a":[1,"x"]}');
    expect(json.headers).toEqual({ 'content-type': 'application/vnd.api+json' });
    const text = endpoint(
      minimal + '    method: POST\n    body: |\n      line one\n      line two\n',
    );
    expect(text.body).toBe('line one\nline two\n');
    expect(text.headers).toEqual({});
  });

  test('load time within max-duration passes, side by side counted twice', () => {
    const yaml =
      'version: 1\ntarget: { url: "http://127.0.0.1:8080" }\ndefaults:\n  load: { duration: 20s, warmup: 5s }\nendpoints:\n  - path: /a\n  - path: /b\n';
    expect(() => parseBudget(yaml, 'b.yml', { env: {}, maxDurationMs: 50_000 })).not.toThrow();
    expect(() =>
      parseBudget(yaml, 'b.yml', { env: {}, maxDurationMs: 50_000, sideBySide: true }),
    ).toThrow('the endpoints ask for 1m 40s of load');
    expect(() =>
      parseBudget(yaml, 'b.yml', { env: {}, maxDurationMs: 100_000, sideBySide: true }),
    ).not.toThrow();
  });
});
