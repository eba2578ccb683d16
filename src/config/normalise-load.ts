/**
 * Load settings (`defaults.load`, an endpoint's `load`) and the cap on the total load time of
 * the file as the engine runs it.
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import { add, get, unit, type Complaint, type NormaliseContext } from './normalise-context.js';
import { quoteName } from './names.js';
import { plannedLoadMs } from './plan.js';
import { implausibleSeconds } from './plausible.js';
import type { EndpointConfig, LoadSettings } from './types.js';
import { parseDuration } from '../units/parse.js';
import { formatDuration } from '../units/format.js';

/** Load used where neither the endpoint nor `defaults.load` says otherwise (docs/architecture.md §3). */
export const DEFAULT_LOAD: Readonly<LoadSettings> = {
  connections: 10,
  durationMs: 30_000,
  warmupMs: 5_000,
  timeoutMs: 10_000,
};

/** Per-request timeout cap: a longer one outlives any load run and overflows Node's timers. */
export const MAX_REQUEST_TIMEOUT_MS = 10 * 60_000;
/** A recorded run shorter than this measures connection setup more than the endpoint. */
export const MIN_DURATION_MS = 1000;

/** The load settings written at `path`; the ones refused or absent are left out. */
export function loadOf(ctx: NormaliseContext, path: PathSegment[]): Partial<LoadSettings> {
  const out: Partial<LoadSettings> = {};
  const connections = get<number>(ctx, [...path, 'connections']);
  if (connections !== undefined) out.connections = connections;
  const bare = (key: 'duration' | 'warmup' | 'timeout'): Complaint | undefined => {
    const message = implausibleSeconds(key, get(ctx, [...path, key]));
    return message === undefined ? undefined : { code: 'duration.bare-number', message };
  };
  const duration = durationAt(ctx, [...path, 'duration'], (n) =>
    n >= MIN_DURATION_MS
      ? bare('duration')
      : {
          code: 'load.duration-too-short',
          message: `expected a duration of at least ${formatDuration(MIN_DURATION_MS)} (a shorter run measures connection setup, not the endpoint)`,
        },
  );
  if (duration !== undefined) out.durationMs = duration;
  const minDuration = durationAt(ctx, [...path, 'min-duration'], (n) =>
    n >= MIN_DURATION_MS
      ? undefined
      : {
          code: 'load.duration-too-short',
          message: `expected a minimum duration of at least ${formatDuration(MIN_DURATION_MS)}`,
        },
  );
  if (minDuration !== undefined) out.minDurationMs = minDuration;
  const warmup = durationAt(ctx, [...path, 'warmup'], () => bare('warmup'));
  if (warmup !== undefined) out.warmupMs = warmup;
  // The load generator counts its request timeout in whole seconds.
  const timeout = durationAt(ctx, [...path, 'timeout'], (n) =>
    n < 1000
      ? { code: 'load.timeout-range', message: 'expected a request timeout of at least 1s' }
      : (bare('timeout') ??
        (n > MAX_REQUEST_TIMEOUT_MS
          ? {
              code: 'load.timeout-range',
              message: `expected a request timeout of at most ${formatDuration(MAX_REQUEST_TIMEOUT_MS)} (a request is given up long before that)`,
            }
          : undefined)),
  );
  if (timeout !== undefined) out.timeoutMs = timeout;
  const rate = get<number>(ctx, [...path, 'rate']);
  if (rate !== undefined) out.rate = rate;
  const workers = get<number | 'auto'>(ctx, [...path, 'workers']);
  if (workers !== undefined) out.workers = workers;
  return out;
}

function durationAt(
  ctx: NormaliseContext,
  path: PathSegment[],
  check?: (n: number) => Complaint | undefined,
): number | undefined {
  const value = get<Raw.Duration>(ctx, path);
  return value === undefined
    ? undefined
    : unit(ctx, 'duration.unit', path, value, parseDuration, check);
}

/** A minimum written over the cap would silently turn adaptive measurement off. */
export function checkMinDuration(
  ctx: NormaliseContext,
  at: (...rest: PathSegment[]) => PathSegment[],
  load: LoadSettings,
): void {
  if (load.minDurationMs === undefined || load.minDurationMs <= load.durationMs) return;
  const own = get(ctx, at('load', 'min-duration')) !== undefined;
  add(
    ctx,
    'load.min-duration-over-duration',
    own ? at('load', 'min-duration') : ['defaults', 'load', 'min-duration'],
    `expected a minimum duration of at most the duration (the cap), ${formatDuration(load.durationMs)}${own ? '' : ` for endpoint ${quoteEndpoint(ctx, at)}`}, found ${formatDuration(load.minDurationMs)}: shorten min-duration or lengthen duration`,
  );
}

function quoteEndpoint(
  ctx: NormaliseContext,
  at: (...rest: PathSegment[]) => PathSegment[],
): string {
  return quoteName(String(get(ctx, at('name')) ?? get(ctx, at('path'))));
}

/** The endpoints' total load time, as the engine runs them, against the front end's cap. */
export function checkTotalLoad(ctx: NormaliseContext, endpoints: readonly EndpointConfig[]): void {
  const { maxDurationMs } = ctx.options;
  if (maxDurationMs === undefined) return;
  const sideBySide = ctx.options.sideBySide === true;
  const rounds = sideBySide ? 2 : 1;
  const written = endpoints.reduce(
    (sum, e) => sum + (e.load.warmupMs + e.load.durationMs) * rounds,
    0,
  );
  const total = endpoints.reduce((sum, e) => sum + plannedLoadMs(e.load, sideBySide), 0);
  if (total <= maxDurationMs) return;
  // Runs end on whole 100 ms ticks and side-by-side rounds last at least 500 ms: say so when
  // that, not the written durations, is what goes over.
  const asRun =
    total > written
      ? `; as run, in whole 100 ms ticks${sideBySide ? ' and side-by-side rounds of at least 500 ms' : ''}, the ${formatDuration(written)} written take ${formatDuration(total)}`
      : '';
  add(
    ctx,
    'load.over-max-duration',
    ['endpoints'],
    `the endpoints ask for ${formatDuration(total)} of load (warmup + duration of ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}${sideBySide ? `, each measured twice: on the target and on ${ctx.words.baselineUrl} side by side` : ''}${asRun}), over the max-duration of ${formatDuration(maxDurationMs)}: shorten durations or warmups, or raise ${ctx.words.maxDuration}`,
    'key',
  );
}
