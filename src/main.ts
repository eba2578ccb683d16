import * as core from '@actions/core';
import { appendFileSync, existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BudgetFileError, formatProblem, loadBudgetFile, type Problem } from './config/load.js';
import type { Config } from './config/types.js';
import { evaluateRun } from './evaluate/evaluate.js';
import { runGate, messageOf, type GateRun } from './gate/run-gate.js';
import { TargetUnreachableError } from './measure/ready.js';
import { connectionLimitProblems, openFileLimit } from './measure/fd-limit.js';
import { describeHeap, watchHeap } from './measure/heap-watchdog.js';
import { buildReport, environmentFrom, type Report } from './report/report.js';
import { readReportFile } from './report/read.js';
import { rejudgeReport } from './evaluate/rejudge.js';
import { withoutAcceptances } from './evaluate/accept.js';
import { displayUrl, registry, urlCredentials, urlSecrets } from './secrets/secrets.js';
import { TOOL } from './version.js';
import { actionLog, log, maskWithRunner } from './action/log.js';
import { finish, writeSummary } from './action/finish.js';
import { InputError, readSettings, type Settings } from './action/settings.js';

/**
 * The action: inputs → budget file → gate → report → summary, annotations, comment, outputs.
 * Never throws: every failure ends in one core.setFailed message, after writing whatever
 * summary and report could still be written.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const lastResort = (error: unknown) => fatal(error, env);
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
  try {
    maskWithRunner();
    let settings: Settings;
    try {
      settings = readSettings(env);
    } catch (error) {
      if (error instanceof InputError) return fail(error.message);
      throw error;
    }
    registry.add(settings.githubToken, ...inputCredentials(settings));
    // Query values of the input URLs are secrets unless the budget file says otherwise: until it
    // is read, none is shown (registered once the file is loaded, or at once for a saved report).
    const shown = {
      ...settings,
      githubToken: settings.githubToken ? '***' : '',
      targetUrl: settings.targetUrl && displayUrl(settings.targetUrl),
      baselineUrl: settings.baselineUrl && displayUrl(settings.baselineUrl),
    };
    log.debug(`settings: ${JSON.stringify(shown)}`);

    if (settings.report) return await fromSavedReport(settings, env);
    return await measure(settings, env);
  } catch (error) {
    // Bugs, not user errors: keep the stack in the debug log, the message in the failure.
    if (error instanceof Error && error.stack) log.debug(error.stack);
    log.setFailed(`perf-gate failed unexpectedly: ${messageOf(error)}`);
  } finally {
    process.off('uncaughtException', lastResort);
    process.off('unhandledRejection', lastResort);
  }
}

/**
 * An error thrown where no caller can catch it (a callback of the load generator or a library):
 * the run cannot go on, but the step still gets its outputs, a summary and one failure instead
 * of a stack trace. Synchronous writes only: the process exits right after.
 */
function fatal(error: unknown, env: NodeJS.ProcessEnv): void {
  const message = `perf-gate failed unexpectedly: ${messageOf(error)}`;
  try {
    if (error instanceof Error && error.stack) log.debug(error.stack);
    core.setOutput('passed', 'false');
    if (env.GITHUB_STEP_SUMMARY) {
      appendFileSync(
        env.GITHUB_STEP_SUMMARY,
        `\n### ❌ perf-gate stopped on an internal error\n\n${codeBlock(message)}\n\nNo verdict: nothing after this point was measured or judged.\n`,
      );
    }
    log.setFailed(message);
  } finally {
    process.exit(1);
  }
}

/**
 * The secrets of the target-url and baseline-url inputs: user names and passwords, and query
 * values except those of the parameters in `publicQuery` (the budget file's target.public-query;
 * all of them while the file is not read).
 */
function inputCredentials(settings: Settings, publicQuery?: readonly string[]): string[] {
  return [settings.targetUrl, settings.baselineUrl].flatMap((url) => {
    if (!url) return [];
    if (publicQuery) return urlSecrets(url, publicQuery);
    return urlCredentials(url);
  });
}

/**
 * Events whose workflows hold secrets and write access yet often check out the pull request's
 * code: there the budget file may be the pull request's to edit.
 */
const PRIVILEGED_EVENTS = new Set(['pull_request_target', 'workflow_run']);

