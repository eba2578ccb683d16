/**
 * How a front end names what the user sets outside the budget file, so a budget-file message
 * speaks the user's words: the action's inputs in a workflow, the CLI's options in a terminal.
 * The loader takes these in its options; the action's words are the default. A config message
 * names an input or option only through these words, so the same problem (the same `code`,
 * codes.ts) reads the same in both front ends but for them: no front end rewrites a message.
 */
export interface OptionWords {
  /** Replaces target.url. */
  targetUrl: string;
  /** Caps the total load. */
  maxDuration: string;
  /** The reference deployment measured side by side. */
  baselineUrl: string;
  /** Names the budget file. */
  budgetFile: string;
  /** How to set an environment variable the file reads. */
  setVariable: string;
}

export const ACTION_WORDS: OptionWords = {
  targetUrl: 'the target-url input',
  maxDuration: 'the max-duration input',
  baselineUrl: 'the baseline-url deployment',
  budgetFile: 'the budget-file input',
  setVariable: "set it in the step's env",
};

export const CLI_WORDS: OptionWords = {
  targetUrl: '--target-url',
  maxDuration: '--max-duration',
  baselineUrl: 'the --baseline-url deployment',
  budgetFile: '--budget FILE',
  setVariable: 'set it in the environment (NAME=value perf-gate ...)',
};

/** Where every key of the budget file is described (the README's reference). */
export const BUDGET_FILE_DOCS = 'https://github.com/perf-gate/perf-gate#the-budget-file';
