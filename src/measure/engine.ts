import autocannon from 'autocannon';
import type { EndpointConfig } from '../config/types.js';
import { createHistogram, encodeHistogram, quantileMs, recordMs, summarize } from './histogram.js';
import type { Histogram } from './histogram.js';
import { formatMs, withoutCredentials } from './ready.js';
import { repairClient } from './client-repairs.js';
import type { ErrorBreakdown, Measurement } from './types.js';

/**
 * Measuring one endpoint (docs/architecture.md §4): one autocannon run, after an unrecorded warmup, with every
 * response's float-millisecond latency recorded in our own HDR histogram at microsecond
 * resolution. autocannon's own percentiles are truncated to whole milliseconds, have no p95,
 * leave out timeouts and, in rate mode, are distorted by its 1 ms coordinated-omission
 * correction, so none of its latency numbers are used.
 */

export interface MeasureProgress {
  elapsedMs: number;
  totalMs: number;
  requests: number;
  /** p95 so far, ms (uncorrected in the open model). */
  p95: number;
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
}

/** autocannon ends a run only on one of its sample ticks; a short tick keeps durations and stops prompt. */
const SAMPLE_INTERVAL_MS = 100;

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
  const durationMs = options.durationMs ?? load.durationMs;
  const warmupMs = options.warmupMs ?? load.warmupMs;
  const url = endpointUrl(endpoint, options.baseUrl);
  checkSettings(endpoint, durationMs);

  const log = options.log;
  const signal = options.signal;
  if (signal?.aborted) return emptyMeasurement(true);

  if (warmupMs > 0) {
    log?.(`${endpoint.name}: warming up for ${formatMs(warmupMs)}`);
    // A separate run rather than autocannon's `warmup` option: its warmup instance is internal,
    // so an abort could not stop it (`stop()` exists only once the main run has started). The
    // warmup's responses go to this throwaway instance and are never recorded.
    const warmup = autocannon(
      autocannonOptions(endpoint, url, warmupMs, () => {}),
    ) as unknown as Instance;
    const stopWarmup = () => warmup.stop();
    signal?.addEventListener('abort', stopWarmup, { once: true });
    try {
      await warmup;
    } finally {
      signal?.removeEventListener('abort', stopWarmup);
    }
    if (signal?.aborted) return emptyMeasurement(true);
  }

  const raw = createHistogram();
  const breakdown: ErrorBreakdown = { timeouts: 0, connection: {}, resets: 0, status: {} };
  let responses = 0;
  let unexpected = 0;
  const expected = endpoint.expectStatus ? new Set(endpoint.expectStatus) : undefined;
  const isExpected = (status: number) =>
    expected ? expected.has(status) : status >= 200 && status < 300;
  const countReset = () => {
    breakdown.resets++;
  };

  const instance = autocannon(
    autocannonOptions(endpoint, url, durationMs, countReset),
  ) as unknown as Instance;
  const started = performance.now();

  instance.on(
    'response',
    (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      responses++;
      recordMs(raw, responseTime);
      if (!isExpected(statusCode)) {
        unexpected++;
        breakdown.status[statusCode] = (breakdown.status[statusCode] ?? 0) + 1;
      }
    },
  );
  instance.on('reqError', (error: { code?: unknown; message?: unknown }) => {
    const code = typeof error?.code === 'string' ? error.code : undefined;
    if (!code && error?.message === TIMEOUT_MESSAGE) {
      breakdown.timeouts++;
      // A stalled request is recorded at the timeout, so stalling cannot improve the percentiles.
      recordMs(raw, load.timeoutMs);
    } else if (code === 'ECONNRESET') {
      breakdown.resets++;
    } else {
      const key = code ?? 'UNKNOWN';
      breakdown.connection[key] = (breakdown.connection[key] ?? 0) + 1;
    }
  });

  const attempted = () =>
    responses + breakdown.timeouts + breakdown.resets + sum(Object.values(breakdown.connection));
  const progressEvery = options.progressIntervalMs ?? 5000;
  let lastLog = 0;
  const ticker = setInterval(
    () => {
      const elapsedMs = Math.min(performance.now() - started, durationMs);
      const p95 = raw.totalCount > 0 ? quantileMs(raw, 0.95) : 0;
      const requests = attempted();
      options.onProgress?.({ elapsedMs, totalMs: durationMs, requests, p95 });
      if (log && elapsedMs - lastLog >= progressEvery - 1) {
        lastLog = elapsedMs;
        const errors = requests - responses + unexpected;
        log(
          `${endpoint.name}: ${seconds(elapsedMs)}/${seconds(durationMs)}, ${requests} requests` +
            `${errors > 0 ? `, ${errors} errors` : ''}, p95 ${p95.toFixed(1)} ms`,
        );
      }
    },
    Math.min(1000, progressEvery),
  );
  ticker.unref();
  const stop = () => instance.stop();
  signal?.addEventListener('abort', stop, { once: true });

  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    clearInterval(ticker);
    signal?.removeEventListener('abort', stop);
  }

  const recordedMs = result.finish.getTime() - result.start.getTime();
  const requests = attempted();
  const errors = requests - responses + unexpected;
  const measurement: Measurement = {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    errorBreakdown: breakdown,
    throughput: recordedMs > 0 ? responses / (recordedMs / 1000) : 0,
    durationMs: recordedMs,
    latency: summarize(raw),
    histogram: encodeHistogram(raw),
    startedAt: result.start.toISOString(),
  };
  if (load.rate !== undefined) {
    const corrected = correctForCoordinatedOmission(
      raw,
      expectedIntervalMs(load.connections, load.rate),
    );
    measurement.latency = summarize(corrected);
    measurement.histogram = encodeHistogram(corrected);
    measurement.uncorrected = summarize(raw);
    measurement.uncorrectedHistogram = encodeHistogram(raw);
  }
  if (signal?.aborted) measurement.cancelled = true;
  return measurement;
}

