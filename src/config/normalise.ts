/**
 * From a schema-valid, interpolated budget file to the normalised `Config`: units converted,
 * defaults merged key by key, URLs resolved against the target, and the checks a schema cannot
 * express (same-origin paths, header injection, unique names, the total load-time cap).
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import type { BudgetSource } from './source.js';
import { closest } from './suggest.js';
import {
  BUDGET_METRICS,
  REGRESSION_METRICS,
  type Budget,
  type CloudWatchBaselineConfig,
  type Config,
  type EndpointConfig,
  type LoadSettings,
  type RegressionMetric,
  type RegressionRules,
  type Tolerance,
} from './types.js';
import {
  formatDuration,
  parseDuration,
  parseLatency,
  parseRate,
  showValue,
  UnitError,
} from './units.js';
import { implausibleSeconds, parseIncrease } from './plausible.js';
import { ACTION_WORDS, type OptionWords } from './words.js';
import { checkTargetUrl, resolvePath } from './urls.js';
import { dataAt, type LocatedProblem } from './validate.js';

export interface NormaliseOptions {
  /** Replaces `target.url` (the target-url input). */
  targetUrl?: string;
  /** Cap on Σ(warmup + duration) over all endpoints, ms. */
  maxDurationMs?: number;
  /** Every endpoint is measured on the target and on a reference deployment. */
  sideBySide?: boolean;
  /** How messages name the options set outside the file; default: the action's inputs. */
  words?: OptionWords;
}

/** Load used where neither the endpoint nor `defaults.load` says otherwise (docs/architecture.md §3). */
export const DEFAULT_LOAD: Readonly<LoadSettings> = {
  connections: 10,
  durationMs: 30_000,
  warmupMs: 5_000,
  timeoutMs: 10_000,
};

/** The canary rule, used when the file has no `defaults.regression` (docs/architecture.md §3). */
export const DEFAULT_REGRESSION: Readonly<RegressionRules> = {
  p50: { maxIncrease: 0.1, minDelta: 1 },
  p95: { maxIncrease: 0.1, minDelta: 1 },
  p99: { maxIncrease: 0.2, minDelta: 1 },
  'error-rate': { maxIncrease: 0.5, minDelta: 0.005 },
};

/** `min-delta` of a rule that does not give one: the canary rule's noise floor. */
const DEFAULT_MIN_DELTA = { latency: 1, errorRate: 0.005 };

export const DEFAULT_NAMESPACE = 'PerfGate';
const DEFAULT_LOOKBACK_MS = 14 * 86_400_000;
const DEFAULT_PERIOD_MS = 3_600_000;
/** CloudWatch keeps hourly data for 455 days. */
const MAX_LOOKBACK_MS = 455 * 86_400_000;
const DEFAULT_READY_TIMEOUT_MS = 5 * 60_000;

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Framing headers are computed from the body; a wrong one would corrupt every request. */
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding']);

export interface NormaliseInput {
  source: BudgetSource;
  /** Interpolated data; schema-valid wherever `schemaSound` holds. */
  data: Raw.PerfBudgetFile;
  secrets: string[];
  options: NormaliseOptions;
  /** No schema problem at or under this path. */
  schemaSound: (path: readonly PathSegment[]) => boolean;
  /** The text value at this path interpolated without problems. */
  textSound: (path: readonly PathSegment[]) => boolean;
}

