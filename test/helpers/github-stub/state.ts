// The repository the stand-in keeps in memory, with its settings, and the seeding a test does
// before the code under test asks.
import {
  sha,
  type StubComment,
  type StubCommit,
  type StubIssue,
  type StubPull,
  type StubReview,
  type StubStatus,
  type StubUser,
} from './types.ts';

export class StubState {
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  url = '';
  /** GitHub caps `per_page` at 100; its default is 30. */
  maxPerPage = 100;
  /** The primary rate limit: GITHUB_TOKEN has 1,000 requests an hour per repository. */
  readonly rateLimit = { limit: 1000, used: 0 };
  /**
   * Which token asks: the workflow's GITHUB_TOKEN cannot request team reviews; a GitHub App's or
   * a person's (an engineer's `--open-pr`) can.
   */
  tokenKind: 'workflow' | 'app' | 'user' = 'workflow';
  /** The repository setting "Allow GitHub Actions to create and approve pull requests". */
  actionsMayCreatePullRequests = true;
  /** Commits the repository has beyond the stand-in's own (a test clone's), for statuses. */
  readonly knownShas = new Set<string>();
  readonly issues = new Map<number, StubIssue>();
  readonly pulls = new Map<number, StubPull>();
  readonly comments: StubComment[] = [];
  readonly reviews: StubReview[] = [];
  readonly statuses: StubStatus[] = [];
  readonly refs = new Map<string, string>();
  /** Collaborator permission per login (lower case): admin, maintain, write, triage, read, none. */
  readonly permissions = new Map<string, string>();
  readonly commits = new Map<string, StubCommit>();
  readonly trees = new Map<string, Map<string, string>>();
  readonly blobs = new Map<string, string>();
  #nextId = 1000;
  #nextNumber = 1;
  #clock = Date.parse('2026-11-20T09:00:00Z');

