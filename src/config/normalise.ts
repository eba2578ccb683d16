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
  type Budget,
  type CloudWatchBaselineConfig,
  type Config,
  type EndpointConfig,
  type GitHubHistoryConfig,
  type LoadSettings,
  type RegressionRules,
  type Tolerance,
  type TlsSettings,
} from './types.js';
import { BUDGET_METRICS, REGRESSION_METRICS, type RegressionMetric } from '../units/metrics.js';
import { parseDuration, parseLatency, parseRate, showValue, UnitError } from '../units/parse.js';
import { formatDuration } from '../units/format.js';
import { implausibleSeconds, parseIncrease } from './plausible.js';
import { ACTION_WORDS, type OptionWords } from './words.js';
import { checkTargetUrl, resolvePath } from './urls.js';
import { deceptiveCharacters, nameSkeleton, quoteName, visibleName } from './names.js';
import { plannedLoadMs } from './plan.js';
import { dataAt, type LocatedProblem } from './validate.js';
import { X509Certificate } from 'node:crypto';
import { dirname, resolve as resolveFsPath } from 'node:path';

/** A path written in the budget file, relative to the file's folder. */
function resolvePathFrom(budgetFile: string, path: string): string {
  return resolveFsPath(dirname(budgetFile), path);
}

export interface NormaliseOptions {
  /** Replaces `target.url` (the target-url input). */
  targetUrl?: string;
  /** Cap on the load the endpoints generate, as the engine runs them (measure/plan.ts), ms. */
  maxDurationMs?: number;
  /** Every endpoint is measured on the target and on a reference deployment. */
  sideBySide?: boolean;
  /**
   * Reads a file the budget file names (`target.tls.ca`), resolved against the budget file's
   * folder; absent = such a file is not read (pure parsing: the CA is then not checked).
   */
  readFile?: (path: string) => Buffer;
  /** How messages name the options set outside the file; default: the action's inputs. */
  words?: OptionWords;
}

/** The largest CA file read: a bundle of every public root is about 200 KiB. */
export const MAX_CA_BYTES = 1024 * 1024;

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
export const DEFAULT_HISTORY_BRANCH = 'perf-gate-history';
const DEFAULT_HISTORY_LOOKBACK_MS = 14 * 86_400_000;
const DEFAULT_HISTORY_RUNS = 30;
const DEFAULT_HISTORY_RETENTION_MS = 90 * 86_400_000;
/** CloudWatch keeps hourly data for 455 days. */
const MAX_LOOKBACK_MS = 455 * 86_400_000;
const DEFAULT_READY_TIMEOUT_MS = 5 * 60_000;

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Framing headers are computed from the body; a wrong one would corrupt every request. */
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding']);

/**
 * Headers that choose where a request goes. On a shared ingress, CDN or proxy, `host` (and the
 * forwarding headers such proxies honour for routing) would send the load to another virtual
 * host, or another path, than target.url names, and the ready check would check something else
 * than what is loaded. `x-forwarded-for`, `-proto` and `x-real-ip` only describe the client and
 * stay allowed.
 */
const ROUTING_HEADERS = new Set([
  'host',
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-host',
  'x-original-url',
  'x-rewrite-url',
  'x-original-host',
]);

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they control the connection to the next hop, not the
 * request. The load generator manages its own connections; `upgrade` would switch protocols
 * mid-run, `te`/`trailer` change framing, `proxy-*` are meant for a proxy.
 */
const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'te', 'trailer', 'upgrade']);

