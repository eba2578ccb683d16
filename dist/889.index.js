export const id = 889;
export const ids = [889];
export const modules = {

/***/ 56889:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publishGitHubHistory: () => (/* binding */ publishGitHubHistory),
  readGitHubHistory: () => (/* binding */ readGitHubHistory)
});

// UNUSED EXPORTS: baselineBranch

// EXTERNAL MODULE: ./src/units/metrics.ts
var metrics = __webpack_require__(72050);
// EXTERNAL MODULE: ./src/units/format.ts
var format = __webpack_require__(72676);
;// CONCATENATED MODULE: ./src/baseline/github-history.ts


/**
 * The history perf-gate keeps in a data branch of the repository (`baseline.github`), as data:
 * the layout of its files, a published run, and the baseline a pull request reads from them.
 * No I/O here: src/github/history-store.ts moves the files, the action wires both.
 *
 * Layout: `perf-gate/<gate id>/<YYYY-MM>.json`, one file per gate and calendar month (UTC) of
 * the runs it holds, each `{ format: "perf-gate-history", version: 1, gate, runs: [...] }`. A
 * run keeps, per endpoint, what the CloudWatch publisher sends (the latency distribution, error
 * rate, throughput): the percentiles the judge reads as numbers, and the compressed HDR histogram
 * (3 significant digits: every percentile within 0.1%) for charts and later merging.
 */
const HISTORY_FORMAT = 'perf-gate-history';
const HISTORY_VERSION = 1;
/** Folder of the data branch that holds perf-gate's files. */
const HISTORY_ROOT = 'perf-gate';
/**
 * Largest data file read. A month of a busy repository (300 pushes × 20 endpoints × ~1.5 KB) is
 * about 9 MB; a file past the cap is refused, not parsed.
 */
const MAX_HISTORY_FILE_BYTES = 32 * 1024 * 1024;
/** Deepest JSON nesting accepted in a data file (a run is 5 levels deep). */
const MAX_HISTORY_DEPTH = 16;
/** A stored histogram longer than this (base64 characters) is dropped from the run read. */
const MAX_STORED_HISTOGRAM_CHARS = 256 * 1024;
/** Below this many matching runs, an endpoint has `no-baseline`: a median of one or two runs is noise. */
const MIN_HISTORY_RUNS = 3;
/** A data file perf-gate cannot use: says which file, what is wrong and how to fix it. */
class HistoryFileError extends Error {
    name = 'HistoryFileError';
}
/** Path of the file a run measured at `time` goes in. */
function historyPath(gateId, time) {
    const month = time.toISOString().slice(0, 7);
    return `${historyFolder(gateId)}/${month}.json`;
}
function historyFolder(gateId) {
    // Gate ids are free text: keep the path one safe segment whatever they hold.
    const safe = gateId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'default';
    return `${HISTORY_ROOT}/${safe}`;
}
/** `perf-gate/<gate>/2026-11.json` → the first instant of that month, for retention. */
function monthOfPath(path) {
    const m = /\/(\d{4})-(\d{2})\.json$/.exec(path);
    if (!m)
        return undefined;
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
}
function loadKey(load) {
    return {
        connections: load.connections,
        durationMs: load.durationMs,
        timeoutMs: load.timeoutMs,
        ...(load.rate !== undefined ? { rate: load.rate } : {}),
    };
}
function sameLoad(a, b) {
    return (a.connections === b.connections &&
        a.durationMs === b.durationMs &&
        a.timeoutMs === b.timeoutMs &&
        a.rate === b.rate);
}
/** The stored form of one run. Cancelled or empty measurements are left out. */
function historyRun(run) {
    const endpoints = {};
    for (const { config, measurement: m } of run.endpoints) {
        if (m.cancelled || m.requests === 0)
            continue;
        const latency = Object.fromEntries(metrics/* LATENCY_METRICS */.Z$.map((metric) => [metric, round(m.latency[metric])]));
        endpoints[config.name] = {
            load: loadKey(config.load),
            requests: m.requests,
            errors: m.errors,
            errorRate: m.errorRate,
            throughput: round(m.throughput),
            latency,
            ...(m.histogram.length <= MAX_STORED_HISTOGRAM_CHARS ? { histogram: m.histogram } : {}),
        };
    }
    return {
        sha: run.sha,
        branch: run.branch,
        time: run.time.toISOString(),
        runner: run.runner,
        endpoints,
    };
}
/** Microsecond precision is what the histogram holds; more digits only cost bytes. */
function round(value) {
    return Math.round(value * 1000) / 1000;
}
/**
 * The data file with `run` appended and runs older than the retention dropped, as the text to
 * commit. `existing` is the file's current text (absent for a new month).
 */
