import { existsSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { mergeShardReports, ShardMergeError, type ShardInput } from '../gate/shards.js';
import { runEnvironment } from '../gate/report.js';
import { isInside } from '../report/write-file.js';
import { TOOL } from '../version.js';
import { publish } from './publish.js';
import { BudgetFileError, loadBudgetFile } from '../config/load.js';
import type { Config } from '../config/types.js';
import { withoutAcceptances } from '../evaluate/accept.js';
import { rejudgeReport } from '../gate/rejudge.js';
import { messageOf } from '../gate/run-gate.js';
import { readReportFile } from '../report/read.js';
import type { Report } from '../report/report.js';
import { registry } from '../secrets/secrets.js';
import { budgetFileFailed, codeBlock, fail } from './failures.js';
import { finish, writeSummary } from './finish.js';
import { budgetFileOf, inputCredentials } from './inputs.js';
import { log } from './log.js';
import type { Settings } from './settings.js';

/**
 * The `report` input: judge a report an earlier run wrote (the fork-safe workflow_run pattern)
 * by this job's budget file, and comment from it. Nothing is measured.
 */
export async function fromSavedReport(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
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
  const rules = await rulesOf(settings, env);
  if (rules === 'failed') return;
  const config = rules;
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

/**
 * The rules to judge saved reports by: this job's budget file (in the workflow_run pattern, the
 * base branch's), never a report's own rules when there is one, since a fork writes its report.
 * Undefined (with a warning) when there is no budget file; 'failed' after its problems are shown.
 */
async function rulesOf(
  settings: Settings,
  env: NodeJS.ProcessEnv,
): Promise<Config | undefined | 'failed'> {
  const { file, path } = budgetFileOf(settings);
  if (!existsSync(settings.budgetFile)) {
    log.warning(
      `No budget file at ${file}: the saved report is judged by the rules it carries, which whoever produced the report could have edited. Check out the base branch before this step (or set budget-file) so its rules decide.`,
    );
    return undefined;
  }
  try {
    const config = await log.group('Budget file (the rules to judge the report by)', () =>
      loadBudgetFile(path, {
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
    registry.add(...config.secrets);
    return config;
  } catch (error) {
    if (error instanceof BudgetFileError) {
      await budgetFileFailed(error.problems, file);
      return 'failed';
    }
    throw error;
  }
}

/** Most shard reports one merge reads: more than any matrix (256 jobs) has shards. */
const MAX_SHARD_REPORTS = 256;

/**
 * The `reports` input: the reports of a sharded run's shards (a glob, e.g. the folder
 * actions/download-artifact filled), merged exactly and judged as one run
 * (gate/shards.ts), then commented, annotated, written and published like a measured run.
 */
export async function fromShardReports(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
  registry.add(...inputCredentials(settings, []));
  const roots = [settings.github.workspace, settings.github.runnerTemp];
  const failed = async (message: string) => {
    await writeSummary(
      `### ❌ perf-gate: the shards' reports cannot be merged\n\n${codeBlock(message)}\n\nNothing was judged. The \`reports\` input names the report.json files of every shard of one run (\`shard: i/n\`).\n`,
    );
    fail(message);
  };
  const files: string[] = [];
  for await (const match of glob(settings.reports!, { cwd: settings.github.workspace })) {
    const full = resolve(settings.github.workspace, match);
    if (!roots.some((root) => isInside(full, root))) {
      return failed(
        `input reports: "${settings.reports}" matches ${full}, outside the workspace and RUNNER_TEMP: download the shards' reports into either`,
      );
    }
    files.push(full);
    if (files.length > MAX_SHARD_REPORTS) {
      return failed(
        `input reports: "${settings.reports}" matches more than ${MAX_SHARD_REPORTS} files`,
      );
    }
  }
  if (files.length === 0) {
    return failed(
      `input reports: "${settings.reports}" matches no file in ${settings.github.workspace}: download the shards' report artifacts first (actions/download-artifact with merge-multiple)`,
    );
  }
  files.sort();
  const inputs: ShardInput[] = [];
  try {
    await log.group(`Reading ${files.length} shard report(s)`, async () => {
      for (const file of files) {
        const source = relative(settings.github.workspace, file) || file;
        inputs.push({ source, report: await readReportFile(file, source) });
      }
    });
  } catch (error) {
    return failed(`input reports: ${messageOf(error)}`);
  }
  const rules = await rulesOf(settings, env);
  if (rules === 'failed') return;
  let merged;
  try {
    merged = mergeShardReports(inputs, {
      config: rules,
      tool: TOOL,
      createdAt: new Date().toISOString(),
      environment: runEnvironment(env),
    });
  } catch (error) {
    if (error instanceof ShardMergeError) return failed(`input reports: ${error.message}`);
    throw error;
  }
  for (const warning of merged.warnings) log.warning(`input reports: ${warning}`);
  if (settings.publish && rules) await publish(rules, merged.report, settings);
  await finish(merged.report, settings, { writeReport: true, acceptBudget: rules?.acceptBudget });
}
