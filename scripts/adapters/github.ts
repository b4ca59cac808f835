// The GitHub side of the gate: one small class over @octokit/rest with intent-named methods.
// Every list goes through `paginate`, every failure leaves as one GitHubApiError (status and
// message, never the token), and the token lives in a private field that nothing prints.
import { inspect } from 'node:util';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

const GitHubOctokit = Octokit.plugin(retry, throttling);
type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

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
}

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

// Let every request through at once (tests): same shape as the Bottleneck group it replaces.
const UNPACED = {
  key: () => ({
    schedule: (_options: unknown, task: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(task(...args)),
  }),
};

export class GitHubRepo {
  readonly owner: string;
  readonly repo: string;
  readonly baseUrl: string;
  readonly #token: string;
  readonly #octokit: GitHubOctokit;

  constructor(options: GitHubRepoOptions) {
    if (!options.token) throw new Error('GitHubRepo needs a token');
    this.owner = options.owner;
    this.repo = options.repo;
    this.baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.#token = options.token;
    const retries = options.retries ?? 3;
    const base = options.retryAfterBaseMs ?? 1000;
    const warn = options.warn ?? (() => {});
    // Retry a limit that lifts soon; a primary limit that resets in an hour fails instead.
    const retryWithin =
      (maxSeconds: number) =>
      (after: number, _options: unknown, _octokit: unknown, count: number) =>
        count < retries && after <= maxSeconds;
    const unpaced = (options.paceWrites ?? true) ? {} : { write: UNPACED, notifications: UNPACED };
    this.#octokit = new GitHubOctokit({
      auth: options.token,
      baseUrl: this.baseUrl,
      userAgent: 'novavms-flags',
      request: options.fetch ? { fetch: options.fetch } : {},
      retry: { retries, retryAfterBaseValue: base },
      throttle: {
        retryAfterBaseValue: base,
        onSecondaryRateLimit: retryWithin(120),
        onRateLimit: retryWithin(60),
        ...(unpaced as object),
      },
      // Failures come back as GitHubApiError; the per-request error log would only repeat them.
      log: { debug: () => {}, info: () => {}, warn, error: () => {} },
    });
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

  // ---- comments -------------------------------------------------------------------------

  /**
   * Keeps one comment per pull request: found by its hidden marker across every page, edited in
   * place. A token that may not comment (a fork's read-only token: 403, or 404) gives `forbidden`.
   * With `create: false` only an existing comment is updated.
   */
  async upsertStickyComment(
    pr: number,
    marker: string,
    body: string,
    options: { create?: boolean } = {},
  ): Promise<StickyCommentResult> {
    const tag = hiddenMarker(marker);
    const text = body.includes(tag) ? body : `${tag}\n${body}`;
    try {
      const comments = await this.#call(`list comments of #${pr}`, () =>
        this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
          owner: this.owner,
          repo: this.repo,
          issue_number: pr,
          per_page: 100,
        }),
      );
      const mine = comments.filter((c) => (c.body ?? '').includes(tag));
      // Someone may quote the marker; the bot's own comment wins.
      const existing = mine.find((c) => c.user?.type === 'Bot') ?? mine[0];
      if (existing) {
        if (existing.body === text) {
          return { result: 'unchanged', id: existing.id, url: existing.html_url };
        }
        const { data } = await this.#call(`update comment ${existing.id}`, () =>
          this.#octokit.rest.issues.updateComment({
            owner: this.owner,
            repo: this.repo,
            comment_id: existing.id,
            body: text,
          }),
        );
        return { result: 'updated', id: data.id, url: data.html_url };
      }
      if (options.create === false) return { result: 'skipped', id: null, url: null };
      const { data } = await this.#call(`comment on #${pr}`, () =>
        this.#octokit.rest.issues.createComment({
          owner: this.owner,
          repo: this.repo,
          issue_number: pr,
          body: text,
        }),
      );
      return { result: 'created', id: data.id, url: data.html_url };
    } catch (error) {
      const denied = deniedWrite(error);
      if (denied) return { result: 'forbidden', id: null, url: null, ...denied };
      throw error;
    }
  }

  // ---- reviews --------------------------------------------------------------------------

  /**
   * Who approves the pull request now: each reviewer's latest deciding review (APPROVED,
   * CHANGES_REQUESTED, DISMISSED; a COMMENTED review decides nothing) must be an approval of
   * `headSha`. An approval of an earlier commit is stale. Logins as GitHub spells them, sorted.
   */
  async approvals(pr: number, headSha: string): Promise<string[]> {
    const reviews = await this.#call(`list reviews of #${pr}`, () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.listReviews, {
        owner: this.owner,
        repo: this.repo,
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

  // ---- issues ---------------------------------------------------------------------------

  /** Open issues labelled both `incident` and `flag:<key>` (pull requests excluded). */
  async openIncidents(flagKey: string): Promise<IssueInfo[]> {
    return this.#listIssues(`list incidents of ${flagKey}`, {
      state: 'open',
      labels: `incident,flag:${flagKey}`,
    });
  }

  /**
   * Keeps one issue, found by its hidden marker among issues carrying `labels[0]` (or all issues
   * when there is no label), up to date: created when needed and `open`, edited in place, closed
   * when `open` is false. Nothing is created just to be closed.
   */
  async upsertIssue(
    marker: string,
    title: string,
    body: string,
    labels: string[],
    options: { open?: boolean } = {},
  ): Promise<UpsertIssueResult> {
    const open = options.open ?? true;
    const tag = hiddenMarker(marker);
    const text = body.includes(tag) ? body : `${tag}\n${body}`;
    const candidates = await this.#listIssues(`find issue ${marker}`, {
      state: 'all',
      ...(labels[0] ? { labels: labels[0] } : {}),
    });
    const withMarker = await this.#issuesWithMarker(candidates, tag, labels[0]);
    const existing = withMarker.find((i) => i.state === 'open') ?? withMarker[0];
    const state = open ? 'open' : 'closed';
    if (!existing) {
      if (!open) return { result: 'none', number: null, url: null };
      const { data } = await this.#call('create issue', () =>
        this.#octokit.rest.issues.create({
          owner: this.owner,
          repo: this.repo,
          title,
          body: text,
          labels,
        }),
      );
      return { result: 'created', number: data.number, url: data.html_url };
    }
    if (existing.body === text && existing.title === title && existing.state === state) {
      return { result: 'unchanged', number: existing.number, url: existing.url };
    }
    await this.#call(`update issue #${existing.number}`, () =>
      this.#octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: existing.number,
        title,
        body: text,
        state,
      }),
    );
    return { result: 'updated', number: existing.number, url: existing.url };
  }

  /** Assigns an issue. Logins GitHub refuses (not collaborators) come back as a warning. */
  async assignIssue(issue: number, assignees: string[]): Promise<string | null> {
    try {
      await this.#call(`assign #${issue}`, () =>
        this.#octokit.rest.issues.addAssignees({
          owner: this.owner,
          repo: this.repo,
          issue_number: issue,
          assignees,
        }),
      );
      return null;
    } catch (error) {
      if (!(error instanceof GitHubApiError) || error.status < 400 || error.status >= 500)
        throw error;
      return error.message;
    }
  }

  // ---- commit statuses ------------------------------------------------------------------

  /** Sets a commit status. A token that may not (a fork's) gives `forbidden`, never a throw. */
  async setCommitStatus(
    sha: string,
    state: CommitState,
    context: string,
    description: string,
    targetUrl?: string,
  ): Promise<WriteResult> {
    try {
      await this.#call(`set status ${context} on ${sha.slice(0, 7)}`, () =>
        this.#octokit.rest.repos.createCommitStatus({
          owner: this.owner,
          repo: this.repo,
          sha,
          state,
          context,
          description: description.slice(0, 140),
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
  async commitStatus(sha: string, context: string): Promise<CommitStatusInfo | null> {
    const statuses = await this.#call(`list statuses of ${sha.slice(0, 7)}`, () =>
      this.#octokit.paginate(this.#octokit.rest.repos.listCommitStatusesForRef, {
        owner: this.owner,
        repo: this.repo,
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

  // ---- pull requests --------------------------------------------------------------------

  /** Open pull requests, optionally only those targeting `base`. */
  async openPullRequests(base?: string): Promise<PullRequestInfo[]> {
    const pulls = await this.#call('list open pull requests', () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.list, {
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        ...(base ? { base } : {}),
        per_page: 100,
      }),
    );
    return pulls.map((p) => this.#pullInfo(p));
  }

  async pullRequest(pr: number): Promise<PullRequestInfo> {
    const { data } = await this.#call(`get pull request #${pr}`, () =>
      this.#octokit.rest.pulls.get({ owner: this.owner, repo: this.repo, pull_number: pr }),
    );
    return this.#pullInfo(data);
  }

  /** Paths the pull request touches (both sides of a rename). */
  async pullRequestFiles(pr: number): Promise<string[]> {
    const files = await this.#call(`list files of #${pr}`, () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.listFiles, {
        owner: this.owner,
        repo: this.repo,
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
  async findPullRequestByHead(branch: string): Promise<PullRequestInfo | null> {
    const pulls = await this.#call(`find pull request from ${branch}`, () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.list, {
        owner: this.owner,
        repo: this.repo,
        state: 'all',
        head: `${this.owner}:${branch}`,
        per_page: 100,
      }),
    );
    const infos = pulls.map((p) => this.#pullInfo(p)).filter((p) => p.headRef === branch);
    return (
      infos.find((p) => p.state === 'open') ?? infos.sort((a, b) => b.number - a.number)[0] ?? null
    );
  }

  /**
   * Opens a pull request, then labels it and asks for reviews. Labels, reviewers and assignees
   * that GitHub refuses (not a collaborator, no such team) become warnings: the pull request
   * itself exists either way.
   */
  async openPullRequest(
    options: OpenPullRequestOptions,
  ): Promise<{ pr: PullRequestInfo; warnings: string[] }> {
    const { data } = await this.#call(`open pull request from ${options.head}`, () =>
      this.#octokit.rest.pulls.create({
        owner: this.owner,
        repo: this.repo,
        head: options.head,
        base: options.base,
        title: options.title,
        body: options.body,
        draft: options.draft ?? false,
      }),
    );
    const pr = this.#pullInfo(data);
    const warnings: string[] = [];
    const attempt = async (what: string, write: () => Promise<unknown>) => {
      try {
        await this.#call(what, write);
      } catch (error) {
        if (!(error instanceof GitHubApiError) || error.status < 400 || error.status >= 500) {
          throw error;
        }
        warnings.push(error.message);
      }
    };
    if (options.labels?.length) {
      const labels = options.labels;
      await attempt(`label #${pr.number}`, () =>
        this.#octokit.rest.issues.addLabels({
          owner: this.owner,
          repo: this.repo,
          issue_number: pr.number,
          labels,
        }),
      );
    }
    if (options.reviewers?.length || options.teamReviewers?.length) {
      const reviewers = options.reviewers ?? [];
      const teams = options.teamReviewers ?? [];
      await attempt(`request reviews on #${pr.number}`, () =>
        this.#octokit.rest.pulls.requestReviewers({
          owner: this.owner,
          repo: this.repo,
          pull_number: pr.number,
          reviewers,
          team_reviewers: teams,
        }),
      );
    }
    if (options.assignees?.length) {
      const assignees = options.assignees;
      await attempt(`assign #${pr.number}`, () =>
        this.#octokit.rest.issues.addAssignees({
          owner: this.owner,
          repo: this.repo,
          issue_number: pr.number,
          assignees,
        }),
      );
    }
    return { pr, warnings };
  }

  // ---- branches through the git data API (no local push) -------------------------------

  /** The commit a branch points at, or null when there is no such branch. */
  async branchSha(branch: string): Promise<string | null> {
    try {
      const { data } = await this.#call(`get branch ${branch}`, () =>
        this.#octokit.rest.git.getRef({
          owner: this.owner,
          repo: this.repo,
          ref: `heads/${branch}`,
        }),
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
  async createBranchWithChanges(options: {
    branch: string;
    base: string;
    message: string;
    files: FileChange[];
  }): Promise<{ sha: string }> {
    const baseSha = await this.branchSha(options.base);
    if (!baseSha) throw new GitHubApiError(404, `no branch ${options.base}`, 'create branch');
    const { data: baseCommit } = await this.#call(`get commit ${baseSha.slice(0, 7)}`, () =>
      this.#octokit.rest.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: baseSha }),
    );
    const tree: { path: string; mode: '100644'; type: 'blob'; sha: string | null }[] = [];
    for (const file of options.files) {
      let sha: string | null = null;
      if (file.content !== null) {
        const content = file.content;
        const { data } = await this.#call(`create blob for ${file.path}`, () =>
          this.#octokit.rest.git.createBlob({
            owner: this.owner,
            repo: this.repo,
            content,
            encoding: 'utf-8',
          }),
        );
        sha = data.sha;
      }
      tree.push({ path: file.path, mode: '100644', type: 'blob', sha });
    }
    const { data: newTree } = await this.#call('create tree', () =>
      this.#octokit.rest.git.createTree({
        owner: this.owner,
        repo: this.repo,
        base_tree: baseCommit.tree.sha,
        tree,
      }),
    );
    const { data: commit } = await this.#call('create commit', () =>
      this.#octokit.rest.git.createCommit({
        owner: this.owner,
        repo: this.repo,
        message: options.message,
        tree: newTree.sha,
        parents: [baseSha],
      }),
    );
    await this.#call(`create branch ${options.branch}`, () =>
      this.#octokit.rest.git.createRef({
        owner: this.owner,
        repo: this.repo,
        ref: `refs/heads/${options.branch}`,
        sha: commit.sha,
      }),
    );
    return { sha: commit.sha };
  }

  // ---- internals ------------------------------------------------------------------------

  async #call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof GitHubApiError) throw error;
      const status =
        typeof (error as { status?: unknown }).status === 'number'
          ? (error as { status: number }).status
          : 0;
      const raw = error instanceof Error ? error.message : String(error);
      // Nothing GitHub or fetch says should carry the token, but make sure of it.
      throw new GitHubApiError(status, raw.split(this.#token).join('***'), operation);
    }
  }

  async #listIssues(
    operation: string,
    query: { state: 'open' | 'closed' | 'all'; labels?: string },
  ): Promise<(IssueInfo & { body: string })[]> {
    const issues = await this.#call(operation, () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listForRepo, {
        owner: this.owner,
        repo: this.repo,
        ...query,
        per_page: 100,
      }),
    );
    return issues
      .filter((i) => !i.pull_request)
      .map((i) => ({
        number: i.number,
        url: i.html_url,
        title: i.title,
        state: i.state === 'closed' ? 'closed' : 'open',
        labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
        body: i.body ?? '',
      }));
  }

  async #issuesWithMarker(
    candidates: (IssueInfo & { body: string })[],
    tag: string,
    label: string | undefined,
  ): Promise<(IssueInfo & { body: string })[]> {
    const found = candidates.filter((i) => i.body.includes(tag));
    if (found.length > 0 || !label) return found;
    // The label was taken off by hand: look among open issues before creating a second one.
    const open = await this.#listIssues('find issue by marker', { state: 'open' });
    return open.filter((i) => i.body.includes(tag));
  }

  #pullInfo(p: {
    number: number;
    html_url: string;
    title: string;
    state: string;
    merged_at?: string | null;
    draft?: boolean;
    user?: { login: string } | null;
    head: { sha: string; ref: string; repo?: { full_name: string } | null };
    base: { sha: string; ref: string; repo?: { full_name: string } | null };
  }): PullRequestInfo {
    const headRepo = p.head.repo?.full_name ?? null;
    const baseRepo = p.base.repo?.full_name ?? this.fullName;
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
}

/** A review as `approvals` needs it. */
export interface ReviewFact {
  login: string | null;
  state: string;
  commitId: string | null;
  submittedAt: string | null;
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

/** 403/404 on a write: the token may not write here (a fork's pull request). Rate limits excluded. */
function deniedWrite(error: unknown): { status: number; message: string } | null {
  if (!(error instanceof GitHubApiError)) return null;
  if (error.status !== 403 && error.status !== 404) return null;
  if (/rate limit/i.test(error.message)) return null;
  return { status: error.status, message: error.message };
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
