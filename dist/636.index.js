export const id = 636;
export const ids = [636];
export const modules = {

/***/ 38591:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ openCloudWatch)
/* harmony export */ });
/**
 * Throttling backs off from 1 s doubling (SDK standard mode): five attempts wait up to ~15 s in
 * all, long enough to ride out a burst, short enough not to stall a CI job.
 */
const DEFAULT_MAX_ATTEMPTS = 5;
async function openCloudWatch(region, options = {}) {
    const sdk = await __webpack_require__.e(/* import() */ 85).then(__webpack_require__.t.bind(__webpack_require__, 44085, 19));
    const config = {
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
    };
    if (region)
        config.region = region;
    if (options.endpoint)
        config.endpoint = options.endpoint;
    if (options.maxAttempts !== undefined)
        config.maxAttempts = options.maxAttempts;
    else if (!process.env.AWS_MAX_ATTEMPTS)
        config.maxAttempts = DEFAULT_MAX_ATTEMPTS;
    if (options.retryStrategy)
        config.retryStrategy = options.retryStrategy;
    if (options.credentials)
        config.credentials = options.credentials;
    return { sdk, client: new sdk.CloudWatchClient(config) };
}


/***/ }),

/***/ 11895:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   s: () => (/* binding */ toCloudWatchError),
/* harmony export */   t: () => (/* binding */ CloudWatchError)
/* harmony export */ });
/**
 * CloudWatch failures a user can act on, each with a message that says what happened and how
 * to fix it. Everything the AWS SDK throws passes through `toCloudWatchError`, so callers deal
 * with one type and never with SDK internals.
 */
class CloudWatchError extends Error {
    kind;
    operation;
    name = 'CloudWatchError';
    constructor(kind, message, operation, options) {
        super(message, options);
        this.kind = kind;
        this.operation = operation;
    }
}
/** What the user can remove or change to stop calling CloudWatch, per operation. */
const WAY_OUT = {
    GetMetricData: 'remove baseline.cloudwatch from the budget file',
    PutMetricData: 'set the publish input to false',
};
const NETWORK_CODES = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EPIPE',
]);
function toCloudWatchError(error, operation) {
    if (error instanceof CloudWatchError)
        return error;
    const e = (typeof error === 'object' && error !== null ? error : {});
    const name = e.name ?? 'Error';
    const detail = e.message ?? String(error);
    const status = e.$metadata?.httpStatusCode;
    const attempts = e.$metadata?.attempts;
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
        return new CloudWatchError('credentials', `CloudWatch ${operation}: no AWS credentials found (${detail}). Add aws-actions/configure-aws-credentials before this step, or ${WAY_OUT[operation]}.`, operation, { cause: error });
    }
    if (/Region is missing/i.test(detail)) {
        return new CloudWatchError('region', `CloudWatch ${operation}: no AWS region. Set baseline.cloudwatch.region in the budget file, or aws-region in aws-actions/configure-aws-credentials (it sets AWS_REGION).`, operation, { cause: error });
    }
    if (/^AccessDenied(Exception)?$/.test(name) || /not authorized to perform/i.test(detail)) {
        return new CloudWatchError('access-denied', `CloudWatch denied ${operation}: ${detail}. Allow the IAM action cloudwatch:${operation} for the role this job assumes (docs/cloudwatch.md has a least-privilege policy), or ${WAY_OUT[operation]}.`, operation, { cause: error });
    }
    if (/^(Throttling|ThrottlingException|TooManyRequestsException|RequestLimitExceeded)$/.test(name) ||
        status === 429) {
        const tries = attempts ? ` on all ${attempts} attempts` : '';
        return new CloudWatchError('throttled', `CloudWatch throttled ${operation}${tries} (${detail}). Re-run the job later, or ask AWS to raise the ${operation} request-rate quota for this account and region.`, operation, { cause: error });
    }
    // The SDK may hand a socket error over wrapped, with its code left only in the message.
    const code = e.code ?? [...NETWORK_CODES].find((c) => new RegExp(`\\b${c}\\b`).test(detail)) ?? '';
    if (NETWORK_CODES.has(code) || name === 'TimeoutError') {
        return new CloudWatchError('unreachable', `could not reach CloudWatch for ${operation} (${code || name}: ${detail}). Check the network, the region, and AWS_ENDPOINT_URL_CLOUDWATCH if it is set.`, operation, { cause: error });
    }
    if (status !== undefined && status >= 400 && status < 500) {
        return new CloudWatchError('invalid-request', `CloudWatch rejected ${operation}: ${name}: ${detail}`, operation, { cause: error });
    }
    return new CloudWatchError('service', `CloudWatch ${operation} failed: ${name}: ${detail}`, operation, {
        cause: error,
    });
}


