// A local stand-in for the GitHub REST API: a real HTTP server on 127.0.0.1 (port 0) that keeps
// one repository in memory and answers the endpoints the project uses in GitHub's shapes, with
// Link-header pagination, a fork switch (writes answer 403 as a read-only token gets), a
// secondary-rate-limit switch, and a record of every request for tests to assert on.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubRepo, type GitHubRepoOptions } from '../../scripts/adapters/github.ts';
import { openApiProblem, scopeOfWrite, workflowPermissions } from './github-openapi.ts';

export interface StubUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface StubIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  user: StubUser;
  createdAt: string;
  /** Set when this issue is a pull request. */
  isPull: boolean;
}

export interface StubPull {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  headSha: string;
  headRef: string;
  /** `owner/name` of the head repository (another one for a fork). */
  headRepo: string;
  baseRef: string;
  baseSha: string;
  files: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  user: StubUser;
}

export interface StubComment {
  id: number;
  issue: number;
  body: string;
  user: StubUser;
  createdAt: string;
}

export interface StubReview {
  id: number;
  pr: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitId: string;
  submittedAt: string;
  /** GitHub's author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ... */
  association?: string;
}

export interface StubStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query, e.g. `/repos/o/r/issues/1/comments`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

interface StubCommit {
  tree: string;
  parents: string[];
  message: string;
}

export const BOT: StubUser = { login: 'github-actions[bot]', type: 'Bot' };

export class GitHubStub {
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  url = '';
  /** Every request answered, in order. */
  readonly requests: RecordedRequest[] = [];
  /** A fork's read-only token: every write answers 403 "Resource not accessible by integration". */
  forkMode = false;
  /** GitHub caps `per_page` at 100; its default is 30. */
  maxPerPage = 100;
  /** Requests GitHub's REST description refuses (no such operation, a body its schema refuses). */
  readonly openApiProblems: string[] = [];
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
  /** The `permissions:` of the workflow job the token belongs to; null grants every write. */
  grants: Record<string, string> | null = null;
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
  #secondaryLimits = 0;
  #nextId = 1000;
  #nextNumber = 1;
  #clock = Date.parse('2026-11-20T09:00:00Z');
  #server = createServer((req, res) => void this.#handle(req, res));

