/**
 * Error rates of the adaptive stopping rule under optional stopping, by seeded simulation (no
 * sockets): `npx tsx bench/adaptive-simulation.ts [--trials N]`. A lognormal route (median 20 ms,
 * log-sd 0.5) answers 100 requests a second; looks as the engine plans them for a 5 s minimum and
 * a 30 s cap (26 looks). Each trial stops at the first settled look or at the cap. Compared:
 * the error spent over the looks (evaluate/sequential.ts) and a naive fixed 95% at every look.
 * Writes bench/results/adaptive-simulation.json.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adaptiveLooks } from '../src/config/plan.js';
import { lookConfidence, settleBudgets } from '../src/evaluate/sequential.js';
import { bucketsOf, mulberry32 } from '../src/evaluate/stats.js';
import { createHistogram, recordMs } from '../src/measure/histogram.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const trials = Number(argv[argv.indexOf('--trials') + 1] || 1000);
const Z95 = 1.6448536269514722;
const MEDIAN = 20;
const SIGMA = 0.5;
const TRUE_P95 = MEDIAN * Math.exp(SIGMA * Z95);
const looks = adaptiveLooks({ durationMs: 30_000, minDurationMs: 5_000 });

function wilsonUpper(k: number, n: number): number {
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  return (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
}

function simulate(limitMs: number, rule: 'spent' | 'naive', seed: number) {
  const random = mulberry32(seed);
  const draw = () => {
    const u = 1 - random();
    const v = random();
    return MEDIAN * Math.exp(SIGMA * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };
  let breach = 0;
  let pass = 0;
  let cap = 0;
  const stopLooks: number[] = [];
  for (let t = 0; t < trials; t++) {
    const histogram = createHistogram();
    let recorded = 0;
    for (let i = 0; i < looks.length; i++) {
      while (recorded < looks[i]) {
        for (let k = 0; k < 100; k++) recordMs(histogram, draw());
        recorded += 1000;
      }
      const confidence = rule === 'spent' ? lookConfidence(0.95, i + 1, looks.length) : 0.95;
      const settled = settleBudgets(
        { p95: limitMs },
        { buckets: bucketsOf(histogram), requests: histogram.totalCount, errors: 0 },
        confidence,
      );
      const last = i === looks.length - 1;
      if (settled || last) {
        if (settled === 'breach') breach++;
        else if (settled === 'pass') pass++;
        if (last) cap++;
        stopLooks.push(i + 1);
        break;
      }
    }
  }
  stopLooks.sort((a, b) => a - b);
  return {
    limitMs: Number(limitMs.toFixed(3)),
    rule,
    trials,
    breach,
    breachRate: breach / trials,
    breachWilson95Upper: Number(wilsonUpper(breach, trials).toFixed(4)),
    pass,
    cap,
    medianStopLook: stopLooks[Math.floor(stopLooks.length / 2)],
  };
}

const rows = [
  simulate(TRUE_P95, 'spent', 1),
  simulate(TRUE_P95, 'naive', 1),
  simulate(TRUE_P95 * 1.1, 'spent', 2),
  simulate(TRUE_P95 * 0.9, 'spent', 3),
  simulate(TRUE_P95 * 2, 'spent', 4),
];
console.log(`true p95 ${TRUE_P95.toFixed(2)} ms, ${looks.length} looks, ${trials} trials each`);
console.log('limit/true  rule   breach  (Wilson 95% upper)  pass  cap  median stop look');
for (const r of rows) {
  console.log(
    `${(r.limitMs / TRUE_P95).toFixed(2).padStart(10)}  ${r.rule.padEnd(5)}  ${(100 * r.breachRate).toFixed(1).padStart(5)}%  (${(100 * r.breachWilson95Upper).toFixed(1)}%)  ${String(r.pass).padStart(18)}  ${String(r.cap).padStart(3)}  ${r.medianStopLook}`,
  );
}
const out = path.join(root, 'bench/results/adaptive-simulation.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ truePercentileMs: TRUE_P95, looks: looks.length, rows }, null, 2)}\n`,
);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
