import { createClient, type GitHubLog, type RequestTuning } from './client.js';
import { maskText } from '../secrets/secrets.js';

/**
 * Files in a data branch of the repository, read and written through GitHub's Git database API
 * (https://docs.github.com/en/rest/git): no git binary, no checkout, the workflow's
 * GITHUB_TOKEN with `contents: read` to read and `contents: write` to write. What the files
 * hold is src/baseline/github-history.ts's business; this module only moves text.
 */

export interface DataBranch {
  token: string;
  apiUrl: string;
  /** `owner/repo`, as in GITHUB_REPOSITORY. */
  repository: string;
  branch: string;
  log?: GitHubLog;
  tuning?: RequestTuning;
}

/** Reading or writing the data branch failed: the message says what and how to fix it. */
export class HistoryStoreError extends Error {
  override name = 'HistoryStoreError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A blob larger than this is never downloaded (a history file is far smaller; see the reader's caps). */
export const MAX_BLOB_BYTES = 32 * 1024 * 1024;
/** Publishers racing on the ref: each lost race re-reads the tip and tries again, this many times in all. */
export const MAX_PUBLISH_ATTEMPTS = 8;

interface TreeEntry {
  path: string;
  type: string;
  sha: string;
  size?: number;
}

interface Session {
  owner: string;
  repo: string;
  octokit: ReturnType<typeof createClient>['octokit'];
  where: DataBranch;
  client: ReturnType<typeof createClient>;
}

function open(where: DataBranch): Session {
  if (where.token.trim() === '') {
    throw new HistoryStoreError(
      'github-token is empty: the history baseline (baseline.github) reads and writes the data branch with it; leave the input at its default (${{ github.token }})',
      0,
    );
  }
  const parts = /^([^/\s]+)\/([^/\s]+)$/.exec(where.repository);
  if (!parts) {
    throw new HistoryStoreError(
      `repository: expected "owner/repo" (GITHUB_REPOSITORY), found "${maskText(where.repository, [where.token])}"; the history baseline needs the repository it keeps its data branch in`,
      0,
    );
  }
  const client = createClient({
    token: where.token,
    apiUrl: where.apiUrl,
    log: where.log,
    tuning: where.tuning,
  });
  return { owner: parts[1]!, repo: parts[2]!, octokit: client.octokit, where, client };
}

function statusOf(error: unknown): number {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : 0;
}

function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  if (data && typeof data.message === 'string') return data.message;
  return error instanceof Error ? error.message : String(error);
}

/** Any failure as a HistoryStoreError naming the operation and the permission or fix it needs. */
function explain(session: Session, operation: string, write: boolean, error: unknown): Error {
  if (error instanceof HistoryStoreError) return error;
  const status = statusOf(error);
  const said = maskText(messageOf(error), [session.where.token]).slice(0, 300);
  const at = `${operation} in ${session.where.repository}, branch ${session.where.branch}`;
  let hint: string;
  if (status === 403 || status === 401) {
    hint = write
      ? "the token may not write the repository's contents: give the publishing job `permissions: contents: write` (a pull request from a fork never can; publish only on pushes)"
      : "the token may not read the repository's contents: give the job `permissions: contents: read`";
  } else if (status === 404) {
    hint = 'the repository is not visible to the token (check GITHUB_REPOSITORY and the token)';
  } else if (status === 409) {
    hint =
      "the repository is empty: GitHub's Git database API needs at least one commit; push a first commit, then publish again";
  } else if (status === 0) {
    hint = 'GitHub did not answer (check GITHUB_API_URL and the network)';
  } else {
    hint = 'GitHub refused the request';
  }
  return new HistoryStoreError(
    `${at}: ${hint} (GitHub answered ${status || 'nothing'}: ${said})`,
    status,
  );
}

async function call<T>(
  session: Session,
  operation: string,
  write: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explain(session, operation, write, error);
  }
}

