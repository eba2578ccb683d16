import { readFileSync } from 'node:fs';
import type { ActionRun } from '../e2e/action-runner.js';
import type { Report } from '../../src/report/report.js';

/**
 * Small budget files for fault and security runs, and what a run left behind. Loads stay at
 * one second with few connections: these tests prove behaviour, not speed.
 */

export interface BudgetEndpoint {
  path: string;
  name?: string;
  /** Extra YAML lines for the endpoint, indented under it (e.g. `budget: { p50: 1s }`). */
  lines?: string[];
}

export interface BudgetOptions {
  url: string;
  endpoints: BudgetEndpoint[];
  /** `target.ready`, e.g. `{ path: /healthz, timeout: 2s }`. */
  ready?: string;
  /** `defaults.load`; default one second, two connections, no warmup, 1 s timeout. */
  load?: string;
  /** `defaults.budget`. */
  budget?: string;
  /** More top-level lines (baseline, target headers under `target:` are given via `targetLines`). */
  lines?: string[];
  /** Lines under `target:` after `url`. */
  targetLines?: string[];
  id?: string;
}

export function budgetText(options: BudgetOptions): string {
  const out = ['version: 1', `id: ${options.id ?? 'faults'}`, 'confirm: false', 'target:'];
  out.push(`  url: ${options.url}`);
  if (options.ready) out.push(`  ready: ${options.ready}`);
  for (const line of options.targetLines ?? []) out.push(`  ${line}`);
  out.push('defaults:');
  out.push(
    `  load: ${options.load ?? '{ connections: 2, duration: 1s, warmup: 0s, timeout: 1s }'}`,
  );
  if (options.budget) out.push(`  budget: ${options.budget}`);
  out.push(...(options.lines ?? []));
  out.push('endpoints:');
  for (const e of options.endpoints) {
    out.push(`  - path: ${JSON.stringify(e.path)}`);
    if (e.name !== undefined) out.push(`    name: ${JSON.stringify(e.name)}`);
    for (const line of e.lines ?? []) out.push(`    ${line}`);
  }
  return `${out.join('\n')}\n`;
}

/** The JSON report the run wrote (the report-file output), or undefined when there is none. */
export function reportOf(run: ActionRun): Report | undefined {
  const path = run.outputs['report-file'];
  if (!path) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/** stdout as the runner shows it: `::add-mask::` lines register secrets, they are not output. */
export function visible(stdout: string): string {
  return stdout.replace(/^::add-mask::.*$/gm, '');
}

/** The `::error` workflow commands of a run, one per entry. */
export function errorCommands(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** Whether a process has exited (signal 0 probes without touching it). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