/***/ }),

/***/ 20039:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $p: () => (/* binding */ toSdkDimensions),
/* harmony export */   $v: () => (/* binding */ METRIC),
/* harmony export */   Cf: () => (/* binding */ ownDimensions),
/* harmony export */   FU: () => (/* binding */ endpointDimensionValue),
/* harmony export */   Ht: () => (/* binding */ checkUserDimensions),
/* harmony export */   Ln: () => (/* binding */ LATENCY_STATS),
/* harmony export */   oQ: () => (/* binding */ DEFAULT_NAMESPACE),
/* harmony export */   oz: () => (/* binding */ describeMetric)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(11895);


/**
 * The metrics perf-gate publishes and reads back: names, units, dimensions and statistics live
 * here once, so a published distribution is always found again by the reader.
 */
const DEFAULT_NAMESPACE = 'PerfGate';
const METRIC = {
    /** The latency distribution, as Values/Counts in ms, so CloudWatch can compute percentiles. */
    latency: { name: 'Latency', unit: 'Milliseconds' },
    /** errors / requests of one run, in percent. */
    errorRate: { name: 'ErrorRate', unit: 'Percent' },
    /** Completed requests per second of one run. */
    throughput: { name: 'Throughput', unit: 'Count/Second' },
};
/** The CloudWatch statistic behind each latency metric. */
const LATENCY_STATS = {
    p50: 'p50',
    p75: 'p75',
    p90: 'p90',
    p95: 'p95',
    p99: 'p99',
    'p99.9': 'p99.9',
    mean: 'Average',
    max: 'Maximum',
};
/**
 * CloudWatch's rules for a metric's dimensions, from the `Dimension` API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html): at most
 * 30 per metric; names and values ASCII only, no ASCII control characters, at least one
 * non-whitespace character; names 1-255 characters and not starting with `:`, values 1-1024.
 */
const MAX_DIMENSIONS = 30;
const MAX_DIMENSION_NAME = 255;
const MAX_DIMENSION_VALUE = 1024;
/** Printable ASCII: no control characters (0x00-0x1f, 0x7f) and nothing beyond 0x7f. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const RESERVED = ['Gate', 'Endpoint'];
/** Why CloudWatch would refuse `text` as a dimension name or value, or undefined if it takes it. */
function dimensionProblem(text, max, isName) {
    if (text.length === 0 || text.length > max)
        return `it must be 1 to ${max} characters`;
    if (!PRINTABLE_ASCII.test(text)) {
        return 'it must be printable ASCII (no accents, symbols beyond ASCII or control characters)';
    }
    if (text.trim().length === 0)
        return 'it must contain a non-whitespace character';
    if (isName && text.startsWith(':'))
        return 'it must not start with ":"';
    return undefined;
}
/**
 * The `Endpoint` dimension value of an endpoint name. A name CloudWatch takes is used as it is;
 * any other (non-ASCII, control characters, only whitespace, over 1024 characters) is folded to
 * ASCII (accents dropped, other characters become spaces, whitespace collapsed) and given
 * ` ~` plus the first 8 hex digits of the SHA-256 of the name's UTF-8, so two names that fold
 * alike stay apart and the same name always maps to the same value, run after run.
 * `Suche – café ✓` becomes `Suche cafe ~` + 8 hex digits; `" "` becomes `~` + 8 hex digits.
 */
function endpointDimensionValue(name) {
    if (dimensionProblem(name, MAX_DIMENSION_VALUE, false) === undefined)
        return name;
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
    const folded = name
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .replace(/[^\x21-\x7e]+/g, ' ')
        .trim()
        .slice(0, MAX_DIMENSION_VALUE - 10)
        .trim();
    return folded.length > 0 ? `${folded} ~${hash}` : `~${hash}`;
}
/**
 * Checks the user's own dimensions (baseline.cloudwatch.dimensions) against CloudWatch's rules.
 * They are used as written (an external metric's dimensions must match exactly), so a value
 * CloudWatch would refuse is a `config` CloudWatchError naming it.
 */
