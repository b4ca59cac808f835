// Branches and commits through the git data API, so a workflow can propose a change with no
// local push.
import type { GitHubClient } from './client.ts';
import { GitHubApiError, type FileChange } from './types.ts';

/** The commit a branch points at, or null when there is no such branch. */
export async function branchSha(gh: GitHubClient, branch: string): Promise<string | null> {
  try {
    const { data } = await gh.call(`get branch ${branch}`, () =>
      gh.octokit.rest.git.getRef({ ...gh.where, ref: `heads/${branch}` }),
    );
    return data.object.sha;
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Creates `branch` from the tip of `base` with one commit that writes or deletes `files`:
 * blobs, a tree on the base tree, a commit, a ref. Returns the new commit.
 */
export async function createBranchWithChanges(
  gh: GitHubClient,
  options: { branch: string; base: string; message: string; files: FileChange[] },
): Promise<{ sha: string }> {
  const baseSha = await branchSha(gh, options.base);
  if (!baseSha) throw new GitHubApiError(404, `no branch ${options.base}`, 'create branch');
  const { data: baseCommit } = await gh.call(`get commit ${baseSha.slice(0, 7)}`, () =>
    gh.octokit.rest.git.getCommit({ ...gh.where, commit_sha: baseSha }),
  );
  const tree: { path: string; mode: '100644'; type: 'blob'; sha: string | null }[] = [];
  for (const file of options.files) {
    let sha: string | null = null;
    if (file.content !== null) {
      const content = file.content;
      const { data } = await gh.call(`create blob for ${file.path}`, () =>
        gh.octokit.rest.git.createBlob({ ...gh.where, content, encoding: 'utf-8' }),
      );
      sha = data.sha;
    }
    tree.push({ path: file.path, mode: '100644', type: 'blob', sha });
  }
  const { data: newTree } = await gh.call('create tree', () =>
    gh.octokit.rest.git.createTree({ ...gh.where, base_tree: baseCommit.tree.sha, tree }),
  );
  const { data: commit } = await gh.call('create commit', () =>
    gh.octokit.rest.git.createCommit({
      ...gh.where,
      message: options.message,
      tree: newTree.sha,
      parents: [baseSha],
    }),
  );
  await gh.call(`create branch ${options.branch}`, () =>
    gh.octokit.rest.git.createRef({
      ...gh.where,
      ref: `refs/heads/${options.branch}`,
      sha: commit.sha,
    }),
  );
  return { sha: commit.sha };
}
