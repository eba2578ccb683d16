/**
 * From a schema-valid, interpolated budget file to the normalised `Config`: units converted,
 * defaults merged key by key, URLs resolved against the target, and the checks a schema cannot
 * express (same-origin paths, header injection, unique names, the total load-time cap). Each
 * concern lives in its own normalise-*.ts file as functions of one NormaliseContext.
 */
import type * as Raw from './budget-file.generated.js';
import { cloudWatchOf, gitHubHistoryOf } from './normalise-baseline.js';
import {
  add,
  createContext,
  get,
  isMapping,
  type NormaliseContext,
  type NormaliseInput,
} from './normalise-context.js';
import { endpointsOf, type EndpointDefaults } from './normalise-endpoints.js';
import { headersOf } from './normalise-headers.js';
import { budgetOf, confidenceOf } from './normalise-latency.js';
import { checkTotalLoad, DEFAULT_LOAD, loadOf } from './normalise-load.js';
import { DEFAULT_REGRESSION, regressionOf } from './normalise-regression.js';
import { readyOf, targetUrlOf, tlsOf } from './normalise-target.js';
import type { Config } from './types.js';
import { dataAt, type LocatedProblem } from './validate.js';

export type { NormaliseInput, NormaliseOptions } from './normalise-context.js';
export { DEFAULT_NAMESPACE, DEFAULT_HISTORY_BRANCH } from './normalise-baseline.js';
export { MAX_ENDPOINTS, METHODS } from './normalise-endpoints.js';
export { DEFAULT_LOAD, MAX_REQUEST_TIMEOUT_MS, MIN_DURATION_MS } from './normalise-load.js';
export { DEFAULT_REGRESSION } from './normalise-regression.js';
export { MAX_CA_BYTES } from './normalise-target.js';

export function normalise(input: NormaliseInput): { config: Config; problems: LocatedProblem[] } {
  const ctx = createContext(input);
  const targetUrl = targetUrlOf(ctx);
  const targetHeaders = headersOf(ctx, get<Raw.Headers>(ctx, ['target', 'headers']), [
    'target',
    'headers',
  ]);
  const ready = readyOf(ctx, targetUrl);
  const publicQuery = get<string[]>(ctx, ['target', 'public-query']) ?? [];
  const tls = tlsOf(ctx, targetUrl);

  const { defaults, loadSound } = defaultsOf(ctx, { targetUrl, targetHeaders, tls });

  const { endpoints, all } = endpointsOf(ctx, defaults);
  if (all && ctx.schemaSound(['endpoints']) && ctx.schemaSound(['defaults']) && loadSound) {
    checkTotalLoad(ctx, endpoints);
  }

  const id = get<string>(ctx, ['id']);
  const confirm = get<boolean>(ctx, ['confirm']);
  const charts = get<string>(ctx, ['charts']);
  const acceptBudget = get<boolean>(ctx, ['accept', 'budget']);
  const config: Config = {
    version: 1,
    id: typeof id === 'string' ? id : 'default',
    file: ctx.source.file,
    target: {
      url: targetUrl?.href ?? '',
      headers: targetHeaders,
      ...(ready ? { ready } : {}),
      ...(publicQuery.length > 0 ? { publicQuery: [...publicQuery] } : {}),
      ...(tls.insecure || tls.caFile !== undefined ? { tls } : {}),
    },
    baseline: {
      ...(defaults.cloudwatch ? { cloudwatch: defaults.cloudwatch } : {}),
      ...(defaults.github ? { github: defaults.github } : {}),
      required: get<boolean>(ctx, ['baseline', 'required']) === true,
    },
    confirm: typeof confirm === 'boolean' ? confirm : true,
    ...(charts === 'all' || charts === 'none' || charts === 'failing' ? { charts } : {}),
    ...(acceptBudget === true ? { acceptBudget: true } : {}),
    endpoints,
    secrets: input.secrets,
  };
  return { config, problems: ctx.problems };
}

/**
 * `defaults` and `baseline`: what each endpoint starts from; `loadSound` when no load default was
 * refused (a refused one is replaced by the built-in one: no total can be told from that).
 */
function defaultsOf(
  ctx: NormaliseContext,
  target: Pick<EndpointDefaults, 'targetUrl' | 'targetHeaders' | 'tls'>,
): { defaults: EndpointDefaults; loadSound: boolean } {
  const before = ctx.problems.length;
  const load = { ...DEFAULT_LOAD, ...loadOf(ctx, ['defaults', 'load']) };
  const loadSound = ctx.problems.length === before;
  const budget = budgetOf(ctx, ['defaults', 'budget']);
  const confidence = confidenceOf(ctx, ['defaults', 'confidence']);
  const adaptive = get<boolean>(ctx, ['adaptive']);
  const regression = isMapping(dataAt(ctx.data, ['defaults', 'regression']))
    ? regressionOf(ctx, ['defaults', 'regression'])
    : { ...DEFAULT_REGRESSION };
  const cloudwatch = cloudWatchOf(ctx, ['baseline', 'cloudwatch'], undefined);
  const github = gitHubHistoryOf(ctx, ['baseline', 'github']);
  if (github && isMapping(dataAt(ctx.data, ['baseline', 'cloudwatch']))) {
    add(
      ctx,
      'baseline.two-histories',
      ['baseline', 'github'],
      'expected one history kind, found both baseline.cloudwatch and baseline.github: each endpoint is judged against one history; keep the one you publish to and remove the other',
      'key',
    );
  }
  const defaults = {
    ...target,
    load,
    budget,
    confidence,
    adaptive,
    regression,
    cloudwatch,
    github,
  };
  return { defaults, loadSound };
}
