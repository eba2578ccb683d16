import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Writing the report files. A path in the workspace is the pull request's to shape (it can
 * commit a symlink named report.json pointing anywhere), so a file is never written through a
 * symlink: the text goes to a new file in the same folder (created exclusively, which never
 * follows a link) and is renamed over the final name, which replaces a symlink there instead of
 * writing to its target.
 */

/** Whether `path` is `root` or inside it, comparing resolved paths (no file system access). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Writes `text` to `path` without following a symlink at `path`. */
export async function writeFileNoFollow(path: string, text: string): Promise<void> {
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * The folder `path` will be written in, with symlinks resolved, must lie inside one of `roots`
 * (also resolved): a symlinked folder in the workspace cannot carry the file elsewhere.
 * Returns undefined when it does, else the resolved folder.
 */
export async function escapesRoots(
  path: string,
  roots: readonly string[],
): Promise<string | undefined> {
  const folder = await realpath(dirname(path));
  for (const root of roots) {
    let real: string;
    try {
      real = await realpath(root);
    } catch {
      continue;
    }
    if (isInside(folder, real)) return undefined;
  }
  return folder;
}
