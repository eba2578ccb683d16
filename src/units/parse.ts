/**
 * Units of the budget file: latencies, durations and rates, as written by people
 * (`800us`, `1.5s`, `14d`, `1%`) or as bare numbers. Results are exact: a decimal value is
 * turned into one integer numerator and one integer denominator and divided once, so the result
 * is the double nearest to the true value (`1.5s` is exactly 1500, `800us` is the same double as
 * the literal 0.8) and never carries the drift of chained float multiplications.
 */

/** A value that is not a valid latency, duration or rate; `message` says what was expected. */
export class UnitError extends Error {
  override name = 'UnitError';
}

/** Microseconds per latency unit. */
const LATENCY_UNITS_US: Readonly<Record<string, bigint>> = {
  us: 1n,
  µs: 1n,
  ms: 1000n,
  s: 1_000_000n,
};

/** Milliseconds per duration unit. */
const DURATION_UNITS_MS: Readonly<Record<string, bigint>> = {
  ms: 1n,
  s: 1000n,
  m: 60_000n,
  h: 3_600_000n,
  d: 86_400_000n,
};

/** Written form of each kind of value, shared with the schema's patterns. */
export const LATENCY_PATTERN = /^(\d+(?:\.\d+)?) ?(us|µs|ms|s)$/;
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?) ?(ms|s|m|h|d)$/;
export const PERCENT_PATTERN = /^(\d+(?:\.\d+)?) ?%$/;

/** An exact decimal: value = mantissa × 10^exponent. */
interface Decimal {
  mantissa: bigint;
  exponent: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const fraction = m[2] ?? '';
  const exponent = Number(m[3] ?? 0) - fraction.length;
  if (!Number.isSafeInteger(exponent)) return undefined;
  return { mantissa: BigInt(m[1] + fraction), exponent };
}

/** mantissa × 10^exponent × numerator / denominator, rounded once to the nearest double. */
function scale(d: Decimal, numerator: bigint, denominator: bigint): number {
  let num = d.mantissa * numerator;
  let den = denominator;
  if (d.exponent >= 0) num *= 10n ** BigInt(d.exponent);
  else den *= 10n ** BigInt(-d.exponent);
  if (num === 0n) return 0;
  const g = gcd(num, den);
  num /= g;
  den /= g;
  // Both fit a double exactly, so one IEEE division is correctly rounded. Beyond that the
  // value is far outside any sensible budget and an approximation is good enough.
  return Number(num) / Number(den);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A number as an exact decimal (its shortest round-trip form, e.g. 0.1 → "0.1"). */
function numberDecimal(n: number): Decimal | undefined {
  return parseDecimal(String(n));
}

/** How a found value reads in a message: text quoted, numbers as written. */
export function showValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function checkNumber(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new UnitError(`expected ${what} as a finite number, found ${showValue(value)}`);
  }
  if (value < 0) throw new UnitError(`expected ${what} of 0 or more, found ${showValue(value)}`);
}

function parseWithUnit(
  value: unknown,
  kind: { name: string; example: string; pattern: RegExp; numberUnit: string },
  units: Readonly<Record<string, bigint>>,
  numberFactor: bigint,
  denominator: bigint,
): number {
  const what = `a ${kind.name} like "${kind.example}" (${Object.keys(units)
    .filter((u) => u !== 'µs')
    .join(', ')}) or a number of ${kind.numberUnit}`;
  if (typeof value === 'number') {
    checkNumber(value, `a ${kind.name}`);
    const d = numberDecimal(value);
    if (!d) throw new UnitError(`expected ${what}, found ${showValue(value)}`);
    return scale(d, numberFactor, denominator);
  }
  if (typeof value !== 'string') throw new UnitError(`expected ${what}, found ${showValue(value)}`);
  const text = value.trim();
  if (text.startsWith('-')) {
    throw new UnitError(`expected a ${kind.name} of 0 or more, found ${showValue(value)}`);
  }
  const m = kind.pattern.exec(text);
  if (!m) {
    // A bare number in quotes is most likely a missing unit: say so.
    const hint = parseDecimal(text)
      ? ` (add a unit, e.g. "${text}${kind.example.replace(/^[\d.]+/, '')}")`
      : '';
    throw new UnitError(`expected ${what}, found ${showValue(value)}${hint}`);
  }
  const d = parseDecimal(m[1]!)!;
  return scale(d, units[m[2]!]!, denominator);
}

/** A latency in milliseconds: `800us` = 0.8, `250ms` = 250, `1.5s` = 1500, a number = ms. */
export function parseLatency(value: unknown): number {
  return parseWithUnit(
    value,
    { name: 'latency', example: '250ms', pattern: LATENCY_PATTERN, numberUnit: 'milliseconds' },
    LATENCY_UNITS_US,
    1000n,
    1000n,
  );
}

/** A duration in milliseconds: `30s`, `5m`, `14d`; a bare number is seconds. */
export function parseDuration(value: unknown): number {
  return parseWithUnit(
    value,
    { name: 'duration', example: '30s', pattern: DURATION_PATTERN, numberUnit: 'seconds' },
    DURATION_UNITS_MS,
    1000n,
    1n,
  );
}

/**
 * A rate as a fraction: `1%` = 0.01, or a number already a fraction (0.01). `max` bounds the
 * fraction (1 = 100% for error rates); a number above it that would be valid as a percentage
 * gets a hint, since `error-rate: 5` almost always means 5%.
 */
export function parseRate(value: unknown, max = 1): number {
  const limit = `${scale(numberDecimal(max)!, 100n, 1n)}%`;
  const what = `a percentage like "1%" or a fraction like 0.01 (at most ${limit})`;
  let fraction: number;
  if (typeof value === 'number') {
    checkNumber(value, 'a rate');
    fraction = value;
    if (fraction > max) {
      throw new UnitError(
        `expected ${what}, found ${showValue(value)} (did you mean "${value}%"?)`,
      );
    }
    return fraction;
  }
  if (typeof value !== 'string') throw new UnitError(`expected ${what}, found ${showValue(value)}`);
  const text = value.trim();
  if (text.startsWith('-'))
    throw new UnitError(`expected a rate of 0 or more, found ${showValue(value)}`);
  const m = PERCENT_PATTERN.exec(text);
  if (!m) throw new UnitError(`expected ${what}, found ${showValue(value)}`);
  fraction = scale(parseDecimal(m[1]!)!, 1n, 100n);
  if (fraction > max) throw new UnitError(`expected ${what}, found ${showValue(value)}`);
  return fraction;
}
