import { existsSync } from 'node:fs';
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
  // The rules come from this job's budget file (in the workflow_run pattern, the base branch's),
  // never from the report alone when there is one: a fork writes its report.
  const { file, path } = budgetFileOf(settings);
  let config: Config | undefined;
  if (existsSync(settings.budgetFile)) {
    try {
      config = await log.group('Budget file (the rules to judge the report by)', () =>
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
