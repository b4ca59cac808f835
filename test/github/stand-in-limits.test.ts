// What GitHub enforces beyond the schema, as the adapters meet it in the stand-in: the primary
// rate limit (headers, a 403 once spent, a 304 not counted) and the 3,000 files a pull request
// lists at most.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiError, type EtagStore } from '../../scripts/adapters/github.ts';
import { type GitHubStub, sha, startGitHubStub } from '../helpers/github-stub.ts';

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(async () => {
  await stub.close();
});

describe('the primary rate limit', () => {
  it('answers 403 once the hour is spent, and the adapter fails instead of waiting an hour', async () => {
    const pr = stub.addPull({ headSha: sha('limit-head') });
    stub.rateLimit.used = stub.rateLimit.limit - 1;
    try {
      const gh = stub.client({ retries: 0 });
      expect((await gh.pullRequest(pr.number)).number).toBe(pr.number);
      const last = stub.requests.at(-1);
      expect(last?.status).toBe(200);
      const error = await gh.pullRequest(pr.number).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubApiError);
      expect((error as GitHubApiError).status).toBe(403);
      expect((error as GitHubApiError).message).toMatch(/rate limit exceeded/i);
    } finally {
      stub.rateLimit.used = 0;
    }
  });

  it('does not count a 304 answer to a conditional request', async () => {
    const head = sha('etag-head');
    stub.addPull({ headSha: head });
    stub.statuses.push({
      id: 1,
      sha: head,
      state: 'pending',
      context: 'flags/soak',
      description: 'Soak: allowed from 2026-11-27 14:00 UTC',
      targetUrl: null,
      createdAt: '2026-11-20T09:00:00Z',
    });
    const etags: EtagStore = new Map();
    const first = await stub.client({ etags }).commitStatus(head, 'flags/soak');
    const used = stub.rateLimit.used;
    const again = await stub.client({ etags }).commitStatus(head, 'flags/soak');
    expect(again).toEqual(first);
    expect(stub.requests.at(-1)?.status).toBe(304);
    expect(stub.rateLimit.used).toBe(used);
  });
});

describe('the files of a pull request', () => {
  it('lists at most 3,000, as GitHub does', async () => {
    const files = Array.from({ length: 3500 }, (_, i) => `src/file-${i}.ts`);
    const pr = stub.addPull({ headSha: sha('many-files'), files });
    const listed = await stub.client().pullRequestFiles(pr.number);
    expect(listed).toHaveLength(3000);
    expect(listed).not.toContain('src/file-3499.ts');
  });
});
