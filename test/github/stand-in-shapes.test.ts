// The stand-in's answers are GitHub's: shaped from the documented examples and held to the
// documented response schemas, so an answer GitHub would never send fails the test.
import { afterEach, describe, expect, it } from 'vitest';
import { componentExample, responseProblem } from '../helpers/github-openapi.ts';
import { type GitHubStub, sha, startGitHubStub } from '../helpers/github-stub.ts';

const repo = '/repos/novalien/flags';
let stub: GitHubStub | undefined;

afterEach(async () => {
  await stub?.close().catch(() => undefined);
  stub = undefined;
});

describe('the judge of answers', () => {
  it('refuses the hand-written minimal objects the stand-in used to send', () => {
    const minimalPull = {
      id: 1,
      number: 1,
      title: 't',
      state: 'open',
      head: { sha: sha('h'), ref: 'x', label: 'o:x', repo: { full_name: 'o/r' } },
      base: { sha: sha('b'), ref: 'main', repo: { full_name: 'o/r' } },
    };
    expect(responseProblem('GET', `${repo}/pulls/1`, 200, minimalPull)).toMatch(
      /^pulls\/get 200: the response does not match GitHub's schema: .*required property/,
    );
    const minimalStatus = { id: 1, state: 'success', context: 'flags/soak' };
    expect(responseProblem('POST', `${repo}/statuses/${sha('s')}`, 201, minimalStatus)).toMatch(
      /repos\/create-commit-status 201/,
    );
    // A 422 without GitHub's documentation_url is not GitHub's either.
    expect(responseProblem('POST', `${repo}/pulls`, 422, { message: 'Validation Failed' })).toMatch(
      /documentation_url/,
    );
  });

  it("passes GitHub's own examples, and says nothing of statuses it does not document", () => {
    expect(responseProblem('GET', `${repo}/pulls/1`, 200, componentExample('issue'))).not.toBe(
      null,
    );
    const pull = componentExample('pull-request');
    pull['requested_teams'] = [];
    expect(responseProblem('GET', `${repo}/pulls/1`, 200, pull)).toBe(null);
    expect(responseProblem('GET', `${repo}/pulls/1`, 418, { anything: true })).toBe(null);
  });
});

describe('the stand-in', () => {
  it('fails the test when it would answer what GitHub never sends', async () => {
    stub = await startGitHubStub();
    const pr = stub.addPull({ headSha: sha('shape-head') });
    stub.addReview(pr.number, {
      login: 'dana',
      state: 'APPROVED',
      commitId: pr.headSha,
      association: 'FRIEND',
    });
    await stub.client().approvals(pr.number, pr.headSha);
    await expect(stub.close()).rejects.toThrow(
      /pulls\/list-reviews 200: the response does not match GitHub's schema: \/0\/author_association/,
    );
  });

  it('answers full objects: a pull request as GitHub lists it, a plain issue without pull_request', async () => {
    stub = await startGitHubStub();
    const pr = stub.addPull({ headSha: sha('full-head'), labels: ['promote'] });
    const issue = stub.addIssue({ title: 'drift', labels: ['flags-report'] });
    const gh = stub.client();
    const pulls = await gh.openPullRequests('main');
    expect(pulls.map((p) => p.number)).toEqual([pr.number]);
    const listed = await fetch(`${stub.url}${repo}/issues?state=all`, {
      headers: { authorization: `token ${stub.token}` },
    });
    const issues = (await listed.json()) as Record<string, unknown>[];
    const plain = issues.find((i) => i['number'] === issue.number);
    const ofPull = issues.find((i) => i['number'] === pr.number);
    expect(plain && 'pull_request' in plain).toBe(false);
    expect(ofPull?.['pull_request']).toMatchObject({
      html_url: `https://github.com/novalien/flags/pull/${pr.number}`,
    });
    // Fields the stand-in does not know come from GitHub's example, as GitHub would fill them.
    expect(Object.keys(plain ?? {})).toEqual(
      expect.arrayContaining(['node_id', 'locked', 'comments_url']),
    );
    await stub.close();
    stub = undefined;
  });
});
