import type { Config } from '../config/types.js';
import { evaluateRun, type RunEvaluation } from '../evaluate/evaluate.js';
import type { RunError } from '../evaluate/types.js';
import { buildReport, environmentFrom, type Report } from '../report/report.js';
import { TOOL } from '../version.js';
import type { GateRun } from './run-gate.js';

/**
 * The JSON report of a gate, as both front ends write it: this tool, this machine, the config and
 * the verdicts (docs/architecture.md §1).
 */

/** The report of a gate that ran, dated when it finished. */
export function gateReport(config: Config, gate: GateRun, env: NodeJS.ProcessEnv): Report {
  return reportOf(config, gate.evaluation, gate.finishedAt, env);
}

/**
 * The report of a gate that measured nothing: cancelled before the load, or stopped by errors
 * (target unreachable, baselines unreadable). It has no endpoints and does not pass.
 */
export function unmeasuredReport(
  config: Config,
  why: { cancelled: boolean; errors?: RunError[] },
  env: NodeJS.ProcessEnv,
): Report {
  const evaluation = evaluateRun([], { cancelled: why.cancelled, errors: why.errors ?? [] });
  return reportOf(config, evaluation, new Date(), env);
}

function reportOf(
  config: Config,
  evaluation: RunEvaluation,
  createdAt: Date,
  env: NodeJS.ProcessEnv,
): Report {
  return buildReport({
    tool: TOOL,
    createdAt: createdAt.toISOString(),
    environment: runEnvironment(env),
    config,
    endpoints: evaluation.endpoints,
    summary: evaluation.summary,
  });
}

/** The environment a report records for a run in this process (runner, Node, CI links). */
export function runEnvironment(env: NodeJS.ProcessEnv): Report['environment'] {
  return environmentFrom({
    env,
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.version,
  });
}
