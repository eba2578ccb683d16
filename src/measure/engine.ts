import autocannon from 'autocannon';
import type { EndpointConfig, LoadSettings } from '../config/types.js';
import {
  createHistogram,
  encodeHistogram,
  quantileMs,
  recordMs,
  summarize,
  type Histogram,
} from './histogram.js';
import { withoutCredentials } from './ready.js';
import { formatDuration } from '../units/format.js';
import { repairClient, sendLatenessMs } from './client-repairs.js';
import { Pacer } from './pacer.js';
import { generatorSaturated, SATURATED_WARNING, watchGenerator } from './saturation.js';
import { verifyLoadConnections } from './tls.js';
import { SAMPLE_INTERVAL_MS } from '../config/plan.js';
import { isLoadWorker, measureInWorkers, workerCount } from './workers.js';
import type { ErrorBreakdown, Measurement } from './types.js';

/**
 * Measuring one endpoint (docs/architecture.md §4): one autocannon run, after an unrecorded warmup, with every
 * response's float-millisecond latency recorded in our own HDR histogram at microsecond
 * resolution. autocannon's own percentiles are truncated to whole milliseconds, have no p95,
 * leave out timeouts and, in rate mode, are distorted by its 1 ms coordinated-omission
 * correction, so none of its latency numbers are used.
 *
 * Latency and throughput are of successful responses (an expected status) plus timeouts, at the
 * timeout: fast failures must not flatter them. Failed statuses and failed connections count in
 * the error rate and go into a histogram of their own. In the open model a pacer (pacer.ts) sends
 * the requests at evenly spaced times and each is timed from when it was due. The generator's
 * own event loop is watched throughout (saturation.ts).
 */

export interface MeasureProgress {
  elapsedMs: number;
  totalMs: number;
  requests: number;
  /** p95 so far, ms (uncorrected in the open model). */
  p95: number;
  /** Adaptive measurement: the looks taken so far and planned (the last is at the cap). */
  look?: { taken: number; planned: number };
}

/** What an adaptive measurement can be judged on at a look (live: read it, do not keep it). */
export interface LookSample {
  /** The histogram latency is judged on (microseconds): timed from the intended send in the open model. */
  histogram: Histogram;
  /** Requests completed or failed so far. */
  requests: number;
  errors: number;
}

/** Adaptive measurement (SPEC §4): looks at the data after each slice, stopping once settled. */
export interface AdaptiveOptions {
  /** Look times, ms of recorded load, ascending; the last is the cap (config/plan.ts adaptiveLooks). */
  looks: number[];
  /** Judges the sample at look `look` (1-based) before the last; a verdict ends the run there. */
  decide(look: number, sample: LookSample): 'pass' | 'breach' | undefined;
}

export interface MeasureOptions {
  /** Measure against another deployment: replaces the origin and prefix of `endpoint.url`. */
  baseUrl?: string;
  /** Recorded load time, ms (default `endpoint.load.durationMs`); side-by-side rounds use shorter ones. */
  durationMs?: number;
  /** Unrecorded warmup, ms (default `endpoint.load.warmupMs`; 0 = none). */
  warmupMs?: number;
  /** Aborting stops the load and resolves with what was measured so far, marked `cancelled`. */
  signal?: AbortSignal;
  /** One line per `progressIntervalMs`; never contains header values or bodies. */
  log?: (line: string) => void;
  /** Default 5000. */
  progressIntervalMs?: number;
  /** Called about once a second during the recorded run (for a terminal progress bar). */
  onProgress?: (progress: MeasureProgress) => void;
  /** Measure adaptively: the run lasts until a look settles it, or to the last look (the cap). */
  adaptive?: AdaptiveOptions;
}

/** The methods autocannon can send. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'];

/** autocannon reports a timeout as a `reqError` with this message and no code. */
const TIMEOUT_MESSAGE = 'request timed out';

type Instance = autocannon.Instance & PromiseLike<autocannon.Result>;