  constructor(options: { owner?: string; repo?: string; token?: string } = {}) {
    this.owner = options.owner ?? 'novalien';
    this.repo = options.repo ?? 'flags';
    this.token = options.token ?? 'ghs_stubtoken0123456789';
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** The stand-in's clock in epoch milliseconds (it moves one second per record made). */
  get clock(): number {
    return this.#clock;
  }

  // ---- seeding --------------------------------------------------------------------------

  addIssue(options: {
    title: string;
    body?: string;
    labels?: string[];
    state?: 'open' | 'closed';
    user?: StubUser;
  }): StubIssue {
    const issue: StubIssue = {
      number: this.#nextNumber++,
      title: options.title,
      body: options.body ?? '',
      state: options.state ?? 'open',
      labels: options.labels ?? [],
      assignees: [],
      user: options.user ?? { login: 'octocat', type: 'User' },
      createdAt: this.tick(),
      isPull: false,
    };
    this.issues.set(issue.number, issue);
    return issue;
  }

  addPull(options: {
    headSha: string;
    headRef?: string;
    headRepo?: string;
    baseRef?: string;
    baseSha?: string;
    title?: string;
    body?: string;
    files?: string[];
    state?: 'open' | 'closed';
    draft?: boolean;
    labels?: string[];
    user?: StubUser;
  }): StubPull {
    const issue = this.addIssue({
      title: options.title ?? 'A change',
      body: options.body ?? '',
      labels: options.labels ?? [],
      state: options.state ?? 'open',
      user: options.user ?? { login: 'octocat', type: 'User' },
    });
    issue.isPull = true;
    const pull: StubPull = {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      draft: options.draft ?? false,
      merged: false,
      headSha: options.headSha,
      headRef: options.headRef ?? `change-${issue.number}`,
      headRepo: options.headRepo ?? this.fullName,
      baseRef: options.baseRef ?? 'main',
      baseSha: options.baseSha ?? this.refs.get('heads/main') ?? sha('base'),
      files: options.files ?? [],
      requestedReviewers: [],
      requestedTeams: [],
      user: issue.user,
    };
    this.pulls.set(pull.number, pull);
    return pull;
  }

  addComment(issue: number, body: string, user: StubUser = { login: 'octocat', type: 'User' }) {
    const comment: StubComment = { id: this.nextId(), issue, body, user, createdAt: this.tick() };
    this.comments.push(comment);
    return comment;
  }

  /**
   * A review. Its author's permission follows the association unless set before: a collaborator,
   * member or owner writes; anyone else (in a public repository anyone may review) only reads.
   */
  addReview(pr: number, review: Omit<StubReview, 'id' | 'pr' | 'submittedAt'>): StubReview {
    const association = review.association ?? 'COLLABORATOR';
    const key = review.login.toLowerCase();
    if (!this.permissions.has(key)) {
      const writes = ['OWNER', 'MEMBER', 'COLLABORATOR'].includes(association);
      this.permissions.set(key, writes ? 'write' : 'read');
    }
    const added: StubReview = {
      id: this.nextId(),
      pr,
      submittedAt: this.tick(),
      ...review,
      association,
    };
    this.reviews.push(added);
    return added;
  }

  /** Dismisses a review: GitHub turns the review itself into DISMISSED. */
  dismissReview(id: number): void {
    const review = this.reviews.find((r) => r.id === id);
    if (review) review.state = 'DISMISSED';
  }

  /** Makes `branch` point at a new commit holding exactly `files`. Returns the commit. */
  seedBranch(branch: string, files: Record<string, string>): string {
    const tree = new Map<string, string>();
    for (const [path, content] of Object.entries(files)) tree.set(path, this.blob(content));
    const treeSha = this.tree(tree);
    const parent = this.refs.get(`heads/${branch}`);
    const commitSha = this.commit({
      tree: treeSha,
      parents: parent ? [parent] : [],
      message: 'seed',
    });
    this.refs.set(`heads/${branch}`, commitSha);
    return commitSha;
  }

  /** The files on `branch` (path to content), or null when there is no such branch. */
  filesAt(branch: string): Record<string, string> | null {
    const head = this.refs.get(`heads/${branch}`);
    const commit = head ? this.commits.get(head) : undefined;
    const tree = commit ? this.trees.get(commit.tree) : undefined;
    if (!tree) return null;
    return Object.fromEntries([...tree].map(([path, blob]) => [path, this.blobs.get(blob) ?? '']));
  }

  latestStatus(sha: string, context: string): StubStatus | undefined {
    return this.statuses.filter((s) => s.sha === sha && s.context === context).at(-1);
  }

  commentsOn(issue: number): StubComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  // ---- the routes' helpers --------------------------------------------------------------

  /** A fresh id for a comment, review, status or commit. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Timestamps one second apart, in creation order. */
  tick(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Whether the repository has `commitSha` (statuses on any other answer 422). */
  hasCommit(commitSha: string): boolean {
    if (this.commits.has(commitSha) || this.knownShas.has(commitSha)) return true;
    return [...this.pulls.values()].some((p) => p.headSha === commitSha || p.baseSha === commitSha);
  }

  /** The paths that differ between two of the stand-in's commits. */
  diff(baseSha: string, headSha: string): string[] {
    const files = (commitSha: string) =>
      this.trees.get(this.commits.get(commitSha)?.tree ?? '') ?? new Map<string, string>();
    const base = files(baseSha);
    const head = files(headSha);
    const paths = new Set([...base.keys(), ...head.keys()]);
    return [...paths].filter((p) => base.get(p) !== head.get(p)).sort();
  }

  blob(content: string): string {
    const blobSha = sha(`blob:${content}`);
    this.blobs.set(blobSha, content);
    return blobSha;
  }

  tree(entries: Map<string, string>): string {
    const treeSha = sha(`tree:${JSON.stringify([...entries].sort())}`);
    this.trees.set(treeSha, entries);
    return treeSha;
  }

  commit(commit: StubCommit): string {
    const commitSha = sha(`commit:${this.nextId()}:${JSON.stringify(commit)}`);
    this.commits.set(commitSha, commit);
    return commitSha;
  }
}
