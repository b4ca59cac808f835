// Commit statuses: the `flags/soak` status a merge can wait on.
import { statusDescription } from '../../core/gate-status.ts';
import type { GitHubClient } from './client.ts';
import { deniedWrite, type CommitState, type CommitStatusInfo, type WriteResult } from './types.ts';

/** Sets a commit status. A token that may not (a fork's) gives `forbidden`, never a throw. */
export async function setCommitStatus(
  gh: GitHubClient,
  sha: string,
  state: CommitState,
  context: string,
  description: string,
  targetUrl?: string,
): Promise<WriteResult> {
  try {
    await gh.call(`set status ${context} on ${sha.slice(0, 7)}`, () =>
      gh.octokit.rest.repos.createCommitStatus({
        ...gh.where,
        sha,
        state,
        context,
        description: statusDescription(description),
        ...(targetUrl ? { target_url: targetUrl } : {}),
      }),
    );
    return { result: 'written' };
  } catch (error) {
    const denied = deniedWrite(error);
    if (denied) return { result: 'forbidden', ...denied };
    throw error;
  }
}

/** The latest status of `context` on a commit, or null. */
export async function commitStatus(
  gh: GitHubClient,
  sha: string,
  context: string,
): Promise<CommitStatusInfo | null> {
  const statuses = await gh.call(`list statuses of ${sha.slice(0, 7)}`, () =>
    gh.octokit.paginate(gh.octokit.rest.repos.listCommitStatusesForRef, {
      ...gh.where,
      ref: sha,
      per_page: 100,
    }),
  );
  // Newest first, as GitHub lists them; sort anyway so the answer does not depend on it.
  const latest = statuses
    .filter((s) => s.context === context)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)[0];
  if (!latest) return null;
  return {
    state: latest.state as CommitState,
    description: latest.description ?? null,
    targetUrl: latest.target_url ?? null,
  };
}
