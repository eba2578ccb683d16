// `npm run demo`: the gate against the bundled sample shop API on loopback, with the example
// budget file. No network, no credentials, about 20 seconds of load.
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { runCli } from '../src/cli/main.js';
import { EXIT } from '../src/cli/exit-codes.js';
import type { Report } from '../src/report/report.js';
import { startSampleApi } from './sample-api.js';

/** The endpoint the sample API makes slow on purpose (demo/sample-api.ts). */
const EXPECTED_FAILURE = 'search';

const root = resolve(import.meta.dirname, '..');
const shown = (path: string) => relative(process.cwd(), path) || '.';
const budget = join(root, 'perf-budget.example.yml');
const outDir = join(root, 'demo-output');
const json = join(outDir, 'report.json');
const markdown = join(outDir, 'report.md');
const html = join(outDir, 'report.html');

const onInterrupt = (handler: (signal: string) => void) => {
  const listener = (signal: NodeJS.Signals) => handler(signal);
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
};

const api = await startSampleApi();
console.error(`Sample shop API listening on ${api.url} (loopback only)`);
console.error(`$ perf-gate run --budget ${shown(budget)} --target-url ${api.url} \\`);
console.error(`    --json ${shown(json)} --markdown ${shown(markdown)} --html ${shown(html)}\n`);

let code: number;
try {
  code = await runCli(
    [
      'run',
      '--budget',
      shown(budget),
      '--target-url',
      api.url,
      '--json',
      shown(json),
      '--markdown',
      shown(markdown),
      '--html',
      shown(html),
    ],
    { stdout: process.stdout, stderr: process.stderr, env: process.env, onInterrupt },
  );
} finally {
  await api.close();
}

process.exitCode = await conclude(code);
setTimeout(() => process.exit(), 2000).unref();

/** The demo succeeds when the gate fails for exactly the reason the sample API was built for. */
async function conclude(gateExit: number): Promise<number> {
  console.log(
    `Reports: ${shown(json)} (JSON), ${shown(markdown)} (as the pull-request comment), ${shown(html)} (HTML with charts: open it in a browser).`,
  );
  if (gateExit !== EXIT.failed) {
    if (gateExit === EXIT.passed) {
      console.log(
        `Unexpected: "${EXPECTED_FAILURE}" stayed within its budget this time, so the demo did not show a failing gate.`,
      );
      return 1;
    }
    return gateExit;
  }
  const report = JSON.parse(await readFile(json, 'utf8')) as Report;
  const failing = report.endpoints
    .filter((e) => e.findings.some((f) => f.breaches.length > 0))
    .map((e) => e.name);
  if (failing.length === 1 && failing[0] === EXPECTED_FAILURE && !report.summary.errors) {
    console.log(
      `The gate exited with status 1, as intended: the demo's /api/search is deliberately over budget. ` +
        'In CI that status fails the check; here the demo itself succeeded.',
    );
    return 0;
  }
  console.log(
    `Unexpected failures: ${failing.join(', ') || 'run errors'} (expected only "${EXPECTED_FAILURE}").`,
  );
  return 1;
}