export async function measureEndpoint(
  endpoint: EndpointConfig,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const load = endpoint.load;
  const adaptive = options.adaptive;
  const durationMs = adaptive
    ? adaptive.looks[adaptive.looks.length - 1]
    : (options.durationMs ?? load.durationMs);
  const threads = workerCount(endpoint);
  if (threads > 1 && !isLoadWorker()) {
    // Several threads run the fixed design to the cap: a look must see every thread's data.
    return measureInWorkers(endpoint, threads, { ...options, durationMs });
  }
  const warmupMs = options.warmupMs ?? load.warmupMs;
  const url = endpointUrl(endpoint, options.baseUrl);
  checkSettings(endpoint, durationMs);

  const signal = options.signal;
  if (signal?.aborted) return emptyMeasurement(true);
  if (warmupMs > 0) {
    await warmUp(endpoint, url, warmupMs, options);
    if (signal?.aborted) return emptyMeasurement(true);
  }

  const recorder = new Recorder(endpoint);
  const generator = watchGenerator();
  const run = startRun(endpoint, url, durationMs, {
    onLostRequest: () => {
      recorder.breakdown.resets++;
    },
    onTruncated: (what) => {
      recorder.breakdown.connection[what] = (recorder.breakdown.connection[what] ?? 0) + 1;
    },
    onFailedAfter: (ms) => recordMs(recorder.failures, ms),
    settled: () => recorder.attempted() >= (run.pacer?.result().sent ?? 0),
  });
  recorder.listen(run.instance);
  const started = performance.now();
  const looks = adaptive
    ? takeLooks(adaptive, { endpoint, run, recorder, started, durationMs, options })
    : undefined;
  const stopProgress = reportProgress(endpoint, recorder, {
    started,
    durationMs,
    options,
    looks: adaptive ? () => ({ taken: looks!.taken(), planned: adaptive.looks.length }) : undefined,
  });
  const stop = () => run.stop();
  signal?.addEventListener('abort', stop, { once: true });
  let result: autocannon.Result;
  try {
    result = await run.done;
  } finally {
    stopProgress();
    looks?.cancel();
    signal?.removeEventListener('abort', stop);
  }
  const measurement = recorder.measurement(result, run.pacer, load, generator.stop());
  if (signal?.aborted) measurement.cancelled = true;
  else if (adaptive) {
    const planned = adaptive.looks.length;
    const stopped = looks!.stopped();
    measurement.adaptive = {
      looks: planned,
      look: stopped?.look ?? planned,
      stop: stopped ? `settled: ${stopped.settled}` : 'cap',
      capMs: durationMs,
      minDurationMs: adaptive.looks[0],
    };
  }
  return measurement;
}

/**
 * Unrecorded load before the run. A separate run rather than autocannon's `warmup` option: its
 * warmup instance is internal, so an abort could not stop it (`stop()` exists only once the main
 * run has started). The warmup's responses go to this throwaway instance and are never recorded.
 */
async function warmUp(
  endpoint: EndpointConfig,
  url: string,
  warmupMs: number,
  options: MeasureOptions,
): Promise<void> {
  options.log?.(`${endpoint.name}: warming up for ${formatDuration(warmupMs)}`);
  const warmup = startRun(endpoint, url, warmupMs, {});
  const stopWarmup = () => warmup.stop();
  options.signal?.addEventListener('abort', stopWarmup, { once: true });
  try {
    await warmup.done;
  } finally {
    options.signal?.removeEventListener('abort', stopWarmup);
  }
}

/** What a recorded run counts: latencies by outcome, errors by kind, responses. */
class Recorder {
  /** Successful responses (and timeouts, at the timeout): what latency and throughput are about. */
  readonly raw = createHistogram();
  /** Open model: the same, timed from each request's intended send time. */
  readonly corrected = createHistogram();
  /** Failed statuses and failed connections: reported, not judged. */
  readonly failures = createHistogram();
  readonly breakdown: ErrorBreakdown = { timeouts: 0, connection: {}, resets: 0, status: {} };
  responses = 0;
  succeeded = 0;
  readonly paced: boolean;
  private readonly expected?: Set<number>;

  constructor(private readonly endpoint: EndpointConfig) {
    this.paced = endpoint.load.rate !== undefined;
    if (endpoint.expectStatus) this.expected = new Set(endpoint.expectStatus);
  }

  private isExpected(status: number): boolean {
    return this.expected ? this.expected.has(status) : status >= 200 && status < 300;
  }

  listen(instance: Instance): void {
    const timeoutMs = this.endpoint.load.timeoutMs;
    instance.on(
      'response',
      (client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        this.responses++;
        const late = this.paced ? sendLatenessMs(client) : 0;
        if (!this.isExpected(statusCode)) {
          this.breakdown.status[statusCode] = (this.breakdown.status[statusCode] ?? 0) + 1;
          recordMs(this.failures, responseTime + late);
          return;
        }
        this.succeeded++;
        recordMs(this.raw, responseTime);
        if (this.paced) recordMs(this.corrected, responseTime + late);
      },
    );
    instance.on('reqError', (error: { code?: unknown; message?: unknown }) => {
      const code = typeof error?.code === 'string' ? error.code : undefined;
      if (!code && error?.message === TIMEOUT_MESSAGE) {
        this.breakdown.timeouts++;
        // A stalled request is recorded at the timeout, so stalling cannot improve the percentiles.
        recordMs(this.raw, timeoutMs);
        if (this.paced) recordMs(this.corrected, timeoutMs);
      } else if (code === 'ECONNRESET') {
        this.breakdown.resets++;
      } else {
        const key = code ?? 'UNKNOWN';
        this.breakdown.connection[key] = (this.breakdown.connection[key] ?? 0) + 1;
      }
    });
  }

