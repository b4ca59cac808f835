import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GitHubApiError,
  GitHubRepo,
  githubFromEnv,
  hiddenMarker,
} from '../../scripts/adapters/github.ts';
import { BOT, type GitHubStub, sha, startGitHubStub } from '../helpers/github-stub.ts';

let stub: GitHubStub;
let github: GitHubRepo;

beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.forkMode = false;
  github = stub.client();
});

describe('sticky comment', () => {
  it('is created once, then updated in place, also past 30 and 100 comments', async () => {
    const pr = stub.addPull({ headSha: sha('sticky-head') });
    for (let i = 0; i < 130; i++) stub.addComment(pr.number, `chatter ${i}`);

    const first = await github.upsertStickyComment(pr.number, 'flags-gate', 'first body');
    expect(first.result).toBe('created');
    expect(stub.commentsOn(pr.number)).toHaveLength(131);
    const created = stub.commentsOn(pr.number).at(-1);
    expect(created?.body).toBe(`${hiddenMarker('flags-gate')}\nfirst body`);

    // More talk after the sticky comment: it now sits on the second page.
    for (let i = 0; i < 40; i++) stub.addComment(pr.number, `more ${i}`);
    const second = await github.upsertStickyComment(pr.number, 'flags-gate', 'second body');
    expect(second).toMatchObject({ result: 'updated', id: created?.id });
    const third = await github.upsertStickyComment(pr.number, 'flags-gate', 'second body');
    expect(third.result).toBe('unchanged');

    const sticky = stub.commentsOn(pr.number).filter((c) => c.body.includes('flags-gate'));
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.body).toContain('second body');
    // Pagination followed the Link header to page 2.
    const listed = stub.requestsTo('GET', new RegExp(`/issues/${pr.number}/comments$`));
    expect(listed.some((r) => r.query['page'] === '2')).toBe(true);
    expect(stub.requestsTo('POST', new RegExp(`/issues/${pr.number}/comments$`))).toHaveLength(1);
  });

  it('prefers the bot comment over a human quoting the marker', async () => {
    const pr = stub.addPull({ headSha: sha('quote-head') });
    stub.addComment(pr.number, `I saw ${hiddenMarker('flags-gate')} in the source`);
    const mine = stub.addComment(pr.number, `${hiddenMarker('flags-gate')}\nold`, BOT);
    const result = await github.upsertStickyComment(pr.number, 'flags-gate', 'new');
    expect(result).toMatchObject({ result: 'updated', id: mine.id });
  });

  it("never edits a person's comment quoting the marker, nor another bot's: it makes its own", async () => {
    const pr = stub.addPull({ headSha: sha('quote-only-head') });
    const human = stub.addComment(pr.number, `see ${hiddenMarker('flags-gate')} here`);
    const other = stub.addComment(pr.number, `${hiddenMarker('flags-gate')}\nx`, {
      login: 'other-app[bot]',
      type: 'Bot',
    });
    const result = await github.upsertStickyComment(pr.number, 'flags-gate', 'new');
    expect(result.result).toBe('created');
    expect(result.id).not.toBe(human.id);
    expect(result.id).not.toBe(other.id);
    expect(stub.comments.find((c) => c.id === human.id)?.body).toBe(
      `see ${hiddenMarker('flags-gate')} here`,
    );
  });

  it('falls back to forbidden on a fork instead of throwing', async () => {
    const pr = stub.addPull({ headSha: sha('fork-head'), headRepo: 'someone/flags' });
    stub.forkMode = true;
    const result = await github.upsertStickyComment(pr.number, 'flags-gate', 'body');
    expect(result).toMatchObject({ result: 'forbidden', status: 403 });
    expect(result.message).toContain('Resource not accessible by integration');
    const status = await github.setCommitStatus(pr.headSha, 'pending', 'flags/soak', 'wait');
    expect(status.result).toBe('forbidden');
    expect(stub.commentsOn(pr.number)).toHaveLength(0);
    const info = await github.pullRequest(pr.number);
    expect(info.fork).toBe(true);
  });
});

