import type { Baseline } from '../baseline/types.js';
import {
  appendRun,
  decodeHistoryFile,
  encodeHistoryFile,
  historyBaselines,
  historyFolder,
  historyPath,
  historyRun,
  HistoryFileError,
  monthExpired,
  monthsToRead,
  type HistoryFile,
} from '../baseline/github-history.js';
import type { Config, GitHubHistoryConfig } from '../config/types.js';
import type { Report } from '../report/report.js';
import {
  commitToDataBranch,
  HistoryStoreError,
  readDataFiles,
  type DataBranch,
} from '../github/history-store.js';
import type { Settings } from './settings.js';
import { log } from './log.js';

/**
 * The action's side of `baseline.github`: read the base branch's runs from the data branch
 * before measuring, and append this run after it (publish: true on a push). Reading never fails
 * the gate by itself: an unreadable history is `no-baseline` with the reason (and fails only
 * with `baseline.required`), a hostile data file is refused and its runs left out.
 */

function dataBranch(settings: Settings, history: GitHubHistoryConfig): DataBranch {
  return {
    token: settings.githubToken,
    apiUrl: settings.github.apiUrl,
    repository: settings.github.repository ?? '',
    branch: history.branch,
    log: { info: log.info, warning: (m) => log.warning(m), debug: log.debug },
  };
}

/** The branch whose runs are the baseline: a pull request's base, else the run's own branch. */
export function baselineBranch(settings: Settings): string | undefined {
  return settings.github.baseRef ?? settings.github.refName;
}

export async function readGitHubHistory(
  config: Config,
  settings: Settings,
  now: Date,
): Promise<Map<string, Baseline>> {
  const history = config.baseline.github!;
  const none = (reason: string) =>
    new Map<string, Baseline>(config.endpoints.map((e) => [e.name, { kind: 'none', reason }]));
  const branch = baselineBranch(settings);
  if (!branch) {
    return none(
      'the run has no branch to compare with (no GITHUB_BASE_REF or GITHUB_REF_NAME): the history baseline needs a pull_request or push event',
    );
  }
  const folder = historyFolder(config.id);
  let read;
  try {
    read = await readDataFiles(dataBranch(settings, history), folder, (paths) =>
      monthsToRead(paths, now, history.lookbackMs),
    );
  } catch (error) {
    if (!(error instanceof HistoryStoreError)) throw error;
    log.warning(`perf-gate could not read the history: ${error.message}`);
    return none(`the history could not be read: ${error.message}`);
  }
  if (!read.exists) {
    return none(
      `the data branch ${history.branch} does not exist yet: publish from ${branch} with publish: true (docs/history.md)`,
    );
  }
  const files: HistoryFile[] = [];
  for (const file of read.files) {
    try {
      files.push(decodeHistoryFile(file.text, `${history.branch}:${file.path}`));
    } catch (error) {
      if (!(error instanceof HistoryFileError)) throw error;
      log.warning(`History file refused, its runs are not used: ${error.message}`);
    }
  }
  log.info(
    `Read ${files.reduce((n, f) => n + f.runs.length, 0)} run(s) from ${read.files.length} file(s) of ${history.branch} in ${read.requests} request(s); comparing with the runs of ${branch}.`,
  );
  return historyBaselines(files, {
    gateId: config.id,
    branch,
    config: history,
    endpoints: config.endpoints,
    now,
  });
}

/**
 * Appends this run to the data branch. Returns a run error's message when publishing failed,
 * so the run fails the way a failed CloudWatch publish does.
 */
export async function publishGitHubHistory(
  config: Config,
  report: Report,
  settings: Settings,
): Promise<string | undefined> {
  const history = config.baseline.github!;
  if (settings.github.eventName.startsWith('pull_request')) {
    log.warning(
      'Not publishing to the history: this is a pull-request run, and only pushes to a branch (main, a release branch) build the history. Set publish only on push events.',
    );
    return undefined;
  }
  const branch = settings.github.refName;
  if (!branch) {
    return 'publish: the run has no branch (GITHUB_REF_NAME): the history keeps runs per branch, publish from a push to a branch';
  }
  const now = new Date(report.createdAt);
  const measured = report.endpoints.flatMap((e) => {
    const endpoint = config.endpoints.find((c) => c.name === e.name);
    return endpoint ? [{ config: endpoint, measurement: e.measurement }] : [];
  });
  const run = historyRun({
    sha: settings.github.sha ?? 'unknown',
    branch,
    time: now,
    runner: `${report.environment.runner.os}/${report.environment.runner.arch}`,
    endpoints: measured,
  });
  if (Object.keys(run.endpoints).length === 0) {
    log.warning('Not publishing to the history: no endpoint was measured.');
    return undefined;
  }
  const path = historyPath(config.id, now);
  try {
    const result = await commitToDataBranch(
      dataBranch(settings, history),
      historyFolder(config.id),
      async (paths, read) => {
        let existing: HistoryFile | undefined;
        if (paths.includes(path)) {
          try {
            existing = decodeHistoryFile(await read(path), `${history.branch}:${path}`);
          } catch (error) {
            if (!(error instanceof HistoryFileError)) throw error;
            // A file perf-gate cannot read is not overwritten silently: the runs in it may matter.
            throw new HistoryStoreError(`${error.message}`, 0);
          }
        }
        const file = appendRun(existing, config.id, run, now, history.retentionMs);
        return {
          writes: [{ path, text: encodeHistoryFile(file) }],
          deletes: paths.filter((p) => p !== path && monthExpired(p, now, history.retentionMs)),
          message: `perf-gate: ${config.id} on ${branch} at ${run.sha.slice(0, 12)}`,
        };
      },
    );
    log.info(
      `Published ${Object.keys(run.endpoints).length} endpoint(s) to ${history.branch}:${path}${result.created ? ' (branch created)' : ''}${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}.`,
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof HistoryStoreError)) throw error;
    return `publish to the history failed: ${error.message}`;
  }
}