/** The files of the branch's tree under `folder`; undefined when the branch does not exist. */
async function listFolder(
  session: Session,
  treeish: string,
  folder: string,
): Promise<TreeEntry[] | undefined> {
  const { owner, repo, octokit } = session;
  let data: { tree: TreeEntry[]; truncated: boolean };
  try {
    // Recursive: one request lists every file under the folder, whatever its depth.
    const response = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: treeish,
      recursive: 'true',
    });
    data = response.data as typeof data;
  } catch (error) {
    if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
    throw explain(session, 'list the data branch', false, error);
  }
  if (data.truncated) {
    // GitHub caps recursive trees at 100,000 entries / 7 MB: a data branch that large was not
    // written by perf-gate alone.
    session.where.log?.warning(
      `The data branch ${session.where.branch} has too many files for one listing; some history may be missing. Keep the branch for perf-gate only.`,
    );
  }
  const prefix = `${folder}/`;
  return data.tree.filter((e) => e.type === 'blob' && e.path.startsWith(prefix));
}

async function readBlob(session: Session, entry: TreeEntry): Promise<string> {
  if (entry.size !== undefined && entry.size > MAX_BLOB_BYTES) {
    throw new HistoryStoreError(
      `${session.where.branch}:${entry.path}: ${entry.size.toLocaleString('en-US')} bytes, over the ${MAX_BLOB_BYTES / 1024 / 1024} MiB perf-gate reads from the data branch; delete the file (or reset the branch, see docs/history.md)`,
      0,
    );
  }
  const { owner, repo, octokit } = session;
  const { data } = await call(session, `read ${entry.path}`, false, () =>
    octokit.rest.git.getBlob({ owner, repo, file_sha: entry.sha }),
  );
  if (data.encoding !== 'base64' && data.encoding !== 'utf-8') {
    throw new HistoryStoreError(
      `${session.where.branch}:${entry.path}: GitHub sent the blob as ${String(data.encoding)}, not base64`,
      0,
    );
  }
  return data.encoding === 'base64'
    ? Buffer.from(data.content, 'base64').toString('utf8')
    : data.content;
}

export interface ReadResult {
  /** False when the data branch does not exist yet. */
  exists: boolean;
  files: { path: string; text: string }[];
  /** Requests sent, retries included: a handful, whatever the number of runs. */
  requests: number;
}

/**
 * The text of the files under `folder` that `choose` picks from their paths: one request finds
 * the branch's tip, one lists its files, one per chosen file reads it.
 */
export async function readDataFiles(
  where: DataBranch,
  folder: string,
  choose: (paths: string[]) => string[],
): Promise<ReadResult> {
  const session = open(where);
  const { owner, repo, octokit } = session;
  let tip: string;
  try {
    tip = (await octokit.rest.git.getRef({ owner, repo, ref: `heads/${where.branch}` })).data.object
      .sha;
  } catch (error) {
    // 404: no such branch yet; 409: an empty repository has none either.
    if (statusOf(error) === 404 || statusOf(error) === 409)
      return { exists: false, files: [], requests: session.client.attempts() };
    throw explain(session, 'read the data branch', false, error);
  }
  // A commit SHA names its tree too, so the listing needs no request for the commit itself.
  const entries = (await listFolder(session, tip, folder)) ?? [];
  const wanted = new Set(choose(entries.map((e) => e.path)));
  const files: { path: string; text: string }[] = [];
  for (const entry of entries) {
    if (!wanted.has(entry.path)) continue;
    files.push({ path: entry.path, text: await readBlob(session, entry) });
  }
  return { exists: true, files, requests: session.client.attempts() };
}

export interface Change {
  /** Files to write, whole. */
  writes: { path: string; text: string }[];
  /** Files to delete. */
  deletes: string[];
  message: string;
}

/**
 * Given the current files under the folder (paths, and a reader for their text), what to
 * change. Called again, from a fresh read of the tip, each time another publisher won the race.
 */
export type BuildChange = (
  paths: string[],
  read: (path: string) => Promise<string>,
) => Promise<Change>;

export interface CommitResult {
  sha: string;
  attempts: number;
  created: boolean;
}

