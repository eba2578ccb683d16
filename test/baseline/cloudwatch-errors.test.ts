import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readBaselines } from '../../src/baseline/cloudwatch-read.js';
import { publishMeasurements } from '../../src/baseline/cloudwatch-publish.js';
import type { PublishInput } from '../../src/baseline/cloudwatch-publish.js';
import { CloudWatchError } from '../../src/baseline/cloudwatch-errors.js';
import { startCloudWatch } from '../servers/cloudwatch.js';
import { refusedPort } from '../servers/ports.js';
import type { CloudWatchServer } from '../servers/cloudwatch.js';
import { fastRetries, runnerEnv, setAwsEnv } from '../support/aws.js';
import { HOUR, cloudWatchConfig, endpointConfig, lognormalHistogram } from './fixtures.js';
import { measurementOfHistogram } from '../support/measurements.js';

/** What each failure a user can cause looks like once it reaches perf-gate. */

const now = new Date();

function readInput() {
  return {
    gateId: 'api',
    endpoints: [endpointConfig('list')],
    fileConfig: cloudWatchConfig(),
    now,
  };
}

function publishInput(): PublishInput {
  return {
    gateId: 'api',
    dimensions: { Service: 'checkout' },
    endpoints: [
      { name: 'list', measurement: measurementOfHistogram(lognormalHistogram(3, 200, 20, 0.3)) },
    ],
    timestamp: new Date(now.getTime() - HOUR),
  };
}

async function failure(promise: Promise<unknown>): Promise<CloudWatchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CloudWatchError);
    return error as CloudWatchError;
  }
  throw new Error('expected a CloudWatchError, but the call succeeded');
}

describe('CloudWatch errors a user can act on', () => {
  let cw: CloudWatchServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    cw = await startCloudWatch();
  });
  afterAll(async () => {
    await cw.close();
  });
  beforeEach(() => {
    restoreEnv = setAwsEnv(runnerEnv(cw.url));
    cw.store.clear();
    cw.requests.length = 0;
    cw.setMode({ kind: 'normal' });
  });
  afterEach(() => restoreEnv());

  test('AccessDenied on GetMetricData names the IAM action to allow', async () => {
    cw.setMode({ kind: 'access-denied' });
    const e = await failure(readBaselines(readInput(), fastRetries()));
    expect(e.kind).toBe('access-denied');
    expect(e.operation).toBe('GetMetricData');
    expect(e.message).toContain('Allow the IAM action cloudwatch:GetMetricData');
    // The service's own explanation (which principal, which policy) is kept.
    expect(e.message).toContain('is not authorized to perform: cloudwatch:GetMetricData');
    expect(e.message).toContain('remove baseline.cloudwatch');
    // Access denied is not retried.
    expect(cw.requests).toHaveLength(1);
    expect(cw.requests[0].errorCode).toBe('AccessDenied');
  });

  test('AccessDenied on PutMetricData names cloudwatch:PutMetricData', async () => {
    cw.setMode({ kind: 'access-denied', operations: ['PutMetricData'] });
    const e = await failure(publishMeasurements(publishInput(), fastRetries()));
    expect(e).toMatchObject({ kind: 'access-denied', operation: 'PutMetricData' });
    expect(e.message).toContain('Allow the IAM action cloudwatch:PutMetricData');
    expect(e.message).toContain('set the publish input to false');
  });

  test('throttling is retried by the SDK and then succeeds', async () => {
    await publishMeasurements(publishInput(), fastRetries());
    cw.requests.length = 0;
    cw.setMode({ kind: 'throttle', times: 2 });
    const baselines = await readBaselines(readInput(), fastRetries(3));
    expect(baselines.get('list')).toMatchObject({ kind: 'cloudwatch' });
    expect(cw.requests.map((r) => r.errorCode ?? r.status)).toEqual([
      'Throttling',
      'Throttling',
      200,
    ]);
    expect(cw.requests.map((r) => r.headers['amz-sdk-request'])).toEqual([
      'attempt=1; max=3',
      'attempt=2; max=3',
      'attempt=3; max=3',
    ]);
  });

  test('throttling beyond the retries is a clear error after exactly maxAttempts calls', async () => {
    cw.setMode({ kind: 'throttle' });
    const e = await failure(readBaselines(readInput(), fastRetries(4)));
    expect(e.kind).toBe('throttled');
    expect(e.message).toBe(
      'CloudWatch throttled GetMetricData on all 4 attempts (Rate exceeded). Re-run the job later, or ask AWS to raise the GetMetricData request-rate quota for this account and region.',
    );
    expect(cw.requests).toHaveLength(4);
  });

  test('no credentials: says to add aws-actions/configure-aws-credentials, and sends nothing', async () => {
    restoreEnv();
    restoreEnv = setAwsEnv({ AWS_ENDPOINT_URL_CLOUDWATCH: cw.url, AWS_REGION: 'eu-west-1' });
    const e = await failure(readBaselines(readInput(), fastRetries()));
    expect(e.kind).toBe('credentials');
    expect(e.message).toMatch(
      /^CloudWatch GetMetricData: no AWS credentials found \(.+\)\. Add aws-actions\/configure-aws-credentials before this step, or remove baseline\.cloudwatch from the budget file\.$/,
    );
    const p = await failure(publishMeasurements(publishInput(), fastRetries()));
    expect(p.message).toContain(
      'Add aws-actions/configure-aws-credentials before this step, or set the publish input to false',
    );
    expect(cw.requests).toHaveLength(0);
  });

  test('no region: says where to set one', async () => {
    restoreEnv();
    restoreEnv = setAwsEnv({ ...runnerEnv(cw.url), AWS_REGION: undefined });
    const e = await failure(readBaselines(readInput(), fastRetries()));
    expect(e.kind).toBe('region');
    expect(e.message).toContain('Set baseline.cloudwatch.region in the budget file');
    // The budget file's region is enough on its own.
    const withRegion = { ...readInput(), fileConfig: cloudWatchConfig({ region: 'us-east-1' }) };
    await readBaselines(withRegion, fastRetries());
    expect(cw.requests.at(-1)?.region).toBe('us-east-1');
  });

  test('an unreachable endpoint is reported with what to check', async () => {
    const port = await refusedPort();
    const e = await failure(
      readBaselines(readInput(), { ...fastRetries(2), endpoint: `http://127.0.0.1:${port}` }),
    );
    expect(e.kind).toBe('unreachable');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('AWS_ENDPOINT_URL_CLOUDWATCH');
  });

  test('a request the service rejects is reported with its code, not retried', async () => {
    // A namespace under AWS/ is reserved for AWS's own metrics.
    const e = await failure(
      publishMeasurements({ ...publishInput(), namespace: 'AWS/Mine' }, fastRetries()),
    );
    expect(e.kind).toBe('invalid-request');
    expect(e.message).toContain('InvalidParameterValueException');
    expect(e.message).toContain('Namespace');
    expect(cw.requests).toHaveLength(1);
  });
});