export function normalise(input: NormaliseInput): { config: Config; problems: LocatedProblem[] } {
  const { source, data, options, schemaSound, textSound } = input;
  const words = options.words ?? ACTION_WORDS;
  const problems: LocatedProblem[] = [];
  const add = (
    path: readonly PathSegment[],
    message: string,
    at: 'key' | 'value' = 'value',
  ): void => {
    problems.push({ segments: [...path], problem: source.problem(path, message, at) });
  };
  /** A problem with a key: reported under its mapping, located at the key. */
  const addKey = (mapping: readonly PathSegment[], key: string, message: string): void => {
    const at = source.locate([...mapping, key], 'key');
    problems.push({
      segments: [...mapping, key],
      problem: { ...source.problem(mapping, message), ...at },
    });
  };
  /**
   * The (interpolated) value at `path` when it passed the schema, so it has the generated type;
   * undefined when absent or unsound (its problems are reported already).
   */
  const get = <T>(path: readonly PathSegment[]): T | undefined =>
    schemaSound(path) ? (dataAt(data, path) as T | undefined) : undefined;
  /** The value as written in the file, safe to quote (not interpolated). */
  const written = (path: readonly PathSegment[]): string => showValue(dataAt(source.data, path));

  const unit = <T extends number>(
    path: PathSegment[],
    value: unknown,
    parse: (v: unknown) => T,
    check?: (n: T) => string | undefined,
  ): T | undefined => {
    try {
      const n = parse(value);
      const complaint = check?.(n);
      if (complaint) {
        add(path, `${complaint}, found ${written(path)}`);
        return undefined;
      }
      return n;
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      add(path, e.message);
      return undefined;
    }
  };
  const positive = (n: number): string | undefined =>
    n > 0 ? undefined : 'expected a duration greater than 0';

  // --- target ---------------------------------------------------------------------------------
  let targetUrl: URL | undefined;
  const fileUrl = get<string>(['target', 'url']);
  if (options.targetUrl !== undefined) {
    const checked = checkTargetUrl(options.targetUrl, showValue(options.targetUrl));
    if (checked.ok) targetUrl = checked.value;
    else {
      const problem = {
        file: source.file,
        line: 0,
        col: 0,
        path: '',
        message: `${words.targetUrl}: ${checked.message}`,
      };
      problems.push({ segments: [], problem });
    }
  } else if (typeof fileUrl === 'string') {
    if (textSound(['target', 'url'])) {
      const checked = checkTargetUrl(fileUrl, describeText(source, ['target', 'url']));
      if (checked.ok) targetUrl = checked.value;
      else add(['target', 'url'], checked.message);
    }
  } else if (schemaSound(['target'])) {
    const hasTarget = get<Raw.Target>(['target']) !== undefined;
    add(
      hasTarget ? ['target'] : [],
      `no target URL: set target.url (e.g. url: \${PREVIEW_URL}) or ${words.targetUrl}`,
      'key',
    );
  }

  const targetHeaders = headersOf(get<Raw.Headers>(['target', 'headers']), ['target', 'headers']);
  let ready: Config['target']['ready'];
  const rawReady = get<NonNullable<Raw.Target['ready']>>(['target', 'ready']);
  if (rawReady) {
    const timeoutMs =
      rawReady.timeout === undefined
        ? DEFAULT_READY_TIMEOUT_MS
        : unit(['target', 'ready', 'timeout'], rawReady.timeout, parseDuration, positive);
    const url = resolveAt(['target', 'ready', 'path'], rawReady.path);
    if (url !== undefined && timeoutMs !== undefined) ready = { url, timeoutMs };
  }

  // --- defaults -------------------------------------------------------------------------------
  const defaultLoad = { ...DEFAULT_LOAD, ...loadOf(['defaults', 'load']) };
  const defaultBudget = budgetOf(['defaults', 'budget']);
  const defaultRegression = isMapping(dataAt(data, ['defaults', 'regression']))
    ? regressionOf(['defaults', 'regression'])
    : { ...DEFAULT_REGRESSION };

  // --- baseline -------------------------------------------------------------------------------
  const fileCloudWatch = cloudWatchOf(['baseline', 'cloudwatch'], undefined);

  // --- endpoints ------------------------------------------------------------------------------
  const endpoints: EndpointConfig[] = [];
  const names = new Map<string, number>();
  const rawEndpoints = dataAt(data, ['endpoints']);
  const list = Array.isArray(rawEndpoints) ? rawEndpoints : [];
  let complete = schemaSound(['endpoints']) && schemaSound(['defaults']);
  list.forEach((_, i) => {
    const { endpoint, name } = endpointOf(i);
    if (name !== undefined) {
      const firstLine = names.get(name);
      if (firstLine !== undefined) {
        const named = get(['endpoints', i, 'name']) !== undefined;
        add(
          named ? ['endpoints', i, 'name'] : ['endpoints', i],
          `duplicate endpoint name ${JSON.stringify(name)}, also on line ${firstLine}: names identify endpoints in reports and baselines${named ? '' : '; give each a name'}`,
        );
      } else {
        names.set(name, source.locate(['endpoints', i]).line);
      }
    }
    if (endpoint) endpoints.push(endpoint);
    else complete = false;
  });

  // --- total load time ------------------------------------------------------------------------
  if (options.maxDurationMs !== undefined && complete) {
    const rounds = options.sideBySide ? 2 : 1;
    const total = endpoints.reduce(
      (sum, e) => sum + (e.load.warmupMs + e.load.durationMs) * rounds,
      0,
    );
    if (total > options.maxDurationMs) {
      add(
        ['endpoints'],
        `the endpoints ask for ${formatDuration(total)} of load (warmup + duration of ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}${options.sideBySide ? `, each measured twice: on the target and on ${words.baselineUrl} side by side` : ''}), over the max-duration of ${formatDuration(options.maxDurationMs)}: shorten durations or warmups, or raise ${words.maxDuration}`,
        'key',
      );
    }
  }

  const id = get<string>(['id']);
  const confirm = get<boolean>(['confirm']);
  const config: Config = {
    version: 1,
    id: typeof id === 'string' ? id : 'default',
    file: source.file,
    target: {
      url: targetUrl?.href ?? '',
      headers: targetHeaders,
      ...(ready ? { ready } : {}),
    },
    baseline: {
      ...(fileCloudWatch ? { cloudwatch: fileCloudWatch } : {}),
      required: get<boolean>(['baseline', 'required']) === true,
    },
    confirm: typeof confirm === 'boolean' ? confirm : true,
    endpoints,
    secrets: input.secrets,
  };
  return { config, problems };

  // --- sections -------------------------------------------------------------------------------

  /** One endpoint; each part is checked when it passed the schema, so all problems show at once. */
  function endpointOf(index: number): { endpoint?: EndpointConfig; name?: string } {
    const at = (...rest: PathSegment[]): PathSegment[] => ['endpoints', index, ...rest];
    const raw = get<Raw.Endpoint>(at());
    const before = problems.length;
    const rawMethod = get<string>(at('method'));
    const method = (typeof rawMethod === 'string' ? rawMethod : 'GET').toUpperCase();
    if (
      typeof rawMethod === 'string' &&
      textSound(at('method')) &&
      !(METHODS as readonly string[]).includes(method)
    ) {
      const near = closest(method, METHODS);
      add(
        at('method'),
        `expected one of ${METHODS.join(', ')}, found ${written(at('method'))}${near ? ` (did you mean "${near}"?)` : ''}`,
      );
    }
    const path = get<string>(at('path'));
    const url = typeof path === 'string' ? resolveAt(at('path'), path) : undefined;
    const headers = {
      ...targetHeaders,
      ...headersOf(get<Raw.Headers>(at('headers')), at('headers')),
    };
    const rawBody = get<Raw.Endpoint['body']>(at('body'));
    let body: string | undefined;
    if (typeof rawBody === 'string') {
      body = rawBody;
    } else if (rawBody !== undefined) {
      body = JSON.stringify(rawBody);
      headers['content-type'] ??= 'application/json';
    }
    const load = { ...defaultLoad, ...loadOf(at('load')) };
    const budget = { ...defaultBudget, ...budgetOf(at('budget')) };
    const rawRegression = dataAt(data, at('regression'));
    const regression =
      rawRegression === false
        ? false
        : {
            ...defaultRegression,
            ...(isMapping(rawRegression) ? regressionOf(at('regression')) : {}),
          };
    const cloudwatch = cloudWatchOf(at('baseline', 'cloudwatch'), fileCloudWatch);
    // A default name quotes the path as written, so an interpolated secret never becomes a name.
    const rawName = get<string>(at('name'));
    if (typeof rawName === 'string' && LINE_BREAK.test(rawName)) {
      // A line break in a name would start a new line in the job log, where `::command::`
      // lines are workflow commands: a pull request could forge annotations or outputs.
      add(
        at('name'),
        `expected a name on one line, found a line break or NUL character (${describeLineBreak(rawName)}); remove it`,
      );
    }
    const writtenPath = dataAt(source.data, at('path'));
    const name =
      typeof rawName === 'string'
        ? rawName
        : rawName === undefined && schemaSound(at('method')) && typeof writtenPath === 'string'
          ? `${method} ${writtenPath}`
          : undefined;
    if (!raw || problems.length > before || url === undefined || typeof path !== 'string') {
      return { name };
    }
    const endpoint: EndpointConfig = {
      name: name ?? `${method} ${path}`,
      method,
      path,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(raw.expect?.status ? { expectStatus: [...raw.expect.status] } : {}),
      load,
      budget,
      regression,
      ...(cloudwatch ? { cloudwatch } : {}),
      line: source.locate(at()).line,
    };
    return { endpoint, name };
  }

  function resolveAt(path: PathSegment[], value: string): string | undefined {
    if (!targetUrl || !textSound(path)) return undefined;
    const resolved = resolvePath(targetUrl, value, describeText(source, path));
    if (resolved.ok) return resolved.value;
    add(path, resolved.message);
    return undefined;
  }

  function headersOf(raw: Raw.Headers | undefined, path: PathSegment[]): Record<string, string> {
    const out: Record<string, string> = {};
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(raw ?? {})) {
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      const other = seen.get(lower);
      if (other !== undefined) {
        addKey(
          path,
          name,
          `header ${JSON.stringify(name)} is also given as ${JSON.stringify(other)}: header names are case-insensitive, keep one`,
        );
        continue;
      }
      seen.set(lower, name);
      if (FORBIDDEN_HEADERS.has(lower)) {
        addKey(path, name, `header "${lower}" is computed from the body and cannot be set`);
        continue;
      }
      const text = String(value);
      if (/[\r\n\0]/.test(text)) {
        const vars = variablesIn(dataAt(source.data, [...path, name]));
        add(
          [...path, name],
          `header "${lower}" has a line break or NUL character in its value${vars.length ? ` (from ${vars.map((v) => `\${${v}}`).join(', ')})` : ''}: refused, as it would inject headers into the request`,
        );
        continue;
      }
      out[lower] = text;
    }
    return out;
  }

  function loadOf(path: PathSegment[]): Partial<LoadSettings> {
    const out: Partial<LoadSettings> = {};
    const connections = get<number>([...path, 'connections']);
    if (connections !== undefined) out.connections = connections;
    const bare = (key: 'duration' | 'warmup' | 'timeout') =>
      implausibleSeconds(key, get([...path, key]));
    const duration = durationAt([...path, 'duration'], (n) => positive(n) ?? bare('duration'));
    if (duration !== undefined) out.durationMs = duration;
    const warmup = durationAt([...path, 'warmup'], () => bare('warmup'));
    if (warmup !== undefined) out.warmupMs = warmup;
    // The load generator counts its request timeout in whole seconds.
    const timeout = durationAt([...path, 'timeout'], (n) =>
      n >= 1000 ? bare('timeout') : 'expected a request timeout of at least 1s',
    );
    if (timeout !== undefined) out.timeoutMs = timeout;
    const rate = get<number>([...path, 'rate']);
    if (rate !== undefined) out.rate = rate;
    return out;
  }

  function durationAt(
    path: PathSegment[],
    check?: (n: number) => string | undefined,
  ): number | undefined {
    const value = get<Raw.Duration>(path);
    return value === undefined ? undefined : unit(path, value, parseDuration, check);
  }

  function budgetOf(path: PathSegment[]): Budget {
    const out: Budget = {};
    for (const metric of BUDGET_METRICS) {
      const at = [...path, metric];
      const value = get<Raw.Latency>(at);
      if (value === undefined) continue;
      let n: number | undefined;
      if (metric === 'min-rps') n = value as number;
      else if (metric === 'error-rate') n = unit(at, value, (v) => parseRate(v));
      else
        n = unit(at, value, parseLatency, (x) =>
          x > 0 ? undefined : 'expected a latency greater than 0 (no request is that fast)',
        );
      if (n !== undefined) out[metric] = n;
    }
    return out;
  }

  function regressionOf(path: PathSegment[]): RegressionRules {
    const out: RegressionRules = {};
    for (const metric of REGRESSION_METRICS) {
      const tolerance = toleranceOf(metric, [...path, metric]);
      if (tolerance) out[metric] = tolerance;
    }
    return out;
  }

  function toleranceOf(metric: RegressionMetric, path: PathSegment[]): Tolerance | undefined {
    const isRate = metric === 'error-rate';
    const defaultMinDelta = isRate ? DEFAULT_MIN_DELTA.errorRate : DEFAULT_MIN_DELTA.latency;
    const increase = parseIncrease;
    const value = get<Raw.LatencyTolerance>(path);
    if (value === undefined) return undefined;
    if (typeof value !== 'object') {
      const maxIncrease = unit(path, value, increase);
      return maxIncrease === undefined ? undefined : { maxIncrease, minDelta: defaultMinDelta };
    }
    const rawIncrease = value['max-increase'];
    const rawDelta = value['min-delta'];
    const maxIncrease =
      rawIncrease === undefined ? 0 : unit([...path, 'max-increase'], rawIncrease, increase);
    const minDelta =
      rawDelta === undefined
        ? defaultMinDelta
        : unit([...path, 'min-delta'], rawDelta, isRate ? (v) => parseRate(v) : parseLatency);
    if (maxIncrease === undefined || minDelta === undefined) return undefined;
    return { maxIncrease, minDelta };
  }

  function cloudWatchOf(
    path: PathSegment[],
    inherited: CloudWatchBaselineConfig | undefined,
  ): CloudWatchBaselineConfig | undefined {
    if (!isMapping(dataAt(data, path))) return undefined;
    const raw = Object.fromEntries(
      ['region', 'namespace', 'metric', 'unit', 'dimensions', 'lookback', 'period'].map((k) => [
        k,
        get([...path, k]),
      ]),
    ) as NonNullable<Raw.EndpointBaseline['cloudwatch']>;
    const before = problems.length;
    const periodMs =
      raw.period === undefined
        ? (inherited?.periodMs ?? DEFAULT_PERIOD_MS)
        : unit([...path, 'period'], raw.period, parseDuration, (n) =>
            n > 0 && n % 60_000 === 0
              ? undefined
              : 'expected a period that is a whole number of minutes (60s, 5m, 1h)',
          );
    const lookbackMs =
      raw.lookback === undefined
        ? (inherited?.lookbackMs ?? DEFAULT_LOOKBACK_MS)
        : unit([...path, 'lookback'], raw.lookback, parseDuration, (n) =>
            n <= 0
              ? 'expected a duration greater than 0'
              : n > MAX_LOOKBACK_MS
                ? 'expected at most 455d (CloudWatch keeps metrics for 15 months)'
                : undefined,
          );
    if (periodMs !== undefined && lookbackMs !== undefined && lookbackMs < periodMs) {
      add(
        [...path, raw.lookback !== undefined ? 'lookback' : 'period'],
        `the lookback (${formatDuration(lookbackMs)}) is shorter than one period (${formatDuration(periodMs)}): it would never hold a full period`,
      );
    }
    if (!schemaSound(path) || problems.length > before) return undefined;
    if (periodMs === undefined || lookbackMs === undefined) return undefined;
    const region = raw.region ?? inherited?.region;
    return {
      ...(region !== undefined ? { region } : {}),
      namespace: raw.namespace ?? inherited?.namespace ?? DEFAULT_NAMESPACE,
      ...(raw.metric !== undefined ? { metric: raw.metric } : {}),
      unit: raw.unit ?? 'ms',
      dimensions: { ...(raw.dimensions ?? inherited?.dimensions ?? {}) } as Record<string, string>,
      lookbackMs,
      periodMs,
    };
  }
}

/** Characters that end a line somewhere (the job log, a terminal, an editor), and NUL. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const LINE_BREAK = /[\r\n\u0000\u0085\u2028\u2029]/;

/** `U+000A` for the first line break of `text`. */
function describeLineBreak(text: string): string {
  const c = LINE_BREAK.exec(text)?.[0] ?? '';
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** How a text value is quoted in messages: as written, with the variables it came from. */
function describeText(source: BudgetSource, path: readonly PathSegment[]): string {
  const written = dataAt(source.data, path);
  const shown = showValue(written);
  return typeof written === 'string' && written.includes('${') ? `${shown} as interpolated` : shown;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function variablesIn(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
}