/** On such an event, a target.url from the budget file (not the workflow) gets a warning. */
function warnIfFileChoosesTarget(settings: Settings, config: Config, file: string): void {
  const event = settings.github.eventName;
  if (settings.targetUrl !== undefined || !PRIVILEGED_EVENTS.has(event)) return;
  log.warning(
    `${file} chooses where the load goes (target.url: ${new URL(config.target.url).origin}) in a ${event} workflow. ` +
      'If this job checks out the pull request, the pull request can edit that file: pass the target-url input from the workflow, which replaces target.url (README, "Security notes").',
  );
}

/** Messages and annotations name the file as the workflow does: relative to the workspace. */
function workspacePath(settings: Settings, file: string): string {
  return resolve(process.cwd()) === resolve(settings.github.workspace) ? file : settings.budgetFile;
}

function fail(message: string): void {
  core.setOutput('passed', 'false');
  log.setFailed(message);
}

async function fromSavedReport(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
  registry.add(...inputCredentials(settings, []));
  let saved: Report;
  try {
    saved = await log.group('Reading the saved report', () => readReportFile(settings.report!));
  } catch (error) {
    const message = `input report: ${messageOf(error)}`;
    await writeSummary(
      `### ❌ perf-gate: the saved report cannot be used\n\n${codeBlock(message)}\n\nNothing was judged. The \`report\` input names the report.json an earlier perf-gate run wrote.\n`,
    );
    return fail(message);
  }
  // The rules come from this job's budget file (in the workflow_run pattern, the base branch's),
  // never from the report alone when there is one: a fork writes its report.
  const file = relative(settings.github.workspace, settings.budgetFile) || settings.budgetFile;
  let config: Config | undefined;
  if (existsSync(settings.budgetFile)) {
    try {
      config = await log.group('Budget file (the rules to judge the report by)', () =>
        loadBudgetFile(workspacePath(settings, file), {
          // Only the rules are read and no request is sent: variables need not be set.
          env: new Proxy(env, {
            get: (real, name) => (typeof name === 'string' ? (real[name] ?? 'unset') : undefined),
          }),
          targetUrl: 'http://saved-report.invalid',
          maxDurationMs: Number.MAX_SAFE_INTEGER,
          sideBySide: false,
          workspace: settings.github.workspace,
        }),
      );
    } catch (error) {
      if (error instanceof BudgetFileError) return budgetFileFailed(error.problems, file);
      throw error;
    }
    registry.add(...config.secrets);
  } else {
    log.warning(
      `No budget file at ${file}: the saved report is judged by the rules it carries, which whoever produced the report could have edited. Check out the base branch before this step (or set budget-file) so its rules decide.`,
    );
  }
  // Acceptances in a saved report are undone: those of the pull request are read again below.
  const { report, warnings } = rejudgeReport(withoutAcceptances(saved), { config });
  for (const warning of warnings) log.warning(`input report: ${warning}`);
  // The report may come from a fork: its link to "the workflow run" is kept only when it points
  // at a run of this repository on this server, never at a host the fork's author chose.
  const ci = report.environment.ci;
  const runs = settings.github.runUrl?.replace(/\/actions\/runs\/.*$/, '/actions/runs/');
  if (ci?.runUrl !== undefined && !(runs && ci.runUrl.startsWith(runs))) delete ci.runUrl;
  // Budget violations are accepted only when this job's budget file says so, never a report's rules.
  await finish(report, settings, { writeReport: false, acceptBudget: config?.acceptBudget });
}

