/**
 * The CLI's exit statuses (docs/architecture.md §7). Scripts and other CI systems branch on them, so they never
 * change meaning: an interrupted run could not finish measuring, hence `unmeasured`.
 */
export const EXIT = {
  /** Every check held (or failed only on findings `--fail-on` leaves out). */
  passed: 0,
  /** A finding named in `--fail-on` is present, or the run had errors. */
  failed: 1,
  /** Bad arguments, an invalid budget file or report. */
  usage: 2,
  /** Nothing could be measured: target unreachable, every endpoint failed, or interrupted. */
  unmeasured: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