function checkUserDimensions(userDimensions) {
    for (const [name, value] of Object.entries(userDimensions)) {
        const nameProblem = dimensionProblem(name, MAX_DIMENSION_NAME, true);
        if (nameProblem) {
            throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `baseline.cloudwatch.dimensions: dimension name ${JSON.stringify(name.slice(0, 40))} cannot be a CloudWatch dimension name: ${nameProblem}.`);
        }
        const valueProblem = dimensionProblem(value, MAX_DIMENSION_VALUE, false);
        if (valueProblem) {
            throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `baseline.cloudwatch.dimensions: the value ${JSON.stringify(value.slice(0, 40))} of dimension ${name} cannot be a CloudWatch dimension value: ${valueProblem}.`);
        }
    }
}
/**
 * The dimensions of perf-gate's own metrics for one endpoint: Gate and Endpoint (the name as
 * `endpointDimensionValue` maps it), then the user's. Throws a `config` CloudWatchError for a
 * set CloudWatch would refuse.
 */
function ownDimensions(gateId, endpointName, userDimensions) {
    for (const name of RESERVED) {
        if (name in userDimensions) {
            throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `baseline.cloudwatch.dimensions: "${name}" is set by perf-gate itself (the gate id and endpoint name); rename your dimension.`);
        }
    }
    const entries = Object.entries(userDimensions).length + RESERVED.length;
    if (entries > MAX_DIMENSIONS) {
        throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `baseline.cloudwatch.dimensions: CloudWatch allows ${MAX_DIMENSIONS} dimensions per metric and perf-gate adds Gate and Endpoint; found ${entries} in all.`);
    }
    checkUserDimensions(userDimensions);
    const gateProblem = dimensionProblem(gateId, MAX_DIMENSION_VALUE, false);
    if (gateProblem) {
        throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `the gate id ${JSON.stringify(gateId.slice(0, 40))} cannot be a CloudWatch dimension value: ${gateProblem}.`);
    }
    return { Gate: gateId, Endpoint: endpointDimensionValue(endpointName), ...userDimensions };
}
function toSdkDimensions(dimensions) {
    return Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
}
/** `PerfGate/Latency {Gate=api, Endpoint=list}` for messages and Baseline.source. */
function describeMetric(namespace, metricName, dimensions) {
    const dims = Object.entries(dimensions)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
    return `${namespace}/${metricName} {${dims}}`;
}


/***/ }),

/***/ 61636:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   readBaselines: () => (/* binding */ readBaselines)
/* harmony export */ });
/* harmony import */ var _units_metrics_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(72050);
/* harmony import */ var _cloudwatch_client_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(38591);
/* harmony import */ var _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(11895);
/* harmony import */ var _units_format_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(72676);
/* harmony import */ var _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(20039);





/**
 * Reading baselines from CloudWatch history: one batched GetMetricData (500 queries per call,
 * NextToken-paged) for every endpoint and metric, turned into per-period series.
 */
/** GetMetricData takes at most 500 queries per call. */
const MAX_QUERIES_PER_CALL = 500;
/** Pages followed per call before giving up and calling the data partial. */
const DEFAULT_MAX_PAGES = 200;
/** Converts an external metric's unit to ms. */
const TO_MS = { us: 0.001, ms: 1, s: 1000 };
/**
 * Baselines per endpoint name. An endpoint without CloudWatch configured, or with regression
 * checks off, gets `none` without any call; the SDK is loaded only when some endpoint needs it.
 * No history is a `none` baseline, not an error; partial data is used, flagged and logged.
 * Throws a CloudWatchError for anything the user must fix (credentials, region, IAM, ...).
 */