async function measure(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
  const file = relative(settings.github.workspace, settings.budgetFile) || settings.budgetFile;
  let config: Config;
  try {
    config = await log.group('Budget file', async () => {
      // Messages and annotations name the file as the workflow does: relative to the workspace.
      const loaded = await loadBudgetFile(workspacePath(settings, file), {
        env,
        targetUrl: settings.targetUrl,
        maxDurationMs: settings.maxDurationMs,
        sideBySide: settings.baselineUrl !== undefined,
        workspace: settings.github.workspace,
      });
      log.info(`${file}: gate "${loaded.id}", ${loaded.endpoints.length} endpoint(s)`);
      return loaded;
    });
  } catch (error) {
    if (error instanceof BudgetFileError) return budgetFileFailed(error.problems, file);
    throw error;
  }
  const tooMany = connectionLimitProblems(config, openFileLimit());
  if (tooMany.length > 0) return limitsFailed(tooMany, file);
  warnIfFileChoosesTarget(settings, config, file);
  registry.add(...config.secrets, ...inputCredentials(settings, config.target.publicQuery ?? []));
  config.secrets = registry.list();

  const controller = new AbortController();
  const cancel = (signal: NodeJS.Signals) => {
    log.warning(`Received ${signal}: stopping the load and writing partial results.`);
    controller.abort();
  };
  process.once('SIGTERM', cancel);
  process.once('SIGINT', cancel);
  // Out of heap, V8 would kill the process with nothing written: stop the load first.
  let outOfMemory: string | undefined;
  const stopWatching = watchHeap((reading) => {
    outOfMemory =
      `perf-gate stopped the load: the process used ${describeHeap(reading)}, and running out ` +
      'would end it with no report. Lower connections or rate, or measure fewer endpoints per run.';
    log.warning(outOfMemory);
    controller.abort();
  });

  const needsCloudWatch =
    config.baseline.cloudwatch !== undefined ||
    config.endpoints.some((e) => e.cloudwatch !== undefined);
  let gate: GateRun;
  try {
    gate = await runGate({
      config,
      baselineUrl: settings.baselineUrl,
      maxDurationMs: settings.maxDurationMs,
      signal: controller.signal,
      log: actionLog,
      readCloudWatch: config.baseline.github
        ? (c) => readHistory(c, settings)
        : needsCloudWatch
          ? (c) => readCloudWatch(c)
          : undefined,
      historyName: config.baseline.github
        ? `the data branch ${config.baseline.github.branch}`
        : undefined,
    });
  } catch (error) {
    // Cancelled while waiting for the target: nothing was measured, but the run still ends with
    // a summary and a report marked cancelled, not as a crash.
    const cancelled = controller.signal.aborted;
    if (cancelled || error instanceof TargetUnreachableError || isCloudWatchError(error)) {
      const errors = outOfMemory
        ? [{ message: outOfMemory }]
        : cancelled
          ? []
          : [{ message: messageOf(error) }];
      const evaluation = evaluateRun([], { errors, cancelled });
      const report = makeReport(config, evaluation.endpoints, evaluation.summary, env);
      return await finish(report, settings, { writeReport: true });
    }
    throw error;
  } finally {
    stopWatching();
    process.off('SIGTERM', cancel);
    process.off('SIGINT', cancel);
  }
  if (outOfMemory) {
    const summary = gate.evaluation.summary;
    summary.errors = [...(summary.errors ?? []), { message: outOfMemory }];
    summary.passed = false;
  }

  const report = makeReport(config, gate.evaluation.endpoints, gate.evaluation.summary, env);
  if (settings.publish) await publish(config, report, settings);
  await finish(report, settings, { writeReport: true, acceptBudget: config.acceptBudget });
}

function makeReport(
  config: Config,
  endpoints: Report['endpoints'],
  summary: Report['summary'],
  env: NodeJS.ProcessEnv,
): Report {
  return buildReport({
    tool: TOOL,
    createdAt: new Date().toISOString(),
    environment: environmentFrom({
      env,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.version,
    }),
    config,
    endpoints,
    summary,
  });
}

async function readCloudWatch(config: Config) {
  const { readBaselines } = await import('./baseline/cloudwatch-read.js');
  return readBaselines({
    gateId: config.id,
    endpoints: config.endpoints,
    fileConfig: config.baseline.cloudwatch,
    now: new Date(),
    log: actionLog.info,
  });
}

function isCloudWatchError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'CloudWatchError';
}

async function readHistory(config: Config, settings: Settings) {
  const { readGitHubHistory } = await import('./action/history.js');
  return readGitHubHistory(config, settings, new Date());
}

