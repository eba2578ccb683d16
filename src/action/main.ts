import * as core from '@actions/core';
import { appendFileSync } from 'node:fs';
import { BudgetFileError, loadBudgetFile } from '../config/load.js';
import type { Config } from '../config/types.js';
import { baselineReading } from '../gate/baselines.js';
import { gateReport, unmeasuredReport } from '../gate/report.js';
import { runGate, messageOf, type GateRun } from '../gate/run-gate.js';
import { TargetUnreachableError } from '../measure/ready.js';
import { connectionLimitProblems, openFileLimit } from '../measure/fd-limit.js';
import { describeHeap, watchHeap } from '../measure/heap-watchdog.js';
import { displayUrl, registry } from '../secrets/secrets.js';
import { budgetFileFailed, codeBlock, fail, limitsFailed } from './failures.js';
import { finish } from './finish.js';
import { budgetFileOf, inputCredentials } from './inputs.js';
import { actionLog, log, maskWithRunner } from './log.js';
import { isCloudWatchError, publish } from './publish.js';
import { fromSavedReport, fromShardReports } from './saved-report.js';
import { ShardError, type Shard } from '../config/shard.js';
import { shardedConfig, shardRecord } from '../gate/shards.js';
import { scheduleFrom, type Schedule } from '../gate/start-at.js';
import { workflowRunCreatedAt } from '../github/workflow-run.js';
import { InputError, readSettings, type Settings } from './settings.js';

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
    if (settings.reports) return await fromShardReports(settings, env);
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

/** Measure the target, judge, report, and publish when asked to. */
async function measure(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
  const whole = await readBudgetFile(settings, env);
  if (!whole) return;
  const shard = await shardOf(whole, settings);
  if (shard === 'failed') return;
  const config = shard?.config ?? whole;
  const baselines = baselineReading(config, {
    baselineUrl: settings.baselineUrl,
    log: actionLog.info,
    readGitHub: async (c) => {
      const { readGitHubHistory } = await import('./history.js');
      return readGitHubHistory(c, settings, new Date());
    },
  });

  const stop = stopOnSignalOrHeap();
  let gate: GateRun;
  try {
    gate = await runGate({
      config,
      baselineUrl: settings.baselineUrl,
      maxDurationMs: settings.maxDurationMs,
      signal: stop.signal,
      log: actionLog,
      readCloudWatch: baselines.readCloudWatch,
      historyName: baselines.historyName,
      schedule: shard?.schedule,
      // A shard keeps its round pairs so the merge can line them up (gate/shards.ts).
      ...(shard ? { evaluate: { keepRoundPairs: true } } : {}),
    });
  } catch (error) {
    // Cancelled while waiting for the target: nothing was measured, but the run still ends with
    // a summary and a report marked cancelled, not as a crash.
    const cancelled = stop.signal.aborted;
    if (cancelled || error instanceof TargetUnreachableError || isCloudWatchError(error)) {
      const errors = stop.outOfMemory
        ? [{ message: stop.outOfMemory }]
        : cancelled
          ? []
          : [{ message: messageOf(error) }];
      const report = unmeasuredReport(config, { cancelled, errors }, env);
      return await finish(report, settings, { writeReport: true });
    }
    throw error;
  } finally {
    stop.dispose();
  }
  if (stop.outOfMemory) {
    const summary = gate.evaluation.summary;
    summary.errors = [...(summary.errors ?? []), { message: stop.outOfMemory }];
    summary.passed = false;
  }

  const report = gateReport(config, gate, env);
  if (shard) {
    report.shard = shardRecord(report, whole, shard.shard, shard.startAt?.toISOString());
    // A shard gates nothing: no comment, no failing on findings; the merge job does both.
    await finish(
      report,
      { ...settings, comment: 'never', failOn: { budget: false, regression: false } },
      { writeReport: true, shard: true },
    );
    return;
  }
  if (settings.publish) await publish(config, report, settings);
  await finish(report, settings, { writeReport: true, acceptBudget: config.acceptBudget });
}

