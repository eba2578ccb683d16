import { createClient, type GitHubLog, type RequestTuning } from './client.js';
import { toCommentError } from './errors.js';

/**
 * Who accepted a pull request's regressions, as GitHub says: the accept label (who added it, from
 * the issue events API's latest `labeled` event) and `/perf-gate accept <reason>` or
 * `/perf-gate revoke` comments, each counted only when its author has write, maintain or admin
 * permission (the collaborator permission API). Everything here is a read, so a read-only token
 * (a fork's pull request, a workflow_run job) is enough.
 */

/** A `/perf-gate accept|revoke` comment, as found while paging the pull request's comments. */
export interface CommentCommand {
  id: number;
  command: 'accept' | 'revoke';
  reason: string;
  author: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface GivenAcceptance {
  id: string;
  via: 'label' | 'comment';
  by: string;
  at: string;
  reason: string;
  permission: string;
}

export interface IgnoredCommand {
  via: 'label' | 'comment';
  by: string;
  at: string;
  why: string;
}

export interface AcceptanceSignals {
  given: GivenAcceptance[];
  ignored: IgnoredCommand[];
}

export interface AcceptanceTarget {
  token: string;
  apiUrl: string;
  repository: string;
  issueNumber: number;
  /** The accept label; empty turns labels off. */
  label: string;
  commands: readonly CommentCommand[];
  log?: GitHubLog;
  tuning?: RequestTuning;
}

const COMMAND = /^\/perf-gate[ \t]+(accept|revoke)\b[ \t]*(.*)$/i;
const MAX_REASON = 300;

/** The command on a comment's first line, if it holds one. */
export function parseCommand(
  body: string,
): { command: 'accept' | 'revoke'; reason: string } | undefined {
  const first = body
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]!
    .trim();
  const m = COMMAND.exec(first);
  if (!m) return undefined;
  const command = m[1]!.toLowerCase() as 'accept' | 'revoke';
  return { command, reason: command === 'accept' ? m[2]!.trim().slice(0, MAX_REASON) : '' };
}

/**
 * Roles that may accept. The permission API's `permission` is the legacy base role (maintain
 * reads as write, triage as read); `role_name` is the precise one when present.
 * https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user
 */
const WRITERS = new Set(['admin', 'maintain', 'write']);

export async function readAcceptanceSignals(target: AcceptanceTarget): Promise<AcceptanceSignals> {
  const [owner, repo] = target.repository.split('/') as [string, string];
  const { octokit, attempts } = createClient({
    token: target.token,
    apiUrl: target.apiUrl,
    log: target.log,
    tuning: target.tuning,
  });
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const before = attempts();
    try {
      return await fn();
    } catch (error) {
      throw toCommentError(error, {
        operation,
        write: false,
        repository: target.repository,
        issueNumber: target.issueNumber,
        apiUrl: target.apiUrl,
        attempts: attempts() - before,
        secret: target.token,
      });
    }
  };

  const permissions = new Map<string, string>();
  const permissionOf = async (login: string): Promise<string> => {
    const cached = permissions.get(login.toLowerCase());
    if (cached !== undefined) return cached;
    let role = 'none';
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        owner,
        repo,
        username: login,
      });
      const precise = (data as { role_name?: unknown }).role_name;
      role = typeof precise === 'string' && precise !== '' ? precise : data.permission;
    } catch (error) {
      // 404: not a collaborator (docs above). Anything else: the check could not be made.
      if ((error as { status?: unknown }).status !== 404) {
        await call(`read the permission of ${login}`, () => Promise.reject(error));
      }
    }
    permissions.set(login.toLowerCase(), role);
    return role;
  };
  const denied = (login: string, role: string) =>
    `@${login} has ${role === 'none' ? 'no' : `only ${role}`} permission on ${target.repository}; accepting needs write, maintain or admin`;

  const given: GivenAcceptance[] = [];
  const ignored: IgnoredCommand[] = [];

  // The latest command by a writer decides; commands by others are ignored and said so.
  let lastWriterCommand: (CommentCommand & { permission: string }) | undefined;
  const ordered = [...target.commands].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id,
  );
  for (const command of ordered) {
    const role = await permissionOf(command.author);
    if (WRITERS.has(role)) {
      lastWriterCommand = { ...command, permission: role };
    } else {
      ignored.push({
        via: 'comment',
        by: command.author,
        at: command.createdAt,
        why: denied(command.author, role),
      });
    }
  }
  if (lastWriterCommand?.command === 'accept') {
    given.push({
      id: `comment:${lastWriterCommand.id}`,
      via: 'comment',
      by: lastWriterCommand.author,
      at: lastWriterCommand.createdAt,
      reason: lastWriterCommand.reason,
      permission: lastWriterCommand.permission,
    });
  }

  if (target.label !== '') {
    const { data: issue } = await call('read the labels', () =>
      octokit.rest.issues.get({ owner, repo, issue_number: target.issueNumber }),
    );
    const names = issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
    if (names.includes(target.label)) {
      const events = await call('read the issue events', () =>
        octokit.paginate(octokit.rest.issues.listEvents, {
          owner,
          repo,
          issue_number: target.issueNumber,
          per_page: 100,
        }),
      );
      const labeled = events
        .filter(
          (e) =>
            e.event === 'labeled' &&
            (e as { label?: { name?: string } }).label?.name === target.label,
        )
        .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id)
        .at(-1);
      const by = labeled?.actor?.login;
      if (!labeled || !by) {
        ignored.push({
          via: 'label',
          by: 'unknown',
          at: labeled?.created_at ?? '',
          why: `no labeled event names who added "${target.label}"`,
        });
      } else {
        const role = await permissionOf(by);
        const revoked =
          lastWriterCommand?.command === 'revoke' &&
          lastWriterCommand.createdAt > labeled.created_at;
        if (!WRITERS.has(role)) {
          ignored.push({
            via: 'label',
            by,
            at: labeled.created_at,
            why: denied(by, role),
          });
        } else if (revoked) {
          ignored.push({
            via: 'label',
            by,
            at: labeled.created_at,
            why: `revoked by @${lastWriterCommand!.author} (/perf-gate revoke, ${lastWriterCommand!.createdAt.slice(0, 10)})`,
          });
        } else {
          given.push({
            id: `label:${labeled.id}`,
            via: 'label',
            by,
            at: labeled.created_at,
            reason: '',
            permission: role,
          });
        }
      }
    }
  }
  return { given, ignored };
}