describe('approvals', () => {
  it('counts the latest deciding review of each reviewer on the current head', async () => {
    const oldHead = sha('reviews-old');
    const head = sha('reviews-new');
    const pr = stub.addPull({ headSha: head });
    // alice approved an older commit only: stale.
    stub.addReview(pr.number, { login: 'alice', state: 'APPROVED', commitId: oldHead });
    // bob approved the head, then the approval was dismissed.
    const bobs = stub.addReview(pr.number, { login: 'bob', state: 'APPROVED', commitId: head });
    stub.dismissReview(bobs.id);
    // carol was dismissed, then approved again on the head.
    const carols = stub.addReview(pr.number, {
      login: 'carol',
      state: 'APPROVED',
      commitId: oldHead,
    });
    stub.dismissReview(carols.id);
    stub.addReview(pr.number, { login: 'carol', state: 'APPROVED', commitId: head });
    // dave approved, then asked for changes.
    stub.addReview(pr.number, { login: 'dave', state: 'APPROVED', commitId: head });
    stub.addReview(pr.number, { login: 'dave', state: 'CHANGES_REQUESTED', commitId: head });
    // erin approved, then only commented: the approval stands.
    stub.addReview(pr.number, { login: 'Erin', state: 'APPROVED', commitId: head });
    stub.addReview(pr.number, { login: 'Erin', state: 'COMMENTED', commitId: head });
    // frank asked for changes, then approved.
    stub.addReview(pr.number, { login: 'frank', state: 'CHANGES_REQUESTED', commitId: oldHead });
    stub.addReview(pr.number, { login: 'frank', state: 'APPROVED', commitId: head });

    expect(await github.approvals(pr.number, head)).toEqual(['carol', 'Erin', 'frank']);
  });

  it('reads every page of reviews', async () => {
    const head = sha('many-reviews');
    const pr = stub.addPull({ headSha: head });
    for (let i = 0; i < 120; i++) {
      stub.addReview(pr.number, { login: `r${i}`, state: 'COMMENTED', commitId: head });
    }
    stub.addReview(pr.number, { login: 'late', state: 'APPROVED', commitId: head });
    expect(await github.approvals(pr.number, head)).toEqual(['late']);
  });
});

describe('incidents', () => {
  it('finds open issues labelled incident and flag:<key>, not pull requests', async () => {
    for (let i = 0; i < 105; i++) stub.addIssue({ title: `noise ${i}`, labels: ['incident'] });
    const wanted = stub.addIssue({
      title: 'reconnect storm',
      labels: ['incident', 'flag:live-view'],
    });
    stub.addIssue({ title: 'closed', labels: ['incident', 'flag:live-view'], state: 'closed' });
    stub.addIssue({ title: 'other flag', labels: ['incident', 'flag:other'] });
    stub.addIssue({ title: 'not an incident', labels: ['flag:live-view'] });
    stub.addPull({ headSha: sha('pr-labelled'), labels: ['incident', 'flag:live-view'] });

    const incidents = await github.openIncidents('live-view');
    expect(incidents.map((i) => i.number)).toEqual([wanted.number]);
    expect(incidents[0]?.url).toContain(`/issues/${wanted.number}`);
  });
});