async function readBaselines(input, options = {}) {
    const baselines = new Map();
    const plans = [];
    const wanted = [];
    for (const endpoint of input.endpoints) {
        const cfg = endpoint.cloudwatch ?? input.fileConfig;
        if (!cfg) {
            baselines.set(endpoint.name, {
                kind: 'none',
                reason: 'no baseline configured',
                configured: false,
            });
            continue;
        }
        if (endpoint.regression === false) {
            baselines.set(endpoint.name, {
                kind: 'none',
                reason: 'regression checks are off for this endpoint (regression: false)',
                configured: false,
            });
            continue;
        }
        checkWindow(cfg);
        const plan = planEndpoint(input.gateId, endpoint.name, cfg);
        plans.push(plan);
        wanted.push(...queriesFor(input.gateId, endpoint.name, cfg, wanted.length));
    }
    if (wanted.length === 0)
        return baselines;
    const results = await fetchAll(input, plans, wanted, options);
    for (const plan of plans) {
        const mine = wanted.filter((w) => w.endpoint === plan.endpoint);
        const periods = {};
        let partial = false;
        const messages = new Set();
        let count = 0;
        for (const w of mine) {
            const r = results.get(w.id);
            if (!r)
                continue;
            partial ||= r.partial;
            r.messages.forEach((m) => messages.add(m));
            const series = [...r.points.entries()].sort(([a], [b]) => a - b).map(([, v]) => v * w.scale);
            if (series.length > 0)
                periods[w.metric] = series;
            count = Math.max(count, series.length);
        }
        if (count === 0) {
            const window = `over the last ${(0,_units_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDurationExact */ .rV)(plan.cfg.lookbackMs)}`;
            const reason = plan.external
                ? `no CloudWatch data for ${plan.metric} ${window}: check the namespace, metric name, dimensions and region`
                : `no CloudWatch history yet for ${plan.metric} ${window} (publish from main with publish: true)`;
            baselines.set(plan.endpoint, {
                kind: 'none',
                reason: partial ? `${reason}; CloudWatch said the data was partial` : reason,
            });
            continue;
        }
        if (partial) {
            const why = messages.size > 0 ? ` (${[...messages].join('; ')})` : '';
            input.log?.(`CloudWatch returned partial data for "${plan.endpoint}"${why}; using the ${count} period(s) it returned`);
        }
        baselines.set(plan.endpoint, { kind: 'cloudwatch', source: plan.source, periods, partial });
    }
    return baselines;
}
function checkWindow(cfg) {
    if (!Number.isInteger(cfg.periodMs / 60_000) || cfg.periodMs <= 0) {
        throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `baseline.cloudwatch.period must be a whole number of minutes (CloudWatch's standard resolution); found ${(0,_units_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDurationExact */ .rV)(cfg.periodMs)}.`);
    }
    if (cfg.lookbackMs < cfg.periodMs) {
        throw new _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CloudWatchError */ .t('config', `baseline.cloudwatch.lookback (${(0,_units_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDurationExact */ .rV)(cfg.lookbackMs)}) must be at least one period (${(0,_units_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDurationExact */ .rV)(cfg.periodMs)}).`);
    }
}
function planEndpoint(gateId, endpoint, cfg) {
    const external = cfg.metric !== undefined;
    if (external)
        (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .checkUserDimensions */ .Ht)(cfg.dimensions);
    const metric = (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .describeMetric */ .oz)(cfg.namespace, cfg.metric ?? _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.latency.name, external ? cfg.dimensions : (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .ownDimensions */ .Cf)(gateId, endpoint, cfg.dimensions));
    const window = `${cfg.region ?? 'default region'}, ${(0,_units_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDurationExact */ .rV)(cfg.periodMs)} periods over ${(0,_units_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDurationExact */ .rV)(cfg.lookbackMs)}`;
    return { endpoint, cfg, metric, source: `CloudWatch ${metric} (${window})`, external };
}
function queriesFor(gateId, endpoint, cfg, firstIndex) {
    const Period = cfg.periodMs / 1000;
    const external = cfg.metric !== undefined;
    const Dimensions = (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .toSdkDimensions */ .$p)(external ? cfg.dimensions : (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .ownDimensions */ .Cf)(gateId, endpoint, cfg.dimensions));
    const latencyMetric = {
        Namespace: cfg.namespace,
        MetricName: cfg.metric ?? _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.latency.name,
        Dimensions,
    };
    const scale = external ? TO_MS[cfg.unit] : 1;
    const out = [];
    const add = (metric, query, factor) => {
        const id = `m${firstIndex + out.length}`;
        out.push({
            id,
            endpoint,
            metric,
            scale: factor,
            query: { Id: id, ReturnData: true, ...query },
        });
    };
    for (const metric of _units_metrics_js__WEBPACK_IMPORTED_MODULE_0__/* .LATENCY_METRICS */ .Z$) {
        add(metric, { MetricStat: { Metric: latencyMetric, Period, Stat: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .LATENCY_STATS */ .Ln[metric] } }, scale);
    }
    if (!external) {
        const errorRate = { Namespace: cfg.namespace, MetricName: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.errorRate.name, Dimensions };
        add('error-rate', { MetricStat: { Metric: errorRate, Period, Stat: 'Average' } }, 1 / 100);
    }
    return out;
}
/**
 * Runs the queries: one client per region, calls grouped by time window (queries sharing a
 * window share calls), at most 500 queries per call, every page followed.
 */
