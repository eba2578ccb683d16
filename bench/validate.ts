/**
 * Validation time against the number of problems in a budget file (npm run bench:validate).
 *
 * A pull request controls the budget file, so a file with tens of thousands of problems must be
 * refused about as fast as it is parsed: validation has to grow linearly with the number of
 * problems, not with its square. Each size generates a file of N endpoints, each with one
 * problem, rotating over the kinds a schema check and the semantic checks report (an unknown key,
 * a latency without a unit, a duplicate name, a header perf-gate refuses), loads it with
 * `parseBudget` and counts the problems found.
 *
 * The reference, measured in the same run on the same text, is parsing the YAML alone (the
 * `yaml` package, which is linear): `ratio` is validation time over parse time, and stays flat
 * when validation is linear. `perProblemUs` should stay flat too.
 *
 * Options: --sizes 1000,10000,20000 (default), --repeat R (best of R, default 3),
 * --out FILE (default bench/results/validate.json).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { BudgetFileError, parseBudget } from '../src/config/load.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const SIZES = option('sizes', '1000,10000,20000').split(',').map(Number);
const REPEAT = Number(option('repeat', '3'));
const OUT = option('out', path.join(HERE, 'results', 'validate.json'));

/** One endpoint with exactly one problem, of the i-th kind. */
function endpoint(i: number): string {
  switch (i % 4) {
    case 0:
      return `  - path: /items/${i}\n    budget: { p59: 100ms }\n`;
    case 1:
      return `  - path: /items/${i}\n    budget: { p95: "100" }\n`;
    case 2:
      return `  - name: same\n    path: /items/${i}\n`;
    default:
      return `  - path: /items/${i}\n    headers: { content-length: "1" }\n`;
  }
}

function budgetFile(n: number): string {
  const head =
    'version: 1\ntarget:\n  url: http://127.0.0.1:1\ndefaults:\n  load: { duration: 1s, warmup: 0s }\nendpoints:\n';
  return head + Array.from({ length: n }, (_, i) => endpoint(i)).join('');
}

function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function best(fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < REPEAT; r++) min = Math.min(min, timeMs(fn));
  return min;
}

interface Row {
  endpoints: number;
  problems: number;
  bytes: number;
  validateMs: number;
  yamlParseMs: number;
  ratio: number;
  perProblemUs: number;
  problemsPerSecond: number;
}

const rows: Row[] = [];
for (const n of SIZES) {
  const text = budgetFile(n);
  let problems = 0;
  const validateMs = best(() => {
    try {
      parseBudget(text, 'perf-budget.yml', { env: {}, maxDurationMs: 15 * 60_000 });
      problems = 0;
    } catch (e) {
      if (!(e instanceof BudgetFileError)) throw e;
      problems = e.problems.length;
    }
  });
  const yamlParseMs = best(() => {
    parseDocument(text, { uniqueKeys: true });
  });
  const row: Row = {
    endpoints: n,
    problems,
    bytes: Buffer.byteLength(text),
    validateMs: Math.round(validateMs),
    yamlParseMs: Math.round(yamlParseMs),
    ratio: Math.round((validateMs / yamlParseMs) * 10) / 10,
    perProblemUs: Math.round((validateMs / Math.max(1, problems)) * 1000),
    problemsPerSecond: Math.round(problems / (validateMs / 1000)),
  };
  rows.push(row);
  console.log(
    `${String(n).padStart(6)} endpoints  ${String(problems).padStart(6)} problems  ` +
      `${String(row.validateMs).padStart(7)} ms  ${String(row.problemsPerSecond).padStart(8)} problems/s  ` +
      `${String(row.perProblemUs).padStart(6)} µs/problem  ${String(row.ratio).padStart(5)}× the YAML parse`,
  );
}

const first = rows[0]!;
const last = rows[rows.length - 1]!;
const growth = {
  problems: Math.round((last.problems / first.problems) * 10) / 10,
  time: Math.round((last.validateMs / Math.max(1, first.validateMs)) * 10) / 10,
};
const linear = growth.time <= growth.problems * 1.5;
console.log(
  `${growth.problems}× the problems took ${growth.time}× the time: ${linear ? 'linear (about the same factor or less)' : 'worse than linear'}`,
);

mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify(
    {
      bench: 'validate',
      date: new Date().toISOString(),
      node: process.version,
      repeat: REPEAT,
      rows,
      growth: { ...growth, linear },
    },
    null,
    2,
  ) + '\n',
);
console.log(`written to ${path.relative(process.cwd(), OUT)}`);