function appendRun(existing, gateId, run, now, retentionMs) {
    const keepFrom = now.getTime() - retentionMs;
    const runs = (existing?.runs ?? []).filter((r) => Date.parse(r.time) >= keepFrom);
    runs.push(run);
    runs.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    return { format: HISTORY_FORMAT, version: HISTORY_VERSION, gate: gateId, runs };
}
/** Whether a month file holds only runs older than the retention: it can be deleted whole. */
function monthExpired(path, now, retentionMs) {
    const start = monthOfPath(path);
    if (!start)
        return false;
    const end = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
    return end <= now.getTime() - retentionMs;
}
/** Month files that may hold runs within the lookback, newest first. */
function monthsToRead(paths, now, lookbackMs) {
    const from = now.getTime() - lookbackMs;
    return paths
        .filter((p) => {
        const start = monthOfPath(p);
        if (!start)
            return false;
        const end = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
        return end > from && start.getTime() <= now.getTime();
    })
        .sort()
        .reverse();
}
function encodeHistoryFile(file) {
    // One run per line: small diffs in the data branch, and still one JSON document.
    const runs = file.runs.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
    return `{\n  "format": ${JSON.stringify(file.format)},\n  "version": ${file.version},\n  "gate": ${JSON.stringify(file.gate)},\n  "runs": [\n${runs}\n  ]\n}\n`;
}
/**
 * A data file's text, checked: size and nesting capped before parsing, the format and version
 * known, every run and endpoint of the expected shape. Anyone who can push to the data branch
 * can write these files, so nothing in them is trusted.
 */