async function publish(config: Config, report: Report, settings: Settings): Promise<void> {
  if (config.baseline.github) {
    if (report.summary.cancelled) {
      log.warning('Not publishing to the history: the run was cancelled, its numbers are partial.');
      return;
    }
    await log.group(`Publishing to the data branch ${config.baseline.github.branch}`, async () => {
      const { publishGitHubHistory } = await import('./action/history.js');
      const failed = await publishGitHubHistory(config, report, settings);
      if (failed) {
        report.summary.errors = [...(report.summary.errors ?? []), { message: failed }];
        report.summary.passed = false;
      }
    });
    return;
  }
  if (report.summary.cancelled) {
    log.warning('Not publishing to CloudWatch: the run was cancelled, its numbers are partial.');
    return;
  }
  const measured = report.endpoints.map((e) => ({ name: e.name, measurement: e.measurement }));
  await log.group('Publishing to CloudWatch', async () => {
    try {
      const { publishMeasurements } = await import('./baseline/cloudwatch-publish.js');
      const cw = config.baseline.cloudwatch;
      const result = await publishMeasurements({
        gateId: config.id,
        namespace: cw?.namespace,
        dimensions: cw?.dimensions ?? {},
        region: cw?.region,
        endpoints: measured,
        timestamp: new Date(report.createdAt),
        log: actionLog.info,
      });
      log.info(`Published ${result.datums} datum(s) in ${result.requests} request(s).`);
    } catch (error) {
      if (!isCloudWatchError(error)) throw error;
      report.summary.errors = [...(report.summary.errors ?? []), { message: error.message }];
      report.summary.passed = false;
    }
  });
}

/**
 * Annotations and summary lines for a budget file's problems. A pull request can write a file
 * with tens of thousands of problems: the first ones are shown, the rest counted, so the job
 * summary stays far below GitHub's 1 MiB limit and the annotations readable.
 */
export const MAX_SHOWN_PROBLEMS = 50;
/** A single message can quote a long key; beyond this it is cut. */
const MAX_MESSAGE_CHARS = 1000;

/** Every problem as an annotation on its line, the list in the summary, and one failure. */
async function budgetFileFailed(problems: readonly Problem[], file: string): Promise<void> {
  const shown = problems.slice(0, MAX_SHOWN_PROBLEMS).map((p) => ({
    ...p,
    message: clip(p.message, MAX_MESSAGE_CHARS),
  }));
  const more = problems.length - shown.length;
  const andMore = more > 0 ? `and ${more.toLocaleString('en-US')} more` : '';
  for (const p of shown) {
    const where =
      p.line > 0 ? { startLine: p.line, startColumn: p.col > 0 ? p.col : undefined } : {};
    log.error(p.path ? `${p.path}: ${p.message}` : p.message, {
      title: 'perf-gate: invalid budget file',
      file,
      ...where,
    });
  }
  const count = `${problems.length.toLocaleString('en-US')} problem${problems.length === 1 ? '' : 's'}`;
  await writeSummary(
    [
      `### ❌ perf-gate: the budget file has ${count}`,
      '',
      codeBlock(shown.map(formatProblem).join('\n') + (andMore ? `\n... ${andMore}` : '')),
      '',
      more > 0
        ? `The first ${shown.length} are shown, ${andMore}: ${codeSpan(`perf-gate validate ${file}`)} lists them all. Nothing was measured.`
        : `Nothing was measured. Fix ${codeSpan(file)} (${codeSpan(`perf-gate validate ${file}`)} checks it locally) and push again.`,
      '',
    ].join('\n'),
  );
  fail(
    `${file}: ${count} in the budget file${andMore ? ` (${shown.length} shown as annotations, ${andMore})` : ''}; nothing was measured.`,
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A file name as inline code, whatever backticks it holds. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest > 0 ? ` ${text} ` : text}${fence}`;
}

/** The plan does not fit the runner (ulimit -n): annotated on the lines, summarised, one failure. */
async function limitsFailed(problems: readonly Problem[], file: string): Promise<void> {
  for (const p of problems) {
    log.error(`${p.path}: ${p.message}`, {
      title: 'perf-gate: more connections than open files',
      file,
      startLine: p.line > 0 ? p.line : undefined,
    });
  }
  await writeSummary(
    [
      '### ❌ perf-gate: the load does not fit the runner’s open-file limit',
      '',
      codeBlock(problems.map(formatProblem).join('\n')),
      '',
      'Nothing was measured.',
      '',
    ].join('\n'),
  );
  fail(`${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
}

/** A fenced block no text can close early: the fence is longer than any backtick run inside. */
function codeBlock(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