async function fetchAll(input, plans, wanted, options) {
    const endMs = Math.floor(input.now.getTime() / 60_000) * 60_000;
    const cfgOf = new Map(plans.map((p) => [p.endpoint, p.cfg]));
    const groups = new Map();
    for (const w of wanted) {
        const cfg = cfgOf.get(w.endpoint);
        const start = endMs - cfg.lookbackMs;
        const key = `${cfg.region ?? ''}\n${start}`;
        const group = groups.get(key) ?? { region: cfg.region, start, queries: [] };
        group.queries.push(w);
        groups.set(key, group);
    }
    const results = new Map();
    const byRegion = new Map();
    for (const g of groups.values())
        byRegion.set(g.region, [...(byRegion.get(g.region) ?? []), g]);
    for (const [region, regionGroups] of byRegion) {
        const { sdk, client } = await (0,_cloudwatch_client_js__WEBPACK_IMPORTED_MODULE_4__/* .openCloudWatch */ .F)(region, options);
        try {
            for (const group of regionGroups) {
                for (let i = 0; i < group.queries.length; i += MAX_QUERIES_PER_CALL) {
                    const chunk = group.queries.slice(i, i + MAX_QUERIES_PER_CALL);
                    for (const w of chunk)
                        results.set(w.id, { points: new Map(), partial: false, messages: [] });
                    let token;
                    let pages = 0;
                    do {
                        let out;
                        try {
                            out = await client.send(new sdk.GetMetricDataCommand({
                                MetricDataQueries: chunk.map((w) => w.query),
                                StartTime: new Date(group.start),
                                EndTime: new Date(endMs),
                                ScanBy: 'TimestampAscending',
                                NextToken: token,
                            }));
                        }
                        catch (error) {
                            throw (0,_cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .toCloudWatchError */ .s)(error, 'GetMetricData');
                        }
                        pages++;
                        for (const m of out.Messages ?? [])
                            input.log?.(`CloudWatch: ${m.Code ?? ''} ${m.Value ?? ''}`.trim());
                        for (const r of out.MetricDataResults ?? []) {
                            const result = r.Id ? results.get(r.Id) : undefined;
                            if (!result)
                                continue;
                            const timestamps = r.Timestamps ?? [];
                            const values = r.Values ?? [];
                            timestamps.forEach((t, k) => {
                                if (Number.isFinite(values[k]))
                                    result.points.set(t.getTime(), values[k]);
                            });
                            // Only the last page's status tells whether the series is complete.
                            result.partial = r.StatusCode !== undefined && r.StatusCode !== 'Complete';
                            for (const m of r.Messages ?? []) {
                                const text = `${m.Code ?? ''}: ${m.Value ?? ''}`;
                                if (!result.messages.includes(text))
                                    result.messages.push(text);
                            }
                        }
                        token = out.NextToken;
                    } while (token && pages < (options.maxPages ?? DEFAULT_MAX_PAGES));
                    if (token) {
                        for (const w of chunk) {
                            const r = results.get(w.id);
                            r.partial = true;
                            r.messages.push(`stopped after ${pages} pages`);
                        }
                    }
                }
            }
        }
        finally {
            client.destroy();
        }
    }
    return results;
}


/***/ })

};
