// Pull requests: listing, reading, finding by branch, and opening one with labels and reviewers.
import type { GitHubClient } from './client.ts';
import { GitHubApiError, type OpenPullRequestOptions, type PullRequestInfo } from './types.ts';

/** Open pull requests, optionally only those targeting `base`. */
export async function openPullRequests(
  gh: GitHubClient,
  base?: string,
): Promise<PullRequestInfo[]> {
  const pulls = await gh.call('list open pull requests', () =>
    gh.octokit.paginate(gh.octokit.rest.pulls.list, {
      ...gh.where,
      state: 'open',
      ...(base ? { base } : {}),
      per_page: 100,
    }),
  );
  return pulls.map((p) => pullInfo(gh, p));
}

export async function pullRequest(gh: GitHubClient, pr: number): Promise<PullRequestInfo> {
  const { data } = await gh.call(`get pull request #${pr}`, () =>
    gh.octokit.rest.pulls.get({ ...gh.where, pull_number: pr }),
  );
  return pullInfo(gh, data);
}

/** Paths the pull request touches (both sides of a rename). */
export async function pullRequestFiles(gh: GitHubClient, pr: number): Promise<string[]> {
  const files = await gh.call(`list files of #${pr}`, () =>
    gh.octokit.paginate(gh.octokit.rest.pulls.listFiles, {
      ...gh.where,
      pull_number: pr,
      per_page: 100,
    }),
  );
  return [...new Set(files.flatMap((f) => [f.filename, f.previous_filename ?? []].flat()))];
}

/**
 * A pull request from `branch` of this repository, open or closed, or null. An open one wins,
 * then the newest.
 */
export async function findPullRequestByHead(
  gh: GitHubClient,
  branch: string,
): Promise<PullRequestInfo | null> {
  const pulls = await gh.call(`find pull request from ${branch}`, () =>
    gh.octokit.paginate(gh.octokit.rest.pulls.list, {
      ...gh.where,
      state: 'all',
      head: `${gh.owner}:${branch}`,
      per_page: 100,
    }),
  );
  const infos = pulls.map((p) => pullInfo(gh, p)).filter((p) => p.headRef === branch);
  return (
    infos.find((p) => p.state === 'open') ?? infos.sort((a, b) => b.number - a.number)[0] ?? null
  );
}

/**
 * Opens a pull request, then labels it and asks for reviews. Labels, reviewers and assignees
 * that GitHub refuses (not a collaborator, no such team) become warnings: the pull request
 * itself exists either way.
 */
export async function openPullRequest(
  gh: GitHubClient,
  options: OpenPullRequestOptions,
): Promise<{ pr: PullRequestInfo; warnings: string[] }> {
  const { data } = await gh.call(`open pull request from ${options.head}`, () =>
    gh.octokit.rest.pulls.create({
      ...gh.where,
      head: options.head,
      base: options.base,
      title: options.title,
      body: options.body,
      draft: options.draft ?? false,
    }),
  );
  const pr = pullInfo(gh, data);
  const warnings: string[] = [];
  const attempt = async (what: string, write: () => Promise<unknown>) => {
    try {
      await gh.call(what, write);
    } catch (error) {
      if (!(error instanceof GitHubApiError) || error.status < 400 || error.status >= 500) {
        throw error;
      }
      warnings.push(error.message);
    }
  };
  const where = gh.where;
  const issue = { ...where, issue_number: pr.number };
  if (options.labels?.length) {
    const labels = options.labels;
    await attempt(`label #${pr.number}`, () =>
      gh.octokit.rest.issues.addLabels({ ...issue, labels }),
    );
  }
  if (options.reviewers?.length) {
    const reviewers = options.reviewers;
    await attempt(`request reviews on #${pr.number}`, () =>
      gh.octokit.rest.pulls.requestReviewers({ ...where, pull_number: pr.number, reviewers }),
    );
  }
  if (options.teamReviewers?.length) {
    await requestTeamReviews(gh, pr.number, options.teamReviewers, warnings);
  }
  if (options.assignees?.length) {
    const assignees = options.assignees;
    await attempt(`assign #${pr.number}`, () =>
      gh.octokit.rest.issues.addAssignees({ ...issue, assignees }),
    );
  }
  return { pr, warnings };
}

/**
 * Team review requests. The workflow's GITHUB_TOKEN cannot make them (GitHub answers 422); then
 * CODEOWNERS asks the owning team by itself when the pull request opens (auto-request), and the
 * warning says so. A GitHub App token or FLAGS_BOT_TOKEN with members read can ask directly.
 */
async function requestTeamReviews(
  gh: GitHubClient,
  pr: number,
  teams: readonly string[],
  warnings: string[],
): Promise<void> {
  try {
    await gh.call(`request team reviews on #${pr}`, () =>
      gh.octokit.rest.pulls.requestReviewers({
        ...gh.where,
        pull_number: pr,
        team_reviewers: [...teams],
      }),
    );
  } catch (error) {
    if (!(error instanceof GitHubApiError) || error.status !== 422) throw error;
    warnings.push(
      `could not ask ${teams.map((t) => `@${gh.owner}/${t}`).join(', ')} for review (${error.status}: the workflow token cannot request team reviews): CODEOWNERS requests the owning team automatically; to ask directly, give the workflow a GitHub App token or FLAGS_BOT_TOKEN`,
    );
  }
}

function pullInfo(
  gh: GitHubClient,
  p: {
    number: number;
    html_url: string;
    title: string;
    state: string;
    merged_at?: string | null;
    draft?: boolean;
    user?: { login: string } | null;
    head: { sha: string; ref: string; repo?: { full_name: string } | null };
    base: { sha: string; ref: string; repo?: { full_name: string } | null };
  },
): PullRequestInfo {
  const headRepo = p.head.repo?.full_name ?? null;
  const baseRepo = p.base.repo?.full_name ?? gh.fullName;
  return {
    number: p.number,
    url: p.html_url,
    title: p.title,
    state: p.state === 'closed' ? 'closed' : 'open',
    merged: Boolean(p.merged_at),
    draft: Boolean(p.draft),
    author: p.user?.login ?? null,
    headSha: p.head.sha,
    headRef: p.head.ref,
    headRepo,
    baseRef: p.base.ref,
    baseSha: p.base.sha,
    fork: headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
  };
}
