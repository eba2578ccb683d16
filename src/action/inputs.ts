import { relative, resolve } from 'node:path';
import { urlCredentials, urlSecrets } from '../secrets/secrets.js';
import type { Settings } from './settings.js';

/** What the action derives from its settings before reading anything. */

/**
 * The budget file as the workflow names it (relative to the workspace), and the path to read it
 * by: that name when the step runs in the workspace, else the input as given.
 */
export function budgetFileOf(settings: Settings): { file: string; path: string } {
  const file = relative(settings.github.workspace, settings.budgetFile) || settings.budgetFile;
  const inWorkspace = resolve(process.cwd()) === resolve(settings.github.workspace);
  return { file, path: inWorkspace ? file : settings.budgetFile };
}

/**
 * The secrets of the target-url and baseline-url inputs: user names and passwords, and query
 * values except those of the parameters in `publicQuery` (the budget file's target.public-query;
 * all of them while the file is not read).
 */
export function inputCredentials(settings: Settings, publicQuery?: readonly string[]): string[] {
  return [settings.targetUrl, settings.baselineUrl].flatMap((url) => {
    if (!url) return [];
    if (publicQuery) return urlSecrets(url, publicQuery);
    return urlCredentials(url);
  });
}
