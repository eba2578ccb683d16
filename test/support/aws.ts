import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { CloudWatchClientOptions } from '../../src/baseline/cloudwatch-client.js';
import { startCloudWatch, type CloudWatchServer } from '../servers/cloudwatch.js';

/**
 * The environment a runner step has after aws-actions/configure-aws-credentials, aimed at a
 * loopback CloudWatch; SDK retries with 1 ms delays so throttling tests stay fast; and a
 * loopback CloudWatch for a block of tests.
 */

const AWS_VARIABLES = [
  'AWS_ENDPOINT_URL_CLOUDWATCH',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
];

/** Sets the variables (undefined = unset) after isolating from ~/.aws and instance metadata. */
export function setAwsEnv(values: Record<string, string | undefined>): () => void {
  const saved = new Map(AWS_VARIABLES.map((k) => [k, process.env[k]]));
  for (const k of AWS_VARIABLES) delete process.env[k];
  // Nothing on this machine may leak in, and no credential lookup may leave loopback.
  process.env.AWS_CONFIG_FILE = '/nonexistent/perf-gate/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/perf-gate/aws-credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Dummy credentials and a region, endpoint from the environment only, as on a runner. */
export function runnerEnv(endpointUrl: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_CLOUDWATCH: endpointUrl,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'eu-west-1',
  };
}

/** SDK retries as in production, but 1 ms apart. */
export function fastRetries(maxAttempts = 3): CloudWatchClientOptions {
  return { maxAttempts, retryStrategy: new ConfiguredRetryStrategy(maxAttempts, 1) };
}

/**
 * A loopback CloudWatch for the tests of the enclosing describe block, with a runner's AWS
 * environment aimed at it (the endpoint from AWS_ENDPOINT_URL_CLOUDWATCH only, as on a runner).
 * Each test starts with an empty store, no recorded requests, the normal mode, the default page
 * size and percentile rule. `server` is set by `beforeAll`: read it inside tests.
 */
export function cloudWatchForBlock(): { server: CloudWatchServer } {
  const loopback = {} as { server: CloudWatchServer };
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    loopback.server = await startCloudWatch();
    restoreEnv = setAwsEnv(runnerEnv(loopback.server.url));
  });
  afterAll(async () => {
    restoreEnv?.();
    await loopback.server?.close();
  });
  beforeEach(() => {
    const { server } = loopback;
    server.store.clear();
    server.requests.length = 0;
    server.setMode({ kind: 'normal' });
    server.setPageSize(undefined);
    server.setPercentileRule('nearest-rank');
  });
  return loopback;
}
