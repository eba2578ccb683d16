import * as core from '@actions/core';
import { mkdir } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { shouldFail } from '../evaluate/fail-on.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report } from '../report/report.js';
import { budgetsOnly } from '../report/checks.js';
import { renderTable } from '../report/table.js';
import { escapesRoots, writeFileNoFollow } from '../report/write-file.js';
import { CommentError } from '../github/errors.js';
import { publishComment, publishFound } from '../github/comment.js';
import { renderAcceptance } from '../report/acceptance.js';
import { renderRatchet } from '../report/ratchet.js';
import { ratchetSuggestions } from '../evaluate/ratchet.js';
import { acceptOnPullRequest, type PullRequestState } from './acceptance.js';
import type { Settings } from './settings.js';
import { log } from './log.js';
import { registry } from '../secrets/secrets.js';

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
  return writeContained(path, `${JSON.stringify(report, null, 2)}\n`, roots, {
    input: 'report-file',
    what: 'report',
  });
}

/** The self-contained HTML report (report/html.ts), under the same rules as the JSON report. */
export async function writeHtmlReport(
  report: Report,
  path: string,
  roots: readonly string[],
): Promise<boolean> {
  return writeContained(path, registry.mask(renderHtml(report)), roots, {
    input: 'html-report',
    what: 'HTML report',
  });
}

/** Writes inside `roots` only, never through a symlink; a failure is a warning, not the end. */
async function writeContained(
  path: string,
  text: string,
  roots: readonly string[],
  names: { input: string; what: string },
): Promise<boolean> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const elsewhere = await escapesRoots(path, roots);
    if (elsewhere !== undefined) {
      throw new Error(
        `its folder is ${elsewhere} once symlinks are followed, outside the workspace and RUNNER_TEMP (input ${names.input})`,
      );
    }
    await writeFileNoFollow(path, text);
    log.info(`${names.what === 'report' ? 'Report' : 'HTML report'} written to ${path}`);
    return true;
  } catch (error) {
    log.warning(`Could not write the ${names.what} to ${path}: ${(error as Error).message}`);
    return false;
  }
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(registry.mask(markdown), true).write();
  } catch (error) {
    log.warning(`Could not write the job summary: ${(error as Error).message}`);
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
    if (fails) log.error(message, properties);
    else log.warning(message, properties);
  }
  for (const error of report.summary.errors ?? []) log.error(error.message, { title: 'perf-gate' });
  for (const endpoint of report.endpoints) {
    const accepted = endpoint.findings.filter((f) => f.acceptance);
    if (accepted.length === 0) continue;
    const who = accepted[0]!.acceptance!;
    log.notice(
      `${endpoint.name}: ${accepted.map((f) => f.metric).join(', ')} accepted by @${who.by} (${who.via}, ${who.at.slice(0, 10)})${who.reason ? `: ${who.reason}` : ''}`,
      {
        title: `perf-gate: ${endpoint.name}`,
        file,
        startLine: endpoint.line > 0 ? endpoint.line : undefined,
      },
    );
  }
}

async function comment(
  report: Report,
  markdown: string,
  settings: Settings,
  pr?: PullRequestState,
): Promise<string | undefined> {
  const { repository, eventName } = settings.github;
  if (settings.comment === 'never') return undefined;
  if (settings.prNumber === undefined || !repository) {
    if (eventName === 'pull_request' || eventName === 'pull_request_target') {
      log.warning('No pull request number in the event: not commenting.');
    } else {
      log.debug(`No pull request for a ${eventName || 'local'} run: not commenting.`);
    }
    return undefined;
  }
  if (!settings.githubToken) {
    log.warning(
      'The github-token input is empty: not commenting. The job summary has the results.',
    );
    return undefined;
  }
  try {
    const publish = pr
      ? (o: Parameters<typeof publishFound>[0]) => publishFound(o, pr.existing)
      : publishComment;
    const result = await publish({
      token: settings.githubToken,
      apiUrl: settings.github.apiUrl,
      repository,
      issueNumber: settings.prNumber,
      gateId: report.gateId,
      body: pr ? `${pr.dataLine}\n${markdown}` : markdown,
      mode: settings.comment,
      passed: report.summary.passed,
      log: { info: log.info, warning: (m) => log.warning(m), debug: log.debug },
    });
    if (result.action === 'skipped') return undefined;
    log.info(`Pull request comment ${result.action}: ${result.url}`);
    return result.url;
  } catch (error) {
    if (error instanceof CommentError) {
      log.warning(error.message);
      return undefined;
    }
    throw error;
  }
}

