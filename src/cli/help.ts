/** What `--help` prints, for the tool and for each command. */

const EXIT_CODES = `Exit status:
  0  passed: every check held (or only findings left out of --fail-on)
  1  the gate failed: a finding named in --fail-on, or some endpoint could not be measured
  2  invalid input: bad arguments, budget file or report (every problem is listed)
  3  could not measure: target unreachable, every endpoint failed, or interrupted
     (Ctrl-C / SIGTERM: the partial report is still written, marked cancelled)`;

export const TOOL_HELP = `perf-gate: gate HTTP performance on budgets and baselines

Usage:
  perf-gate run --budget FILE [--target-url URL] [--baseline-url URL] [options]
  perf-gate validate [FILE]
  perf-gate compare BASE.json HEAD.json [options]
  perf-gate merge SHARD.json... [options]
  perf-gate report REPORT.json --html OUT [--markdown OUT]
  perf-gate calibrate --budget FILE [--target-url URL] [--runs N]

Commands:
  run        measure the target and judge it against the budget file
  validate   check a budget file without sending any load
  compare    judge one saved report against another (no load)
  merge      add the reports of a sharded run together and judge the whole load
  report     render a saved report as HTML or Markdown (e.g. a fork's artifact)
  calibrate  measure an unchanged target several times and suggest regression tolerances

Options:
  -h, --help     show help (perf-gate COMMAND --help for a command's options)
  --version      print the version

Results go to stdout; progress and logs to stderr. Values the budget file reads from the
environment (\${VAR}) are masked in everything printed.

${EXIT_CODES}`;

export const RUN_HELP = `Usage: perf-gate run --budget FILE [options]

Waits for the target (target.ready), measures every endpoint of the budget file in turn,
confirms any breach by measuring once more, and prints a table of the verdicts.

Options:
  --budget FILE         budget file (default perf-budget.yml)
  --target-url URL      base URL of the deployment under test; overrides target.url
  --baseline-url URL    reference deployment, measured side by side in interleaved rounds;
                        regressions are judged against it
  --json OUT            write the JSON report (schemas/report.schema.json) to OUT
  --markdown OUT        write the Markdown report (as in the pull-request comment) to OUT
  --html OUT            write a self-contained HTML report (verdicts, latency charts) to OUT
  --fail-on LIST        findings that fail: budget, regression, both (default) or none
  --max-duration D      cap on total load time, e.g. 15m (default 15m); a budget file that
                        asks for more is refused
  --shard I/N           measure shard I of N: every endpoint with its share of the connections
                        and rate; the run gates nothing (exit 0 once measured), and
                        \`perf-gate merge\` judges the N reports together
  --start-at TIME       with --shard: wait until TIME (ISO 8601 with zone, or @UNIX-SECONDS)
                        and start each endpoint at a fixed offset from it, so shards overlap
  --verbose             also print debug lines
  -h, --help            show this help

Without --baseline-url, regressions are judged against CloudWatch history when the budget file
configures baseline.cloudwatch (AWS credentials from the usual environment).

${EXIT_CODES}`;

export const VALIDATE_HELP = `Usage: perf-gate validate [FILE] [--target-url URL] [--max-duration D]

Checks a budget file the way \`run\` loads it (schema, units, \${VAR} interpolation from the
environment, URLs, total load time) without sending any request, and lists every problem as
FILE:LINE:COL PATH: MESSAGE. FILE defaults to perf-budget.yml, as for run.

Options:
  --target-url URL      use this instead of target.url (then its \${VAR} need not be set)
  --max-duration D      the cap the file's total load time must fit in (default 15m)
  -h, --help            show this help

Exit status: 0 valid, 2 invalid.`;

export const COMPARE_HELP = `Usage: perf-gate compare BASE.json HEAD.json [options]

Judges the head report's measurements against the base report's, endpoint by endpoint (matched
by name), exactly as a side-by-side run would: the regression rules, significance and budgets
come from the head report's configuration, or from --budget. No load is sent.

Options:
  --budget FILE         judge by this budget file's rules instead of the head report's
  --json OUT            write the comparison as a JSON report to OUT
  --markdown OUT        write it as Markdown to OUT
  --html OUT            write it as a self-contained HTML report to OUT
  --fail-on LIST        findings that fail: budget, regression, both (default) or none
  -h, --help            show this help

Exit status: 0 passed, 1 failed, 2 a report is missing or invalid.`;

export const MERGE_HELP = `Usage: perf-gate merge SHARD.json... [options]

Adds the reports of the N shards of one run (perf-gate run --shard I/N) together: checks that
they are the N shards of one gate and budget file, none missing or repeated, adds every
endpoint's histograms exactly and sums requests, errors and throughput, then judges the merged
measurements as one run. Warns when the shards did not load the target at the same time.
No load is sent.

Options:
  --budget FILE         judge by this budget file's rules instead of the shards' own
  --json OUT            write the merged JSON report to OUT
  --markdown OUT        write it as Markdown to OUT
  --html OUT            write it as a self-contained HTML report to OUT
  --fail-on LIST        findings that fail: budget, regression, both (default) or none
  -h, --help            show this help

Exit status: 0 passed, 1 failed, 2 a report is missing, invalid or not part of one sharded run.`;

export const REPORT_HELP = `Usage: perf-gate report REPORT.json --html OUT [--markdown OUT]

Renders a saved JSON report (from run, compare or the action's report-file) without measuring
or judging again: the HTML report is one self-contained file (no scripts, nothing fetched) with
the verdict table and each endpoint's latency by percentile; the Markdown is the pull-request
comment's text.

Options:
  --html OUT            write the HTML report to OUT
  --markdown OUT        write the Markdown report to OUT
  -h, --help            show this help

Exit status: 0 written, 2 the report is missing or invalid, or no output was named.`;

export const CALIBRATE_HELP = `Usage: perf-gate calibrate --budget FILE [--target-url URL] [--runs N]

Measures an unchanged target N times (every endpoint per run, runs interleaved so drift hits all
endpoints alike) and prints how much p50, p95, p99 and the error rate move from run to run
without any code change. From that spread it suggests \`regression\` tolerances and prints the
budget file with them written in (or saves it with --output), so the gate flags real regressions
and not noise: shared values in defaults.regression, an endpoint's own where it needs another:

  max-increase = 3 x the relative spread ((max - min) / median), rounded up to a multiple of 5%;
                 at least 5% for latencies and 50% for the error rate
  min-delta    = 3 x the absolute spread (max - min), rounded up to 1, 2 or 5 x a power of ten;
                 at least 1ms for latencies and 0.5 points for the error rate

A latency that would need more than +100% is too noisy to gate at this load: it gets the
loosest tolerance the file accepts (1000%), and the advice is to measure it longer.
Use the same load settings (and runner) as the gate; more runs give a steadier estimate.

Options:
  --budget FILE         budget file (default perf-budget.yml)
  --target-url URL      base URL of the deployment; overrides target.url
  --runs N              measurements per endpoint, 2 to 50 (default 5)
  --max-duration D      cap on total load time of all runs (default 30m)
  --output FILE         write the suggested budget file there instead of printing it
  --verbose             also print debug lines
  -h, --help            show this help

Exit status: 0 measured, 2 invalid input, 3 could not measure or interrupted.`;

export const COMMAND_HELP: Record<string, string> = {
  run: RUN_HELP,
  validate: VALIDATE_HELP,
  compare: COMPARE_HELP,
  merge: MERGE_HELP,
  calibrate: CALIBRATE_HELP,
};
