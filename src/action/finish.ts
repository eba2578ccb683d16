import * as core from '@actions/core';
import { mkdir } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { shouldFail } from '../evaluate/fail-on.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report } from '../report/report.js';
import { escapesRoots, writeFileNoFollow } from '../report/write-file.js';
import { CommentError } from '../github/errors.js';
import { publishComment } from '../github/comment.js';
import type { Settings } from './settings.js';
import { actionLog } from './log.js';

/**
 * Everything a person sees once there is a report: the JSON file, the job summary, annotations
 * on the budget file, the sticky comment, the step's outputs and its verdict. Each part is tried
 * on its own, so a failed comment never loses the summary or the verdict.
 */

export async function writeReportFile(
  report: Report,
  path: string,
  roots: readonly string[],
): Promise<boolean> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const elsewhere = await escapesRoots(path, roots);
    if (elsewhere !== undefined) {
      throw new Error(
        `its folder is ${elsewhere} once symlinks are followed, outside the workspace and RUNNER_TEMP (input report-file)`,
      );
    }
    await writeFileNoFollow(path, `${JSON.stringify(report, null, 2)}\n`);
    core.info(`Report written to ${path}`);
    return true;
  } catch (error) {
    core.warning(`Could not write the report to ${path}: ${(error as Error).message}`);
    return false;
  }
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`);
  }
}

/** One annotation per endpoint with a breach, on its line of the budget file. */
export function annotate(report: Report, settings: Settings): void {
  const file = relative(settings.github.workspace, report.config.file) || report.config.file;
  for (const endpoint of report.endpoints) {
    const failing = endpoint.findings.filter((f) => f.breaches.length > 0);
    if (failing.length === 0) continue;
    const fails = failing.some((f) => f.breaches.some((b) => settings.failOn[b]));
    const message = `${endpoint.name}: ${failing.map((f) => f.reason).join('; ')}`;
    const properties = {
      title: `perf-gate: ${endpoint.name}`,
      file,
      startLine: endpoint.line > 0 ? endpoint.line : undefined,
    };
    if (fails) core.error(message, properties);
    else core.warning(message, properties);
  }
  for (const error of report.summary.errors ?? [])
    core.error(error.message, { title: 'perf-gate' });
}

async function comment(
  report: Report,
  markdown: string,
  settings: Settings,
): Promise<string | undefined> {
  const { repository, eventName } = settings.github;
  if (settings.comment === 'never') return undefined;
  if (settings.prNumber === undefined || !repository) {
    if (eventName === 'pull_request' || eventName === 'pull_request_target') {
      core.warning('No pull request number in the event: not commenting.');
    } else {
      core.debug(`No pull request for a ${eventName || 'local'} run: not commenting.`);
    }
    return undefined;
  }
  if (!settings.githubToken) {
    core.warning(
      'The github-token input is empty: not commenting. The job summary has the results.',
    );
    return undefined;
  }
  try {
    const result = await publishComment({
      token: settings.githubToken,
      apiUrl: settings.github.apiUrl,
      repository,
      issueNumber: settings.prNumber,
      gateId: report.gateId,
      body: markdown,
      mode: settings.comment,
      passed: report.summary.passed,
      log: { info: actionLog.info, warning: core.warning, debug: core.debug },
    });
    if (result.action === 'skipped') return undefined;
    core.info(`Pull request comment ${result.action}: ${result.url}`);
    return result.url;
  } catch (error) {
    if (error instanceof CommentError) {
      core.warning(error.message);
      return undefined;
    }
    throw error;
  }
}

/** Reports, comments, sets outputs and the step's verdict. */
export async function finish(
  report: Report,
  settings: Settings,
  options: { writeReport: boolean },
): Promise<void> {
  const markdown = renderMarkdown(report, {
    fullReportHint: `the JSON report (${settings.reportFile}) and this run's job summary`,
  });
  let reportWritten = false;
  if (options.writeReport)
    reportWritten = await writeReportFile(report, settings.reportFile, [
      settings.github.workspace,
      settings.github.runnerTemp,
    ]);
  await writeSummary(markdown);
  annotate(report, settings);
  const commentUrl = await comment(report, markdown, settings);

  const { summary } = report;
  core.setOutput('passed', String(summary.passed));
  if (reportWritten || !options.writeReport) {
    core.setOutput(
      'report-file',
      options.writeReport ? settings.reportFile : (settings.report ?? ''),
    );
  }
  core.setOutput('violations', String(summary.violations));
  core.setOutput('regressions', String(summary.regressions));
  if (commentUrl) core.setOutput('comment-url', commentUrl);

  const parts = [
    `${summary.endpoints} endpoint(s)`,
    `${summary.violations} budget violation(s)`,
    `${summary.regressions} regression(s)`,
  ];
  if (summary.cancelled) {
    core.setFailed(
      `perf-gate was cancelled; the partial results are in the job summary${reportWritten ? ' and the report' : ''}.`,
    );
  } else if (summary.errors?.length) {
    core.setFailed(
      `perf-gate could not measure: ${summary.errors.map((e) => e.message).join('; ')}`,
    );
  } else if (shouldFail(summary, settings.failOn)) {
    core.setFailed(`perf-gate failed: ${parts.join(', ')}.`);
  } else {
    core.info(
      `perf-gate ${summary.passed ? 'passed' : 'reported findings (not failing: fail-on)'}: ${parts.join(', ')}.`,
    );
  }
}