  /** Requests answered or failed so far. */
  attempted(): number {
    const b = this.breakdown;
    return this.responses + b.timeouts + b.resets + sum(Object.values(b.connection));
  }

  /** What an adaptive look judges (live: read it, do not keep it). */
  sample(): LookSample {
    const requests = this.attempted();
    return {
      histogram: this.paced ? this.corrected : this.raw,
      requests,
      errors: requests - this.succeeded,
    };
  }

  /** The measurement of a finished run. */
  measurement(
    result: autocannon.Result,
    pacer: Pacer | undefined,
    load: LoadSettings,
    generatorLoad: ReturnType<ReturnType<typeof watchGenerator>['stop']>,
  ): Measurement {
    // The open model's load time is its arrival window (the wait for the last answers is not load).
    const elapsedMs = result.finish.getTime() - result.start.getTime();
    const recordedMs = pacer ? Math.min(pacer.result().windowMs, elapsedMs) : elapsedMs;
    const requests = this.attempted();
    const errors = requests - this.succeeded;
    const measurement: Measurement = {
      requests,
      errors,
      errorRate: requests === 0 ? 0 : errors / requests,
      errorBreakdown: this.breakdown,
      throughput: recordedMs > 0 ? this.succeeded / (recordedMs / 1000) : 0,
      durationMs: recordedMs,
      latency: summarize(this.raw),
      histogram: encodeHistogram(this.raw),
      startedAt: result.start.toISOString(),
    };
    if (this.failures.totalCount > 0) {
      measurement.errorLatency = summarize(this.failures);
      measurement.errorHistogram = encodeHistogram(this.failures);
    }
    const warnings: string[] = [];
    if (pacer) {
      measurement.latency = summarize(this.corrected);
      measurement.histogram = encodeHistogram(this.corrected);
      measurement.uncorrected = summarize(this.raw);
      measurement.uncorrectedHistogram = encodeHistogram(this.raw);
      const counts = pacer.result();
      measurement.arrivals = {
        rate: load.rate!,
        intended: counts.intended,
        sent: counts.sent,
        dropped: counts.dropped,
      };
      const dropped = droppedWarning(counts.intended, counts.dropped, load.connections);
      if (dropped) warnings.push(dropped);
    }
    measurement.generator = {
      ...generatorLoad,
      saturated: generatorSaturated({ ...generatorLoad, latencyP50Ms: measurement.latency.p50 }),
    };
    if (measurement.generator.saturated) warnings.push(SATURATED_WARNING);
    if (warnings.length > 0) measurement.warnings = warnings;
    return measurement;
  }
}

/** About once a second: the progress callback, and every `progressIntervalMs` a log line. */
function reportProgress(
  endpoint: EndpointConfig,
  recorder: Recorder,
  at: {
    started: number;
    durationMs: number;
    options: MeasureOptions;
    looks?: () => { taken: number; planned: number };
  },
): () => void {
  const { options, durationMs } = at;
  const progressEvery = options.progressIntervalMs ?? 5000;
  let lastLog = 0;
  const ticker = setInterval(
    () => {
      const elapsedMs = Math.min(performance.now() - at.started, durationMs);
      const p95 = recorder.raw.totalCount > 0 ? quantileMs(recorder.raw, 0.95) : 0;
      const requests = recorder.attempted();
      options.onProgress?.({
        elapsedMs,
        totalMs: durationMs,
        requests,
        p95,
        ...(at.looks ? { look: at.looks() } : {}),
      });
      if (options.log && elapsedMs - lastLog >= progressEvery - 1) {
        lastLog = elapsedMs;
        const errors = requests - recorder.succeeded;
        options.log(
          `${endpoint.name}: ${seconds(elapsedMs)}/${seconds(durationMs)}, ${requests} requests` +
            `${errors > 0 ? `, ${errors} errors` : ''}, p95 ${p95.toFixed(1)} ms`,
        );
      }
    },
    Math.min(1000, progressEvery),
  );
  ticker.unref();
  return () => clearInterval(ticker);
}

