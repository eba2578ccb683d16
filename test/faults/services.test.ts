import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { validateReport } from '../../src/report/validate.js';
import { runAction, type ActionRunOptions } from '../e2e/action-runner.js';
import { startCloudWatch, type CloudWatchMode } from '../servers/cloudwatch.js';
import { startGitHub, type GitHubMode } from '../servers/github.js';
import { startTarget, type Target } from '../servers/target.js';
import { budgetText, reportOf, visible } from './budget-text.js';

/**
 * The services around a run failing: GitHub answering 5xx, 403 or 404 to the comment, and
 * CloudWatch throttling longer than the SDK retries, for reading baselines and for publishing.
 * The verdict never depends on the comment; a baseline or publish that cannot be done fails the
 * run with a message naming CloudWatch. Each case gets its own loopback services (their failure
 * modes are per server), so the cases run side by side.
 */

const TOKEN = 'ghs_faultsToken0123456789';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

const passing = (path: string, lines: string[] = []) =>
  budgetText({ url: target.url, id: 'svc', budget: '{ p50: 5s }', endpoints: [{ path }], lines });

async function withGitHub(mode: GitHubMode, path: string) {
  const github = await startGitHub();
  try {
    github.setMode(mode);
    const run = await runAction({
      inputs: { 'github-token': TOKEN },
      env: { GITHUB_API_URL: github.url },
      files: { 'perf-budget.yml': passing(path) },
    });
    return { run, comments: github.comments('acme', 'shop', 7), requests: [...github.requests] };
  } finally {
    await github.close();
  }
}

describe('GitHub', () => {
  test.concurrent('5xx, then success: the comment is written after a retry', async () => {
    const { run, comments, requests } = await withGitHub(
      { kind: 'server-error', times: 1 },
      '/fixed/1?gh=5xx',
    );
    expect(run.code).toBe(0);
    expect(comments).toHaveLength(1);
    expect(run.outputs['comment-url']).toBe(comments[0]!.html_url);
    // The comment's own requests (the pull request's labels are read as well, for acceptances).
    expect(
      requests.filter((q) => q.path.includes('/comments')).map((q) => `${q.method} ${q.status}`),
    ).toEqual(['GET 502', 'GET 200', 'POST 201']);
    expect(visible(run.stdout)).not.toContain(TOKEN);
  });

  test.concurrent(
    '403 (a read-only token) and 404 (a repository the token cannot see): warn, summary, verdict kept',
    async () => {
      const [forbidden, missing] = await Promise.all([
        withGitHub({ kind: 'read-only' }, '/fixed/1?gh=403'),
        withGitHub({ kind: 'not-found' }, '/fixed/1?gh=404'),
      ]);
      for (const { run, comments } of [forbidden, missing]) {
        expect(run.code).toBe(0);
        expect(run.outputs.passed).toBe('true');
        expect(run.outputs['comment-url']).toBeUndefined();
        expect(comments).toHaveLength(0);
        expect(run.summary).toMatch(/✅/);
        expect(validateReport(reportOf(run)).valid).toBe(true);
        expect(visible(run.stdout)).not.toContain(TOKEN);
      }
      expect(forbidden.run.stdout).toMatch(/::warning::.*(read-only|workflow_run)/);
      expect(missing.run.stdout).toMatch(/::warning::.*(404|not found|cannot see)/i);
    },
  );
});

describe('CloudWatch throttling longer than the retries', () => {
  async function withCloudWatch(
    mode: CloudWatchMode,
    extra: ActionRunOptions & { budget: string },
  ) {
    const cloudwatch = await startCloudWatch();
    try {
      cloudwatch.setMode(mode);
      const run = await runAction({
        ...extra,
        inputs: { comment: 'never', ...extra.inputs },
        env: {
          AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          AWS_REGION: 'us-east-1',
          AWS_MAX_ATTEMPTS: '2',
          // Nothing of this machine's AWS set-up may be used, and no credential lookup may leave it.
          AWS_CONFIG_FILE: '/nonexistent/perf-gate/aws-config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/perf-gate/aws-credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        files: { 'perf-budget.yml': extra.budget },
      });
      return { run, requests: [...cloudwatch.requests] };
    } finally {
      await cloudwatch.close();
    }
  }

  test.concurrent(
    'reading baselines: fails before any load, naming CloudWatch and the attempts',
    async () => {
      const before = target.hits('/fixed/2');
      const { run, requests } = await withCloudWatch(
        { kind: 'throttle', operations: ['GetMetricData'] },
        {
          budget: passing('/fixed/2', [
            'baseline:',
            '  cloudwatch: { dimensions: { Service: shop } }',
          ]),
        },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /::error::perf-gate could not measure: CloudWatch throttled GetMetricData on all 2 attempts/,
      );
      expect(requests.map((q) => `${q.operation} ${q.errorCode}`)).toEqual([
        'GetMetricData Throttling',
        'GetMetricData Throttling',
      ]);
      expect(target.hits('/fixed/2')).toBe(before);
      expect(run.summary).toMatch(/CloudWatch throttled GetMetricData/);
      const report = reportOf(run)!;
      expect(validateReport(report).valid).toBe(true);
      expect(report.summary.passed).toBe(false);
      expect(run.outputs.passed).toBe('false');
    },
  );

  test.concurrent(
    'publishing: the measured run fails with the reason, its report and summary still written',
    async () => {
      const { run, requests } = await withCloudWatch(
        { kind: 'throttle', operations: ['PutMetricData'] },
        { budget: passing('/fixed/3'), inputs: { publish: 'true' } },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::.*CloudWatch throttled PutMetricData on all 2 attempts/);
      expect(requests.filter((q) => q.operation === 'PutMetricData')).toHaveLength(2);
      const report = reportOf(run)!;
      expect(validateReport(report).valid).toBe(true);
      expect(report.endpoints[0]!.measurement.requests).toBeGreaterThan(0);
      expect(report.summary.errors?.[0]?.message).toMatch(/PutMetricData/);
      expect(run.outputs.passed).toBe('false');
      expect(run.summary.length).toBeGreaterThan(0);
    },
  );
});
