/**
 * `endpoints`: each endpoint with the file's defaults merged key by key, its path resolved
 * against the target, and names that identify one endpoint each.
 */
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import { deceptiveCharacters, nameSkeleton, quoteName, visibleName } from './names.js';
import { cloudWatchOf } from './normalise-baseline.js';
import {
  add,
  describeLineBreak,
  get,
  isMapping,
  LINE_BREAK,
  written,
  type NormaliseContext,
} from './normalise-context.js';
import { headersOf } from './normalise-headers.js';
import { budgetOf, confidenceOf } from './normalise-latency.js';
import { checkMinDuration, loadOf } from './normalise-load.js';
import { regressionOf } from './normalise-regression.js';
import { resolveAt } from './normalise-target.js';
import { closest } from './suggest.js';
import type {
  Budget,
  CloudWatchBaselineConfig,
  EndpointConfig,
  GitHubHistoryConfig,
  LoadSettings,
  RegressionRules,
  TlsSettings,
} from './types.js';
import { dataAt } from './validate.js';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Endpoints one budget file may list: more is a mistake, or an attempt to exhaust the runner. */
export const MAX_ENDPOINTS = 200;

/** What the file sets for every endpoint, each endpoint overriding it key by key. */
export interface EndpointDefaults {
  targetUrl: URL | undefined;
  targetHeaders: Record<string, string>;
  tls: TlsSettings;
  load: LoadSettings;
  budget: Budget;
  confidence: number | undefined;
  /** The top-level `adaptive`, when it is a boolean. */
  adaptive: boolean | undefined;
  regression: RegressionRules;
  cloudwatch: CloudWatchBaselineConfig | undefined;
  github: GitHubHistoryConfig | undefined;
}

/** Every endpoint accepted, and whether all of them were (else totals cannot be told). */
export function endpointsOf(
  ctx: NormaliseContext,
  defaults: EndpointDefaults,
): { endpoints: EndpointConfig[]; all: boolean } {
  const endpoints: EndpointConfig[] = [];
  /** Endpoints by the skeleton of their names: the first name with it and its line. */
  const names = new Map<string, { name: string; line: number }>();
  const rawEndpoints = dataAt(ctx.data, ['endpoints']);
  const list = Array.isArray(rawEndpoints) ? rawEndpoints : [];
  let all = true;
  if (list.length > MAX_ENDPOINTS) {
    add(
      ctx,
      'endpoints.too-many',
      ['endpoints'],
      `expected at most ${MAX_ENDPOINTS} endpoints, found ${list.length}: split them over several budget files (each with its own id) and gate each in its own step`,
      'key',
    );
  }
  list.forEach((_, i) => {
    const { endpoint, name } = endpointOf(ctx, defaults, i);
    if (name !== undefined) checkName(ctx, names, i, name);
    if (endpoint) endpoints.push(endpoint);
    else all = false;
  });
  return { endpoints, all };
}

/** Names identify endpoints in reports and baselines: one each, readably different. */
function checkName(
  ctx: NormaliseContext,
  names: Map<string, { name: string; line: number }>,
  i: number,
  name: string,
): void {
  const skeleton = nameSkeleton(name);
  const first = names.get(skeleton);
  const named = get(ctx, ['endpoints', i, 'name']) !== undefined;
  const where = named ? ['endpoints', i, 'name'] : ['endpoints', i];
  if (first !== undefined && first.name === name) {
    add(
      ctx,
      'endpoint.name-duplicate',
      where,
      `duplicate endpoint name ${JSON.stringify(name)}, also on line ${first.line}: names identify endpoints in reports and baselines${named ? '' : '; give each a name'}`,
    );
  } else if (first !== undefined) {
    const odd = [...new Set([...deceptiveCharacters(name), ...deceptiveCharacters(first.name)])];
    add(
      ctx,
      'endpoint.name-look-alike',
      where,
      `endpoint name ${quoteName(name)} reads the same as ${quoteName(first.name)} on line ${first.line}: they differ only by invisible or look-alike characters (${odd.join(', ')}); names identify endpoints in reports and baselines, give each a name that reads differently`,
    );
  } else if (visibleName(name).trim() === '') {
    add(
      ctx,
      'endpoint.name-invisible',
      where,
      `expected a name with visible characters, found ${quoteName(name)}`,
    );
  } else {
    names.set(skeleton, { name, line: ctx.source.locate(['endpoints', i]).line });
  }
}

