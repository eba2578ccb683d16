import type { BudgetMetric } from './metrics.js';

/**
 * Numbers for people: fixed rules, the same in reasons, tables and logs, and never "NaN" or
 * "Infinity" (a non-finite value prints as "n/a"). Every formatter is monotonic: a larger
 * number never prints as a smaller one.
 */

const NOT_AVAILABLE = 'n/a';
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Thousands separators, rounded to an integer: 12345.6 → "12,346". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return NOT_AVAILABLE;
  return grouped.format(Math.round(value)).replace('-0', '0');
}

/** Drops trailing zeros of a decimal: "0.80" → "0.8". */
function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * A latency in ms: about three significant digits, in the unit a person expects.
 * 0.8 ms, 0.05 ms, 4.2 ms, 212 ms, 1.42 s, 14.2 s, 1,420 s.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return NOT_AVAILABLE;
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  // Below half a microsecond (the histograms' resolution) there is nothing to show.
  if (a < 0.0005) return '0 ms';
  // Each bracket is chosen by the rounded value, so 9.96 prints as "10 ms", never "10.0 ms".
  if (a < 1 && Number(a.toPrecision(2)) < 1) return `${sign}${trimZeros(a.toPrecision(2))} ms`;
  if (Number(a.toFixed(1)) < 10) return `${sign}${a.toFixed(1)} ms`;
  if (Math.round(a) < 1000) return `${sign}${Math.round(a)} ms`;
  const s = a / 1000;
  if (Number(s.toFixed(2)) < 10) return `${sign}${s.toFixed(2)} s`;
  if (Number(s.toFixed(1)) < 100) return `${sign}${s.toFixed(1)} s`;
  return `${sign}${formatCount(s)} s`;
}

/** A latency difference with its sign: "+31 ms", "-3.2 ms", "0 ms". */
export function formatSignedMs(ms: number): string {
  if (!Number.isFinite(ms)) return NOT_AVAILABLE;
  const text = formatMs(Math.abs(ms));
  if (text === '0 ms') return text;
  return `${ms < 0 ? '-' : '+'}${text}`;
}

/** A relative change: 0.124 → "+12.4%", -0.03 → "-3.0%", tiny → "0.0%", 12.34 → "+1,234%". */
export function formatChange(fraction: number): string {
  if (!Number.isFinite(fraction)) return NOT_AVAILABLE;
  const percent = Math.abs(fraction) * 100;
  const text = Number(percent.toFixed(1)) < 1000 ? percent.toFixed(1) : formatCount(percent);
  if (text === '0.0') return '0.0%';
  return `${fraction < 0 ? '-' : '+'}${text}%`;
}

/** The size of a relative change, without sign: -0.124 → "12.4%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return NOT_AVAILABLE;
  const percent = Math.abs(fraction) * 100;
  return `${Number(percent.toFixed(1)) < 1000 ? percent.toFixed(1) : formatCount(percent)}%`;
}

/** A rate given as a fraction: 0 → "0%", 0.0053 → "0.53%", 0.012 → "1.2%", 1 → "100%". */
export function formatRate(fraction: number): string {
  if (!Number.isFinite(fraction)) return NOT_AVAILABLE;
  if (fraction <= 0) return '0%';
  const percent = fraction * 100;
  if (Number(percent.toFixed(2)) < 0.01) return '<0.01%';
  if (Number(percent.toFixed(2)) < 1) return `${percent.toFixed(2)}%`;
  if (Number(percent.toFixed(1)) < 100) return `${percent.toFixed(1)}%`;
  return `${formatCount(percent)}%`;
}

/** A change of a rate in percentage points: 0.005 → "+0.50 pts", -0.021 → "-2.1 pts". */
export function formatPoints(fraction: number): string {
  if (!Number.isFinite(fraction)) return NOT_AVAILABLE;
  const points = Math.abs(fraction) * 100;
  const text =
    Number(points.toFixed(2)) < 1
      ? points.toFixed(2)
      : Number(points.toFixed(1)) < 1000
        ? points.toFixed(1)
        : formatCount(points);
  if (Number(text) === 0) return '0 pts';
  return `${fraction < 0 ? '-' : '+'}${text} pts`;
}

/** Throughput: 4.52 → "4.5 req/s", 85 → "85 req/s", 1234.4 → "1,234 req/s". */
export function formatRps(rps: number): string {
  if (!Number.isFinite(rps)) return NOT_AVAILABLE;
  if (Math.abs(Number(rps.toFixed(1))) < 10)
    return `${Number(rps.toFixed(1)) === 0 ? '0' : rps.toFixed(1)} req/s`;
  return `${formatCount(rps)} req/s`;
}

/** A ratio, as in a confidence interval: 1.1234 → "1.12". */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return NOT_AVAILABLE;
  if (Math.abs(ratio) >= 100) return formatCount(ratio);
  return Number(ratio.toFixed(2)) === 0 ? '0.00' : ratio.toFixed(2);
}

/**
 * A duration in ms as a person writes it in a budget file: 250 → "250ms", 1500 → "1.5s",
 * 30000 → "30s", 90000 → "1m 30s". Under a minute it keeps tenths of a second, so a value
 * written in the file reads as written; `'seconds'` rounds to whole seconds instead, for spans
 * of measured load (11700 → "12s").
 */
export function formatDuration(ms: number, precision: 'tenths' | 'seconds' = 'tenths'): string {
  if (!Number.isFinite(ms) || ms < 0) return NOT_AVAILABLE;
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  if (precision === 'tenths' && Math.round(ms / 100) < 600) return `${Math.round(ms / 100) / 10}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [
    hours > 0 ? `${formatCount(hours)}h` : '',
    minutes > 0 ? `${minutes}m` : '',
    seconds > 0 ? `${seconds}s` : '',
  ];
  return parts.filter(Boolean).join(' ') || '0s';
}

/**
 * A duration in the largest unit that holds it whole, as a budget file writes it and as it reads
 * back: 1209600000 → "14d", 3600000 → "1h", 90000 → "90s".
 */
export function formatDurationExact(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** What a person calls a metric: "p95", "error rate", "throughput". */
export function metricLabel(metric: BudgetMetric): string {
  if (metric === 'error-rate') return 'error rate';
  if (metric === 'min-rps') return 'throughput';
  return metric;
}

/** A metric's value in its unit. */
export function formatMetricValue(metric: BudgetMetric, value: number): string {
  if (metric === 'error-rate') return formatRate(value);
  if (metric === 'min-rps') return formatRps(value);
  return formatMs(value);
}

/** A signed absolute change of a metric in its unit ("+31 ms", "+0.50 pts", "-12 req/s"). */
export function formatMetricDelta(metric: BudgetMetric, delta: number): string {
  if (metric === 'error-rate') return formatPoints(delta);
  if (metric === 'min-rps') {
    if (!Number.isFinite(delta)) return NOT_AVAILABLE;
    const text = formatRps(Math.abs(delta));
    return text.startsWith('0 ') ? text : `${delta < 0 ? '-' : '+'}${text}`;
  }
  return formatSignedMs(delta);
}
