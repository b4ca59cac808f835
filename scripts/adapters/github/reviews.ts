// Reviews of a pull request: who approves its head now, and whose approval counts. In a public
// repository anyone can review; an approval counts only from an account with write access.
import type { GitHubClient } from './client.ts';
import { GitHubApiError } from './types.ts';

/** A review as `approvals` needs it. */
export interface ReviewFact {
  login: string | null;
  state: string;
  commitId: string | null;
  submittedAt: string | null;
  /** GitHub's `author_association` (OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...). */
  association?: string;
}

/** An approval that does not count, and why. */
export interface RefusedApproval {
  login: string;
  /** The account's permission on the repository (`read`, `none`), as GitHub says it. */
  permission: string;
}

/** Approvals of the current head, split by whether the account may write to the repository. */
export interface TrustedApprovals {
  /** Logins with write access (admin, maintain, write) whose latest review approves the head. */
  approvals: string[];
  refused: RefusedApproval[];
}

/** Permissions that may merge, so whose approval counts. */
const WRITE = new Set(['admin', 'maintain', 'write']);

/**
 * The approvals of `headSha` that count: each approver's permission is read once per client
 * (one run) from `GET /repos/{owner}/{repo}/collaborators/{user}/permission` and cached.
 */
export async function trustedApprovals(
  gh: GitHubClient,
  pr: number,
  headSha: string,
  cache: Map<string, Promise<string>>,
): Promise<TrustedApprovals> {
  const logins = await approvals(gh, pr, headSha);
  const result: TrustedApprovals = { approvals: [], refused: [] };
  for (const login of logins) {
    const key = login.toLowerCase();
    let permission = cache.get(key);
    if (!permission) {
      permission = permissionOf(gh, login);
      cache.set(key, permission);
    }
    const level = await permission;
    if (WRITE.has(level)) result.approvals.push(login);
    else result.refused.push({ login, permission: level });
  }
  return result;
}

async function permissionOf(gh: GitHubClient, username: string): Promise<string> {
  try {
    const { data } = await gh.call(`read the permission of ${username}`, () =>
      gh.octokit.rest.repos.getCollaboratorPermissionLevel({ ...gh.where, username }),
    );
    return data.permission;
  } catch (error) {
    // Not a collaborator of a private repository, or no such user: no access.
    if (error instanceof GitHubApiError && error.status === 404) return 'none';
    throw error;
  }
}

/**
 * Who approves the pull request now: each reviewer's latest deciding review (APPROVED,
 * CHANGES_REQUESTED, DISMISSED; a COMMENTED review decides nothing) must be an approval of
 * `headSha`. An approval of an earlier commit is stale. Logins as GitHub spells them, sorted.
 */
export async function approvals(gh: GitHubClient, pr: number, headSha: string): Promise<string[]> {
  const reviews = await gh.call(`list reviews of #${pr}`, () =>
    gh.octokit.paginate(gh.octokit.rest.pulls.listReviews, {
      ...gh.where,
      pull_number: pr,
      per_page: 100,
    }),
  );
  return latestApprovals(
    reviews.map((r) => ({
      login: r.user?.login ?? null,
      state: r.state,
      commitId: r.commit_id ?? null,
      submittedAt: r.submitted_at ?? null,
      association: r.author_association,
    })),
    headSha,
  );
}

/**
 * The reviewers whose latest deciding review approves `headSha`. Reviews come in the order
 * GitHub lists them (oldest first); a DISMISSED or CHANGES_REQUESTED review cancels an earlier
 * approval, a COMMENTED or PENDING one leaves it standing.
 */
export function latestApprovals(reviews: readonly ReviewFact[], headSha: string): string[] {
  const deciding = new Map<string, ReviewFact>();
  for (const review of reviews) {
    if (!review.login) continue;
    if (!['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(review.state)) continue;
    deciding.set(review.login.toLowerCase(), review);
  }
  return [...deciding.values()]
    .filter((r) => r.state === 'APPROVED' && r.commitId === headSha)
    .map((r) => r.login as string)
    .sort((a, b) => a.localeCompare(b));
}
