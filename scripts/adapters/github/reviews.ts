// Reviews of a pull request: who approves its head now.
import type { GitHubClient } from './client.ts';

/** A review as `approvals` needs it. */
export interface ReviewFact {
  login: string | null;
  state: string;
  commitId: string | null;
  submittedAt: string | null;
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
