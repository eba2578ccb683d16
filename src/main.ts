import * as core from '@actions/core';

/** Runs the action. Never throws: every failure ends in one core.setFailed message. */
export async function run(): Promise<void> {
  core.setFailed('perf-gate: not wired yet');
}
