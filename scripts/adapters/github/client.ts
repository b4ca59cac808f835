// The one connection to GitHub: octokit with retry and throttling, and `call`, through which
// every request passes so that each failure leaves as one GitHubApiError that never carries the
// token. The concern modules (comments, reviews, ...) take a GitHubClient and nothing else.
import { inspect } from 'node:util';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { GitHubApiError, type EtagStore, type GitHubRepoOptions } from './types.ts';

const GitHubOctokit = Octokit.plugin(retry, throttling);
export type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

// Let every request through at once (tests): same shape as the Bottleneck group it replaces.
const UNPACED = {
  key: () => ({
    schedule: (_options: unknown, task: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(task(...args)),
  }),
};

/**
 * Every GET carries the ETag of the answer kept for its URL; a 304 (not counted against the
 * rate limit) is answered from the kept data, Link header included so pagination goes on.
 */
function conditionalRequests(octokit: GitHubOctokit, etags: EtagStore): void {
  octokit.hook.wrap('request', async (request, options) => {
    if (options.method !== 'GET') return request(options);
    const url = octokit.request.endpoint.parse(options).url;
    const kept = etags.get(url);
    if (kept) options.headers = { ...options.headers, 'if-none-match': kept.etag };
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      if (etag) {
        const link = response.headers.link;
        etags.set(url, { etag, data: response.data, ...(link ? { link } : {}) });
      }
      return response;
    } catch (error) {
      if (kept && (error as { status?: number }).status === 304) {
        return {
          status: 200,
          url,
          headers: kept.link ? { link: kept.link } : {},
          data: kept.data,
        } as Awaited<ReturnType<typeof request>>;
      }
      throw error;
    }
  });
}

export class GitHubClient {
  readonly owner: string;
  readonly repo: string;
  readonly baseUrl: string;
  readonly octokit: GitHubOctokit;
  readonly #token: string;

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
    this.octokit = new GitHubOctokit({
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
    if (options.etags) conditionalRequests(this.octokit, options.etags);
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** `{owner, repo}`, the part every REST call of this repository starts with. */
  get where(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  [inspect.custom](): string {
    return `GitHubClient { ${this.fullName} at ${this.baseUrl} }`;
  }

  toJSON(): { owner: string; repo: string; baseUrl: string } {
    return { owner: this.owner, repo: this.repo, baseUrl: this.baseUrl };
  }

  async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
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
}