/** One endpoint; each part is checked when it passed the schema, so all problems show at once. */
export function endpointOf(
  ctx: NormaliseContext,
  defaults: EndpointDefaults,
  index: number,
): { endpoint?: EndpointConfig; name?: string } {
  const at = (...rest: PathSegment[]): PathSegment[] => ['endpoints', index, ...rest];
  const raw = get<Raw.Endpoint>(ctx, at());
  const before = ctx.problems.length;
  const method = methodOf(ctx, at('method'));
  const path = get<string>(ctx, at('path'));
  const url =
    typeof path === 'string' ? resolveAt(ctx, defaults.targetUrl, at('path'), path) : undefined;
  const headers = {
    ...defaults.targetHeaders,
    ...headersOf(ctx, get<Raw.Headers>(ctx, at('headers')), at('headers')),
  };
  const rawBody = get<Raw.Endpoint['body']>(ctx, at('body'));
  let body: string | undefined;
  if (typeof rawBody === 'string') {
    body = rawBody;
  } else if (rawBody !== undefined) {
    body = JSON.stringify(rawBody);
    headers['content-type'] ??= 'application/json';
  }
  const load = { ...defaults.load, ...loadOf(ctx, at('load')) };
  checkMinDuration(ctx, at, load);
  const budget = { ...defaults.budget, ...budgetOf(ctx, at('budget')) };
  const confidence = confidenceOf(ctx, at('confidence')) ?? defaults.confidence;
  const ownAdaptive = get<boolean>(ctx, at('adaptive'));
  const adaptive = typeof ownAdaptive === 'boolean' ? ownAdaptive : defaults.adaptive !== false;
  const rawRegression = dataAt(ctx.data, at('regression'));
  const regression =
    rawRegression === false
      ? false
      : {
          ...defaults.regression,
          ...(isMapping(rawRegression) ? regressionOf(ctx, at('regression')) : {}),
        };
  const cloudwatch = cloudWatchOf(ctx, at('baseline', 'cloudwatch'), defaults.cloudwatch);
  if (defaults.github && isMapping(dataAt(ctx.data, at('baseline', 'cloudwatch')))) {
    add(
      ctx,
      'baseline.two-histories',
      at('baseline', 'cloudwatch'),
      'expected one history kind per endpoint, found baseline.cloudwatch here while the file sets baseline.github: remove one of them (an endpoint cannot be judged against both)',
      'key',
    );
  }
  const name = nameOf(ctx, at, method);
  if (!raw || ctx.problems.length > before || url === undefined || typeof path !== 'string') {
    return { name };
  }
  const { tls } = defaults;
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
    line: ctx.source.locate(at()).line,
    ...(tls.insecure || tls.caFile !== undefined ? { tls } : {}),
  };
  return { endpoint, name };
}

/** The method, upper-cased; GET when not given. */
function methodOf(ctx: NormaliseContext, path: PathSegment[]): string {
  const rawMethod = get<string>(ctx, path);
  const method = (typeof rawMethod === 'string' ? rawMethod : 'GET').toUpperCase();
  if (
    typeof rawMethod === 'string' &&
    ctx.textSound(path) &&
    !(METHODS as readonly string[]).includes(method)
  ) {
    const near = closest(method, METHODS);
    add(
      ctx,
      'endpoint.method',
      path,
      `expected one of ${METHODS.join(', ')}, found ${written(ctx, path)}${near ? ` (did you mean "${near}"?)` : ''}`,
    );
  }
  return method;
}

/** The endpoint's name: as written, or its method and path as written. */
function nameOf(
  ctx: NormaliseContext,
  at: (...rest: PathSegment[]) => PathSegment[],
  method: string,
): string | undefined {
  // A default name quotes the path as written, so an interpolated secret never becomes a name.
  const rawName = get<string>(ctx, at('name'));
  if (typeof rawName === 'string' && LINE_BREAK.test(rawName)) {
    // A line break in a name would start a new line in the job log, where `::command::`
    // lines are workflow commands: a pull request could forge annotations or outputs.
    add(
      ctx,
      'endpoint.name-line-break',
      at('name'),
      `expected a name on one line, found a line break or NUL character (${describeLineBreak(rawName)}); remove it`,
    );
  }
  const writtenPath = dataAt(ctx.source.data, at('path'));
  return typeof rawName === 'string'
    ? rawName
    : rawName === undefined && ctx.schemaSound(at('method')) && typeof writtenPath === 'string'
      ? `${method} ${writtenPath}`
      : undefined;
}