/**
 * The verdict table in the job log, as the CLI prints it, folded in a group. Names in it come from
 * the budget file or a saved report: the runner is told to read none of it as a workflow command.
 */
export function logTable(report: Report): void {
  // Each line through the log module: a name cannot start a workflow command or a new line.
  core.startGroup('Verdicts');
  try {
    log.lines(renderTable(report).trimEnd());
  } finally {
    core.endGroup();
  }
}

/** Reports, comments, sets outputs and the step's verdict. */
export async function finish(
  measured: Report,
  settings: Settings,
  options: {
    writeReport: boolean;
    acceptBudget?: boolean;
    /** One shard of a sharded run: no acceptances, annotations or verdict; the merge has them. */
    shard?: boolean;
  },
): Promise<void> {
  // Acceptances are read before anything is written, so the report, summary and comment agree.
  const pr = options.shard
    ? undefined
    : await acceptOnPullRequest(measured, settings, options.acceptBudget === true);
  const report = pr?.report ?? measured;
  // Rendered from the masked report; masked again as a whole, as everything perf-gate posts.
  const markdown = registry.mask(
    renderMarkdown(report, {
      fullReportHint: `the JSON report (${settings.reportFile}) and this run's job summary`,
    }) +
      renderAcceptance(report.acceptance) +
      renderRatchet(ratchetSuggestions(report.endpoints)),
  );
  logTable(report);
  let reportWritten = false;
  if (options.writeReport)
    reportWritten = await writeReportFile(report, settings.reportFile, [
      settings.github.workspace,
      settings.github.runnerTemp,
    ]);
  const htmlWritten =
    settings.htmlReport !== undefined &&
    (await writeHtmlReport(report, settings.htmlReport, [
      settings.github.workspace,
      settings.github.runnerTemp,
    ]));
  await writeSummary(markdown);
  if (!options.shard) annotate(report, settings);
  const commentUrl = await comment(report, markdown, settings, pr);

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
  core.setOutput('accepted', String(summary.accepted ?? 0));
  if (commentUrl) core.setOutput('comment-url', commentUrl);
  if (htmlWritten) core.setOutput('html-report', settings.htmlReport);

  // With no baseline set up nothing was compared: "0 regression(s)" would claim checks that never ran.
  const parts = [
    `${summary.endpoints} endpoint(s)`,
    `${summary.violations} budget violation(s)`,
    budgetsOnly(report)
      ? 'budgets only, no baseline configured'
      : `${summary.regressions} regression(s)`,
  ];
  if ((summary.accepted ?? 0) > 0) parts.push(`${summary.accepted} accepted`);
  if (summary.cancelled) {
    log.setFailed(
      `perf-gate was cancelled; the partial results are in the job summary${reportWritten ? ' and the report' : ''}.`,
    );
  } else if (summary.errors?.length) {
    log.setFailed(
      `perf-gate could not measure: ${summary.errors.map((e) => e.message).join('; ')}`,
    );
  } else if (options.shard) {
    log.info(
      `perf-gate measured its shard: ${parts.join(', ')} in this share of the load; the job that merges the shards' reports judges the whole.`,
    );
  } else if (shouldFail(summary, settings.failOn)) {
    log.setFailed(`perf-gate failed: ${parts.join(', ')}.`);
  } else {
    const why =
      summary.violations + summary.regressions === 0 && (summary.accepted ?? 0) > 0
        ? 'passed with accepted findings'
        : 'reported findings (not failing: fail-on)';
    log.info(`perf-gate ${summary.passed ? 'passed' : why}: ${parts.join(', ')}.`);
  }
}