/** Per-request timeout cap: a longer one outlives any load run and overflows Node's timers. */
export const MAX_REQUEST_TIMEOUT_MS = 10 * 60_000;
/** A recorded run shorter than this measures connection setup more than the endpoint. */
export const MIN_DURATION_MS = 1000;
/** Endpoints one budget file may list: more is a mistake, or an attempt to exhaust the runner. */
export const MAX_ENDPOINTS = 200;

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
        : unit(['target', 'ready', 'timeout'], rawReady.timeout, parseDuration, (n) =>
            n <= 0
              ? 'expected a duration greater than 0'
              : options.maxDurationMs !== undefined && n > options.maxDurationMs
                ? `expected a ready timeout of at most the max-duration (${formatDuration(options.maxDurationMs)}); lower it, or raise max-duration (the action input, or --max-duration)`
                : undefined,
          );
    const url = resolveAt(['target', 'ready', 'path'], rawReady.path);
    if (url !== undefined && timeoutMs !== undefined) ready = { url, timeoutMs };
  }

  const publicQuery = get<string[]>(['target', 'public-query']) ?? [];
  const tls = tlsOf();

  // --- defaults -------------------------------------------------------------------------------
  const beforeDefaults = problems.length;
  const defaultLoad = { ...DEFAULT_LOAD, ...loadOf(['defaults', 'load']) };
  // A refused default would be replaced by the built-in one: no total can be told from that.
  const defaultsSound = problems.length === beforeDefaults;
  const defaultBudget = budgetOf(['defaults', 'budget']);
  const defaultConfidence = confidenceOf(['defaults', 'confidence']);
  const topAdaptive = get<boolean>(['adaptive']);
  const defaultRegression = isMapping(dataAt(data, ['defaults', 'regression']))
    ? regressionOf(['defaults', 'regression'])
    : { ...DEFAULT_REGRESSION };

  // --- baseline -------------------------------------------------------------------------------
  const fileCloudWatch = cloudWatchOf(['baseline', 'cloudwatch'], undefined);
  const fileGitHub = gitHubHistoryOf(['baseline', 'github']);
  if (fileGitHub && isMapping(dataAt(data, ['baseline', 'cloudwatch']))) {
    add(
      ['baseline', 'github'],
      'expected one history kind, found both baseline.cloudwatch and baseline.github: each endpoint is judged against one history; keep the one you publish to and remove the other',
      'key',
    );
  }

  // --- endpoints ------------------------------------------------------------------------------
  const endpoints: EndpointConfig[] = [];
  /** Endpoints by the skeleton of their names: the first name with it and its line. */
  const names = new Map<string, { name: string; line: number }>();
  const rawEndpoints = dataAt(data, ['endpoints']);
  const list = Array.isArray(rawEndpoints) ? rawEndpoints : [];
  let complete = schemaSound(['endpoints']) && schemaSound(['defaults']) && defaultsSound;
  if (list.length > MAX_ENDPOINTS) {
    add(
      ['endpoints'],
      `expected at most ${MAX_ENDPOINTS} endpoints, found ${list.length}: split them over several budget files (each with its own id) and gate each in its own step`,
      'key',
    );
  }
  list.forEach((_, i) => {
    const { endpoint, name } = endpointOf(i);
    if (name !== undefined) {
      const skeleton = nameSkeleton(name);
      const first = names.get(skeleton);
      const named = get(['endpoints', i, 'name']) !== undefined;
      const where = named ? ['endpoints', i, 'name'] : ['endpoints', i];
      if (first !== undefined && first.name === name) {
        add(
          where,
          `duplicate endpoint name ${JSON.stringify(name)}, also on line ${first.line}: names identify endpoints in reports and baselines${named ? '' : '; give each a name'}`,
        );
      } else if (first !== undefined) {
        const odd = [
          ...new Set([...deceptiveCharacters(name), ...deceptiveCharacters(first.name)]),
        ];
        add(
          where,
          `endpoint name ${quoteName(name)} reads the same as ${quoteName(first.name)} on line ${first.line}: they differ only by invisible or look-alike characters (${odd.join(', ')}); names identify endpoints in reports and baselines, give each a name that reads differently`,
        );
      } else if (visibleName(name).trim() === '') {
        add(where, `expected a name with visible characters, found ${quoteName(name)}`);
      } else {
        names.set(skeleton, { name, line: source.locate(['endpoints', i]).line });
      }
    }
    if (endpoint) endpoints.push(endpoint);
    else complete = false;
  });

  // --- total load time ------------------------------------------------------------------------
  if (options.maxDurationMs !== undefined && complete) {
    const sideBySide = options.sideBySide === true;
    const rounds = sideBySide ? 2 : 1;
    const written = endpoints.reduce(
      (sum, e) => sum + (e.load.warmupMs + e.load.durationMs) * rounds,
      0,
    );
    const total = endpoints.reduce((sum, e) => sum + plannedLoadMs(e.load, sideBySide), 0);
    if (total > options.maxDurationMs) {
      // Runs end on whole 100 ms ticks and side-by-side rounds last at least 500 ms: say so when
      // that, not the written durations, is what goes over.
      const asRun =
        total > written
          ? `; as run, in whole 100 ms ticks${sideBySide ? ' and side-by-side rounds of at least 500 ms' : ''}, the ${formatDuration(written)} written take ${formatDuration(total)}`
          : '';
      add(
        ['endpoints'],
        `the endpoints ask for ${formatDuration(total)} of load (warmup + duration of ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}${sideBySide ? `, each measured twice: on the target and on ${words.baselineUrl} side by side` : ''}${asRun}), over the max-duration of ${formatDuration(options.maxDurationMs)}: shorten durations or warmups, or raise ${words.maxDuration}`,
        'key',
      );
    }
  }

  const id = get<string>(['id']);
  const confirm = get<boolean>(['confirm']);
  const charts = get<string>(['charts']);
  const acceptBudget = get<boolean>(['accept', 'budget']);
  const config: Config = {
    version: 1,
    id: typeof id === 'string' ? id : 'default',
    file: source.file,
    target: {
      url: targetUrl?.href ?? '',
      headers: targetHeaders,
      ...(ready ? { ready } : {}),
      ...(publicQuery.length > 0 ? { publicQuery: [...publicQuery] } : {}),
      ...(tls.insecure || tls.caFile !== undefined ? { tls } : {}),
    },
    baseline: {
      ...(fileCloudWatch ? { cloudwatch: fileCloudWatch } : {}),
      ...(fileGitHub ? { github: fileGitHub } : {}),
      required: get<boolean>(['baseline', 'required']) === true,
    },
    confirm: typeof confirm === 'boolean' ? confirm : true,
    ...(charts === 'all' || charts === 'none' || charts === 'failing' ? { charts } : {}),
    ...(acceptBudget === true ? { acceptBudget: true } : {}),
    endpoints,
    secrets: input.secrets,
  };
  return { config, problems };

  // --- sections -------------------------------------------------------------------------------

  /**
   * `target.tls`: the CA file read and checked; `insecure` refused when the requests carry
   * secrets, which an unchecked connection would hand to whoever answers.
   */
  function tlsOf(): TlsSettings {
    const raw = get<NonNullable<Raw.Target['tls']>>(['target', 'tls']);
    const out: TlsSettings = { insecure: raw?.insecure === true };
    if (typeof raw?.ca === 'string' && textSound(['target', 'tls', 'ca'])) {
      out.caFile = raw.ca;
      if (options.readFile) {
        const read = readCa(raw.ca);
        if (typeof read === 'string') out.ca = read;
        else add(['target', 'tls', 'ca'], read.problem);
      }
    }
    if (out.insecure) {
      const carried = secretsSent();
      if (carried.length > 0) {
        add(
          ['target', 'tls', 'insecure'],
          `insecure: true turns certificate checks off, so any machine on the way could pose as the target and read ${carried.join(' and ')}: give the target's CA in target.tls.ca (or NODE_EXTRA_CA_CERTS) instead`,
        );
      }
    }
    return out;
  }

  /** What of the requests is secret: `${VAR}` values in headers, credentials in the target URL. */
  function secretsSent(): string[] {
    const out: string[] = [];
    const interpolatedHeader = (at: PathSegment[]): boolean => {
      const headers = dataAt(source.data, at);
      return (
        isMapping(headers) &&
        Object.values(headers).some((v) => typeof v === 'string' && v.includes('${'))
      );
    };
    const endpointCount = Array.isArray(dataAt(source.data, ['endpoints']))
      ? (dataAt(source.data, ['endpoints']) as unknown[]).length
      : 0;
    const headerPaths: PathSegment[][] = [['target', 'headers']];
    for (let i = 0; i < endpointCount; i++) headerPaths.push(['endpoints', i, 'headers']);
    if (headerPaths.some(interpolatedHeader)) out.push('the headers that carry ${VAR} values');
    if (targetUrl && (targetUrl.username || targetUrl.password)) {
      out.push(
        `the credentials in ${options.targetUrl !== undefined ? 'the target-url input' : 'target.url'}`,
      );
    }
    return out;
  }

  /** The CA file's PEM text, or why it cannot be used. */
  function readCa(file: string): string | { problem: string } {
    const path = resolvePathFrom(source.file, file);
    let bytes: Buffer;
    try {
      bytes = options.readFile!(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a folder'
            : code === 'EFBIG'
              ? `larger than ${MAX_CA_BYTES / 1024} KiB`
              : `cannot be read (${code ?? (e as Error).message})`;
      return {
        problem: `CA file ${JSON.stringify(file)} (${path}): ${why}; give a PEM file of certificates, relative to the budget file`,
      };
    }
    const text = bytes.toString('utf8');
    const blocks =
      text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const bad = blocks.findIndex((pem) => {
      try {
        new X509Certificate(pem);
        return false;
      } catch {
        return true;
      }
    });
    if (blocks.length === 0 || bad >= 0) {
      return {
        problem: `CA file ${JSON.stringify(file)}: ${blocks.length === 0 ? 'holds no PEM certificate ("-----BEGIN CERTIFICATE-----")' : `certificate ${bad + 1} cannot be parsed`}; give the PEM certificate of the CA that signed the target's certificate`,
      };
    }
    return blocks.join('\n');
  }

  /** A percentile bounds' confidence (SPEC §4): 50% to 99.9%, as a percentage or a fraction. */
  function confidenceOf(path: PathSegment[]): number | undefined {
    const raw = get<unknown>(path);
    if (raw === undefined) return undefined;
    return unit(
      path,
      raw,
      (v) => parseRate(v),
      (c) =>
        c >= 0.5 && c <= 0.999
          ? undefined
          : 'expected a confidence from 50% to 99.9% (a fraction from 0.5 to 0.999)',
    );
  }

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
    // A minimum written over the cap would silently turn adaptive measurement off.
    if (load.minDurationMs !== undefined && load.minDurationMs > load.durationMs) {
      const own = get(at('load', 'min-duration')) !== undefined;
      add(
        own ? at('load', 'min-duration') : ['defaults', 'load', 'min-duration'],
        `expected a minimum duration of at most the duration (the cap), ${formatDuration(load.durationMs)}${own ? '' : ` for endpoint ${quoteName(String(get(at('name')) ?? get(at('path'))))}`}, found ${formatDuration(load.minDurationMs)}: shorten min-duration or lengthen duration`,
      );
    }
    const budget = { ...defaultBudget, ...budgetOf(at('budget')) };
    const confidence = confidenceOf(at('confidence')) ?? defaultConfidence;
    const ownAdaptive = get<boolean>(at('adaptive'));
    const adaptive = typeof ownAdaptive === 'boolean' ? ownAdaptive : topAdaptive !== false;
    const rawRegression = dataAt(data, at('regression'));
    const regression =
      rawRegression === false
        ? false
        : {
            ...defaultRegression,
            ...(isMapping(rawRegression) ? regressionOf(at('regression')) : {}),
          };
    const cloudwatch = cloudWatchOf(at('baseline', 'cloudwatch'), fileCloudWatch);
    if (fileGitHub && isMapping(dataAt(data, at('baseline', 'cloudwatch')))) {
      add(
        at('baseline', 'cloudwatch'),
        'expected one history kind per endpoint, found baseline.cloudwatch here while the file sets baseline.github: remove one of them (an endpoint cannot be judged against both)',
        'key',
      );
    }
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
      // Invisible characters would make two rows look alike, or hide text: never shown.
      name: visibleName(name ?? `${method} ${path}`),
      method,
      path,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(raw.expect?.status ? { expectStatus: [...raw.expect.status] } : {}),
      load,
      budget,
      regression,
      ...(confidence !== undefined ? { confidence } : {}),
      adaptive,
      ...(cloudwatch ? { cloudwatch } : {}),
      line: source.locate(at()).line,
      ...(tls.insecure || tls.caFile !== undefined ? { tls } : {}),
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
      if (ROUTING_HEADERS.has(lower)) {
        addKey(
          path,
          name,
          `header "${lower}" is refused: it chooses where the request goes, and load goes only to target.url; ${lower.endsWith('-url') ? 'write the path in path' : 'put the host in target.url (or the target-url input)'} instead`,
        );
        continue;
      }
      if (HOP_BY_HOP_HEADERS.has(lower) || lower.startsWith('proxy-')) {
        addKey(
          path,
          name,
          `header "${lower}" is refused: it is a hop-by-hop header, about the connection to the next hop rather than the request, and perf-gate manages its own connections`,
        );
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
    const duration = durationAt([...path, 'duration'], (n) =>
      n >= MIN_DURATION_MS
        ? bare('duration')
        : `expected a duration of at least ${formatDuration(MIN_DURATION_MS)} (a shorter run measures connection setup, not the endpoint)`,
    );
    if (duration !== undefined) out.durationMs = duration;
    const minDuration = durationAt([...path, 'min-duration'], (n) =>
      n >= MIN_DURATION_MS
        ? undefined
        : `expected a minimum duration of at least ${formatDuration(MIN_DURATION_MS)}`,
    );
    if (minDuration !== undefined) out.minDurationMs = minDuration;
    const warmup = durationAt([...path, 'warmup'], () => bare('warmup'));
    if (warmup !== undefined) out.warmupMs = warmup;
    // The load generator counts its request timeout in whole seconds.
    const timeout = durationAt([...path, 'timeout'], (n) =>
      n < 1000
        ? 'expected a request timeout of at least 1s'
        : (bare('timeout') ??
          (n > MAX_REQUEST_TIMEOUT_MS
            ? `expected a request timeout of at most ${formatDuration(MAX_REQUEST_TIMEOUT_MS)} (a request is given up long before that)`
            : undefined)),
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

  function gitHubHistoryOf(path: PathSegment[]): GitHubHistoryConfig | undefined {
    if (!isMapping(dataAt(data, path))) return undefined;
    const before = problems.length;
    const positive = (n: number) => (n > 0 ? undefined : 'expected a duration greater than 0');
    const rawLookback = get<string | number>([...path, 'lookback']);
    const rawRetention = get<string | number>([...path, 'retention']);
    const lookbackMs =
      rawLookback === undefined
        ? DEFAULT_HISTORY_LOOKBACK_MS
        : unit([...path, 'lookback'], rawLookback, parseDuration, positive);
    const retentionMs =
      rawRetention === undefined
        ? Math.max(DEFAULT_HISTORY_RETENTION_MS, lookbackMs ?? 0)
        : unit([...path, 'retention'], rawRetention, parseDuration, positive);
    if (
      rawRetention !== undefined &&
      lookbackMs !== undefined &&
      retentionMs !== undefined &&
      retentionMs < lookbackMs
    ) {
      add(
        [...path, 'retention'],
        `expected a retention of at least the lookback (${formatDuration(lookbackMs)}), found ${formatDuration(retentionMs)}: pruning would delete runs the baseline still reads`,
      );
    }
    if (!schemaSound(path) || problems.length > before) return undefined;
    if (lookbackMs === undefined || retentionMs === undefined) return undefined;
    const branch = get<string>([...path, 'branch']);
    const runs = get<number>([...path, 'runs']);
    return {
      branch: typeof branch === 'string' ? branch : DEFAULT_HISTORY_BRANCH,
      lookbackMs,
      runs: typeof runs === 'number' ? runs : DEFAULT_HISTORY_RUNS,
      retentionMs,
    };
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
