import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * Runs the committed bundle (`node dist/index.js`) the way a GitHub runner runs a step: inputs
 * as INPUT_* variables with action.yml's defaults filled in, the event payload in a file, and
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY pointing at files we read back afterwards.
 */

const ROOT = resolve(import.meta.dirname, '../..');

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
  runnerTemp: string;
}

export interface ActionRunOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** The event payload; a pull_request event with this number by default. */
  event?: unknown;
  eventName?: string;
  /** Files to create in the workspace before the run (relative path → content). */
  files?: Record<string, string>;
  workspace?: string;
  /** Called once the process has started (e.g. to send it a signal). */
  onSpawn?: (pid: number, stdout: () => string) => void;
  timeoutMs?: number;
  /** Runs the bundle under `ulimit -n N` (through bash), as a runner with that limit would. */
  openFilesLimit?: number;
}

/** Parses the GITHUB_OUTPUT file format written by @actions/core (`name<<DELIM ... DELIM`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const [, name, delimiter] = m;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      outputs[name] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return outputs;
}

export async function runAction(options: ActionRunOptions = {}): Promise<ActionRun> {
  const base = mkdtempSync(join(tmpdir(), 'perf-gate-e2e-'));
  const workspace = options.workspace ?? join(base, 'workspace');
  const runnerTemp = join(base, 'runner-temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(runnerTemp, { recursive: true });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  const outputFile = join(base, 'output');
  const summaryFile = join(base, 'summary');
  const eventFile = join(base, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(eventFile, JSON.stringify(options.event ?? { pull_request: { number: 7 } }));

  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = options.inputs?.[name] ?? spec.default ?? '';
    // The runner evaluates expressions in defaults; the only one we declare is the token.
    inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value.includes('${{') ? '' : value;
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in action.inputs)) throw new Error(`action.yml declares no input "${name}"`);
  }

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? base,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1234',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...inputEnv,
    ...options.env,
  };

  const entry = [process.execPath, join(ROOT, 'dist/index.js')];
  const [command, ...args] =
    options.openFilesLimit === undefined
      ? entry
      : ['bash', '-c', `ulimit -n ${options.openFilesLimit} && exec "$0" "$@"`, ...entry];
  const child = spawn(command!, args, {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (child.pid !== undefined) options.onSpawn?.(child.pid, () => stdout);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (c, s) => done([c, s])),
  );
  clearTimeout(timer);
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
    runnerTemp,
  };
}
