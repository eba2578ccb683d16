import {
  applyAcceptances,
  coverageOf,
  decodeCommentData,
  encodeCommentData,
  nextCommentData,
} from '../evaluate/accept.js';
import { readAcceptanceSignals } from '../github/acceptance.js';
import { CommentError } from '../github/errors.js';
import { inspectPullRequest, type FoundComment } from '../github/comment.js';
import type { Report } from '../report/report.js';
import type { Settings } from './settings.js';
import { log } from './log.js';

/**
 * Acceptance on a pull request: reads the gate's own comment, the `/perf-gate` commands, the
 * accept label and the permissions of whoever gave them, and applies the acceptances in force
 * to the report. Any failure to read leaves the report as it was (an acceptance is never
 * assumed) and says so.
 */

export interface PullRequestState {
  /** The gate's own comment (its hidden data is trusted: only the token's own is ever picked). */
  existing?: FoundComment;
  /** The line to put in the next comment: what it shows and what each acceptance covers. */
  dataLine: string;
  report: Report;
}

const githubLog = { info: log.info, warning: (m: string) => log.warning(m), debug: log.debug };

export async function acceptOnPullRequest(
  report: Report,
  settings: Settings,
  allowBudget: boolean,
): Promise<PullRequestState | undefined> {
  const { repository } = settings.github;
  if (settings.prNumber === undefined || !repository || !settings.githubToken) return undefined;
  if (settings.comment === 'never' && settings.acceptLabel === '') return undefined;
  const target = {
    token: settings.githubToken,
    apiUrl: settings.github.apiUrl,
    repository,
    issueNumber: settings.prNumber,
    gateId: report.gateId,
    log: githubLog,
  };
  let inspected: Awaited<ReturnType<typeof inspectPullRequest>>;
  try {
    inspected = await inspectPullRequest(target);
  } catch (error) {
    if (!(error instanceof CommentError)) throw error;
    log.warning(`${error.message} No acceptance was checked.`);
    return undefined;
  }
  const previous = inspected.existing ? decodeCommentData(inspected.existing.body) : undefined;
  const before = report.endpoints;
  let signals: Awaited<ReturnType<typeof readAcceptanceSignals>> = { given: [], ignored: [] };
  try {
    signals = await readAcceptanceSignals({
      ...target,
      label: settings.acceptLabel,
      commands: inspected.commands,
    });
  } catch (error) {
    if (!(error instanceof CommentError)) throw error;
    log.warning(`${error.message} No acceptance applies to this run.`);
  }
  const given = signals.given.map((a) => {
    const { covers, head } = coverageOf(a, previous, before);
    return { ...a, covers, head: head ?? settings.github.headSha };
  });
  for (const i of signals.ignored) {
    log.warning(
      `perf-gate: ignored the ${i.via === 'label' ? `"${settings.acceptLabel}" label` : '/perf-gate accept comment'} by @${i.by}: ${i.why}`,
    );
  }
  let next = report;
  if (given.length > 0 || signals.ignored.length > 0) {
    const applied = applyAcceptances(before, report.summary, given, signals.ignored, {
      budget: allowBudget,
    });
    next = {
      ...report,
      endpoints: applied.endpoints,
      summary: applied.summary,
      acceptance: applied.audit,
    };
    for (const a of applied.audit.given) {
      log.info(
        `perf-gate: accepted by @${a.by} (${a.via}, ${a.at}): ${a.accepted.length} finding(s) in this run`,
      );
    }
  }
  return {
    existing: inspected.existing,
    dataLine: encodeCommentData(nextCommentData(before, given, settings.github.headSha)),
    report: next,
  };
}
