import { existsSync } from 'node:fs';
import { loadBudgetFile, type LoadOptions } from '../config/load.js';
import type { Config } from '../config/types.js';
import { UsageError } from './args.js';
import { plannedLoadMs } from '../measure/plan.js';

/** The default `--budget`, as for the action's `budget-file` input. */
export const DEFAULT_BUDGET_FILE = 'perf-budget.yml';

/**
 * Loads the budget file for a command. A missing file is a usage error that names the option to
 * use; every other problem is the loader's BudgetFileError (all problems, located).
 */
export async function loadBudget(
  path: string,
  options: LoadOptions,
  command: string,
): Promise<Config> {
  if (!existsSync(path)) {
    throw new UsageError(
      `${path}: no such file: name the budget file${command === 'validate' ? '' : ' with --budget FILE'} (perf-budget.example.yml shows every key)`,
    );
  }
  // In a GitHub job the file must lie in the checkout, as for the action; elsewhere the command
  // line names it.
  const workspace = options.workspace ?? options.env.GITHUB_WORKSPACE;
  return loadBudgetFile(path, workspace ? { ...options, workspace } : options);
}

/** Load time of one pass over the endpoints as the engine runs it (warmups included), ms. */
export function passLoadMs(config: Config): number {
  return config.endpoints.reduce((ms, e) => ms + plannedLoadMs(e.load, false), 0);
}
