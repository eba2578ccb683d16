import { parseRate, UnitError } from '../units/parse.js';
import { formatDuration } from '../units/format.js';

/**
 * Bare numbers that are valid in their unit but almost never what was meant: `p95: 10` under
 * `regression` is +1000% (a bare increase is a fraction), `warmup: 500` is 500 seconds (a bare
 * duration is seconds). Refused with the two ways to write what was meant, as `error-rate: 5`
 * is (units.ts parseRate).
 */

/** A relative increase: `10%` or a fraction up to 1 (+100%); a bigger bare number is refused. */
export function parseIncrease(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 1) {
    const percent = Number((value * 100).toPrecision(12));
    throw new UnitError(
      `expected a percentage like "10%" or a fraction up to 1, found ${value}: a bare number is a fraction, so ${value} allows +${percent}%; write "${value}%" if you meant ${value} percent, or "${percent}%" if you mean it`,
    );
  }
  return parseRate(value, 10);
}

/** Bare seconds above which a load setting was most likely meant in milliseconds. */
const BARE_SECONDS_LIMIT: Readonly<Record<'duration' | 'warmup' | 'timeout', number>> = {
  duration: 600,
  warmup: 60,
  timeout: 60,
};

/** Why a bare number for a load setting is implausible, or undefined when it is not. */
export function implausibleSeconds(
  key: keyof typeof BARE_SECONDS_LIMIT,
  value: unknown,
): string | undefined {
  if (typeof value !== 'number' || !(value > BARE_SECONDS_LIMIT[key])) return undefined;
  return `expected a ${key} with a unit (a bare number is seconds, so this ${key} is ${formatDuration(value * 1000)}): write "${value}ms" if you meant milliseconds, or "${value}s" if you mean it`;
}
