import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { BudgetFileError, formatProblem, loadBudgetFile, type Problem } from './config/load.js';
import type { Config } from './config/types.js';
import { evaluateRun } from './evaluate/evaluate.js';
import { runGate, messageOf, type GateRun } from './gate/run-gate.js';
import { TargetUnreachableError } from './measure/ready.js';
import { buildReport, environmentFrom, type Report } from './report/report.js';
import { displayUrl, registry, urlCredentials, urlSecrets } from './secrets/secrets.js';
import { parseReport } from './report/validate.js';
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

    if (settings.report) return await fromSavedReport(settings);
    return await measure(settings, env);
  } catch (error) {
    // Bugs, not user errors: keep the stack in the debug log, the message in the failure.
    if (error instanceof Error && error.stack) log.debug(error.stack);
    log.setFailed(`perf-gate failed unexpectedly: ${messageOf(error)}`);
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

function fail(message: string): void {
  core.setOutput('passed', 'false');
  log.setFailed(message);
}

async function fromSavedReport(settings: Settings): Promise<void> {
  registry.add(...inputCredentials(settings, []));
  let report: Report;
  try {
    report = await log.group('Reading the saved report', async () =>
      parseReport(await readFile(settings.report!, 'utf8'), settings.report!),
    );
  } catch (error) {
    return fail(`input report: ${messageOf(error)}`);
  }
  // The report may come from a fork: its link to "the workflow run" is kept only when it points
  // at a run of this repository on this server, never at a host the fork's author chose.
  const ci = report.environment.ci;
  const runs = settings.github.runUrl?.replace(/\/actions\/runs\/.*$/, '/actions/runs/');
  if (ci?.runUrl !== undefined && !(runs && ci.runUrl.startsWith(runs))) delete ci.runUrl;
  await finish(report, settings, { writeReport: false });
}

async function measure(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
  const file = relative(settings.github.workspace, settings.budgetFile) || settings.budgetFile;
  let config: Config;
  try {
    config = await log.group('Budget file', async () => {
      // Messages and annotations name the file as the workflow does: relative to the workspace.
      const path =
        resolve(process.cwd()) === resolve(settings.github.workspace) ? file : settings.budgetFile;
      const loaded = await loadBudgetFile(path, {
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
      readCloudWatch: needsCloudWatch ? (c) => readCloudWatch(c) : undefined,
    });
  } catch (error) {
    // Cancelled while waiting for the target: nothing was measured, but the run still ends with
    // a summary and a report marked cancelled, not as a crash.
    const cancelled = controller.signal.aborted;
    if (cancelled || error instanceof TargetUnreachableError || isCloudWatchError(error)) {
      const errors = cancelled ? [] : [{ message: messageOf(error) }];
      const evaluation = evaluateRun([], { errors, cancelled });
      const report = makeReport(config, evaluation.endpoints, evaluation.summary, env);
      return finish(report, settings, { writeReport: true });
    }
    throw error;
  } finally {
    process.off('SIGTERM', cancel);
    process.off('SIGINT', cancel);
  }

  const report = makeReport(config, gate.evaluation.endpoints, gate.evaluation.summary, env);
  if (settings.publish) await publish(config, report);
  await finish(report, settings, { writeReport: true });
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

async function publish(config: Config, report: Report): Promise<void> {
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

/** A fenced block no text can close early: the fence is longer than any backtick run inside. */
function codeBlock(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