function decodeHistoryFile(text, where) {
    const fix = `delete ${where} from the data branch (or reset the branch, see docs/history.md) and publish again`;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_HISTORY_FILE_BYTES) {
        throw new HistoryFileError(`${where}: ${bytes.toLocaleString('en-US')} bytes, over the ${MAX_HISTORY_FILE_BYTES / 1024 / 1024} MiB perf-gate reads from a history file; ${fix}`);
    }
    const depth = maxDepth(text);
    if (depth > MAX_HISTORY_DEPTH) {
        throw new HistoryFileError(`${where}: JSON nested ${depth} levels deep, over the ${MAX_HISTORY_DEPTH} a history file has; ${fix}`);
    }
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (error) {
        throw new HistoryFileError(`${where}: not valid JSON (${error.message.slice(0, 200)}); ${fix}`);
    }
    if (!isObject(data) || data.format !== HISTORY_FORMAT) {
        throw new HistoryFileError(`${where}: not a perf-gate history file (expected "format": "${HISTORY_FORMAT}"); ${fix}`);
    }
    if (data.version !== HISTORY_VERSION) {
        throw new HistoryFileError(`${where}: history format version ${JSON.stringify(data.version)}, this perf-gate reads version ${HISTORY_VERSION}; update perf-gate or ${fix}`);
    }
    if (typeof data.gate !== 'string' || !Array.isArray(data.runs)) {
        throw new HistoryFileError(`${where}: expected "gate" (text) and "runs" (a list); ${fix}`);
    }
    const runs = [];
    data.runs.forEach((run, i) => {
        const problem = runProblem(run);
        if (problem)
            throw new HistoryFileError(`${where}: runs[${i}]: ${problem}; ${fix}`);
        runs.push(run);
    });
    return { format: HISTORY_FORMAT, version: HISTORY_VERSION, gate: data.gate, runs };
}
function runProblem(run) {
    if (!isObject(run))
        return 'expected an object';
    for (const key of ['sha', 'branch', 'time', 'runner']) {
        if (typeof run[key] !== 'string')
            return `expected "${key}" to be text`;
    }
    if (!Number.isFinite(Date.parse(run.time)))
        return `"time" is not a date`;
    if (!isObject(run.endpoints))
        return 'expected "endpoints" to be an object';
    for (const [name, e] of Object.entries(run.endpoints)) {
        const problem = endpointProblem(e);
        if (problem)
            return `endpoints[${JSON.stringify(name.slice(0, 100))}]: ${problem}`;
    }
    return undefined;
}
function endpointProblem(e) {
    if (!isObject(e))
        return 'expected an object';
    if (!isObject(e.load))
        return 'expected "load" to be an object';
    for (const key of ['connections', 'durationMs', 'timeoutMs']) {
        if (!isCount(e.load[key]))
            return `expected load.${key} to be a number ≥ 0`;
    }
    if (e.load.rate !== undefined && !isCount(e.load.rate))
        return 'expected load.rate ≥ 0';
    for (const key of ['requests', 'errors', 'throughput']) {
        if (!isCount(e[key]))
            return `expected "${key}" to be a number ≥ 0`;
    }
    if (!isCount(e.errorRate) || e.errorRate > 1)
        return 'expected "errorRate" between 0 and 1';
    if (!isObject(e.latency))
        return 'expected "latency" to be an object';
    for (const metric of metrics/* LATENCY_METRICS */.Z$) {
        if (!isCount(e.latency[metric]))
            return `expected latency.${metric} to be a number ≥ 0`;
    }
    if (e.histogram !== undefined) {
        if (typeof e.histogram !== 'string' || e.histogram.length > MAX_STORED_HISTOGRAM_CHARS)
            return `expected "histogram" to be base64 text of at most ${MAX_STORED_HISTOGRAM_CHARS} characters`;
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(e.histogram))
            return 'expected "histogram" to be base64';
    }
    return undefined;
}
function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
function isCount(value) {
    return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
/** Deepest bracket nesting of a JSON text, strings skipped; cheap enough to run before parsing. */
function maxDepth(text) {
    let depth = 0;
    let max = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === 92)
                i++;
            else if (c === 34)
                inString = false;
        }
        else if (c === 34)
            inString = true;
        else if (c === 123 || c === 91)
            max = Math.max(max, ++depth);
        else if (c === 125 || c === 93)
            depth--;
    }
    return max;
}
/**
 * Each endpoint's baseline from the runs read: only runs of `branch`, within the lookback, with
 * the endpoint's load settings, the newest `runs` of them, oldest first. Their per-run values are
 * the `periods` the CloudWatch judge reads (one run = one period): the same median, prediction
 * bound, tolerance and min-delta decide.
 */
function historyBaselines(files, query) {
    const baselines = new Map();
    const from = query.now.getTime() - query.config.lookbackMs;
    const runs = files
        .filter((f) => f.gate === query.gateId)
        .flatMap((f) => f.runs)
        .filter((r) => r.branch === query.branch)
        .filter((r) => {
        const t = Date.parse(r.time);
        return t >= from && t <= query.now.getTime();
    })
        .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    const window = `over the last ${(0,format/* formatDuration */.a3)(query.config.lookbackMs)}`;
    for (const endpoint of query.endpoints) {
        if (endpoint.regression === false) {
            baselines.set(endpoint.name, {
                kind: 'none',
                reason: 'regression checks are off for this endpoint (regression: false)',
                configured: false,
            });
            continue;
        }
        const want = loadKey(endpoint.load);
        const anyLoad = runs.filter((r) => r.endpoints[endpoint.name] !== undefined);
        const matching = anyLoad
            .filter((r) => sameLoad(r.endpoints[endpoint.name].load, want))
            .slice(-query.config.runs);
        if (matching.length < MIN_HISTORY_RUNS) {
            const other = anyLoad.length - matching.length;
            const others = other > 0 ? `; ${other} other run${other === 1 ? '' : 's'} used other load settings` : '';
            const have = matching.length === 0
                ? 'no run'
                : `only ${matching.length} run${matching.length === 1 ? '' : 's'}`;
            baselines.set(endpoint.name, {
                kind: 'none',
                reason: `${have} of "${query.branch}" with these load settings in the history ${window} (${MIN_HISTORY_RUNS} needed)${others}; publish from ${query.branch} with publish: true`,
            });
            continue;
        }
        const periods = {};
        for (const metric of metrics/* LATENCY_METRICS */.Z$) {
            periods[metric] = matching.map((r) => r.endpoints[endpoint.name].latency[metric]);
        }
        periods['error-rate'] = matching.map((r) => r.endpoints[endpoint.name].errorRate);
        baselines.set(endpoint.name, {
            kind: 'cloudwatch',
            store: 'github',
            source: `data branch ${query.config.branch}, runs of ${query.branch}`,
            periods,
            partial: false,
        });
    }
    return baselines;
}

