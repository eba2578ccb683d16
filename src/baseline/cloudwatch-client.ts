import type { CloudWatchClient, CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';

/**
 * Opening a CloudWatch client. The SDK is loaded here, on first use, so a run without
 * CloudWatch never pays for loading it. Region, endpoint (`AWS_ENDPOINT_URL_CLOUDWATCH`) and
 * credentials come from the SDK's standard environment and default provider chain.
 */

export type CloudWatchSdk = typeof import('@aws-sdk/client-cloudwatch');

/** Overrides for tests and unusual set-ups; production passes none. */
export interface CloudWatchClientOptions {
  /** Endpoint URL; default: the SDK's own resolution (AWS_ENDPOINT_URL_CLOUDWATCH, then AWS). */
  endpoint?: string;
  /** Attempts per call, retries included. Default 5 (AWS_MAX_ATTEMPTS wins when set). */
  maxAttempts?: number;
  /** A retry strategy instead of the SDK's standard one (tests use one with tiny delays). */
  retryStrategy?: CloudWatchClientConfig['retryStrategy'];
  credentials?: CloudWatchClientConfig['credentials'];
}

/**
 * Throttling backs off from 1 s doubling (SDK standard mode): five attempts wait up to ~15 s in
 * all, long enough to ride out a burst, short enough not to stall a CI job.
 */
const DEFAULT_MAX_ATTEMPTS = 5;

export async function openCloudWatch(
  region: string | undefined,
  options: CloudWatchClientOptions = {},
): Promise<{ sdk: CloudWatchSdk; client: CloudWatchClient }> {
  const sdk = await import('@aws-sdk/client-cloudwatch');
  const config: CloudWatchClientConfig = {
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
  };
  if (region) config.region = region;
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  else if (!process.env.AWS_MAX_ATTEMPTS) config.maxAttempts = DEFAULT_MAX_ATTEMPTS;
  if (options.retryStrategy) config.retryStrategy = options.retryStrategy;
  if (options.credentials) config.credentials = options.credentials;
  return { sdk, client: new sdk.CloudWatchClient(config) };
}
