import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { refusedPort } from '../servers/ports.js';

/**
 * Runs the `perf-gate` CLI as a real process: the sources through tsx's loader in the same Node
 * (so a test never exercises a stale bundle), with pipes for stdout and stderr like any CI log.
 */

export const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'src/cli/index.ts');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Called with the process once started and a view of its stderr so far (e.g. to interrupt it). */
  onSpawn?: (kill: (signal: NodeJS.Signals) => void, stderr: () => string) => void;
  timeoutMs?: number;
  /** Run this file instead of the sources (the built bundle). */
  entry?: string;
  /** Runs the CLI under `ulimit -n N` (through bash). */
  openFilesLimit?: number;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  // A clean environment: only what a process needs, so no variable of the machine running the
  // tests (CI, AWS_*, PREVIEW_URL) changes what the CLI does.
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, options.env);
  // tsx by its path, so the CLI can run in any folder (a project without node_modules).
  const entryArgs = options.entry ? [options.entry] : ['--import', TSX, ENTRY];
  const argv = [process.execPath, ...entryArgs, ...args];
  const [command, ...rest] =
    options.openFilesLimit === undefined
      ? argv
      : ['bash', '-c', `ulimit -n ${options.openFilesLimit} && exec "$0" "$@"`, ...argv];
  const child = spawn(command!, rest, {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  options.onSpawn?.(
    (signal) => child.kill(signal),
    () => stderr,
  );
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`perf-gate ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A fresh folder for one test file's budget files and reports. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `perf-gate-${prefix}-`));
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A loopback port nothing listens on, that no server of the suite can be given meanwhile. */
export const closedPort = refusedPort;

/** Polls until `test` holds (for a process's output to reach some point). */
export async function waitFor(test: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