// EXTERNAL MODULE: ./src/github/client.ts + 25 modules
var github_client = __webpack_require__(32842);
// EXTERNAL MODULE: ./src/secrets/secrets.ts
var secrets = __webpack_require__(70360);
;// CONCATENATED MODULE: ./src/github/history-store.ts


/** Reading or writing the data branch failed: the message says what and how to fix it. */
class HistoryStoreError extends Error {
    status;
    name = 'HistoryStoreError';
    constructor(message, status) {
        super(message);
        this.status = status;
    }
}
/** A blob larger than this is never downloaded (a history file is far smaller; see the reader's caps). */
const MAX_BLOB_BYTES = 32 * 1024 * 1024;
/** Publishers racing on the ref: each lost race re-reads the tip and tries again, this many times in all. */
const MAX_PUBLISH_ATTEMPTS = 8;
function history_store_open(where) {
    if (where.token.trim() === '') {
        throw new HistoryStoreError('github-token is empty: the history baseline (baseline.github) reads and writes the data branch with it; leave the input at its default (${{ github.token }})', 0);
    }
    const parts = /^([^/\s]+)\/([^/\s]+)$/.exec(where.repository);
    if (!parts) {
        throw new HistoryStoreError(`repository: expected "owner/repo" (GITHUB_REPOSITORY), found "${(0,secrets/* maskText */.gC)(where.repository, [where.token])}"; the history baseline needs the repository it keeps its data branch in`, 0);
    }
    const client = (0,github_client/* createClient */.U)({
        token: where.token,
        apiUrl: where.apiUrl,
        log: where.log,
        tuning: where.tuning,
    });
    return { owner: parts[1], repo: parts[2], octokit: client.octokit, where, client };
}
function statusOf(error) {
    const status = error.status;
    return typeof status === 'number' ? status : 0;
}
function messageOf(error) {
    const data = error.response?.data;
    if (data && typeof data.message === 'string')
        return data.message;
    return error instanceof Error ? error.message : String(error);
}
/** Any failure as a HistoryStoreError naming the operation and the permission or fix it needs. */
function explain(session, operation, write, error) {
    if (error instanceof HistoryStoreError)
        return error;
    const status = statusOf(error);
    const said = (0,secrets/* maskText */.gC)(messageOf(error), [session.where.token]).slice(0, 300);
    const at = `${operation} in ${session.where.repository}, branch ${session.where.branch}`;
    let hint;
    if (status === 403 || status === 401) {
        hint = write
            ? "the token may not write the repository's contents: give the publishing job `permissions: contents: write` (a pull request from a fork never can; publish only on pushes)"
            : "the token may not read the repository's contents: give the job `permissions: contents: read`";
    }
    else if (status === 404) {
        hint = 'the repository is not visible to the token (check GITHUB_REPOSITORY and the token)';
    }
    else if (status === 409) {
        hint =
            "the repository is empty: GitHub's Git database API needs at least one commit; push a first commit, then publish again";
    }
    else if (status === 0) {
        hint = 'GitHub did not answer (check GITHUB_API_URL and the network)';
    }
    else {
        hint = 'GitHub refused the request';
    }
    return new HistoryStoreError(`${at}: ${hint} (GitHub answered ${status || 'nothing'}: ${said})`, status);
}
async function call(session, operation, write, fn) {
    try {
        return await fn();
    }
    catch (error) {
        throw explain(session, operation, write, error);
    }
}
/** The files of the branch's tree under `folder`; undefined when the branch does not exist. */
async function listFolder(session, treeish, folder) {
    const { owner, repo, octokit } = session;
    let data;
    try {
        // Recursive: one request lists every file under the folder, whatever its depth.
        const response = await octokit.rest.git.getTree({
            owner,
            repo,
            tree_sha: treeish,
            recursive: 'true',
        });
        data = response.data;
    }
    catch (error) {
        if (statusOf(error) === 404 || statusOf(error) === 409)
            return undefined;
        throw explain(session, 'list the data branch', false, error);
    }
    if (data.truncated) {
        // GitHub caps recursive trees at 100,000 entries / 7 MB: a data branch that large was not
        // written by perf-gate alone.
        session.where.log?.warning(`The data branch ${session.where.branch} has too many files for one listing; some history may be missing. Keep the branch for perf-gate only.`);
    }
    const prefix = `${folder}/`;
    return data.tree.filter((e) => e.type === 'blob' && e.path.startsWith(prefix));
}
async function readBlob(session, entry) {
    if (entry.size !== undefined && entry.size > MAX_BLOB_BYTES) {
        throw new HistoryStoreError(`${session.where.branch}:${entry.path}: ${entry.size.toLocaleString('en-US')} bytes, over the ${MAX_BLOB_BYTES / 1024 / 1024} MiB perf-gate reads from the data branch; delete the file (or reset the branch, see docs/history.md)`, 0);
    }
    const { owner, repo, octokit } = session;
    const { data } = await call(session, `read ${entry.path}`, false, () => octokit.rest.git.getBlob({ owner, repo, file_sha: entry.sha }));
    if (data.encoding !== 'base64' && data.encoding !== 'utf-8') {
        throw new HistoryStoreError(`${session.where.branch}:${entry.path}: GitHub sent the blob as ${String(data.encoding)}, not base64`, 0);
    }
    return data.encoding === 'base64'
        ? Buffer.from(data.content, 'base64').toString('utf8')
        : data.content;
}
/**
 * The text of the files under `folder` that `choose` picks from their paths: one request finds
 * the branch's tip, one lists its files, one per chosen file reads it.
 */
