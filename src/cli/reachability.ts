import type { Measurement } from '../measure/types.js';

/** How a measurement that reached nothing is recognised and described. */

/** Every request of the measurement failed to connect: nothing answered at all. */
export function neverConnected(m: Measurement): boolean {
  const connection = Object.values(m.errorBreakdown.connection).reduce((a, b) => a + b, 0);
  return m.requests === 0 || connection === m.requests;
}

/** `ECONNREFUSED x120` for a message. */
export function connectionErrors(m: Measurement): string {
  const entries = Object.entries(m.errorBreakdown.connection);
  return entries.length === 0
    ? 'no request completed'
    : entries.map(([code, n]) => `${code} x${n}`).join(', ');
}
