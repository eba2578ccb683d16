import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseShard } from '../config/shard.js';
import type { Shard } from '../config/shard.js';
import { parseStartAt } from '../gate/start-at.js';
import { parseDuration } from '../units/parse.js';
import { parseFailOn, type FailOn } from '../evaluate/fail-on.js';
import { quoteUrlText } from '../secrets/secrets.js';
import { isInside } from '../report/write-file.js';

/**
 * The action's inputs and runner environment, read once into a typed object. Nothing else in
 * perf-gate calls core.getInput or reads GITHUB_* variables.
 */

export type CommentMode = 'always' | 'on-failure' | 'never';

export interface Settings {
  budgetFile: string;
  targetUrl?: string;
  baselineUrl?: string;
  githubToken: string;
  comment: CommentMode;
  failOn: FailOn;
  publish: boolean;
  report?: string;
  prNumber?: number;
  reportFile: string;
  /** Where the HTML report goes (report/html.ts); undefined when the html-report input is `false`. */
  htmlReport?: string;
  maxDurationMs: number;
  /** The PR label that accepts the reported regressions; empty turns labels off. */
  acceptLabel: string;
  /** `shard: i/n`: measure this share of the load; the run gates nothing (gate/shards.ts). */
  shard?: Shard;
  /** `start-at`: the shards' common start, absolute or after the workflow run's creation. */
  startAt?: Date | { afterMs: number };
  /** `reports`: a glob of shard reports to merge and gate (relative to the workspace). */
  reports?: string;
  github: {
    eventName: string;
    repository?: string;
    apiUrl: string;
    runUrl?: string;
    /** GITHUB_RUN_ID. */
    runId?: number;
    workspace: string;
    /** RUNNER_TEMP (or a folder in the workspace off a runner): where report-file may also go. */
    runnerTemp: string;
    /** GITHUB_SHA: the commit measured (kept with a published run). */
    sha?: string;
    /** The branch the run is on (GITHUB_REF_NAME of a push, the head branch of a pull request). */
    refName?: string;
    /** A pull request's base branch (GITHUB_BASE_REF, else the event's pull_request.base.ref). */
    baseRef?: string;
    /** The pull request's head commit, from the event, when it names one. */
    headSha?: string;
  };
}

/** An input a user got wrong: the message names the input, the value and what would be right. */
export class InputError extends Error {
  override name = 'InputError';
}

function optional(name: string): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

function parseCommentMode(value: string): CommentMode {
  if (value === 'always' || value === 'on-failure' || value === 'never') return value;
  throw new InputError(`input comment: expected always, on-failure or never, found "${value}"`);
}

function parseBoolean(name: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)?$/i.test(value)) return false;
  throw new InputError(`input ${name}: expected true or false, found "${value}"`);
}

function parseUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(
      `input ${name}: expected an absolute http(s) URL such as https://preview.example.com, found "${quoteUrlText(value)}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      `input ${name}: only http and https URLs can be measured, found "${url.protocol}"`,
    );
  }
  return value;
}

function parsePrNumber(value: string | undefined, event: unknown): number | undefined {
  if (value !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(value)) {
      throw new InputError(
        `input pr-number: expected a pull request number such as 42, found "${value}"`,
      );
    }
    return Number(value);
  }
  const payload = event as { pull_request?: { number?: unknown }; number?: unknown } | undefined;
  const n = payload?.pull_request?.number;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/**
 * report-file resolves inside the workspace or RUNNER_TEMP: a budget-file-free input still comes
 * from a workflow the pull request may edit, and the report must not land on the runner's other
 * files. (Symlinked folders are checked again when the file is written.)
 */
function parseReportFile(
  value: string | undefined,
  workspace: string,
  runnerTemp: string,
  input = 'report-file',
  fallback = join(runnerTemp, 'perf-gate', 'report.json'),
): string {
  const path = resolve(workspace, value ?? fallback);
  const roots = [resolve(workspace), resolve(workspace, runnerTemp)];
  if (roots.some((root) => path !== root && isInside(path, root))) return path;
  throw new InputError(
    `input ${input}: "${value}" resolves to ${path}, outside the workspace (${workspace}) and RUNNER_TEMP (${runnerTemp}): name a file inside either, e.g. \${{ runner.temp }}/perf-gate/${basename(fallback)}`,
  );
}

/**
 * html-report: a path (held to the same folders as report-file), `false` for none, or by
 * default the JSON report's name with `.html`, next to it.
 */
function parseHtmlReport(
  value: string | undefined,
  reportFile: string,
  workspace: string,
  runnerTemp: string,
): string | undefined {
  if (value !== undefined && /^(false|no|off|none)$/i.test(value)) return undefined;
  const beside = join(dirname(reportFile), `${basename(reportFile).replace(/\.json$/i, '')}.html`);
  return parseReportFile(value, workspace, runnerTemp, 'html-report', beside);
}

function headShaOf(event: unknown): string | undefined {
  const payload = event as
    | { pull_request?: { head?: { sha?: unknown } }; workflow_run?: { head_sha?: unknown } }
    | undefined;
  const sha = payload?.pull_request?.head?.sha ?? payload?.workflow_run?.head_sha;
  return typeof sha === 'string' && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined;
}

/** The accept-label input: a label name GitHub would allow (at most 50 characters). */
function parseAcceptLabel(value: string): string {
  if (value.length > 50 || /[\r\n]/.test(value)) {
    throw new InputError(
      `input accept-label: expected a label name of at most 50 characters on one line (GitHub's limit), found "${value.slice(0, 60)}"; leave it empty to turn acceptance by label off`,
    );
  }
  return value;
}