async function readDataFiles(where, folder, choose) {
    const session = history_store_open(where);
    const { owner, repo, octokit } = session;
    let tip;
    try {
        tip = (await octokit.rest.git.getRef({ owner, repo, ref: `heads/${where.branch}` })).data.object
            .sha;
    }
    catch (error) {
        // 404: no such branch yet; 409: an empty repository has none either.
        if (statusOf(error) === 404 || statusOf(error) === 409)
            return { exists: false, files: [], requests: session.client.attempts() };
        throw explain(session, 'read the data branch', false, error);
    }
    // A commit SHA names its tree too, so the listing needs no request for the commit itself.
    const entries = (await listFolder(session, tip, folder)) ?? [];
    const wanted = new Set(choose(entries.map((e) => e.path)));
    const files = [];
    for (const entry of entries) {
        if (!wanted.has(entry.path))
            continue;
        files.push({ path: entry.path, text: await readBlob(session, entry) });
    }
    return { exists: true, files, requests: session.client.attempts() };
}
/**
 * Commits a change to the data branch on top of its tip, creating the branch (as a commit
 * without parents) on the first publish. The ref moves only fast-forward: when another run
 * moved it first, GitHub answers 422 and the change is rebuilt from the new tip, so no run's
 * entry is lost.
 */