  constructor(options: { owner?: string; repo?: string; token?: string } = {}) {
    this.owner = options.owner ?? 'novalien';
    this.repo = options.repo ?? 'flags';
    this.token = options.token ?? 'ghs_stubtoken0123456789';
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Stops the server; fails when any request was one GitHub's REST description refuses. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (this.openApiProblems.length > 0) {
      throw new Error(`requests GitHub would refuse:\n${this.openApiProblems.join('\n')}`);
    }
  }

  /** Writes as the token of `job` in `workflowFile` may (its `permissions:` block). */
  useWorkflowPermissions(workflowFile: string, job: string): void {
    this.grants = workflowPermissions(workflowFile, job);
  }

  /** A client for this stub, with tiny retry delays and no write pacing. */
  client(options: Partial<GitHubRepoOptions> = {}): GitHubRepo {
    return new GitHubRepo({
      token: this.token,
      baseUrl: this.url,
      owner: this.owner,
      repo: this.repo,
      retryAfterBaseMs: 1,
      paceWrites: false,
      ...options,
    });
  }

  /** The environment a workflow step would see for this repository. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      GITHUB_TOKEN: this.token,
      GITHUB_API_URL: this.url,
      GITHUB_REPOSITORY: this.fullName,
      ...extra,
    };
  }

  /** The next `count` requests answer 403 with `retry-after: 1` and GitHub's secondary-limit text. */
  secondaryRateLimit(count = 1): void {
    this.#secondaryLimits = count;
  }

  requestsTo(method: string, pathPattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
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
      createdAt: this.#tick(),
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
    const comment: StubComment = { id: this.#nextId++, issue, body, user, createdAt: this.#tick() };
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
      id: this.#nextId++,
      pr,
      submittedAt: this.#tick(),
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
    for (const [path, content] of Object.entries(files)) tree.set(path, this.#blob(content));
    const treeSha = this.#tree(tree);
    const parent = this.refs.get(`heads/${branch}`);
    const commitSha = this.#commit({
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

  // ---- HTTP -----------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    let body: unknown = null;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (chunks.length > 0) {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const record: RecordedRequest = { method, path, query, body, status: 0 };
    this.requests.push(record);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `STUB:${this.requests.length}`,
        ...headers,
      });
      res.end(data === null ? '' : JSON.stringify(data));
    };
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return send(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    if (this.#secondaryLimits > 0) {
      this.#secondaryLimits--;
      return send(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
        { 'retry-after': '1' },
      );
    }
    if (this.forkMode && method !== 'GET' && method !== 'HEAD') {
      return send(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const problem = openApiProblem(method, url.pathname, body);
    if (problem) {
      this.openApiProblems.push(problem);
      return send(problem.includes('no such operation') ? 404 : 422, { message: problem });
    }
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!path.startsWith(`${prefix}/`)) return send(404, { message: 'Not Found' });
    const scopes = scopeOfWrite(method, path.slice(prefix.length));
    if (this.grants && scopes.length > 0 && !scopes.some((s) => this.grants?.[s] === 'write')) {
      return send(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const limited = this.#rateLimited();
    if (limited) return send(403, limited.data, limited.headers);
    const route = `${method} ${path.slice(prefix.length)}`;
    try {
      const refused = this.#githubRefuses(route, (body ?? {}) as Record<string, unknown>);
      const answer =
        refused ?? this.#route(route, query, (body ?? {}) as Record<string, unknown>, url);
      if (!answer) return send(404, { message: 'Not Found' });
      const headers = { ...this.#rateHeaders(), ...answer.headers };
      if (method === 'GET' && answer.status === 200) {
        const etag = `"${sha(JSON.stringify(answer.data))}"`;
        // GitHub does not count a 304 against the rate limit.
        if (req.headers['if-none-match'] === etag) {
          this.rateLimit.used -= 1;
          return send(304, null, { ...this.#rateHeaders(), etag });
        }
        return send(answer.status, answer.data, { ...headers, etag });
      }
      return send(answer.status, answer.data, headers);
    } catch (error) {
      return send(500, { message: (error as Error).message });
    }
  }

  /** Counts the request; the 403 GitHub answers once the hour's budget is spent, or null. */
  #rateLimited(): { data: unknown; headers: Record<string, string> } | null {
    if (this.rateLimit.used >= this.rateLimit.limit) {
      return {
        data: {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
        headers: this.#rateHeaders(),
      };
    }
    this.rateLimit.used += 1;
    return null;
  }

  #rateHeaders(): Record<string, string> {
    const { limit, used } = this.rateLimit;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - used)),
      'x-ratelimit-used': String(used),
      'x-ratelimit-reset': String(Math.floor(this.#clock / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
  }

  /** What GitHub refuses although the schema allows it: long bodies, unknown SHAs, settings. */
  #githubRefuses(
    route: string,
    body: Record<string, unknown>,
  ): { status: number; data: unknown; headers?: Record<string, string> } | null {
    const text = body['body'];
    if (
      typeof text === 'string' &&
      text.length > 65_536 &&
      /^(POST|PATCH) \/(issues|pulls)/.test(route)
    ) {
      return {
        status: 422,
        data: {
          message: 'Validation Failed',
          errors: [
            {
              code: 'custom',
              field: 'body',
              message: 'body is too long (maximum is 65536 characters)',
            },
          ],
        },
      };
    }
    const status = /^POST \/statuses\/([0-9a-f]{40})$/.exec(route);
    if (status && !this.#hasCommit(status[1] as string)) {
      return { status: 422, data: { message: `No commit found for SHA: ${status[1]}` } };
    }
    if (
      route === 'POST /pulls' &&
      this.tokenKind === 'workflow' &&
      !this.actionsMayCreatePullRequests
    ) {
      return {
        status: 403,
        data: { message: 'GitHub Actions is not permitted to create or approve pull requests.' },
      };
    }
    const teams = body['team_reviewers'];
    if (
      /^POST \/pulls\/\d+\/requested_reviewers$/.test(route) &&
      this.tokenKind === 'workflow' &&
      Array.isArray(teams) &&
      teams.length > 0
    ) {
      return {
        status: 422,
        data: {
          message:
            'Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the repository.',
        },
      };
    }
    return null;
  }

  #hasCommit(commitSha: string): boolean {
    if (this.commits.has(commitSha) || this.knownShas.has(commitSha)) return true;
    return [...this.pulls.values()].some((p) => p.headSha === commitSha || p.baseSha === commitSha);
  }

  #route(
    route: string,
    query: Record<string, string>,
    body: Record<string, unknown>,
    url: URL,
  ): { status: number; data: unknown; headers?: Record<string, string> } | null {
    let m: RegExpMatchArray | null;
    const page = (items: unknown[]) => this.#page(items, query, url);

    // comments
    if ((m = route.match(/^GET \/issues\/(\d+)\/comments$/))) {
      return page(this.commentsOn(Number(m[1])).map((c) => this.#commentJson(c)));
    }
    if ((m = route.match(/^POST \/issues\/(\d+)\/comments$/))) {
      if (!this.issues.has(Number(m[1]))) return null;
      const comment = this.addComment(Number(m[1]), str(body['body']), BOT);
      return { status: 201, data: this.#commentJson(comment) };
    }
    if ((m = route.match(/^PATCH \/issues\/comments\/(\d+)$/))) {
      const comment = this.comments.find((c) => c.id === Number(m?.[1]));
      if (!comment) return null;
      comment.body = str(body['body']);
      return { status: 200, data: this.#commentJson(comment) };
    }

    // issues
    if (route === 'GET /issues') {
      const state = query['state'] ?? 'open';
      const labels = (query['labels'] ?? '').split(',').filter(Boolean);
      const issues = [...this.issues.values()]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.number - a.number);
      return page(issues.map((i) => this.#issueJson(i)));
    }
    if (route === 'POST /issues') {
      const issue = this.addIssue({
        title: str(body['title']),
        body: str(body['body'], ''),
        labels: (body['labels'] as string[] | undefined) ?? [],
        user: BOT,
      });
      return { status: 201, data: this.#issueJson(issue) };
    }
    if ((m = route.match(/^PATCH \/issues\/(\d+)$/))) {
      const issue = this.issues.get(Number(m[1]));
      if (!issue) return null;
      if (typeof body['title'] === 'string') issue.title = body['title'];
      if (typeof body['body'] === 'string') issue.body = body['body'];
      if (body['state'] === 'open' || body['state'] === 'closed') issue.state = body['state'];
      return { status: 200, data: this.#issueJson(issue) };
    }
    if ((m = route.match(/^POST \/issues\/(\d+)\/labels$/))) {
      const issue = this.issues.get(Number(m[1]));
      if (!issue) return null;
      for (const label of (body['labels'] as string[]) ?? []) {
        if (!issue.labels.includes(label)) issue.labels.push(label);
      }
      return { status: 200, data: issue.labels.map((name) => ({ name })) };
    }
    if ((m = route.match(/^POST \/issues\/(\d+)\/assignees$/))) {
      const issue = this.issues.get(Number(m[1]));
      if (!issue) return null;
      issue.assignees.push(...((body['assignees'] as string[]) ?? []));
      return { status: 201, data: this.#issueJson(issue) };
    }

    // pull requests
    if (route === 'GET /pulls') {
      const state = query['state'] ?? 'open';
      const [headOwner, headRef] = (query['head'] ?? '').split(':');
      const pulls = [...this.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !query['base'] || p.baseRef === query['base'])
        .filter(
          (p) =>
            !query['head'] || (p.headRef === headRef && p.headRepo.split('/')[0] === headOwner),
        )
        .sort((a, b) => b.number - a.number);
      return page(pulls.map((p) => this.#pullJson(p)));
    }
    if (route === 'POST /pulls') {
      const head = str(body['head']);
      const base = str(body['base']);
      const headSha = this.refs.get(`heads/${head}`);
      const baseSha = this.refs.get(`heads/${base}`);
      if (!headSha || !baseSha) {
        return { status: 422, data: { message: 'Validation Failed', errors: [{ field: 'head' }] } };
      }
      const open = [...this.pulls.values()].find((p) => p.headRef === head && p.state === 'open');
      if (open) {
        return {
          status: 422,
          data: { message: `A pull request already exists for ${this.owner}:${head}.` },
        };
      }
      const pull = this.addPull({
        headSha,
        headRef: head,
        baseRef: base,
        baseSha,
        title: str(body['title']),
        body: str(body['body'], ''),
        draft: Boolean(body['draft']),
        files: this.#diff(baseSha, headSha),
        user: BOT,
      });
      return { status: 201, data: this.#pullJson(pull) };
    }
    if ((m = route.match(/^GET \/pulls\/(\d+)$/))) {
      const pull = this.pulls.get(Number(m[1]));
      return pull ? { status: 200, data: this.#pullJson(pull) } : null;
    }
    if ((m = route.match(/^GET \/pulls\/(\d+)\/files$/))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return null;
      // GitHub lists at most 3,000 files of a pull request, however many it changes.
      return page(
        pull.files.slice(0, 3000).map((filename) => ({
          sha: sha(`file:${filename}`),
          filename,
          status: 'modified',
          additions: 1,
          deletions: 1,
          changes: 2,
          blob_url: '',
          raw_url: '',
          contents_url: '',
        })),
      );
    }
    if ((m = route.match(/^GET \/pulls\/(\d+)\/reviews$/))) {
      const pr = Number(m[1]);
      if (!this.pulls.has(pr)) return null;
      return page(
        this.reviews
          .filter((r) => r.pr === pr)
          .map((r) => ({
            id: r.id,
            user: { login: r.login, type: 'User' },
            state: r.state,
            commit_id: r.commitId,
            submitted_at: r.submittedAt,
            author_association: r.association ?? 'COLLABORATOR',
            body: '',
          })),
      );
    }
    if ((m = route.match(/^POST \/pulls\/(\d+)\/requested_reviewers$/))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return null;
      pull.requestedReviewers.push(...((body['reviewers'] as string[]) ?? []));
      pull.requestedTeams.push(...((body['team_reviewers'] as string[]) ?? []));
      return { status: 201, data: this.#pullJson(pull) };
    }

    // collaborators: a public repository answers `read` for any account it does not know.
    if ((m = route.match(/^GET \/collaborators\/([^/]+)\/permission$/))) {
      const user = m[1] as string;
      const permission = this.permissions.get(user.toLowerCase()) ?? 'read';
      return {
        status: 200,
        data: { permission, role_name: permission, user: { login: user, type: 'User' } },
      };
    }

    // commit statuses
    if ((m = route.match(/^POST \/statuses\/([0-9a-f]{40})$/))) {
      const status: StubStatus = {
        id: this.#nextId++,
        sha: m[1] as string,
        state: str(body['state']),
        context: str(body['context'], 'default'),
        description: (body['description'] as string | undefined) ?? null,
        targetUrl: (body['target_url'] as string | undefined) ?? null,
        createdAt: this.#tick(),
      };
      this.statuses.push(status);
      return { status: 201, data: this.#statusJson(status) };
    }
    if ((m = route.match(/^GET \/commits\/([^/]+)\/statuses$/))) {
      const ref = m[1] as string;
      const sha = this.refs.get(`heads/${ref}`) ?? ref;
      return page(
        this.statuses
          .filter((s) => s.sha === sha)
          .reverse()
          .map((s) => this.#statusJson(s)),
      );
    }

    // git data
    if ((m = route.match(/^GET \/git\/ref\/(.+)$/))) {
      const sha = this.refs.get(m[1] as string);
      if (!sha) return null;
      return {
        status: 200,
        data: { ref: `refs/${m[1]}`, object: { sha, type: 'commit', url: '' } },
      };
    }
    if ((m = route.match(/^GET \/git\/commits\/([0-9a-f]{40})$/))) {
      const commit = this.commits.get(m[1] as string);
      if (!commit) return null;
      return {
        status: 200,
        data: {
          sha: m[1],
          message: commit.message,
          tree: { sha: commit.tree },
          parents: commit.parents.map((p) => ({ sha: p })),
        },
      };
    }
    if (route === 'POST /git/blobs') {
      const content =
        body['encoding'] === 'base64'
          ? Buffer.from(str(body['content']), 'base64').toString('utf8')
          : str(body['content']);
      return { status: 201, data: { sha: this.#blob(content), url: '' } };
    }
    if (route === 'POST /git/trees') {
      const base = body['base_tree'] ? this.trees.get(str(body['base_tree'])) : undefined;
      const tree = new Map(base ?? []);
      for (const entry of (body['tree'] as {
        path: string;
        sha?: string | null;
        content?: string;
      }[]) ?? []) {
        if (entry.content !== undefined) tree.set(entry.path, this.#blob(entry.content));
        else if (entry.sha === null) tree.delete(entry.path);
        else if (entry.sha) tree.set(entry.path, entry.sha);
      }
      return { status: 201, data: { sha: this.#tree(tree), tree: [] } };
    }
    if (route === 'POST /git/commits') {
      const commitSha = this.#commit({
        tree: str(body['tree']),
        parents: (body['parents'] as string[]) ?? [],
        message: str(body['message']),
      });
      return { status: 201, data: { sha: commitSha, tree: { sha: body['tree'] } } };
    }
    if (route === 'POST /git/refs') {
      const ref = str(body['ref']).replace(/^refs\//, '');
      if (this.refs.has(ref)) return { status: 422, data: { message: 'Reference already exists' } };
      this.refs.set(ref, str(body['sha']));
      return { status: 201, data: { ref: `refs/${ref}`, object: { sha: body['sha'] } } };
    }
    return null;
  }

  #page(
    items: unknown[],
    query: Record<string, string>,
    url: URL,
  ): { status: number; data: unknown; headers: Record<string, string> } {
    const perPage = Math.min(Number(query['per_page'] ?? 30) || 30, this.maxPerPage);
    const pageNo = Math.max(Number(query['page'] ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number) => {
      const next = new URL(url);
      next.searchParams.set('page', String(n));
      next.searchParams.set('per_page', String(perPage));
      return `<${this.url}${next.pathname}${next.search}>`;
    };
    const links: string[] = [];
    if (pageNo < last) links.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (pageNo > 1) links.push(`${link(1)}; rel="first"`, `${link(pageNo - 1)}; rel="prev"`);
    return {
      status: 200,
      data: items.slice((pageNo - 1) * perPage, pageNo * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }

  #commentJson(c: StubComment) {
    return {
      id: c.id,
      body: c.body,
      user: c.user,
      created_at: c.createdAt,
      updated_at: c.createdAt,
      html_url: `https://github.com/${this.fullName}/issues/${c.issue}#issuecomment-${c.id}`,
    };
  }

  #issueJson(i: StubIssue) {
    return {
      id: i.number + 100_000,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ name })),
      assignees: i.assignees.map((login) => ({ login })),
      user: i.user,
      created_at: i.createdAt,
      html_url: `https://github.com/${this.fullName}/${i.isPull ? 'pull' : 'issues'}/${i.number}`,
      ...(i.isPull ? { pull_request: { url: '' } } : {}),
    };
  }

  #pullJson(p: StubPull) {
    return {
      id: p.number + 200_000,
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      draft: p.draft,
      merged_at: p.merged ? '2026-11-20T10:00:00Z' : null,
      user: p.user,
      html_url: `https://github.com/${this.fullName}/pull/${p.number}`,
      head: {
        sha: p.headSha,
        ref: p.headRef,
        label: `${p.headRepo.split('/')[0]}:${p.headRef}`,
        repo: { full_name: p.headRepo },
      },
      base: { sha: p.baseSha, ref: p.baseRef, repo: { full_name: this.fullName } },
      requested_reviewers: p.requestedReviewers.map((login) => ({ login })),
      requested_teams: p.requestedTeams.map((slug) => ({ slug })),
    };
  }

  #statusJson(s: StubStatus) {
    return {
      id: s.id,
      state: s.state,
      context: s.context,
      description: s.description,
      target_url: s.targetUrl,
      created_at: s.createdAt,
      updated_at: s.createdAt,
    };
  }

  #diff(baseSha: string, headSha: string): string[] {
    const files = (commitSha: string) =>
      this.trees.get(this.commits.get(commitSha)?.tree ?? '') ?? new Map<string, string>();
    const base = files(baseSha);
    const head = files(headSha);
    const paths = new Set([...base.keys(), ...head.keys()]);
    return [...paths].filter((p) => base.get(p) !== head.get(p)).sort();
  }

  #blob(content: string): string {
    const blobSha = sha(`blob:${content}`);
    this.blobs.set(blobSha, content);
    return blobSha;
  }

  #tree(entries: Map<string, string>): string {
    const treeSha = sha(`tree:${JSON.stringify([...entries].sort())}`);
    this.trees.set(treeSha, entries);
    return treeSha;
  }

  #commit(commit: StubCommit): string {
    const commitSha = sha(`commit:${this.#nextId++}:${JSON.stringify(commit)}`);
    this.commits.set(commitSha, commit);
    return commitSha;
  }

  // Timestamps one second apart, in creation order.
  #tick(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** A request body field as text (GitHub would refuse anything else). */
function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** A 40-hex id derived from `seed` (stable across runs). */
export function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** Starts a stub on 127.0.0.1 with a port of its own; close it after the tests. */
export async function startGitHubStub(
  options: { owner?: string; repo?: string; token?: string } = {},
): Promise<GitHubStub> {
  return new GitHubStub(options).listen();
}

// ---- the Actions runner's files ---------------------------------------------------------

export interface ActionsRunner {
  summaryFile: string;
  outputFile: string;
  /** Empties both files (@actions/core keeps the summary path it saw first: one per test file). */
  reset(): void;
  summary(): string;
  /** GITHUB_OUTPUT parsed: `name<<delimiter ... delimiter` entries. */
  outputs(): Record<string, string>;
  /** Runs `work` with process.stdout captured: the workflow commands (annotations) it printed. */
  captureStdout<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }>;
  /** Puts the environment back and removes the files. */
  restore(): void;
}

/**
 * Real GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files in a temp folder, set in process.env (which
 * @actions/core reads when called), for in-process tests.
 */
export function actionsRunner(): ActionsRunner {
  const dir = mkdtempSync(join(tmpdir(), 'actions-'));
  const summaryFile = join(dir, 'summary.md');
  const outputFile = join(dir, 'output.txt');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const saved = {
    GITHUB_STEP_SUMMARY: process.env['GITHUB_STEP_SUMMARY'],
    GITHUB_OUTPUT: process.env['GITHUB_OUTPUT'],
  };
  process.env['GITHUB_STEP_SUMMARY'] = summaryFile;
  process.env['GITHUB_OUTPUT'] = outputFile;
  return {
    summaryFile,
    outputFile,
    reset() {
      writeFileSync(summaryFile, '');
      writeFileSync(outputFile, '');
    },
    summary: () => readFileSync(summaryFile, 'utf8'),
    outputs() {
      const lines = readFileSync(outputFile, 'utf8').split(EOL);
      const outputs: Record<string, string> = {};
      for (let i = 0; i < lines.length; i++) {
        const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
        if (!m) continue;
        const [, name, delimiter] = m as unknown as [string, string, string];
        const value: string[] = [];
        for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
        outputs[name] = value.join(EOL);
      }
      return outputs;
    },
    async captureStdout(work) {
      const original = process.stdout.write.bind(process.stdout);
      let printed = '';
      const capture = (chunk: string | Uint8Array): boolean => {
        printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        return true;
      };
      process.stdout.write = capture;
      try {
        const value = await work();
        return { value, lines: printed.split(EOL).filter(Boolean) };
      } finally {
        process.stdout.write = original;
      }
    },
    restore() {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
