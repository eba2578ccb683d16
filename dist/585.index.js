export const id = 585;
export const ids = [585];
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

/***/ 67585:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   publishMeasurements: () => (/* binding */ publishMeasurements)
/* harmony export */ });
/* unused harmony exports MAX_VALUES_PER_DATUM, BIN_RATIO, histogramToValuesCounts, measurementDatums, batchDatums */
/* harmony import */ var hdr_histogram_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(32960);
/* harmony import */ var _measure_histogram_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(52810);
/* harmony import */ var _cloudwatch_client_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(38591);
/* harmony import */ var _cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(11895);
/* harmony import */ var _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(20039);





/**
 * Publishing a run's distributions to CloudWatch (the `publish` input), so runs on main build
 * the history that later pull requests are compared with.
 */
/** CloudWatch accepts at most this many distinct values per datum. */
const MAX_VALUES_PER_DATUM = 150;
/**
 * Adjacent histogram buckets whose values lie within this ratio of the first are merged into
 * one value. Any percentile then moves by at most 0.5%, half the 1% the baseline promises.
 */
const BIN_RATIO = 1.005;
/** PutMetricData limits: datums per request, and bytes (1 MiB; we keep a margin under it). */
const MAX_DATUMS_PER_REQUEST = 1000;
const MAX_REQUEST_BYTES = 1_000_000;
/**
 * A latency histogram (µs) as CloudWatch Values/Counts in ms, split into datums of at most 150
 * values. Buckets are merged into log-spaced bins of width BIN_RATIO, each represented by its
 * count-weighted mean, so the mean is kept exactly and every percentile computed from the
 * result lies within 0.5% of the histogram's own.
 */
function histogramToValuesCounts(histogram) {
    if (!(histogram instanceof hdr_histogram_js__WEBPACK_IMPORTED_MODULE_0__.JsHistogram)) {
        throw new Error('histogramToValuesCounts needs a JavaScript HDR histogram (useWebAssembly: false)');
    }
    const bins = [];
    let binStart = 0;
    let weighted = 0;
    let count = 0;
    const close = () => {
        if (count > 0)
            bins.push({ value: roundMs(weighted / count / 1000), count });
    };
    const it = histogram.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
        const step = it.next();
        // The bucket's highest equivalent value is what the histogram's percentiles report.
        const value = step.valueIteratedTo;
        const n = step.countAtValueIteratedTo;
        if (count > 0 && value > binStart * BIN_RATIO) {
            close();
            weighted = 0;
            count = 0;
        }
        if (count === 0)
            binStart = value;
        weighted += value * n;
        count += n;
    }
    close();
    const datums = [];
    for (let i = 0; i < bins.length; i += MAX_VALUES_PER_DATUM) {
        const slice = bins.slice(i, i + MAX_VALUES_PER_DATUM);
        datums.push({ values: slice.map((b) => b.value), counts: slice.map((b) => b.count) });
    }
    return datums;
}
/** Six significant digits: exact enough for any latency, short on the wire. */
function roundMs(ms) {
    return Number(ms.toPrecision(6));
}
/** The datums of one run: Latency (Values/Counts), ErrorRate and Throughput per endpoint. */
function measurementDatums(input) {
    const datums = [];
    for (const { name, measurement } of input.endpoints) {
        const Dimensions = (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .toSdkDimensions */ .$p)((0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .ownDimensions */ .Cf)(input.gateId, name, input.dimensions));
        const common = { Dimensions, Timestamp: input.timestamp };
        for (const { values, counts } of histogramToValuesCounts((0,_measure_histogram_js__WEBPACK_IMPORTED_MODULE_1__/* .decodeHistogram */ .pr)(measurement.histogram))) {
            datums.push({
                MetricName: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.latency.name,
                Unit: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.latency.unit,
                Values: values,
                Counts: counts,
                ...common,
            });
        }
        if (measurement.requests > 0) {
            datums.push({
                MetricName: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.errorRate.name,
                Unit: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.errorRate.unit,
                Value: roundMs(measurement.errorRate * 100),
                ...common,
            });
            datums.push({
                MetricName: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.throughput.name,
                Unit: _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .METRIC */ .$v.throughput.unit,
                Value: roundMs(measurement.throughput),
                ...common,
            });
        }
    }
    return datums;
}
/** Size of a datum as the SDK serialises it (AWS JSON 1.0: timestamps in epoch seconds). */
function wireBytes(datum) {
    const timestamp = datum.Timestamp ? datum.Timestamp.getTime() / 1000 : undefined;
    return Buffer.byteLength(JSON.stringify({ ...datum, Timestamp: timestamp }));
}
/** Splits datums into PutMetricData requests within the service's count and size limits. */
function batchDatums(namespace, datums) {
    const envelope = Buffer.byteLength(JSON.stringify({ Namespace: namespace, MetricData: [] }));
    const batches = [];
    let batch = [];
    let bytes = envelope;
    for (const datum of datums) {
        const size = wireBytes(datum) + 1; // the separating comma
        if (batch.length > 0 &&
            (batch.length >= MAX_DATUMS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)) {
            batches.push(batch);
            batch = [];
            bytes = envelope;
        }
        batch.push(datum);
        bytes += size;
    }
    if (batch.length > 0)
        batches.push(batch);
    return batches;
}
/**
 * Publishes one run's measurements. Throws a CloudWatchError (credentials, region, access
 * denied, throttled after the SDK's retries, ...) with a message that says how to fix it.
 */
async function publishMeasurements(input, options = {}) {
    const namespace = input.namespace ?? _cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_NAMESPACE */ .oQ;
    const datums = measurementDatums(input);
    if (datums.length === 0)
        return { datums: 0, requests: 0 };
    const batches = batchDatums(namespace, datums);
    const { sdk, client } = await (0,_cloudwatch_client_js__WEBPACK_IMPORTED_MODULE_4__/* .openCloudWatch */ .F)(input.region, options);
    try {
        for (const MetricData of batches) {
            try {
                await client.send(new sdk.PutMetricDataCommand({ Namespace: namespace, MetricData }));
            }
            catch (error) {
                throw (0,_cloudwatch_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .toCloudWatchError */ .s)(error, 'PutMetricData');
            }
        }
    }
    finally {
        client.destroy();
    }
    for (const { name } of input.endpoints) {
        const value = (0,_cloudwatch_metrics_js__WEBPACK_IMPORTED_MODULE_3__/* .endpointDimensionValue */ .FU)(name);
        if (value !== name) {
            input.log?.(`endpoint ${JSON.stringify(name)} is published with CloudWatch dimension Endpoint=${JSON.stringify(value)} (dimension values must be printable ASCII with a non-whitespace character)`);
        }
    }
    input.log?.(`published ${datums.length} CloudWatch datums for ${input.endpoints.length} endpoint(s) to ${namespace} in ${batches.length} request(s)`);
    return { datums: datums.length, requests: batches.length };
}


/***/ })

};
