import { existsSync } from 'node:fs';
import { loadBudgetFile, type LoadOptions } from '../config/load.js';
import type { Config } from '../config/types.js';
import { BUDGET_FILE_DOCS, CLI_WORDS } from '../config/words.js';
import { UsageError } from './args.js';
import { plannedLoadMs } from '../config/plan.js';

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
  const name = command === 'validate' ? 'perf-gate validate FILE' : '--budget FILE';
  if (!existsSync(path)) {
    throw new UsageError(
      `${path}: no such file: create it (every key is described at ${BUDGET_FILE_DOCS}) or name another file with ${name}`,
    );
  }
  // In a GitHub job the file must lie in the checkout, as for the action; elsewhere the command
  // line names it. Messages name this command's options, never the action's inputs.
  const workspace = 'workspace' in options ? options.workspace : options.env.GITHUB_WORKSPACE;
  const worded = { ...options, words: { ...CLI_WORDS, budgetFile: name } };
  return loadBudgetFile(path, workspace ? { ...worded, workspace } : worded);
}

/**
 * Loads a budget file for its rules only (compare, merge): no request is sent, so the file's
 * variables (a token, the preview URL) need not be set; an unset one reads as a placeholder.
 */
export async function loadRules(
  path: string,
  env: NodeJS.ProcessEnv,
  command: string,
): Promise<Config> {
  const placeholders = new Proxy(env, {
    get: (real, name) => (typeof name === 'string' ? (real[name] ?? 'unset') : undefined),
  });
  return loadBudget(
    path,
    // The workspace from the real environment: the placeholder proxy would invent one.
    { env: placeholders, targetUrl: 'http://rules.invalid', workspace: env.GITHUB_WORKSPACE },
    command,
  );
}

/** Load time of one pass over the endpoints as the engine runs it (warmups included), ms. */
export function passLoadMs(config: Config): number {
  return config.endpoints.reduce((ms, e) => ms + plannedLoadMs(e.load, false), 0);
}