async function commitToDataBranch(where, folder, build, options = {}) {
    const session = history_store_open(where);
    const { owner, repo, octokit } = session;
    const ref = `heads/${where.branch}`;
    const maxAttempts = options.maxAttempts ?? MAX_PUBLISH_ATTEMPTS;
    const pause = options.pauseMs ?? ((n) => 200 * n + Math.floor(Math.random() * 300));
    for (let attempt = 1;; attempt++) {
        let parent;
        try {
            const { data } = await octokit.rest.git.getRef({ owner, repo, ref });
            parent = data.object.sha;
        }
        catch (error) {
            if (statusOf(error) !== 404 && statusOf(error) !== 409)
                throw explain(session, 'read the data branch', false, error);
        }
        let baseTree;
        let entries = [];
        if (parent) {
            const commit = await call(session, 'read the data branch tip', false, () => octokit.rest.git.getCommit({ owner, repo, commit_sha: parent }));
            baseTree = commit.data.tree.sha;
            entries = (await listFolder(session, baseTree, folder)) ?? [];
        }
        const byPath = new Map(entries.map((e) => [e.path, e]));
        const change = await build([...byPath.keys()], async (path) => {
            const entry = byPath.get(path);
            if (!entry)
                throw new HistoryStoreError(`${where.branch}:${path}: no such file`, 0);
            return readBlob(session, entry);
        });
        const tree = [];
        for (const file of change.writes) {
            const blob = await call(session, `write ${file.path}`, true, () => octokit.rest.git.createBlob({
                owner,
                repo,
                content: Buffer.from(file.text, 'utf8').toString('base64'),
                encoding: 'base64',
            }));
            tree.push({ path: file.path, mode: '100644', type: 'blob', sha: blob.data.sha });
        }
        for (const path of change.deletes) {
            if (byPath.has(path))
                tree.push({ path, mode: '100644', type: 'blob', sha: null });
        }
        const newTree = await call(session, 'write the tree', true, () => octokit.rest.git.createTree({
            owner,
            repo,
            tree,
            ...(baseTree ? { base_tree: baseTree } : {}),
        }));
        const commit = await call(session, 'write the commit', true, () => octokit.rest.git.createCommit({
            owner,
            repo,
            message: change.message,
            tree: newTree.data.sha,
            parents: parent ? [parent] : [],
        }));
        try {
            if (parent) {
                await octokit.rest.git.updateRef({ owner, repo, ref, sha: commit.data.sha, force: false });
            }
            else {
                await octokit.rest.git.createRef({
                    owner,
                    repo,
                    ref: `refs/${ref}`,
                    sha: commit.data.sha,
                });
            }
            return { sha: commit.data.sha, attempts: attempt, created: !parent };
        }
        catch (error) {
            // 422: "Update is not a fast forward" or "Reference already exists": another publisher
            // moved the branch between our read and our write.
            if (statusOf(error) !== 422)
                throw explain(session, 'move the data branch', true, error);
            if (attempt >= maxAttempts) {
                throw new HistoryStoreError(`move the data branch ${where.branch} in ${where.repository}: another run moved it first ${attempt} times in a row; this run's entry was not published (run the job again)`, 422);
            }
            where.log?.info(`The data branch ${where.branch} moved while publishing (another run); retrying on its new tip (attempt ${attempt + 1} of ${maxAttempts}).`);
            await new Promise((r) => setTimeout(r, pause(attempt)));
        }
    }
}

// EXTERNAL MODULE: ./src/action/log.ts + 1 modules
var log = __webpack_require__(42634);
;// CONCATENATED MODULE: ./src/action/history.ts



/**
 * The action's side of `baseline.github`: read the base branch's runs from the data branch
 * before measuring, and append this run after it (publish: true on a push). Reading never fails
 * the gate by itself: an unreadable history is `no-baseline` with the reason (and fails only
 * with `baseline.required`), a hostile data file is refused and its runs left out.
 */