describe('rate limits and errors', () => {
  it('retries a secondary rate limit', async () => {
    const pr = stub.addPull({ headSha: sha('limited') });
    const before = stub.requests.length;
    stub.secondaryRateLimit(1);
    const result = await github.upsertStickyComment(pr.number, 'flags-gate', 'after the limit');
    expect(result.result).toBe('created');
    const seen = stub.requests.slice(before);
    expect(seen[0]?.status).toBe(403);
    expect(seen.filter((r) => r.status === 403)).toHaveLength(1);
    expect(stub.commentsOn(pr.number)).toHaveLength(1);
  });

  it('gives up after its retries with a GitHubApiError, never forbidden', async () => {
    const pr = stub.addPull({ headSha: sha('limited-for-good') });
    const client = stub.client({ retries: 1 });
    stub.secondaryRateLimit(5);
    const error = await client.upsertStickyComment(pr.number, 'm', 'b').catch((e: unknown) => e);
    stub.secondaryRateLimit(0);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
  });

  it('never shows its token: not in inspect, JSON or errors', async () => {
    const secret = 'ghs_supersecret_value_42';
    const client = new GitHubRepo({
      token: secret,
      baseUrl: stub.url,
      owner: stub.owner,
      repo: stub.repo,
      retryAfterBaseMs: 1,
      paceWrites: false,
    });
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(client)).not.toContain(secret);
    const error = await client.openPullRequests().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(401);
    expect((error as Error).message).toContain('Bad credentials');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  it('is configured from the workflow environment, or not at all', () => {
    expect(githubFromEnv({})).toBeNull();
    expect(githubFromEnv({ GITHUB_TOKEN: 't' })).toBeNull();
    expect(githubFromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'a/b/c' })).toBeNull();
    const fromEnv = githubFromEnv(stub.env());
    expect(fromEnv?.fullName).toBe(stub.fullName);
    expect(fromEnv?.baseUrl).toBe(stub.url);
    expect(githubFromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'a/b' })?.baseUrl).toBe(
      'https://api.github.com',
    );
  });
});

describe('issues kept up to date', () => {
  it('creates one issue, updates it in place, closes it, reopens it', async () => {
    const label = 'flags-report';
    const created = await github.upsertIssue('flags-report', 'Report', 'one', [label]);
    expect(created.result).toBe('created');
    const updated = await github.upsertIssue('flags-report', 'Report', 'two', [label]);
    expect(updated).toMatchObject({ result: 'updated', number: created.number });
    const same = await github.upsertIssue('flags-report', 'Report', 'two', [label]);
    expect(same.result).toBe('unchanged');
    const closed = await github.upsertIssue('flags-report', 'Report', 'none', [label], {
      open: false,
    });
    expect(closed.result).toBe('updated');
    expect(stub.issues.get(created.number ?? 0)?.state).toBe('closed');
    const reopened = await github.upsertIssue('flags-report', 'Report', 'three', [label]);
    expect(reopened.number).toBe(created.number);
    expect(stub.issues.get(created.number ?? 0)?.state).toBe('open');
    const reports = [...stub.issues.values()].filter((i) => i.body.includes('flags-report'));
    expect(reports).toHaveLength(1);
  });

  it('creates nothing only to close it', async () => {
    const result = await github.upsertIssue('never-made', 'T', 'b', ['never-made'], {
      open: false,
    });
    expect(result.result).toBe('none');
  });

  it('finds its issue after someone took the label off', async () => {
    const created = await github.upsertIssue('unlabelled', 'T', 'b', ['unlabelled']);
    const issue = stub.issues.get(created.number ?? 0);
    if (issue) issue.labels = [];
    const again = await github.upsertIssue('unlabelled', 'T', 'c', ['unlabelled']);
    expect(again.number).toBe(created.number);
  });
});

