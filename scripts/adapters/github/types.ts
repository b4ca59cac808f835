// The shapes the GitHub adapter hands out and takes in, and its one error class.

export interface GitHubRepoOptions {
  token: string;
  /** REST API root, e.g. `https://api.github.com` (Actions: `GITHUB_API_URL`). */
  baseUrl?: string;
  owner: string;
  repo: string;
  /** A fetch implementation (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** How often a failed request (5xx, secondary rate limit) is retried. Default 3. */
  retries?: number;
  /** Milliseconds per unit of `retry-after` and of the retry back-off. Default 1000; tests: 1. */
  retryAfterBaseMs?: number;
  /** Pace writes as GitHub asks (one a second, notifications one in three). Default true. */
  paceWrites?: boolean;
  /** Warnings from octokit (deprecations, a limit handler failing). Default: nowhere. */
  warn?: (message: string) => void;
  /**
   * Answers of earlier GET requests by URL, sent back as `If-None-Match`: GitHub answers 304
   * when nothing changed and does not count it against the rate limit. Kept between runs by
   * the caller (the re-check stores it in .git/, restored by the Actions cache).
   */
  etags?: EtagStore;
}

/** A GET answer kept for a conditional request: its ETag, its data and its Link header. */
export interface EtagEntry {
  etag: string;
  data: unknown;
  link?: string;
}

export type EtagStore = Map<string, EtagEntry>;

/** One failed GitHub API call: its HTTP status (0 when no answer) and GitHub's message. */
export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  constructor(
    readonly status: number,
    message: string,
    /** What was being done, e.g. `list comments of #12`. */
    readonly operation: string,
  ) {
    super(`GitHub API: ${operation} failed (${status || 'no answer'}): ${message}`);
  }
}

export interface PullRequestInfo {
  number: number;
  url: string;
  title: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  author: string | null;
  headSha: string;
  headRef: string;
  /** `owner/name` of the head repository, null when the fork was deleted. */
  headRepo: string | null;
  baseRef: string;
  baseSha: string;
  /** The head lives in another repository: the workflow token there is read-only. */
  fork: boolean;
}

export interface IssueInfo {
  number: number;
  url: string;
  title: string;
  state: 'open' | 'closed';
  labels: string[];
}

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusInfo {
  state: CommitState;
  description: string | null;
  targetUrl: string | null;
}

/**
 * What happened to the sticky comment. `forbidden`: the token may not comment (a fork);
 * `skipped`: there was none and `create: false` was asked.
 */
export interface StickyCommentResult {
  result: 'created' | 'updated' | 'unchanged' | 'forbidden' | 'skipped';
  id: number | null;
  url: string | null;
  /** For `forbidden`: GitHub's status and message. */
  status?: number;
  message?: string;
}

export interface WriteResult {
  result: 'written' | 'forbidden';
  status?: number;
  message?: string;
}

export interface UpsertIssueResult {
  result: 'created' | 'updated' | 'unchanged' | 'none';
  number: number | null;
  url: string | null;
}

export interface OpenPullRequestOptions {
  head: string;
  base: string;
  title: string;
  body: string;
  labels?: string[];
  /** Logins, without `@`. */
  reviewers?: string[];
  /** Team slugs of this repository's organisation, without `@org/`. */
  teamReviewers?: string[];
  assignees?: string[];
  draft?: boolean;
}

export interface FileChange {
  /** Repo-relative path with forward slashes. */
  path: string;
  /** New content (UTF-8), or null to delete the file. */
  content: string | null;
}

/** Renders `<!-- marker -->`, the hidden line that identifies a comment or an issue. */
export function hiddenMarker(marker: string): string {
  return `<!-- ${marker} -->`;
}

/** 403/404 on a write: the token may not write here (a fork's pull request). Rate limits excluded. */
export function deniedWrite(error: unknown): { status: number; message: string } | null {
  if (!(error instanceof GitHubApiError)) return null;
  if (error.status !== 403 && error.status !== 404) return null;
  if (/rate limit/i.test(error.message)) return null;
  return { status: error.status, message: error.message };
}