function dataBranch(settings, history) {
    return {
        token: settings.githubToken,
        apiUrl: settings.github.apiUrl,
        repository: settings.github.repository ?? '',
        branch: history.branch,
        log: { info: log/* log */.Rm.info, warning: (m) => log/* log */.Rm.warning(m), debug: log/* log */.Rm.debug },
    };
}
/** The branch whose runs are the baseline: a pull request's base, else the run's own branch. */
function baselineBranch(settings) {
    return settings.github.baseRef ?? settings.github.refName;
}
async function readGitHubHistory(config, settings, now) {
    const history = config.baseline.github;
    const none = (reason) => new Map(config.endpoints.map((e) => [e.name, { kind: 'none', reason }]));
    const branch = baselineBranch(settings);
    if (!branch) {
        return none('the run has no branch to compare with (no GITHUB_BASE_REF or GITHUB_REF_NAME): the history baseline needs a pull_request or push event');
    }
    const folder = historyFolder(config.id);
    let read;
    try {
        read = await readDataFiles(dataBranch(settings, history), folder, (paths) => monthsToRead(paths, now, history.lookbackMs));
    }
    catch (error) {
        if (!(error instanceof HistoryStoreError))
            throw error;
        log/* log */.Rm.warning(`perf-gate could not read the history: ${error.message}`);
        return none(`the history could not be read: ${error.message}`);
    }
    if (!read.exists) {
        return none(`the data branch ${history.branch} does not exist yet: publish from ${branch} with publish: true (docs/history.md)`);
    }
    const files = [];
    for (const file of read.files) {
        try {
            files.push(decodeHistoryFile(file.text, `${history.branch}:${file.path}`));
        }
        catch (error) {
            if (!(error instanceof HistoryFileError))
                throw error;
            log/* log */.Rm.warning(`History file refused, its runs are not used: ${error.message}`);
        }
    }
    log/* log */.Rm.info(`Read ${files.reduce((n, f) => n + f.runs.length, 0)} run(s) from ${read.files.length} file(s) of ${history.branch} in ${read.requests} request(s); comparing with the runs of ${branch}.`);
    return historyBaselines(files, {
        gateId: config.id,
        branch,
        config: history,
        endpoints: config.endpoints,
        now,
    });
}
/**
 * Appends this run to the data branch. Returns a run error's message when publishing failed,
 * so the run fails the way a failed CloudWatch publish does.
 */
async function publishGitHubHistory(config, report, settings) {
    const history = config.baseline.github;
    if (settings.github.eventName.startsWith('pull_request')) {
        log/* log */.Rm.warning('Not publishing to the history: this is a pull-request run, and only pushes to a branch (main, a release branch) build the history. Set publish only on push events.');
        return undefined;
    }
    const branch = settings.github.refName;
    if (!branch) {
        return 'publish: the run has no branch (GITHUB_REF_NAME): the history keeps runs per branch, publish from a push to a branch';
    }
    const now = new Date(report.createdAt);
    const measured = report.endpoints.flatMap((e) => {
        const endpoint = config.endpoints.find((c) => c.name === e.name);
        return endpoint ? [{ config: endpoint, measurement: e.measurement }] : [];
    });
    const run = historyRun({
        sha: settings.github.sha ?? 'unknown',
        branch,
        time: now,
        runner: `${report.environment.runner.os}/${report.environment.runner.arch}`,
        endpoints: measured,
    });
    if (Object.keys(run.endpoints).length === 0) {
        log/* log */.Rm.warning('Not publishing to the history: no endpoint was measured.');
        return undefined;
    }
    const path = historyPath(config.id, now);
    try {
        const result = await commitToDataBranch(dataBranch(settings, history), historyFolder(config.id), async (paths, read) => {
            let existing;
            if (paths.includes(path)) {
                try {
                    existing = decodeHistoryFile(await read(path), `${history.branch}:${path}`);
                }
                catch (error) {
                    if (!(error instanceof HistoryFileError))
                        throw error;
                    // A file perf-gate cannot read is not overwritten silently: the runs in it may matter.
                    throw new HistoryStoreError(`${error.message}`, 0);
                }
            }
            const file = appendRun(existing, config.id, run, now, history.retentionMs);
            return {
                writes: [{ path, text: encodeHistoryFile(file) }],
                deletes: paths.filter((p) => p !== path && monthExpired(p, now, history.retentionMs)),
                message: `perf-gate: ${config.id} on ${branch} at ${run.sha.slice(0, 12)}`,
            };
        });
        log/* log */.Rm.info(`Published ${Object.keys(run.endpoints).length} endpoint(s) to ${history.branch}:${path}${result.created ? ' (branch created)' : ''}${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}.`);
        return undefined;
    }
    catch (error) {
        if (!(error instanceof HistoryStoreError))
            throw error;
        return `publish to the history failed: ${error.message}`;
    }
}


/***/ })

};