/**
 * Commits a change to the data branch on top of its tip, creating the branch (as a commit
 * without parents) on the first publish. The ref moves only fast-forward: when another run
 * moved it first, GitHub answers 422 and the change is rebuilt from the new tip, so no run's
 * entry is lost.
 */
export async function commitToDataBranch(
  where: DataBranch,
  folder: string,
  build: BuildChange,
  options: { maxAttempts?: number; pauseMs?: (attempt: number) => number } = {},
): Promise<CommitResult> {
  const session = open(where);
  const { owner, repo, octokit } = session;
  const ref = `heads/${where.branch}`;
  const maxAttempts = options.maxAttempts ?? MAX_PUBLISH_ATTEMPTS;
  const pause = options.pauseMs ?? ((n: number) => 200 * n + Math.floor(Math.random() * 300));
  for (let attempt = 1; ; attempt++) {
    let parent: string | undefined;
    try {
      const { data } = await octokit.rest.git.getRef({ owner, repo, ref });
      parent = data.object.sha;
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 409)
        throw explain(session, 'read the data branch', false, error);
    }
    let baseTree: string | undefined;
    let entries: TreeEntry[] = [];
    if (parent) {
      const commit = await call(session, 'read the data branch tip', false, () =>
        octokit.rest.git.getCommit({ owner, repo, commit_sha: parent! }),
      );
      baseTree = commit.data.tree.sha;
      entries = (await listFolder(session, baseTree, folder)) ?? [];
    }
    const byPath = new Map(entries.map((e) => [e.path, e]));
    const change = await build([...byPath.keys()], async (path) => {
      const entry = byPath.get(path);
      if (!entry) throw new HistoryStoreError(`${where.branch}:${path}: no such file`, 0);
      return readBlob(session, entry);
    });

    const tree: {
      path: string;
      mode: '100644';
      type: 'blob';
      sha: string | null;
    }[] = [];
    for (const file of change.writes) {
      const blob = await call(session, `write ${file.path}`, true, () =>
        octokit.rest.git.createBlob({
          owner,
          repo,
          content: Buffer.from(file.text, 'utf8').toString('base64'),
          encoding: 'base64',
        }),
      );
      tree.push({ path: file.path, mode: '100644', type: 'blob', sha: blob.data.sha });
    }
    for (const path of change.deletes) {
      if (byPath.has(path)) tree.push({ path, mode: '100644', type: 'blob', sha: null });
    }
    const newTree = await call(session, 'write the tree', true, () =>
      octokit.rest.git.createTree({
        owner,
        repo,
        tree,
        ...(baseTree ? { base_tree: baseTree } : {}),
      }),
    );
    const commit = await call(session, 'write the commit', true, () =>
      octokit.rest.git.createCommit({
        owner,
        repo,
        message: change.message,
        tree: newTree.data.sha,
        parents: parent ? [parent] : [],
      }),
    );
    try {
      if (parent) {
        await octokit.rest.git.updateRef({ owner, repo, ref, sha: commit.data.sha, force: false });
      } else {
        await octokit.rest.git.createRef({
          owner,
          repo,
          ref: `refs/${ref}`,
          sha: commit.data.sha,
        });
      }
      return { sha: commit.data.sha, attempts: attempt, created: !parent };
    } catch (error) {
      // 422: "Update is not a fast forward" or "Reference already exists": another publisher
      // moved the branch between our read and our write.
      if (statusOf(error) !== 422) throw explain(session, 'move the data branch', true, error);
      if (attempt >= maxAttempts) {
        throw new HistoryStoreError(
          `move the data branch ${where.branch} in ${where.repository}: another run moved it first ${attempt} times in a row; this run's entry was not published (run the job again)`,
          422,
        );
      }
      where.log?.info(
        `The data branch ${where.branch} moved while publishing (another run); retrying on its new tip (attempt ${attempt + 1} of ${maxAttempts}).`,
      );
      await new Promise((r) => setTimeout(r, pause(attempt)));
    }
  }
}
