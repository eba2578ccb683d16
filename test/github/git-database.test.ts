import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '../../src/github/client.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';

/**
 * The loopback Git database answers as GitHub documents (https://docs.github.com/en/rest/git),
 * checked with the real Octokit: the rules the history publisher relies on.
 */

let github: GitHubServer;
beforeAll(async () => {
  github = await startGitHub();
});
afterAll(() => github.close());

const client = () =>
  createClient({
    token: 'ghs_git',
    apiUrl: github.url,
    tuning: { paceWrites: false, retryAfterBaseMs: 1, maxRetries: 0 },
  }).octokit;
const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { status?: number }) => e.status,
  );

async function commitOn(owner: string, repo: string, parent: string, text: string) {
  const git = client().rest.git;
  const base = (await git.getCommit({ owner, repo, commit_sha: parent })).data.tree.sha;
  const blob = await git.createBlob({ owner, repo, content: text, encoding: 'utf-8' });
  const tree = await git.createTree({
    owner,
    repo,
    base_tree: base,
    tree: [{ path: 'data/x.json', mode: '100644', type: 'blob', sha: blob.data.sha }],
  });
  return (
    await git.createCommit({ owner, repo, message: text, tree: tree.data.sha, parents: [parent] })
  ).data.sha;
}

describe('loopback Git database', () => {
  it('404 for a missing branch, the ref for an existing one', async () => {
    const git = client().rest.git;
    expect(await status(git.getRef({ owner: 'o', repo: 'r', ref: 'heads/nope' }))).toBe(404);
    const main = await git.getRef({ owner: 'o', repo: 'r', ref: 'heads/main' });
    expect(main.data.object.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('blob SHAs are git object SHAs, and blobs come back as base64', async () => {
    const git = client().rest.git;
    const blob = await git.createBlob({
      owner: 'o',
      repo: 'r',
      content: 'hello\n',
      encoding: 'utf-8',
    });
    // `git hash-object` of "hello\n".
    expect(blob.data.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const back = await git.getBlob({ owner: 'o', repo: 'r', file_sha: blob.data.sha });
    expect(back.data.encoding).toBe('base64');
    expect(Buffer.from(back.data.content, 'base64').toString()).toBe('hello\n');
  });

  it('422 on a ref update that is not a fast forward, unless forced', async () => {
    const git = client().rest.git;
    const tip = (await git.getRef({ owner: 'o', repo: 'ff', ref: 'heads/main' })).data.object.sha;
    const a = await commitOn('o', 'ff', tip, 'a');
    const b = await commitOn('o', 'ff', tip, 'b');
    await git.updateRef({ owner: 'o', repo: 'ff', ref: 'heads/main', sha: a, force: false });
    const refused = await git
      .updateRef({ owner: 'o', repo: 'ff', ref: 'heads/main', sha: b, force: false })
      .catch((e: { status: number; response: { data: { message: string } } }) => e);
    expect(refused).toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    await git.updateRef({ owner: 'o', repo: 'ff', ref: 'heads/main', sha: b, force: true });
    expect((await git.getRef({ owner: 'o', repo: 'ff', ref: 'heads/main' })).data.object.sha).toBe(
      b,
    );
  });

  it('422 for a ref that exists already or an object that does not', async () => {
    const git = client().rest.git;
    const tip = (await git.getRef({ owner: 'o', repo: 'c', ref: 'heads/main' })).data.object.sha;
    expect(
      await status(git.createRef({ owner: 'o', repo: 'c', ref: 'refs/heads/main', sha: tip })),
    ).toBe(422);
    expect(
      await status(
        git.createRef({ owner: 'o', repo: 'c', ref: 'refs/heads/x', sha: '0'.repeat(40) }),
      ),
    ).toBe(422);
    expect(
      await status(
        git.updateRef({ owner: 'o', repo: 'c', ref: 'heads/main', sha: '1'.repeat(40) }),
      ),
    ).toBe(422);
    expect(await status(git.createRef({ owner: 'o', repo: 'c', ref: 'heads/x', sha: tip }))).toBe(
      422,
    );
  });

  it('409 everywhere in an empty repository', async () => {
    github.git.setEmpty('o', 'empty');
    const git = client().rest.git;
    expect(await status(git.getRef({ owner: 'o', repo: 'empty', ref: 'heads/main' }))).toBe(409);
    expect(await status(git.createBlob({ owner: 'o', repo: 'empty', content: 'x' }))).toBe(409);
  });

  it('a tree lists by branch name, and sha: null deletes a path', async () => {
    const git = client().rest.git;
    const tip = (await git.getRef({ owner: 'o', repo: 't', ref: 'heads/main' })).data.object.sha;
    const withFile = await commitOn('o', 't', tip, 'a');
    await git.updateRef({ owner: 'o', repo: 't', ref: 'heads/main', sha: withFile });
    const listed = await git.getTree({
      owner: 'o',
      repo: 't',
      tree_sha: 'main',
      recursive: 'true',
    });
    expect(listed.data.tree.map((e) => e.path)).toEqual(['README.md', 'data', 'data/x.json']);
    const base = (await git.getCommit({ owner: 'o', repo: 't', commit_sha: withFile })).data.tree
      .sha;
    const removed = await git.createTree({
      owner: 'o',
      repo: 't',
      base_tree: base,
      tree: [{ path: 'data/x.json', mode: '100644', type: 'blob', sha: null }],
    });
    expect(removed.data.tree.map((e) => e.path)).toEqual(['README.md']);
  });
});
