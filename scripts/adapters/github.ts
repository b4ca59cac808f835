// The GitHub side of the gate: one small facade with intent-named methods over the concern
// modules in ./github/ (comments, reviews, statuses, pull requests, issues, refs). Every list
// goes through `paginate`, every failure leaves as one GitHubApiError (status and message, never
// the token), and the token lives in a private field of the client that nothing prints.
import { inspect } from 'node:util';
import { GitHubClient } from './github/client.ts';
import { upsertStickyComment } from './github/comments.ts';
import { assignIssue, openIncidents, upsertIssue } from './github/issues.ts';
import {
  findPullRequestByHead,
  openPullRequest,
  openPullRequests,
  pullRequest,
  pullRequestFiles,
} from './github/pull-requests.ts';
import { branchSha, createBranchWithChanges } from './github/refs.ts';
import { approvals, trustedApprovals, type TrustedApprovals } from './github/reviews.ts';
import { commitStatus, setCommitStatus } from './github/statuses.ts';
import type {
  CommitState,
  CommitStatusInfo,
  FileChange,
  GitHubRepoOptions,
  IssueInfo,
  OpenPullRequestOptions,
  PullRequestInfo,
  StickyCommentResult,
  UpsertIssueResult,
  WriteResult,
} from './github/types.ts';

export * from './github/types.ts';
export {
  latestApprovals,
  type RefusedApproval,
  type ReviewFact,
  type TrustedApprovals,
} from './github/reviews.ts';

export class GitHubRepo {
  readonly owner: string;
  readonly repo: string;
  readonly baseUrl: string;
  readonly #gh: GitHubClient;
  // Permissions read once per run (one client), however many pull requests ask.
  readonly #permissions = new Map<string, Promise<string>>();

  constructor(options: GitHubRepoOptions) {
    this.#gh = new GitHubClient(options);
    this.owner = this.#gh.owner;
    this.repo = this.#gh.repo;
    this.baseUrl = this.#gh.baseUrl;
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  [inspect.custom](): string {
    return `GitHubRepo { ${this.fullName} at ${this.baseUrl} }`;
  }

  toJSON(): { owner: string; repo: string; baseUrl: string } {
    return { owner: this.owner, repo: this.repo, baseUrl: this.baseUrl };
  }

  upsertStickyComment(
    pr: number,
    marker: string,
    body: string,
    options: { create?: boolean; botLogin?: string } = {},
  ): Promise<StickyCommentResult> {
    return upsertStickyComment(this.#gh, pr, marker, body, options);
  }

  approvals(pr: number, headSha: string): Promise<string[]> {
    return approvals(this.#gh, pr, headSha);
  }

  /** Approvals of the head that count: only from accounts with write access (cached per run). */
  trustedApprovals(pr: number, headSha: string): Promise<TrustedApprovals> {
    return trustedApprovals(this.#gh, pr, headSha, this.#permissions);
  }

  openIncidents(flagKey: string): Promise<IssueInfo[]> {
    return openIncidents(this.#gh, flagKey);
  }

  upsertIssue(
    marker: string,
    title: string,
    body: string,
    labels: string[],
    options: { open?: boolean } = {},
  ): Promise<UpsertIssueResult> {
    return upsertIssue(this.#gh, marker, title, body, labels, options);
  }

  /** Assigns an issue. Logins GitHub refuses (not collaborators) come back as a warning. */
  assignIssue(issue: number, assignees: string[]): Promise<string | null> {
    return assignIssue(this.#gh, issue, assignees);
  }

  setCommitStatus(
    sha: string,
    state: CommitState,
    context: string,
    description: string,
    targetUrl?: string,
  ): Promise<WriteResult> {
    return setCommitStatus(this.#gh, sha, state, context, description, targetUrl);
  }

  commitStatus(sha: string, context: string): Promise<CommitStatusInfo | null> {
    return commitStatus(this.#gh, sha, context);
  }

  openPullRequests(base?: string): Promise<PullRequestInfo[]> {
    return openPullRequests(this.#gh, base);
  }

  pullRequest(pr: number): Promise<PullRequestInfo> {
    return pullRequest(this.#gh, pr);
  }

  pullRequestFiles(pr: number): Promise<string[]> {
    return pullRequestFiles(this.#gh, pr);
  }

  findPullRequestByHead(branch: string): Promise<PullRequestInfo | null> {
    return findPullRequestByHead(this.#gh, branch);
  }

  openPullRequest(
    options: OpenPullRequestOptions,
  ): Promise<{ pr: PullRequestInfo; warnings: string[] }> {
    return openPullRequest(this.#gh, options);
  }

  branchSha(branch: string): Promise<string | null> {
    return branchSha(this.#gh, branch);
  }

  createBranchWithChanges(options: {
    branch: string;
    base: string;
    message: string;
    files: FileChange[];
  }): Promise<{ sha: string }> {
    return createBranchWithChanges(this.#gh, options);
  }
}

/**
 * The repository of the running workflow: `GITHUB_TOKEN`, `GITHUB_REPOSITORY` (`owner/name`) and
 * `GITHUB_API_URL` (default `https://api.github.com`). Null when token or repository is missing.
 */
export function githubFromEnv(
  env: Record<string, string | undefined>,
  extra: Partial<Omit<GitHubRepoOptions, 'token' | 'owner' | 'repo'>> = {},
): GitHubRepo | null {
  const token = env['GITHUB_TOKEN'];
  const [owner, repo, ...rest] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!token || !owner || !repo || rest.length > 0) return null;
  return new GitHubRepo({
    token,
    owner,
    repo,
    baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
    ...extra,
  });
}
