import { readFile, writeFile } from 'node:fs/promises';
import { measureEndpoint } from '../measure/engine.js';
import { waitForTarget } from '../gate/ready.js';
import { displayUrl } from '../secrets/secrets.js';
import type { Measurement } from '../measure/types.js';
import { formatDuration } from '../units/format.js';
import {
  durationOption,
  flag,
  integerOption,
  positionals,
  stringOption,
  UsageError,
  urlOption,
  type ParsedArgs,
} from './args.js';
import { DEFAULT_BUDGET_FILE, loadBudget, passLoadMs } from './budget.js';
import { calibrate, noisyAdvice, renderSpread, renderSuggestedFile } from './calibration.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CALIBRATE_HELP } from './help.js';
import type { CliContext, Output } from './output.js';
import type { CommandSpec } from './command.js';
import { createProgress } from './progress.js';
import { connectionErrors, neverConnected } from './reachability.js';

/**
 * `perf-gate calibrate`: measures an unchanged target several times and suggests regression
 * tolerances from its run-to-run spread. Runs are interleaved (every endpoint in run 1, then in
 * run 2, ...) so a drift of the machine spreads over all endpoints instead of hitting one.
 */

const COMMAND = 'calibrate';

/** `perf-gate calibrate`: its options and help (runCli parses them and answers `--help`). */
export const calibrateSpec: CommandSpec = {
  name: COMMAND,
  options: {
    budget: { type: 'string' },
    'target-url': { type: 'string' },
    runs: { type: 'string' },
    'max-duration': { type: 'string' },
    output: { type: 'string' },
    verbose: { type: 'boolean' },
  },
  help: CALIBRATE_HELP,
  run: calibrateCommand,
};

async function calibrateCommand(
  parsed: ParsedArgs,
  context: CliContext,
  output: Output,
): Promise<ExitCode> {
  positionals(parsed, COMMAND, []);
  const budgetFile = stringOption(parsed, 'budget') ?? DEFAULT_BUDGET_FILE;
  const targetUrl = urlOption(parsed, 'target-url', COMMAND);
  const runs = integerOption(parsed, 'runs', { min: 2, max: 50, fallback: 5 }, COMMAND);
  const maxDurationMs = durationOption(parsed, 'max-duration', '30m', COMMAND);
  const outputFile = stringOption(parsed, 'output');

  const config = await loadBudget(budgetFile, { env: context.env, targetUrl }, COMMAND);
  output.mask(config.secrets);
  // The suggestion is this file with tolerances written in: its text as written, not interpolated.
  const source = await readFile(budgetFile, 'utf8');
  const totalMs = runs * passLoadMs(config);
  if (totalMs > maxDurationMs) {
    throw new UsageError(
      `${runs} runs of ${budgetFile} take ${formatDuration(totalMs)} of load, over --max-duration ${formatDuration(maxDurationMs)}: ` +
        'pass fewer --runs, shorten load.duration, or raise --max-duration',
      COMMAND,
    );
  }

  const progress = createProgress(output, { verbose: flag(parsed, 'verbose') });
  const controller = new AbortController();
  const signal = controller.signal;
  const unsubscribe = context.onInterrupt?.((name) => {
    progress.settle();
    output.err(`perf-gate: ${name}: stopping; no suggestion from an interrupted calibration`);
    controller.abort(new Error(`interrupted by ${name}`));
  });

  try {
    // The gate's own ready-wait: throws TargetUnreachableError (exit 3) when nothing answers.
    await waitForTarget(config, { signal, log: progress.log });

    output.err(
      `Calibrating: ${runs} runs of ${config.endpoints.length} endpoint${config.endpoints.length === 1 ? '' : 's'}, ${formatDuration(totalMs)} of load`,
    );
    const measured = config.endpoints.map(() => [] as Measurement[]);
    for (let run = 1; run <= runs && !signal.aborted; run++) {
      for (const [i, endpoint] of config.endpoints.entries()) {
        if (signal.aborted) break;
        const m = await progress.log.group(
          `Run ${run}/${runs}: ${endpoint.method} ${endpoint.name}`,
          () =>
            measureEndpoint(endpoint, {
              signal,
              log: progress.log.info,
              onProgress: (p) => progress.onProgress(endpoint.name, p),
            }),
        );
        if (neverConnected(m)) {
          output.err(
            `perf-gate: could not measure: no request to ${displayUrl(endpoint.url)} got an answer (${connectionErrors(m)})`,
          );
          return EXIT.unmeasured;
        }
        measured[i]!.push(m);
      }
    }
    progress.settle();
    if (signal.aborted) return EXIT.unmeasured;

    const results = calibrate(
      config.endpoints.map((e, i) => ({
        name: e.name,
        measurements: measured[i]!,
        durationMs: e.load.durationMs,
      })),
    );
    output.out('');
    output.out(
      `Run-to-run spread of ${runs} runs of an unchanged target (spread = (max - min) / median):`,
    );
    output.out('');
    output.out(renderSpread(results));
    output.out('');
    const advice = noisyAdvice(results);
    if (advice.length > 0) {
      output.out('');
      for (const line of advice) output.out(line);
    }
    const suggested = renderSuggestedFile(
      source,
      results,
      new Set(config.endpoints.filter((e) => e.regression === false).map((e) => e.name)),
    );
    output.out('');
    if (outputFile !== undefined) {
      try {
        await writeFile(outputFile, suggested);
      } catch (error) {
        throw new UsageError(
          `--output ${outputFile}: cannot write the suggested file: ${(error as Error).message}`,
        );
      }
      output.out(
        `Suggested tolerances (3x the spread; see --help) written into a copy of ${budgetFile}: ${outputFile}`,
      );
      return EXIT.passed;
    }
    output.out(
      `Suggested tolerances (3x the spread; see --help), written into ${budgetFile} (--output FILE saves it):`,
    );
    output.out('');
    output.out(suggested.trimEnd());
    return EXIT.passed;
  } finally {
    unsubscribe?.();
  }
}
