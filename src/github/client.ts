import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Secrets } from '../secrets/secrets.js';

/**
 * The Octokit perf-gate talks to GitHub with: @actions/github's (proxy-aware, GITHUB_API_URL),
 * plus GitHub's recommended retry and throttling plugins. Server errors are retried with the
 * retry plugin's quadratic back-off; rate limits (primary and secondary) are waited out as
 * `retry-after` / `x-ratelimit-reset` say, a bounded number of times and never longer than a cap,
 * because a CI job must not hang for an hour to post a comment.
 */

export interface GitHubLog {
  info(line: string): void;
  warning(line: string): void;
  debug(line: string): void;
}

export interface RequestTuning {
  /** Retries after a server error or a rate limit (default 3). */
  maxRetries?: number;
  /**
   * Milliseconds per unit of back-off (default 1000): the server-error back-off is
   * (retry + 1)² units, a rate-limit wait is its retry-after in seconds times this. Tests use 1.
   */
  retryAfterBaseMs?: number;
  /** Longest rate-limit wait, in seconds, perf-gate accepts before giving up (default 120). */
  maxWaitSeconds?: number;
  /**
   * GitHub asks integrations to space writes (the throttling plugin: 1 s between writes, 3 s
   * between writes that notify, per process). Default true. A run writes one comment, so only a
   * test suite writing hundreds of times in one process has a reason to turn it off.
   */
  paceWrites?: boolean;
}

export interface ClientOptions {
  token: string;
  apiUrl: string;
  log?: GitHubLog;
  tuning?: RequestTuning;
}

export interface GitHubClient {
  octokit: ReturnType<typeof getOctokit>;
  /** Requests sent so far (each retry counts). */
  attempts(): number;
}

type OctokitPlugin = NonNullable<Parameters<typeof getOctokit>[2]>;
type LimiterGroup = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;

/**
 * Stands in for the throttling plugin's write and notification groups when pacing is off: the
 * plugin only ever calls `group.key(id).schedule(options, task)`, and this runs the task at once.
 */
const unpaced = {
  key: () => ({
    schedule: <T>(_options: unknown, task: () => Promise<T>) => task(),
  }),
} as unknown as LimiterGroup;

const quiet: GitHubLog = { info: () => {}, warning: () => {}, debug: () => {} };

export function createClient(options: ClientOptions): GitHubClient {
  const log = options.log ?? quiet;
  const secrets = new Secrets([options.token]);
  const redact = (text: string): string => secrets.mask(text);
  const maxRetries = options.tuning?.maxRetries ?? 3;
  const baseMs = options.tuning?.retryAfterBaseMs ?? 1000;
  const maxWait = options.tuning?.maxWaitSeconds ?? 120;
  const pacing =
    options.tuning?.paceWrites === false ? { write: unpaced, notifications: unpaced } : {};
  let attempts = 0;

  // Registered before the retry and throttling plugins, so its hook is the innermost one and
  // sees every attempt, retries included.
  const countAttempts: OctokitPlugin = (octokit) => {
    octokit.hook.wrap('request', async (request, requestOptions) => {
      attempts++;
      // Options still hold the route template here; expand it so the log shows the real path.
      const { method, url } = octokit.request.endpoint.parse(requestOptions);
      const line = `${method} ${url}`;
      try {
        const response = await request(requestOptions);
        log.debug(redact(`GitHub API ${line} → ${response.status}`));
        return response;
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        log.debug(redact(`GitHub API ${line} → ${String(status ?? 'no answer')}`));
        throw error;
      }
    });
  };

  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const what = `${kind} on ${request.method} ${request.url}`;
      if (retryCount >= maxRetries) {
        log.warning(redact(`GitHub ${what}: giving up after ${retryCount} retries`));
        return false;
      }
      if (retryAfter > maxWait) {
        log.warning(
          redact(
            `GitHub ${what}: it lifts in ${retryAfter}s, longer than the ${maxWait}s perf-gate waits`,
          ),
        );
        return false;
      }
      log.warning(
        redact(
          `GitHub ${what}: retrying in ${retryAfter}s (retry ${retryCount + 1} of ${maxRetries})`,
        ),
      );
      return true;
    };

  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      log: {
        debug: (message: string) => log.debug(redact(message)),
        info: (message: string) => log.info(redact(message)),
        warn: (message: string) => log.warning(redact(message)),
        error: (message: string) => log.warning(redact(message)),
      },
      retry: { retries: maxRetries, retryAfterBaseValue: baseMs },
      throttle: {
        retryAfterBaseValue: baseMs,
        ...pacing,
        onRateLimit: onLimit('API rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    },
    countAttempts,
    retry,
    throttling,
  );
  return { octokit, attempts: () => attempts };
}
