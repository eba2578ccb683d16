import { createHash } from 'node:crypto';

/**
 * GitHub's Git database API (https://docs.github.com/en/rest/git) for the loopback GitHub
 * server: refs, commits, trees and blobs of in-memory repositories, with the rules and error
 * shapes GitHub documents. test/servers/github.ts routes `/repos/{o}/{r}/git/...` here.
 *
 * | route | behaviour |
 * |---|---|
 * | `GET git/ref/{ref}` | the ref; 404 when missing; 409 "Git Repository is empty." in an empty repository |
 * | `POST git/refs` `{ ref, sha }` | 201; 422 "Reference already exists", 422 for a ref not `refs/...` with two slashes, 422 "Object does not exist" |
 * | `PATCH git/refs/{ref}` `{ sha, force }` | 200; 422 "Update is not a fast forward" unless `force` or the new commit descends from the old; 422 "Reference does not exist" |
 * | `GET git/commits/{sha}` / `POST git/commits` | a commit; 404 unknown; 422 when its tree or a parent does not exist |
 * | `GET git/trees/{sha or branch}?recursive=1` / `POST git/trees` `{ tree, base_tree }` | `sha: null` deletes a path; 404/422 for unknown objects |
 * | `GET git/blobs/{sha}` / `POST git/blobs` `{ content, encoding }` | base64 with line breaks as GitHub sends it; blobs over 100 MB refused with 422 |
 *
 * Blob and commit SHAs are git's own (SHA-1 of `blob <size>\0...`); tree SHAs are a hash of the
 * flat listing rather than git's binary tree format (nothing in perf-gate depends on them).
 */

const DOCS = 'https://docs.github.com/rest/git';
/** "This endpoint supports blobs up to 100 megabytes in size." (Git database: blobs) */
export const MAX_BLOB_BYTES = 100 * 1024 * 1024;

export class GitFailure {
  constructor(
    readonly status: number,
    readonly payload: Record<string, unknown>,
  ) {}
}

interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  date: string;
}

interface Repo {
  empty: boolean;
  blobs: Map<string, Buffer>;
  /** Flat trees: path → blob sha. */
  trees: Map<string, Map<string, string>>;
  commits: Map<string, Commit>;
  refs: Map<string, string>;
}

export interface GitStore {
  /** Routes a `/repos/{o}/{r}/git/...` request; undefined when the path is not a git route. */
  route(
    method: string,
    pathname: string,
    query: URLSearchParams,
    body: unknown,
    baseUrl: string,
  ): Promise<{ status: number; payload: unknown } | undefined>;
  /** Makes a repository empty (no commits, no refs): the Git database API answers 409. */
  setEmpty(owner: string, repo: string): void;
  /** A file on a branch, or undefined. */
  readFile(owner: string, repo: string, branch: string, path: string): string | undefined;
  /** Paths on a branch. */
  listFiles(owner: string, repo: string, branch: string): string[];
  /** Commits `files` on top of `branch` (creating it), as another writer would. */
  writeFiles(owner: string, repo: string, branch: string, files: Record<string, string>): void;
  /** Commits on a branch, newest first. */
  log(owner: string, repo: string, branch: string): { sha: string; message: string }[];
  /**
   * Holds ref updates (PATCH and POST refs) until `count` have arrived, then applies them in
   * arrival order: publishers that read the same tip race for real, and all but one get 422.
   * Released after `timeoutMs` whatever arrived.
   */
  raceRefUpdates(count: number, timeoutMs?: number): void;
  /** Ref updates GitHub refused with 422 so far. */
  refusedRefUpdates(): number;
}

const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

function notFound(doc: string): GitFailure {
  return new GitFailure(404, {
    message: 'Not Found',
    documentation_url: `${DOCS}/${doc}`,
    status: '404',
  });
}

function unprocessable(message: string, doc: string): GitFailure {
  return new GitFailure(422, { message, documentation_url: `${DOCS}/${doc}`, status: '422' });
}