/**
 * Adaptive measurement: a look at each planned time before the cap; a settled look ends the run
 * there (cleanly: the open model's answers still out are waited for).
 */
function takeLooks(
  adaptive: AdaptiveOptions,
  at: {
    endpoint: EndpointConfig;
    run: Run;
    recorder: Recorder;
    started: number;
    durationMs: number;
    options: MeasureOptions;
  },
): {
  taken(): number;
  stopped(): { look: number; settled: 'pass' | 'breach' } | undefined;
  cancel(): void;
} {
  let timer: NodeJS.Timeout | undefined;
  let stopped: { look: number; settled: 'pass' | 'breach' } | undefined;
  let taken = 0;
  const interim = adaptive.looks.slice(0, -1);
  const next = () => {
    const when = interim[taken];
    if (when === undefined) return;
    timer = setTimeout(look, Math.max(0, when - (performance.now() - at.started)));
  };
  const look = () => {
    timer = undefined;
    if (at.options.signal?.aborted || stopped) return;
    taken++;
    const settled = adaptive.decide(taken, at.recorder.sample());
    if (settled) {
      stopped = { look: taken, settled };
      at.options.log?.(
        `${at.endpoint.name}: settled: ${settled} at look ${taken} of ${adaptive.looks.length}, after ${seconds(performance.now() - at.started)} of the ${seconds(at.durationMs)} cap`,
      );
      at.run.end();
      return;
    }
    next();
  };
  next();
  return {
    taken: () => taken,
    stopped: () => stopped,
    cancel: () => clearTimeout(timer),
  };
}

interface RunHooks {
  onLostRequest?: () => void;
  onTruncated?: (what: string) => void;
  onFailedAfter?: (ms: number) => void;
  /** Open model: whether every request sent so far has been answered or has failed. */
  settled?: () => boolean;
}

interface Run {
  instance: Instance;
  /** The open model's arrival process (none in the closed model). */
  pacer?: Pacer;
  done: Promise<autocannon.Result>;
  /** Aborts the run: what is in flight is lost. */
  stop(): void;
  /**
   * Ends the run early but cleanly: in the open model no more requests fall due and the answers
   * still out are waited for, as at the end of the window; in the closed model it stops.
   */
  end(): void;
}

/**
 * Open model: after the last request was due, the run waits this long at most (or the timeout,
 * if shorter) for the answers still out, so the last requests are not lost from the sample.
 */
const DRAIN_MS = 5000;

/**
 * One autocannon run. In the open model a pacer decides when each connection sends (SPEC §4),
 * rather than autocannon's rate modes, which send each connection's per-second quota in a burst.
 * The pacer drives autocannon's own clients, so both models share one HTTP client, with the same
 * timeouts, error accounting and repairs (client-repairs.ts), instead of a second client for the
 * open model with failure modes of its own. The pacer ends the run: autocannon's own duration is
 * only a backstop.
 */
function startRun(endpoint: EndpointConfig, url: string, durationMs: number, hooks: RunHooks): Run {
  const rate = endpoint.load.rate;
  const drainMs = Math.min(DRAIN_MS, endpoint.load.timeoutMs);
  let stopped = false;
  const drain = () => {
    const deadline = performance.now() + drainMs;
    const check = () => {
      if (stopped) return;
      if (!hooks.settled || hooks.settled() || performance.now() >= deadline) instance.stop();
      else setTimeout(check, 10);
    };
    check();
  };
  const pacer =
    rate === undefined ? undefined : new Pacer({ rate, durationMs, onWindowEnd: drain });
  const instance = autocannon(
    autocannonOptions(
      endpoint,
      url,
      pacer ? durationMs + drainMs + 1000 : durationMs,
      hooks,
      pacer,
    ),
  ) as unknown as Instance;
  // autocannon creates and connects its clients synchronously; each tells the pacer it is free.
  pacer?.start();
  const done = Promise.resolve(instance).finally(() => {
    stopped = true;
    pacer?.stop();
  });
  return {
    instance,
    pacer,
    done,
    stop: () => {
      stopped = true;
      pacer?.stop();
      instance.stop();
    },
    end: () => {
      if (pacer) pacer.endWindow();
      else instance.stop();
    },
  };
}

/** The warning for an open model that could not send what was asked of it, if it is due. */
export function droppedWarning(
  intended: number,
  dropped: number,
  connections: number,
): string | undefined {
  if (intended === 0 || dropped / intended <= DROPPED_WARNING_FRACTION) return undefined;
  return (
    `${dropped} of ${intended} requests (${((100 * dropped) / intended).toFixed(1)}%) were not sent: ` +
    `every one of the ${connections} connections was still waiting for an answer when they were due, ` +
    'so the target got less load than the rate asks for; raise load.connections'
  );
}

