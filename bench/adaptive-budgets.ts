/**
 * Speed of adaptive measurement on budgets alone (npm run bench:decisions -- --adaptive).
 *
 * The example budget file (perf-budget.example.yml) against the bundled sample API (demo/), the
 * whole gate as the action runs it (runGate: warmup, measurement, confirmation of breaches),
 * once with the fixed design (`adaptive: false`, the reference) and once adaptive, in alternating
 * order, in the same run. Two settings: the durations as written in the example (3 s, shorter
 * than the 5 s minimum, so adaptive cannot stop sooner: both designs must agree) and the 30 s a
 * real service is advised to use (the cap), with the default 5 s minimum.
 *
 * Reported per design: load time spent (warmups, recorded runs and confirmations, as the gate
 * counts it), wall-clock time of the gate, and per endpoint its verdict, stop reason and look.
 * The sample API runs in a child process, so its event loop is not the load generator's.
 *
 * The same run also reports the other half of the speed claim, side by side: the median load of
 * A/A comparisons, sequential against the fixed design at the same 30 s cap, on both simulated
 * runners and both tolerances (the A/A rows of bench/sequential-simulation.ts, same seeds, 300
 * sequential and 100 fixed trials each; `--aa-trials N` to change, 0 to leave them out).
 *
 * Options: --repeats N (pairs per setting, default 1), --settings written,30s,
 * --out FILE (default bench/results/decisions-adaptive.json).
 */

import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBudgetFile } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { runGate, type GateLog } from '../src/gate/run-gate.js';
import { startSampleApi } from '../demo/sample-api.js';
import { aaSettings, runSettings, speedOf } from './sequential-simulation.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const here = fileURLToPath(import.meta.url);

interface EndpointOutcome {
  name: string;
  verdict: string;
  stop?: string;
  look?: number;
  looks?: number;
  recordedMs: number;
  confirmed: boolean;
}

interface RunOutcome {
  design: 'fixed' | 'adaptive';
  setting: string;
  repeat: number;
  passed: boolean;
  loadMs: number;
  plannedLoadMs: number;
  wallMs: number;
  endpoints: EndpointOutcome[];
}

const quiet: GateLog = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_name, fn) => fn(),
};

function withDesign(config: Config, adaptive: boolean, durationMs?: number): Config {
  return {
    ...config,
    endpoints: config.endpoints.map((e) => ({
      ...e,
      adaptive,
      load: durationMs === undefined ? { ...e.load } : { ...e.load, durationMs },
    })),
  };
}