function readEvent(path: string | undefined): unknown {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const runnerTemp = env.RUNNER_TEMP ?? join(workspace, '.perf-gate');
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const maxDuration = core.getInput('max-duration').trim() || '15m';
  let maxDurationMs: number;
  try {
    maxDurationMs = parseDuration(maxDuration);
  } catch (error) {
    throw new InputError(`input max-duration: ${(error as Error).message}`);
  }
  let failOn: FailOn;
  try {
    failOn = parseFailOn(core.getInput('fail-on').trim() || 'budget,regression');
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  const report = optional('report');
  const publish = parseBoolean('publish', core.getInput('publish').trim());
  if (report !== undefined && publish) {
    // Nothing is measured from a saved report, and a report from a fork must never become history.
    throw new InputError(
      'input publish: cannot publish with the report input: a saved report is only gated and commented on, never published to CloudWatch; set publish in the run that measures',
    );
  }
  const reportFile = parseReportFile(optional('report-file'), workspace, runnerTemp);
  const sharding = parseSharding(optional('shard'), optional('start-at'), optional('reports'), {
    report,
    publish,
  });
  const repository = env.GITHUB_REPOSITORY;
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    budgetFile: resolve(workspace, core.getInput('budget-file').trim() || 'perf-budget.yml'),
    targetUrl: parseUrl('target-url', optional('target-url')),
    baselineUrl: parseUrl('baseline-url', optional('baseline-url')),
    githubToken: core.getInput('github-token').trim(),
    comment: parseCommentMode(core.getInput('comment').trim() || 'always'),
    failOn,
    publish,
    report: report === undefined ? undefined : resolve(workspace, report),
    prNumber: parsePrNumber(optional('pr-number'), event),
    reportFile,
    htmlReport: parseHtmlReport(optional('html-report'), reportFile, workspace, runnerTemp),
    maxDurationMs,
    // Unset (off a runner, or an older workflow) means the default; set but empty turns it off.
    acceptLabel: parseAcceptLabel(
      env['INPUT_ACCEPT-LABEL'] === undefined
        ? 'perf-gate: accept'
        : core.getInput('accept-label').trim(),
    ),
    ...sharding,
    github: {
      eventName: env.GITHUB_EVENT_NAME ?? '',
      repository,
      apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      runUrl:
        repository && env.GITHUB_RUN_ID
          ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
          : undefined,
      ...(env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID)
        ? { runId: Number(env.GITHUB_RUN_ID) }
        : {}),
      workspace,
      runnerTemp: resolve(workspace, runnerTemp),
      ...branchesOf(env, event),
      headSha: headShaOf(event),
    },
  };
}

/** The shard, start-at and reports inputs, checked against each other and report/publish. */
function parseSharding(
  shardText: string | undefined,
  startText: string | undefined,
  reports: string | undefined,
  other: { report?: string; publish: boolean },
): Pick<Settings, 'shard' | 'startAt' | 'reports'> {
  if (reports !== undefined && (shardText !== undefined || other.report !== undefined)) {
    throw new InputError(
      `input reports: merges the shards' reports in a job of its own; do not combine it with ${shardText !== undefined ? 'shard' : 'report'}`,
    );
  }
  if (shardText === undefined) {
    if (startText !== undefined) {
      throw new InputError('input start-at: aligns the shards of a sharded run: set shard as well');
    }
    return reports === undefined ? {} : { reports };
  }
  const shard = parseShard(shardText);
  if ('error' in shard) throw new InputError(`input shard: ${shard.error}`);
  if (other.report !== undefined) {
    throw new InputError('input shard: a saved report is not measured again: drop shard or report');
  }
  if (other.publish) {
    throw new InputError(
      "input publish: a shard measures only part of the load: publish in the job that merges the shards' reports (the reports input)",
    );
  }
  if (startText === undefined) return { shard };
  const startAt = parseStartAt(startText, true);
  if ('error' in startAt) throw new InputError(`input start-at: ${startAt.error}`);
  return { shard, startAt };
}

/** The commit and branches of the run, from the runner's variables and the event payload. */
function branchesOf(
  env: NodeJS.ProcessEnv,
  event: unknown,
): { sha?: string; refName?: string; baseRef?: string } {
  const pr = (event as { pull_request?: { base?: { ref?: unknown }; head?: { ref?: unknown } } })
    ?.pull_request;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const fromRef = env.GITHUB_REF?.startsWith('refs/heads/')
    ? env.GITHUB_REF.slice('refs/heads/'.length)
    : undefined;
  const sha = text(env.GITHUB_SHA);
  const refName =
    text(env.GITHUB_HEAD_REF) ?? text(pr?.head?.ref) ?? text(env.GITHUB_REF_NAME) ?? fromRef;
  const baseRef = text(env.GITHUB_BASE_REF) ?? text(pr?.base?.ref);
  return {
    ...(sha ? { sha } : {}),
    ...(refName ? { refName } : {}),
    ...(baseRef ? { baseRef } : {}),
  };
}
