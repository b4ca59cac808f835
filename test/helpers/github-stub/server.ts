// A local stand-in for the GitHub REST API: a real HTTP server on 127.0.0.1 (port 0) that keeps
// one repository in memory and answers the endpoints the project uses in GitHub's shapes, with
// Link-header pagination, a fork switch (writes answer 403 as a read-only token gets), a
// secondary-rate-limit switch, and a record of every request for tests to assert on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubRepo, type GitHubRepoOptions } from '../../../scripts/adapters/github.ts';
import {
  openApiProblem,
  responseProblem,
  scopeOfWrite,
  workflowPermissions,
} from '../github-openapi.ts';
import { routeGitData, routeStatuses } from './git.ts';
import { routeIssues } from './issues.ts';
import { githubRefuses, pageOf, rateHeaders, rateLimited } from './limits.ts';
import { routePulls } from './pulls.ts';
import { errorJson } from './shapes.ts';
import { StubState } from './state.ts';
import { sha, type Answer, type RecordedRequest, type RouteRequest } from './types.ts';

const FORBIDDEN = errorJson('Resource not accessible by integration');
const NOT_FOUND = errorJson('Not Found');

export class GitHubStub extends StubState {
  /** Every request answered, in order. */
  readonly requests: RecordedRequest[] = [];
  /** A fork's read-only token: every write answers 403 "Resource not accessible by integration". */
  forkMode = false;
  /**
   * Requests GitHub's REST description refuses (no such operation, a body its schema refuses),
   * and answers of the stand-in its response schemas refuse (GitHub would never send them).
   */
  readonly openApiProblems: string[] = [];
  /** The `permissions:` of the workflow job the token belongs to; null grants every write. */
  grants: Record<string, string> | null = null;
  #secondaryLimits = 0;
  #server = createServer((req, res) => void this.#handle(req, res));

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
      throw new Error(
        `requests GitHub would refuse, or answers it would never send:\n${this.openApiProblems.join('\n')}`,
      );
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

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const record: RecordedRequest = { method, path, query, body, status: 0 };
    this.requests.push(record);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const wrongShape = responseProblem(method, url.pathname, status, data);
      if (wrongShape) this.openApiProblems.push(wrongShape);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `STUB:${this.requests.length}`,
        ...headers,
      });
      res.end(data === null ? '' : JSON.stringify(data));
    };
    const refused = this.#gatekeeper(req, method, url, path, body);
    if (refused) return send(refused.status, refused.data, refused.headers);
    const prefix = `/repos/${this.owner}/${this.repo}`;
    const route = `${method} ${path.slice(prefix.length)}`;
    try {
      const fields = (body ?? {}) as Record<string, unknown>;
      const request: RouteRequest = {
        route,
        query,
        body: fields,
        page: (items) => pageOf(this, items, query, url),
      };
      const answer = githubRefuses(this, route, fields) ?? this.#route(request);
      if (!answer) return send(404, NOT_FOUND);
      const headers = { ...rateHeaders(this), ...answer.headers };
      if (method === 'GET' && answer.status === 200) {
        const etag = `"${sha(JSON.stringify(answer.data))}"`;
        // GitHub does not count a 304 against the rate limit.
        if (req.headers['if-none-match'] === etag) {
          this.rateLimit.used -= 1;
          return send(304, null, { ...rateHeaders(this), etag });
        }
        return send(answer.status, answer.data, { ...headers, etag });
      }
      return send(answer.status, answer.data, headers);
    } catch (error) {
      return send(500, errorJson((error as Error).message));
    }
  }

  /**
   * What GitHub answers before the operation runs: bad credentials, a secondary limit, a fork's
   * token, a request its description refuses, a write the job's permissions do not grant, the
   * primary rate limit. Null lets the request through.
   */
  #gatekeeper(
    req: IncomingMessage,
    method: string,
    url: URL,
    path: string,
    body: unknown,
  ): Answer | null {
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return {
        status: 401,
        data: errorJson('Bad credentials'),
      };
    }
    if (this.#secondaryLimits > 0) {
      this.#secondaryLimits--;
      return {
        status: 403,
        data: errorJson(
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        ),
        headers: { 'retry-after': '1' },
      };
    }
    if (this.forkMode && method !== 'GET' && method !== 'HEAD') {
      return { status: 403, data: FORBIDDEN };
    }
    const problem = openApiProblem(method, url.pathname, body);
    if (problem) {
      this.openApiProblems.push(problem);
      return {
        status: problem.includes('no such operation') ? 404 : 422,
        data: errorJson(problem),
      };
    }
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!path.startsWith(`${prefix}/`)) return { status: 404, data: NOT_FOUND };
    const scopes = scopeOfWrite(method, path.slice(prefix.length));
    if (this.grants && scopes.length > 0 && !scopes.some((s) => this.grants?.[s] === 'write')) {
      return { status: 403, data: FORBIDDEN };
    }
    return rateLimited(this);
  }

  #route(request: RouteRequest): Answer | null {
    return (
      routeIssues(this, request) ??
      routePulls(this, request) ??
      routeStatuses(this, request) ??
      routeGitData(this, request)
    );
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return null;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Starts a stub on 127.0.0.1 with a port of its own; close it after the tests. */
export async function startGitHubStub(
  options: { owner?: string; repo?: string; token?: string } = {},
): Promise<GitHubStub> {
  return new GitHubStub(options).listen();
}