async function once(
  config: Config,
  design: 'fixed' | 'adaptive',
  setting: string,
  repeat: number,
): Promise<RunOutcome> {
  const started = performance.now();
  const run = await runGate({ config, log: quiet });
  const wallMs = performance.now() - started;
  return {
    design,
    setting,
    repeat,
    passed: run.evaluation.summary.passed,
    loadMs: Math.round(run.loadMs),
    plannedLoadMs: Math.round(run.plannedLoadMs),
    wallMs: Math.round(wallMs),
    endpoints: run.evaluation.endpoints.map((e) => ({
      name: e.name,
      verdict: e.verdict,
      ...(e.measurement.adaptive
        ? {
            stop: e.measurement.adaptive.stop,
            look: e.measurement.adaptive.look,
            looks: e.measurement.adaptive.looks,
          }
        : {}),
      recordedMs: Math.round(e.measurement.durationMs),
      confirmed: e.confirmation !== undefined,
    })),
  };
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function runAdaptiveBench(argv: string[]): Promise<void> {
  const repeats = Number(argValue(argv, '--repeats') ?? 1);
  const settings = (argValue(argv, '--settings') ?? 'written,30s').split(',');
  const out = path.resolve(
    argValue(argv, '--out') ?? path.join(root, 'bench/results/decisions-adaptive.json'),
  );
  const aaTrials = Number(argValue(argv, '--aa-trials') ?? 300);
  if (!(Number.isInteger(aaTrials) && aaTrials >= 0))
    throw new Error(`--aa-trials must be a whole number (0 leaves the A/A rows out)`);

  const server = fork(here, ['--serve-demo'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    server.once('message', (m) => resolve(String(m)));
    server.once('exit', (code) => reject(new Error(`the sample API exited (${code})`)));
  });
  const runs: RunOutcome[] = [];
  try {
    const base = await loadBudgetFile(path.join(root, 'perf-budget.example.yml'), {
      env: { PREVIEW_URL: url },
    });
    for (const setting of settings) {
      const durationMs = setting === 'written' ? undefined : Number.parseFloat(setting) * 1000;
      for (let repeat = 0; repeat < repeats; repeat++) {
        // Alternate which design goes first, so drift of the machine hits both alike.
        const order: ('fixed' | 'adaptive')[] =
          repeat % 2 === 0 ? ['fixed', 'adaptive'] : ['adaptive', 'fixed'];
        for (const design of order) {
          const config = withDesign(base, design === 'adaptive', durationMs);
          const outcome = await once(config, design, setting, repeat);
          runs.push(outcome);
          console.log(
            `${setting.padEnd(8)} ${design.padEnd(8)} load ${(outcome.loadMs / 1000).toFixed(1)}s ` +
              `(wall ${(outcome.wallMs / 1000).toFixed(1)}s) ${outcome.passed ? 'passed' : 'failed'}: ` +
              outcome.endpoints
                .map(
                  (e) =>
                    `${e.name} ${e.verdict}${e.stop ? ` [${e.stop} @${e.look}/${e.looks}]` : ''}`,
                )
                .join(', '),
          );
        }
      }
    }
  } finally {
    server.kill();
  }

  const summary = settings.map((setting) => {
    const of = (design: string) => runs.filter((r) => r.setting === setting && r.design === design);
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
    };
    const fixed = median(of('fixed').map((r) => r.loadMs));
    const adaptive = median(of('adaptive').map((r) => r.loadMs));
    const sameVerdicts = of('adaptive').every((a) => {
      const f = of('fixed').find((r) => r.repeat === a.repeat)!;
      return a.endpoints.every((e, i) => e.verdict === f.endpoints[i]?.verdict);
    });
    return {
      setting,
      fixedLoadMs: fixed,
      adaptiveLoadMs: adaptive,
      ratio: fixed > 0 ? Number((adaptive / fixed).toFixed(3)) : null,
      sameVerdicts,
    };
  });
  console.log('');
  console.log('setting   fixed load  adaptive load  ratio  same verdicts');
  for (const s of summary) {
    console.log(
      `${s.setting.padEnd(9)} ${(s.fixedLoadMs / 1000).toFixed(1).padStart(9)}s ${(s.adaptiveLoadMs / 1000).toFixed(1).padStart(12)}s  ${String(s.ratio).padStart(5)}  ${s.sameVerdicts}`,
    );
  }
  const sideBySideAA = aaTrials > 0 ? aaSpeed(aaTrials) : undefined;
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        bench: 'decisions --adaptive',
        file: 'perf-budget.example.yml',
        target: 'demo/sample-api.ts (child process, loopback)',
        createdAt: new Date().toISOString(),
        node: process.version,
        repeats,
        summary,
        runs,
        ...(sideBySideAA ? { sideBySideAA } : {}),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

/** Side by side, A/A: the sequential design against the fixed one (seeded simulation, no sockets). */
function aaSpeed(trials: number) {
  console.log('');
  console.log('side by side, A/A, sequential against fixed at a 30 s cap (simulated runners):');
  const rows = runSettings(aaSettings(['steady', 'noisy']), trials, 30);
  return { trials, secondsPerSide: 30, speed: speedOf(rows) };
}

async function serveDemo(): Promise<void> {
  const api = await startSampleApi();
  process.send?.(api.url);
  process.on('disconnect', () => void api.close().then(() => process.exit(0)));
}

if (process.argv.includes('--serve-demo')) void serveDemo();