/** More than 1% of the intended requests dropped is a warning (SPEC §4). */
export const DROPPED_WARNING_FRACTION = 0.01;

/**
 * The endpoint's URL, or the same endpoint on another deployment: the origin, path prefix and
 * query parameters of the target the endpoint's `path` was resolved against are replaced by
 * `baseUrl`'s.
 */
export function endpointUrl(
  endpoint: Pick<EndpointConfig, 'url' | 'path'>,
  baseUrl?: string,
): string {
  if (!baseUrl) return endpoint.url;
  const base = new URL(baseUrl);
  const current = new URL(endpoint.url);
  if (/^[a-z][a-z0-9+.-]*:/i.test(endpoint.path))
    return base.origin + current.pathname + current.search;
  // The endpoint's own path and query in the URL parser's spelling (percent-encoding). The
  // target's query parameters, which follow the endpoint's in its URL, are the target's (a
  // protection bypass, a signed token): they never go to the other deployment, which gets its own.
  const own = new URL(endpoint.path.replace(/^\/+/, ''), 'http://h/');
  const relative = own.pathname.slice(1);
  const search = [own.search.slice(1), base.search.slice(1)].filter(Boolean).join('&');
  const query = search ? `?${search}` : '';
  if (!current.pathname.endsWith(relative)) return base.origin + current.pathname + query;
  const prefix = base.origin + base.pathname.replace(/\/+$/, '');
  return `${prefix}/${relative}${query}`;
}

function autocannonOptions(
  endpoint: EndpointConfig,
  url: string,
  durationMs: number,
  hooks: RunHooks,
  pacer: Pacer | undefined,
): autocannon.Options {
  const load = endpoint.load;
  // autocannon writes its own Content-Length; a second one would make the request invalid.
  const own = Object.fromEntries(
    Object.entries(endpoint.headers).filter(([k]) => k !== 'content-length'),
  );
  // autocannon would turn URL credentials into a second Authorization header next to the
  // file's; send exactly one, as the ready-wait does (an explicit header wins).
  const plain = withoutCredentials(url, own);
  const headers = plain.headers ?? own;
  return {
    url: plain.url,
    method: endpoint.method.toUpperCase() as autocannon.Request['method'],
    headers,
    body: endpoint.body,
    connections: load.connections,
    duration: durationMs / 1000,
    timeout: load.timeoutMs / 1000,
    sampleInt: SAMPLE_INTERVAL_MS,
    setupClient: (client) => {
      // First, so the repairs' reconnects go through the checks too.
      verifyLoadConnections(client, endpoint.tls);
      repairClient(client, {
        method: endpoint.method,
        onLostRequest: hooks.onLostRequest ?? (() => {}),
        ...(hooks.onTruncated ? { onTruncated: hooks.onTruncated } : {}),
        ...(hooks.onFailedAfter ? { onFailedAfter: hooks.onFailedAfter } : {}),
        ...(pacer ? { pacer } : {}),
      });
    },
  };
}

function checkSettings(endpoint: EndpointConfig, durationMs: number): void {
  const load = endpoint.load;
  const where = `endpoint "${endpoint.name}"`;
  if (!(durationMs > 0))
    throw new Error(`${where}: load duration must be positive, got ${durationMs} ms`);
  if (!METHODS.includes(endpoint.method.toUpperCase())) {
    throw new Error(
      `${where}: method ${endpoint.method} is not supported; use one of ${METHODS.join(', ')}`,
    );
  }
  if (load.timeoutMs < 1000) {
    throw new Error(
      `${where}: load.timeout ${formatDuration(load.timeoutMs)} is shorter than 1s, the shortest timeout autocannon supports; use at least 1s`,
    );
  }
  if (!(load.connections >= 1))
    throw new Error(`${where}: load.connections must be at least 1, got ${load.connections}`);
  if (load.rate !== undefined && !(load.rate > 0)) {
    throw new Error(
      `${where}: load.rate must be a positive number of requests per second, got ${load.rate}`,
    );
  }
}

function emptyMeasurement(cancelled: boolean): Measurement {
  const empty = createHistogram();
  return {
    requests: 0,
    errors: 0,
    errorRate: 0,
    errorBreakdown: { timeouts: 0, connection: {}, resets: 0, status: {} },
    throughput: 0,
    durationMs: 0,
    latency: summarize(empty),
    histogram: encodeHistogram(empty),
    startedAt: new Date().toISOString(),
    ...(cancelled ? { cancelled } : {}),
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