/**
 * This shard's config and common start (`shard`, `start-at` inputs), or undefined for a whole
 * run; 'failed' after failing the step with a message naming the input.
 */
async function shardOf(
  whole: Config,
  settings: Settings,
): Promise<
  { shard: Shard; config: Config; startAt?: Date; schedule?: Schedule } | undefined | 'failed'
> {
  if (!settings.shard) return undefined;
  let config: Config;
  try {
    config = shardedConfig(whole, settings.shard);
  } catch (error) {
    if (error instanceof ShardError) {
      fail(`input shard: ${error.message}`);
      return 'failed';
    }
    throw error;
  }
  log.info(
    `shard ${settings.shard.index} of ${settings.shard.count}: measuring this share of every endpoint's load; the job that merges the shards' reports gates the run`,
  );
  if (!settings.startAt) return { shard: settings.shard, config };
  let startAt: Date;
  try {
    startAt =
      settings.startAt instanceof Date
        ? settings.startAt
        : new Date((await runCreatedAt(settings)).getTime() + settings.startAt.afterMs);
    const schedule = scheduleFrom(startAt, config, settings.baselineUrl !== undefined);
    log.info(
      `start-at ${startAt.toISOString()}: every shard starts each endpoint at the same moment`,
    );
    return { shard: settings.shard, config, startAt, schedule };
  } catch (error) {
    fail(`input start-at: ${messageOf(error)}`);
    return 'failed';
  }
}

async function runCreatedAt(settings: Settings): Promise<Date> {
  const { repository, runId, apiUrl } = settings.github;
  if (!repository || runId === undefined) {
    throw new Error(
      'a relative start-at (+90s) counts from the workflow run, and GITHUB_REPOSITORY or GITHUB_RUN_ID is not set: give an absolute time',
    );
  }
  return workflowRunCreatedAt({ token: settings.githubToken, apiUrl, repository, runId });
}

/**
 * The budget file, loaded and checked against the runner, its secrets registered; or undefined
 * after its problems are annotated, summarised and the step failed.
 */
async function readBudgetFile(
  settings: Settings,
  env: NodeJS.ProcessEnv,
): Promise<Config | undefined> {
  const { file, path } = budgetFileOf(settings);
  let config: Config;
  try {
    config = await log.group('Budget file', async () => {
      // Messages and annotations name the file as the workflow does: relative to the workspace.
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
    if (error instanceof BudgetFileError) {
      await budgetFileFailed(error.problems, file);
      return undefined;
    }
    throw error;
  }
  const tooMany = connectionLimitProblems(config, openFileLimit());
  if (tooMany.length > 0) {
    await limitsFailed(tooMany, file);
    return undefined;
  }
  warnIfFileChoosesTarget(settings, config, file);
  registry.add(...config.secrets, ...inputCredentials(settings, config.target.publicQuery ?? []));
  config.secrets = registry.list();
  return config;
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

/**
 * Stops the load on SIGTERM/SIGINT (the runner cancelling the job), and before the heap runs out:
 * out of heap, V8 would kill the process with nothing written.
 */
function stopOnSignalOrHeap(): {
  signal: AbortSignal;
  readonly outOfMemory: string | undefined;
  dispose(): void;
} {
  const controller = new AbortController();
  const cancel = (signal: NodeJS.Signals) => {
    log.warning(`Received ${signal}: stopping the load and writing partial results.`);
    controller.abort();
  };
  process.once('SIGTERM', cancel);
  process.once('SIGINT', cancel);
  let outOfMemory: string | undefined;
  const stopWatching = watchHeap((reading) => {
    outOfMemory =
      `perf-gate stopped the load: the process used ${describeHeap(reading)}, and running out ` +
      'would end it with no report. Lower connections or rate, or measure fewer endpoints per run.';
    log.warning(outOfMemory);
    controller.abort();
  });
  return {
    signal: controller.signal,
    get outOfMemory() {
      return outOfMemory;
    },
    dispose() {
      stopWatching();
      process.off('SIGTERM', cancel);
      process.off('SIGINT', cancel);
    },
  };
}
