import type { GitHubUser } from './github.js';

/**
 * Labels, issue events and collaborator permissions for the loopback GitHub (test/servers/github.ts),
 * with the shapes api.github.com answers with:
 *
 * | route | behaviour |
 * |---|---|
 * | `GET /repos/{o}/{r}/issues/{n}` | the pull request as an issue, with its current `labels` |
 * | `GET /repos/{o}/{r}/issues/{n}/events?per_page=&page=` | oldest first, `labeled` / `unlabeled` events with `actor` and `label`; paged like comments (`per_page` ≤ 100, `Link`) |
 * | `GET /repos/{o}/{r}/collaborators/{user}/permission` | `{ permission, role_name, user }`; 404 for someone who is not a collaborator |
 *
 * Docs:
 * https://docs.github.com/rest/issues/issues#get-an-issue
 * https://docs.github.com/rest/issues/events#list-issue-events (event `labeled`: "A label was added";
 *   the event carries `label: { name, color }` and the `actor` who added it)
 * https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user
 *   ("permission" is the legacy base role: maintain reads as write, triage as read; "role_name" is
 *   the precise one). The docs list 404 "Resource not found"; whether a non-collaborator of a
 *   public repository gets 404 or 200 with `read` is not documented precisely, so the server can
 *   do either (`nonCollaborator`) and the tests try both.
 */

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface IssueEvent {
  id: number;
  node_id: string;
  url: string;
  actor: GitHubUser & { node_id: string };
  event: 'labeled' | 'unlabeled';
  commit_id: null;
  commit_url: null;
  created_at: string;
  label: { name: string; color: string };
  performed_via_github_app: null;
}

export interface Answer {
  status: number;
  payload: unknown;
  headers?: Record<string, string>;
}

export class IssueState {
  private labels = new Map<string, Set<string>>();
  private events = new Map<string, IssueEvent[]>();
  private roles = new Map<string, Role>();
  private nextEventId = 5_000_000_001;
  nonCollaborator: '404' | 'read' = '404';

  constructor(
    private readonly base: () => string,
    private readonly timestamp: () => string,
  ) {}

  private key(owner: string, repo: string, issue: number) {
    return `${owner.toLowerCase()}/${repo.toLowerCase()}#${issue}`;
  }

  setRole(login: string, role: Role | undefined): void {
    if (role === undefined) this.roles.delete(login.toLowerCase());
    else this.roles.set(login.toLowerCase(), role);
  }

  /** Adds or removes a label as `actor` would in the web UI: the label set and an event. */
  label(owner: string, repo: string, issue: number, name: string, actor: GitHubUser, add: boolean) {
    const k = this.key(owner, repo, issue);
    const set = this.labels.get(k) ?? new Set<string>();
    this.labels.set(k, set);
    if (add) set.add(name);
    else set.delete(name);
    const id = this.nextEventId++;
    const list = this.events.get(k) ?? [];
    this.events.set(k, list);
    list.push({
      id,
      node_id: `LE_${id.toString(36)}`,
      url: `${this.base()}/repos/${owner}/${repo}/issues/events/${id}`,
      actor: { ...actor, node_id: `U_${actor.id}` },
      event: add ? 'labeled' : 'unlabeled',
      commit_id: null,
      commit_url: null,
      created_at: this.timestamp(),
      label: { name, color: 'fbca04' },
      performed_via_github_app: null,
    });
  }

  /** Other events on the issue (e.g. `subscribed`), so a reader must filter by kind. */
  otherEvent(owner: string, repo: string, issue: number, actor: GitHubUser, count: number) {
    const k = this.key(owner, repo, issue);
    const list = this.events.get(k) ?? [];
    this.events.set(k, list);
    for (let i = 0; i < count; i++) {
      const id = this.nextEventId++;
      list.push({
        id,
        node_id: `SE_${id.toString(36)}`,
        url: `${this.base()}/repos/${owner}/${repo}/issues/events/${id}`,
        actor: { ...actor, node_id: `U_${actor.id}` },
        event: 'subscribed' as 'labeled',
        commit_id: null,
        commit_url: null,
        created_at: this.timestamp(),
        label: undefined as unknown as IssueEvent['label'],
        performed_via_github_app: null,
      });
    }
  }

  reset(): void {
    this.labels.clear();
    this.events.clear();
    this.roles.clear();
  }

  /** The answer to a GET this module serves, or undefined when the path is not one of its routes. */
  route(url: URL): Answer | undefined {
    const issue = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(url.pathname);
    const events = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/events$/.exec(url.pathname);
    const permission = /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/.exec(
      url.pathname,
    );
    // https://docs.github.com/en/rest/issues/issues#get-an-issue: a pull request is an issue with a
    // `pull_request` key; `labels` are the current ones.
    if (issue) {
      const [, owner, repo, n] = issue;
      const labels = [...(this.labels.get(this.key(owner!, repo!, Number(n))) ?? [])];
      return {
        status: 200,
        payload: {
          id: 900_000 + Number(n),
          number: Number(n),
          state: 'open',
          title: 'A pull request',
          url: `${this.base()}/repos/${owner}/${repo}/issues/${n}`,
          labels: labels.map((name, i) => ({
            id: 7_000 + i,
            node_id: `LA_${i}`,
            url: `${this.base()}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
            name,
            color: 'fbca04',
            default: false,
            description: null,
          })),
          pull_request: { url: `${this.base()}/repos/${owner}/${repo}/pulls/${n}` },
        },
      };
    }
    // https://docs.github.com/en/rest/issues/events#list-issue-events: oldest first, paged like every
    // list (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api).
    if (events) {
      const [, owner, repo, n] = events;
      const list = this.events.get(this.key(owner!, repo!, Number(n))) ?? [];
      const perPage = Math.min(Math.max(1, Number(url.searchParams.get('per_page')) || 30), 100);
      const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
      const last = Math.max(1, Math.ceil(list.length / perPage));
      const link = (p: number, rel: string) =>
        `<${this.base()}/repos/${owner}/${repo}/issues/${n}/events?per_page=${perPage}&page=${p}>; rel="${rel}"`;
      const links: string[] = [];
      if (page > 1) links.push(link(page - 1, 'prev'));
      if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
      if (page > 1) links.push(link(1, 'first'));
      return {
        status: 200,
        payload: list.slice((page - 1) * perPage, page * perPage),
        headers: links.length > 0 ? { link: links.join(', ') } : {},
      };
    }
    // https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
    if (permission) {
      const login = decodeURIComponent(permission[3]!);
      const role = this.roles.get(login.toLowerCase());
      if (role === undefined && this.nonCollaborator === '404') {
        return {
          status: 404,
          payload: {
            message: 'Not Found',
            documentation_url:
              'https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user',
            status: '404',
          },
        };
      }
      const precise: Role = role ?? 'read';
      const legacy = precise === 'maintain' ? 'write' : precise === 'triage' ? 'read' : precise;
      return {
        status: 200,
        payload: {
          permission: legacy,
          role_name: precise,
          user: { login, id: 1, type: 'User', permissions: {} },
        },
      };
    }
    return undefined;
  }
}
