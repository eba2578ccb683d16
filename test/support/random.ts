import { mulberry32, type Random } from '../../src/evaluate/stats.js';

/**
 * Seeded randomness for test data, servers and simulations. The generator is perf-gate's own
 * (src/evaluate/stats.ts), so a seed means the same stream everywhere; test/evaluate/stats.test.ts
 * checks it on its own.
 */

export { mulberry32, type Random };

/** A standard normal draw (Box–Muller, second value dropped), from two uniforms of `random`. */
export function standardNormal(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** n seeded log-normal latencies (ms) with the given median and log-spread. */
export function lognormal(seed: number, n: number, medianMs: number, sigma: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => medianMs * Math.exp(sigma * standardNormal(random)));
}
