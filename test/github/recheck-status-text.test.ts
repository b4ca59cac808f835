// The re-check cuts a could-not-judge description to GitHub's 140 characters itself, and compares
// it with the one on the commit to write only when they differ. It must cut as every other
// writer does (statusDescription): its own plain cut kept half an emoji, which the adapter, handed
// an already-short text, passed on to GitHub.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SOAK_CONTEXT } from '../../scripts/core/gate-report.ts';
import { recheckPullRequests } from '../../scripts/github/recheck.ts';
import { sha, startGitHubStub, type GitHubStub } from '../helpers/github-stub.ts';

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(async () => {
  await stub.close();
});

it('writes a long could-not-judge status once, then finds it the same', async () => {
  const pr = stub.addPull({ headSha: sha('long-error') });
  const github = stub.client();
  // "Could not judge: " is 17 characters: the emoji straddles the 140th and 141st.
  const message = `${'x'.repeat(122)}😀 and the rest of a long git error`;
  const run = () =>
    recheckPullRequests({
      github,
      judge: () => Promise.reject(new Error(message)),
      now: new Date('2026-11-27T10:00:00Z'),
      strict: true,
      base: 'main',
      runUrl: null,
      log: () => {},
    });
  const first = (await run()).find((o) => o.pr === pr.number);
  expect(first).toMatchObject({ state: 'error', written: true });
  const written = stub.latestStatus(pr.headSha, SOAK_CONTEXT)?.description;
  expect(written).toBe(`Could not judge: ${'x'.repeat(122)}…`);
  expect(first?.description).toBe(written);
  expect((await run()).find((o) => o.pr === pr.number)).toMatchObject({ written: false });
});