/**
 * In autocannon's rate modes each connection gets a per-second quota: `overallRate` spreads the
 * total over the connections (and lowers the connection count to the rate if it is smaller),
 * which is what `load.rate` means. Each connection is then expected to send one request every
 * `connections / rate` seconds.
 */
export function expectedIntervalMs(connections: number, rate: number): number {
  const effective = Math.min(connections, Math.ceil(rate));
  return (effective / rate) * 1000;
}

/**
 * The histogram with coordinated omission corrected (HdrHistogram's post-hoc correction): a
 * response slower than the expected interval held back the requests that connection should have
 * sent meanwhile, so their would-be latencies are added. Built with our own settings (the
 * library's copy would drop auto-resizing).
 */
export function correctForCoordinatedOmission(
  raw: Histogram,
  expectedIntervalMs: number,
): Histogram {
  const corrected = createHistogram();
  corrected.addWhileCorrectingForCoordinatedOmission(
    raw,
    Math.max(1, Math.round(expectedIntervalMs * 1000)),
  );
  return corrected;
}

/**
 * The endpoint's URL, or the same endpoint on another deployment: the origin and path prefix the
 * endpoint's `path` was resolved against are replaced by `baseUrl`.
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
  // Compare in the URL parser's own spelling (percent-encoding) of the relative path.
  const relative = new URL(endpoint.path.replace(/^\/+/, ''), 'http://h/').href.slice(
    'http://h/'.length,
  );
  if (!endpoint.url.endsWith(relative)) return base.origin + current.pathname + current.search;
  const prefix = base.origin + base.pathname.replace(/\/+$/, '');
  return `${prefix}/${relative}`;
}

function autocannonOptions(
  endpoint: EndpointConfig,
  url: string,
  durationMs: number,
  onLostRequest: () => void,
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
    ...(load.rate !== undefined ? { overallRate: load.rate, ignoreCoordinatedOmission: true } : {}),
    setupClient: (client) => repairClient(client, { method: endpoint.method, onLostRequest }),
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
      `${where}: load.timeout ${formatMs(load.timeoutMs)} is shorter than 1s, the shortest timeout autocannon supports; use at least 1s`,
    );
  }
  if (!(load.connections >= 1))
    throw new Error(`${where}: load.connections must be at least 1, got ${load.connections}`);
  if (load.rate !== undefined && !(load.rate >= 1)) {
    throw new Error(`${where}: load.rate must be at least 1 request per second, got ${load.rate}`);
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