export function createGitStore(): GitStore {
  const repos = new Map<string, Repo>();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let race: { count: number; waiting: (() => void)[]; timer?: NodeJS.Timeout } | undefined;
  let refused = 0;

  function repoOf(owner: string, name: string): Repo {
    const key = `${owner.toLowerCase()}/${name.toLowerCase()}`;
    let repo = repos.get(key);
    if (!repo) {
      // Every repository starts with one commit on main, as one created with a README does.
      repo = {
        empty: false,
        blobs: new Map(),
        trees: new Map(),
        commits: new Map(),
        refs: new Map(),
      };
      repos.set(key, repo);
      const readme = putBlob(repo, Buffer.from('# repository\n'));
      const tree = putTree(repo, new Map([['README.md', readme]]));
      repo.refs.set('refs/heads/main', putCommit(repo, tree, [], 'Initial commit'));
    }
    return repo;
  }

  function putBlob(repo: Repo, content: Buffer): string {
    const sha = sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));
    repo.blobs.set(sha, content);
    return sha;
  }

  function putTree(repo: Repo, flat: Map<string, string>): string {
    const listing = [...flat.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sha = sha1(`tree ${JSON.stringify(listing)}`);
    repo.trees.set(sha, new Map(listing));
    return sha;
  }

  function putCommit(repo: Repo, tree: string, parents: string[], message: string): string {
    const date = new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const text = `tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join('')}author perf-gate <a@b> ${date}\n\n${message}`;
    const sha = sha1(
      Buffer.concat([Buffer.from(`commit ${Buffer.byteLength(text)}\0`), Buffer.from(text)]),
    );
    repo.commits.set(sha, { sha, tree, parents, message, date });
    return sha;
  }

  function descends(repo: Repo, from: string, ancestor: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(repo.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  function emptyCheck(repo: Repo, doc: string) {
    // "409 Conflict": the Git database API refuses an empty repository ("Git Repository is empty.").
    // https://docs.github.com/en/rest/git/blobs#create-a-blob (status codes: 409 Conflict)
    if (repo.empty)
      throw new GitFailure(409, {
        message: 'Git Repository is empty.',
        documentation_url: `${DOCS}/${doc}`,
        status: '409',
      });
  }

  function treePayload(
    repo: Repo,
    sha: string,
    recursive: boolean,
    baseUrl: string,
    prefix: string,
  ) {
    const flat = repo.trees.get(sha)!;
    const entries: Record<string, unknown>[] = [];
    const dirs = new Set<string>();
    for (const [path, blob] of flat) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      if (!recursive && parts.length > 1) continue;
      entries.push({
        path,
        mode: '100644',
        type: 'blob',
        sha: blob,
        size: repo.blobs.get(blob)!.length,
        url: `${baseUrl}${prefix}/git/blobs/${blob}`,
      });
    }
    for (const dir of dirs) {
      if (!recursive && dir.includes('/')) continue;
      const subtree = sha1(`subtree ${sha} ${dir}`);
      entries.push({
        path: dir,
        mode: '040000',
        type: 'tree',
        sha: subtree,
        url: `${baseUrl}${prefix}/git/trees/${subtree}`,
      });
    }
    entries.sort((a, b) => ((a.path as string) < (b.path as string) ? -1 : 1));
    return { sha, url: `${baseUrl}${prefix}/git/trees/${sha}`, tree: entries, truncated: false };
  }

  function commitPayload(c: Commit, baseUrl: string, prefix: string) {
    const person = {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
      date: c.date,
    };
    return {
      sha: c.sha,
      node_id: `C_${c.sha.slice(0, 12)}`,
      url: `${baseUrl}${prefix}/git/commits/${c.sha}`,
      author: person,
      committer: person,
      message: c.message,
      tree: { sha: c.tree, url: `${baseUrl}${prefix}/git/trees/${c.tree}` },
      parents: c.parents.map((p) => ({ sha: p, url: `${baseUrl}${prefix}/git/commits/${p}` })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    };
  }

  function refPayload(ref: string, sha: string, baseUrl: string, prefix: string) {
    return {
      ref,
      node_id: `REF_${sha.slice(0, 8)}`,
      url: `${baseUrl}${prefix}/git/${ref}`,
      object: { type: 'commit', sha, url: `${baseUrl}${prefix}/git/commits/${sha}` },
    };
  }

  async function waitRace(): Promise<void> {
    if (!race) return;
    const r = race;
    await new Promise<void>((resolve) => {
      r.waiting.push(resolve);
      if (r.waiting.length >= r.count) {
        race = undefined;
        clearTimeout(r.timer);
        // Applied in arrival order, one per turn of the event loop.
        r.waiting.forEach((go, i) => setTimeout(go, i * 5));
      }
    });
  }

  function applyRef(repo: Repo, ref: string, sha: string, force: boolean, create: boolean) {
    if (create) {
      // https://docs.github.com/en/rest/git/refs#create-a-reference: "ref must start with
      // 'refs' and have at least two slashes"; 422 "Reference already exists".
      if (!/^refs\/[^/]+\/.+/.test(ref))
        throw unprocessable('Reference name is invalid', 'refs#create-a-reference');
      if (!repo.commits.has(sha))
        throw unprocessable('Object does not exist', 'refs#create-a-reference');
      if (repo.refs.has(ref)) {
        refused++;
        throw unprocessable('Reference already exists', 'refs#create-a-reference');
      }
      repo.refs.set(ref, sha);
      repo.empty = false;
      return;
    }
    // https://docs.github.com/en/rest/git/refs#update-a-reference: `force` "Indicates whether
    // to force the update or to make sure the update is a fast-forward update"; otherwise
    // 422 "Update is not a fast forward".
    const current = repo.refs.get(ref);
    if (current === undefined)
      throw unprocessable('Reference does not exist', 'refs#update-a-reference');
    if (!repo.commits.has(sha))
      throw unprocessable('Object does not exist', 'refs#update-a-reference');
    if (!force && !descends(repo, sha, current)) {
      refused++;
      throw unprocessable('Update is not a fast forward', 'refs#update-a-reference');
    }
    repo.refs.set(ref, sha);
  }

  return {
    async route(method, pathname, query, body, baseUrl) {
      const m = /^\/repos\/([^/]+)\/([^/]+)\/git\/(.+)$/.exec(pathname);
      if (!m) return undefined;
      const [, owner, name, rest] = m as unknown as [string, string, string, string];
      const repo = repoOf(owner, name);
      const prefix = `/repos/${owner}/${name}`;
      const input = (body ?? {}) as Record<string, unknown>;

      let r: RegExpExecArray | null;
      if (method === 'GET' && (r = /^ref\/(.+)$/.exec(rest))) {
        emptyCheck(repo, 'refs#get-a-reference');
        const ref = `refs/${decodeURIComponent(r[1]!)}`;
        const sha = repo.refs.get(ref);
        if (!sha) throw notFound('refs#get-a-reference');
        return { status: 200, payload: refPayload(ref, sha, baseUrl, prefix) };
      }
      if (method === 'POST' && rest === 'refs') {
        if (typeof input.ref !== 'string' || typeof input.sha !== 'string')
          throw unprocessable(
            'Invalid request: "ref" and "sha" are required',
            'refs#create-a-reference',
          );
        await waitRace();
        applyRef(repo, input.ref, input.sha, false, true);
        return { status: 201, payload: refPayload(input.ref, input.sha, baseUrl, prefix) };
      }
      if (method === 'PATCH' && (r = /^refs\/(.+)$/.exec(rest))) {
        if (typeof input.sha !== 'string')
          throw unprocessable('Invalid request: "sha" is required', 'refs#update-a-reference');
        const ref = `refs/${decodeURIComponent(r[1]!)}`;
        await waitRace();
        applyRef(repo, ref, input.sha, input.force === true, false);
        return { status: 200, payload: refPayload(ref, input.sha, baseUrl, prefix) };
      }
      if (method === 'GET' && (r = /^commits\/([0-9a-f]{40})$/.exec(rest))) {
        const c = repo.commits.get(r[1]!);
        if (!c) throw notFound('commits#get-a-commit-object');
        return { status: 200, payload: commitPayload(c, baseUrl, prefix) };
      }
      if (method === 'POST' && rest === 'commits') {
        emptyCheck(repo, 'commits#create-a-commit');
        const tree = input.tree;
        const parents = (input.parents ?? []) as unknown[];
        if (
          typeof input.message !== 'string' ||
          typeof tree !== 'string' ||
          !Array.isArray(parents)
        )
          throw unprocessable(
            'Invalid request: "message" and "tree" are required',
            'commits#create-a-commit',
          );
        if (!repo.trees.has(tree))
          throw unprocessable('Tree SHA does not exist', 'commits#create-a-commit');
        for (const p of parents) {
          if (typeof p !== 'string' || !repo.commits.has(p))
            throw unprocessable(
              'Parent SHA does not exist or is not a commit object',
              'commits#create-a-commit',
            );
        }
        const sha = putCommit(repo, tree, parents as string[], input.message);
        return { status: 201, payload: commitPayload(repo.commits.get(sha)!, baseUrl, prefix) };
      }
      if (method === 'GET' && (r = /^trees\/(.+)$/.exec(rest))) {
        emptyCheck(repo, 'trees#get-a-tree');
        // `tree_sha`: "The SHA1 value or ref (branch or tag) name of the tree."
        const id = decodeURIComponent(r[1]!);
        let sha = id;
        if (!repo.trees.has(id)) {
          const head = repo.refs.get(`refs/heads/${id}`) ?? (repo.commits.has(id) ? id : undefined);
          const commit = head ? repo.commits.get(head) : undefined;
          if (!commit) throw notFound('trees#get-a-tree');
          sha = commit.tree;
        }
        const recursive = query.has('recursive');
        return { status: 200, payload: treePayload(repo, sha, recursive, baseUrl, prefix) };
      }
      if (method === 'POST' && rest === 'trees') {
        emptyCheck(repo, 'trees#create-a-tree');
        const entries = input.tree;
        if (!Array.isArray(entries))
          throw unprocessable('Invalid request: "tree" is required', 'trees#create-a-tree');
        let flat = new Map<string, string>();
        if (input.base_tree !== undefined) {
          const base = repo.trees.get(String(input.base_tree));
          if (!base) throw notFound('trees#create-a-tree');
          flat = new Map(base);
        }
        for (const e of entries as Record<string, unknown>[]) {
          const path = e.path;
          if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.endsWith('/'))
            throw unprocessable(
              `tree.path contains a malformed path component`,
              'trees#create-a-tree',
            );
          if (e.sha === null) {
            // Deleting a path that is not in the base tree is refused.
            if (!flat.delete(path))
              throw unprocessable('GitRPC::BadObjectState', 'trees#create-a-tree');
            continue;
          }
          if (typeof e.content === 'string') {
            flat.set(path, putBlob(repo, Buffer.from(e.content, 'utf8')));
            continue;
          }
          if (typeof e.sha !== 'string' || !repo.blobs.has(e.sha))
            throw unprocessable(
              `tree.sha ${String(e.sha)} is not a valid blob`,
              'trees#create-a-tree',
            );
          flat.set(path, e.sha);
        }
        const sha = putTree(repo, flat);
        return { status: 201, payload: treePayload(repo, sha, true, baseUrl, prefix) };
      }
      if (method === 'GET' && (r = /^blobs\/([0-9a-f]{40})$/.exec(rest))) {
        const content = repo.blobs.get(r[1]!);
        if (!content) throw notFound('blobs#get-a-blob');
        // GitHub sends base64 broken into lines of 60 characters.
        const base64 = content.toString('base64').replace(/(.{60})/g, '$1\n');
        return {
          status: 200,
          payload: {
            sha: r[1],
            node_id: `B_${r[1]!.slice(0, 8)}`,
            size: content.length,
            url: `${baseUrl}${prefix}/git/blobs/${r[1]}`,
            content: base64,
            encoding: 'base64',
          },
        };
      }
      if (method === 'POST' && rest === 'blobs') {
        emptyCheck(repo, 'blobs#create-a-blob');
        if (typeof input.content !== 'string')
          throw unprocessable('Invalid request: "content" is required', 'blobs#create-a-blob');
        const encoding = input.encoding ?? 'utf-8';
        if (encoding !== 'utf-8' && encoding !== 'base64')
          throw unprocessable(`encoding must be "utf-8" or "base64"`, 'blobs#create-a-blob');
        const content =
          encoding === 'base64'
            ? Buffer.from(input.content, 'base64')
            : Buffer.from(input.content, 'utf8');
        if (content.length > MAX_BLOB_BYTES)
          throw unprocessable('Blob is too large (maximum is 100 MB)', 'blobs#create-a-blob');
        const sha = putBlob(repo, content);
        return { status: 201, payload: { url: `${baseUrl}${prefix}/git/blobs/${sha}`, sha } };
      }
      throw notFound('');
    },
    setEmpty(owner, name) {
      const repo = repoOf(owner, name);
      repo.empty = true;
      repo.refs.clear();
    },
    readFile(owner, name, branch, path) {
      const repo = repoOf(owner, name);
      const head = repo.refs.get(`refs/heads/${branch}`);
      if (!head) return undefined;
      const blob = repo.trees.get(repo.commits.get(head)!.tree)!.get(path);
      return blob ? repo.blobs.get(blob)!.toString('utf8') : undefined;
    },
    listFiles(owner, name, branch) {
      const repo = repoOf(owner, name);
      const head = repo.refs.get(`refs/heads/${branch}`);
      if (!head) return [];
      return [...repo.trees.get(repo.commits.get(head)!.tree)!.keys()];
    },
    writeFiles(owner, name, branch, files) {
      const repo = repoOf(owner, name);
      const ref = `refs/heads/${branch}`;
      const head = repo.refs.get(ref);
      const flat = new Map(head ? repo.trees.get(repo.commits.get(head)!.tree)! : []);
      for (const [path, text] of Object.entries(files))
        flat.set(path, putBlob(repo, Buffer.from(text, 'utf8')));
      repo.refs.set(
        ref,
        putCommit(repo, putTree(repo, flat), head ? [head] : [], 'test: write files'),
      );
      repo.empty = false;
    },
    log(owner, name, branch) {
      const repo = repoOf(owner, name);
      const out: { sha: string; message: string }[] = [];
      let sha = repo.refs.get(`refs/heads/${branch}`);
      while (sha) {
        const c = repo.commits.get(sha)!;
        out.push({ sha, message: c.message });
        sha = c.parents[0];
      }
      return out;
    },
    raceRefUpdates(count, timeoutMs = 60_000) {
      const r: NonNullable<typeof race> = { count, waiting: [] };
      r.timer = setTimeout(() => {
        if (race === r) race = undefined;
        r.waiting.forEach((go) => go());
      }, timeoutMs);
      r.timer.unref();
      race = r;
    },
    refusedRefUpdates: () => refused,
  };
}