describe('branches and pull requests through the REST API', () => {
  it('commits a deletion to a new branch and opens a labelled pull request for review', async () => {
    stub.seedBranch('main', {
      'flags/video/live-view.yaml': 'key: live-view\n',
      'flags/other.yaml': 'key: other\n',
    });
    const branch = 'flags/remove-live-view';
    expect(await github.findPullRequestByHead(branch)).toBeNull();
    expect(await github.branchSha(branch)).toBeNull();

    const { sha: commit } = await github.createBranchWithChanges({
      branch,
      base: 'main',
      message: 'Remove flag live-view',
      files: [
        { path: 'flags/video/live-view.yaml', content: null },
        { path: 'docs/removed.md', content: 'live-view\n' },
      ],
    });
    expect(await github.branchSha(branch)).toBe(commit);
    expect(stub.filesAt(branch)).toEqual({
      'flags/other.yaml': 'key: other\n',
      'docs/removed.md': 'live-view\n',
    });

    const { pr, warnings } = await github.openPullRequest({
      head: branch,
      base: 'main',
      title: 'Remove flag live-view',
      body: 'GA for 8 days',
      labels: ['flag:live-view'],
      reviewers: ['alice'],
      teamReviewers: ['video'],
      assignees: ['alice'],
    });
    // The workflow token cannot ask a team (GitHub answers 422): CODEOWNERS asks it instead.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not ask @novalien\/video for review \(422/);
    expect(warnings[0]).toMatch(/CODEOWNERS requests the owning team automatically/);
    expect(warnings[0]).toMatch(/FLAGS_BOT_TOKEN/);
    expect(pr.headRef).toBe(branch);
    const stored = stub.pulls.get(pr.number);
    expect(stored?.requestedTeams).toEqual([]);
    expect(stored?.requestedReviewers).toEqual(['alice']);
    expect(stub.issues.get(pr.number)?.labels).toEqual(['flag:live-view']);
    expect(stored?.files).toEqual(['docs/removed.md', 'flags/video/live-view.yaml']);

    // A GitHub App token (or FLAGS_BOT_TOKEN) may ask a team directly.
    stub.tokenKind = 'app';
    try {
      stub.seedBranch('app-asks', { 'flags/other.yaml': 'key: other\n' });
      const byApp = await github.openPullRequest({
        head: 'app-asks',
        base: 'main',
        title: 'x',
        body: 'y',
        teamReviewers: ['video'],
      });
      expect(byApp.warnings).toEqual([]);
      expect(stub.pulls.get(byApp.pr.number)?.requestedTeams).toEqual(['video']);
    } finally {
      stub.tokenKind = 'workflow';
    }

    const found = await github.findPullRequestByHead(branch);
    expect(found?.number).toBe(pr.number);
    // Closed pull requests are found too.
    if (stored) stored.state = 'closed';
    expect((await github.findPullRequestByHead(branch))?.state).toBe('closed');
  });

  it('lists open pull requests targeting a branch, across pages', async () => {
    const before = (await github.openPullRequests('release')).length;
    for (let i = 0; i < 102; i++) stub.addPull({ headSha: sha(`rel-${i}`), baseRef: 'release' });
    stub.addPull({ headSha: sha('rel-closed'), baseRef: 'release', state: 'closed' });
    const open = await github.openPullRequests('release');
    expect(open.length - before).toBe(102);
    expect(open.every((p) => p.baseRef === 'release' && p.state === 'open')).toBe(true);
  });

  it('reads the latest status of a context', async () => {
    const commit = sha('status-target');
    stub.knownShas.add(commit);
    expect(await github.commitStatus(commit, 'flags/soak')).toBeNull();
    await github.setCommitStatus(commit, 'pending', 'flags/soak', 'allowed from later');
    await github.setCommitStatus(commit, 'success', 'other', 'x');
    await github.setCommitStatus(commit, 'success', 'flags/soak', 'ok', 'https://ci/run/1');
    expect(await github.commitStatus(commit, 'flags/soak')).toEqual({
      state: 'success',
      description: 'ok',
      targetUrl: 'https://ci/run/1',
    });
  });

  it("cuts a status description to GitHub's 140 characters, never inside an emoji", async () => {
    const commit = sha('status-emoji');
    stub.knownShas.add(commit);
    const described = async (text: string) => {
      await github.setCommitStatus(commit, 'error', 'flags/soak', text);
      return (await github.commitStatus(commit, 'flags/soak'))?.description;
    };
    // Cut to 139 and an ellipsis; the 139th character here is the first half of an emoji.
    expect(await described(`${'a'.repeat(138)}${'😀'.repeat(2)}`)).toBe(`${'a'.repeat(138)}…`);
    expect(await described(`${'a'.repeat(137)}${'😀'.repeat(2)}`)).toBe(`${'a'.repeat(137)}😀…`);
    // 140 characters are kept whole.
    expect(await described(`${'a'.repeat(138)}😀`)).toBe(`${'a'.repeat(138)}😀`);
  });
});
