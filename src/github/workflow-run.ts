import { createClient, type RequestTuning } from './client.js';

/**
 * When the workflow run was created, from the REST API ("Get a workflow run",
 * https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run): the one moment
 * every job of a matrix agrees on, so `start-at: +90s` means the same time on every shard.
 */
export async function workflowRunCreatedAt(options: {
  token: string;
  apiUrl: string;
  repository: string;
  runId: number;
  tuning?: RequestTuning;
}): Promise<Date> {
  const parts = /^([^/\s]+)\/([^/\s]+)$/.exec(options.repository);
  if (!parts) throw new Error(`repository: expected "owner/repo", found "${options.repository}"`);
  if (options.token.trim() === '') {
    throw new Error(
      'github-token is empty: a relative start-at (+90s) is counted from the workflow run, which is read with the token',
    );
  }
  const { octokit } = createClient({
    token: options.token,
    apiUrl: options.apiUrl,
    tuning: options.tuning,
  });
  let createdAt: unknown;
  try {
    const response = await octokit.rest.actions.getWorkflowRun({
      owner: parts[1],
      repo: parts[2],
      run_id: options.runId,
    });
    createdAt = response.data.created_at;
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new Error(
      `could not read workflow run ${options.runId} of ${options.repository}${status ? ` (HTTP ${status})` : ''}: give start-at as an absolute time, or let the job's token read actions (permissions: actions: read)`,
      { cause: error },
    );
  }
  const at = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new Error(`workflow run ${options.runId}: the API gave no creation time`);
  }
  return at;
}
