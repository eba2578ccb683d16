/**
 * CloudWatch failures a user can act on, each with a message that says what happened and how
 * to fix it. Everything the AWS SDK throws passes through `toCloudWatchError`, so callers deal
 * with one type and never with SDK internals.
 */

export type CloudWatchOperationName = 'GetMetricData' | 'PutMetricData';

export type CloudWatchErrorKind =
  /** No credentials in the default provider chain. */
  | 'credentials'
  /** No region configured anywhere. */
  | 'region'
  /** IAM refused the call. */
  | 'access-denied'
  /** Throttled on every attempt the SDK made. */
  | 'throttled'
  /** The service rejected the request's content (namespace, dimensions, ...). */
  | 'invalid-request'
  /** The budget file's CloudWatch settings cannot be used as they are. */
  | 'config'
  /** The endpoint could not be reached (DNS, connection refused, timeout). */
  | 'unreachable'
  /** Anything else the service answered. */
  | 'service';

export class CloudWatchError extends Error {
  override readonly name = 'CloudWatchError';
  constructor(
    readonly kind: CloudWatchErrorKind,
    message: string,
    readonly operation?: CloudWatchOperationName,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the user can remove or change to stop calling CloudWatch, per operation. */
const WAY_OUT: Record<CloudWatchOperationName, string> = {
  GetMetricData: 'remove baseline.cloudwatch from the budget file',
  PutMetricData: 'set the publish input to false',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

export function toCloudWatchError(
  error: unknown,
  operation: CloudWatchOperationName,
): CloudWatchError {
  if (error instanceof CloudWatchError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const detail = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
    return new CloudWatchError(
      'credentials',
      `CloudWatch ${operation}: no AWS credentials found (${detail}). Add aws-actions/configure-aws-credentials before this step, or ${WAY_OUT[operation]}.`,
      operation,
      { cause: error },
    );
  }
  if (/Region is missing/i.test(detail)) {
    return new CloudWatchError(
      'region',
      `CloudWatch ${operation}: no AWS region. Set baseline.cloudwatch.region in the budget file, or aws-region in aws-actions/configure-aws-credentials (it sets AWS_REGION).`,
      operation,
      { cause: error },
    );
  }
  if (/^AccessDenied(Exception)?$/.test(name) || /not authorized to perform/i.test(detail)) {
    return new CloudWatchError(
      'access-denied',
      `CloudWatch denied ${operation}: ${detail}. Allow the IAM action cloudwatch:${operation} for the role this job assumes (docs/cloudwatch.md has a least-privilege policy), or ${WAY_OUT[operation]}.`,
      operation,
      { cause: error },
    );
  }
  if (
    /^(Throttling|ThrottlingException|TooManyRequestsException|RequestLimitExceeded)$/.test(name) ||
    status === 429
  ) {
    const tries = attempts ? ` on all ${attempts} attempts` : '';
    return new CloudWatchError(
      'throttled',
      `CloudWatch throttled ${operation}${tries} (${detail}). Re-run the job later, or ask AWS to raise the ${operation} request-rate quota for this account and region.`,
      operation,
      { cause: error },
    );
  }
  // The SDK may hand a socket error over wrapped, with its code left only in the message.
  const code =
    e.code ?? [...NETWORK_CODES].find((c) => new RegExp(`\\b${c}\\b`).test(detail)) ?? '';
  if (NETWORK_CODES.has(code) || name === 'TimeoutError') {
    return new CloudWatchError(
      'unreachable',
      `could not reach CloudWatch for ${operation} (${code || name}: ${detail}). Check the network, the region, and AWS_ENDPOINT_URL_CLOUDWATCH if it is set.`,
      operation,
      { cause: error },
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new CloudWatchError(
      'invalid-request',
      `CloudWatch rejected ${operation}: ${name}: ${detail}`,
      operation,
      { cause: error },
    );
  }
  return new CloudWatchError(
    'service',
    `CloudWatch ${operation} failed: ${name}: ${detail}`,
    operation,
    {
      cause: error,
    },
  );
}
