import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanupRepos } from '../../helpers/git-repo.ts';
import { startGitHubStub, type GitHubStub } from '../../helpers/github-stub.ts';
import { cleanupRemotes, linkStubToRemote, withRemote } from '../../helpers/remote.ts';
import { BACKOFF, LIVE_VIEW, flagText, repoWithLiveView } from './fixtures.ts';

const JDOE_EDGE = 'flags/jdoe/edge-session-resume.yaml';

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
  stub.tokenKind = 'user'; // an engineer's own token, which may ask teams for review
});
afterAll(async () => {
  await stub.close();
});
afterEach(() => {
  cleanupRepos();
  cleanupRemotes();
  stub.pulls.clear();
  stub.issues.clear();
  stub.forkMode = false;
});

const NOW = '2026-11-24T12:00:00Z';

describe('--open-pr', () => {
  it('promote: pushes a branch with one commit and opens the pull request with body, labels and reviewers', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const remote = withRemote(repo);
    linkStubToRemote(stub, remote);
    const main = repo.head('main');

    const run = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr'], stub.env());

    expect(run.status).toBe(0);
    expect(remote.branches()).toEqual(['flags/promote-live-view', 'main']);
    expect(parse(remote.show('flags/promote-live-view', LIVE_VIEW)).state).toBe('beta');
    expect(remote.git('log', '-1', '--format=%B', 'flags/promote-live-view')).toContain(
      'Promote live-view to beta\n\n- live-view: alpha -> beta (flags/video/live-view.yaml)',
    );
    expect(remote.git('rev-parse', 'flags/promote-live-view~1').trim()).toBe(main);
    // The local branch holds the commit; main is as it was.
    expect(repo.git('symbolic-ref', '--short', 'HEAD').trim()).toBe('flags/promote-live-view');
    expect(repo.head('main')).toBe(main);

    const pulls = [...stub.pulls.values()];
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(pr).toMatchObject({
      title: 'Promote live-view to beta',
      headRef: 'flags/promote-live-view',
      baseRef: 'main',
    });
    expect(pr.body).toContain(
      '| `live-view` | `flags/video/live-view.yaml` | alpha → beta | 2026-11-23 10:00 UTC | 2026-11-24 10:00 UTC |',
    );
    expect(pr.body).toContain(
      '- [ ] Alpha exit criteria: no flag-related errors in the platform audit log in the last 24 hours',
    );
    expect(pr.body).toContain('- [ ] @novalien/video signed off in #novavms-releases');
    expect(pr.body).toContain('### After the merge and deploy');
    expect(stub.issues.get(pr.number)!.labels).toEqual(['promote', 'flag:live-view']);
    expect(pr.requestedTeams).toEqual(['video']);
    expect(pr.requestedReviewers).toEqual([]);

    expect(run.stdout).toContain(
      `opened pull request #${pr.number}: https://github.com/novalien/flags/pull/${pr.number}`,
    );
    expect(run.stdout + run.stderr).not.toContain(stub.token);
  });

  it('revert: labels every demoted flag, asks the owning login, and carries the revert steps', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-01T10:00:00Z');
    // A flag owned by one person, in their folder, which CODEOWNERS gives them.
    repo.write('CODEOWNERS', repo.read('CODEOWNERS') + '/flags/jdoe/ @jdoe\n');
    repo.write(JDOE_EDGE, flagText({ key: 'edge-session-resume', owner: '@jdoe', state: 'beta' }));
    repo.write(
      BACKOFF,
      flagText({
        key: 'reconnect-backoff-v2',
        owner: '@novalien/platform',
        state: 'beta',
        depends_on: ['edge-session-resume'],
      }),
    );
    repo.commit('2026-11-20T10:00:00Z');
    const remote = withRemote(repo);
    linkStubToRemote(stub, remote);

    const run = await repo.cli(
      [
        'revert',
        'edge-session-resume',
        '--reason',
        'storm',
        '--incident',
        'https://chat.example/i/9',
        '--open-pr',
        '--json',
      ],
      stub.env(),
    );

    expect(run.status).toBe(0);
    expect(run.json.pr).toMatchObject({
      ok: true,
      branch: 'flags/revert-edge-session-resume',
      pushed: true,
    });
    const files = remote
      .git('show', '--name-only', '--format=', 'flags/revert-edge-session-resume')
      .trim()
      .split('\n')
      .sort();
    expect(files).toEqual([JDOE_EDGE, BACKOFF].sort());
    const pr = stub.pulls.get(run.json.pr.pr.number)!;
    expect(pr.title).toBe('Revert edge-session-resume to alpha (and 1 dependent)');
    expect(stub.issues.get(pr.number)!.labels).toEqual([
      'revert',
      'flag:edge-session-resume',
      'flag:reconnect-backoff-v2',
    ]);
    expect(pr.requestedReviewers).toEqual(['jdoe']);
    expect(pr.body).toContain('**Reason:** storm');
    expect(pr.body).toContain(
      '- [ ] Post in #novavms-releases with the revert reason and a link to the incident thread',
    );
    expect(pr.body).toContain('- [ ] Open a postmortem');
  });

  it('takes the next free branch name when the first is taken', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const remote = withRemote(repo);
    linkStubToRemote(stub, remote);
    repo.git('branch', 'flags/promote-live-view');

    const run = await repo.cli(
      ['promote', 'live-view', '--now', NOW, '--open-pr', '--json'],
      stub.env(),
    );

    expect(run.status).toBe(0);
    expect(run.json.pr.branch).toBe('flags/promote-live-view-2');
    expect(remote.branches()).toContain('flags/promote-live-view-2');
  });

  it('new: commits the flag and the CODEOWNERS change together', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const remote = withRemote(repo);
    linkStubToRemote(stub, remote);

    const run = await repo.cli(
      [
        'new',
        'card-payments',
        '--owner',
        '@novalien/payments',
        '--description',
        'Pay by card.',
        '--open-pr',
        '--json',
      ],
      stub.env(),
    );

    expect(run.status).toBe(0);
    const files = remote
      .git('show', '--name-only', '--format=', 'flags/new-card-payments')
      .trim()
      .split('\n')
      .sort();
    expect(files).toEqual(['CODEOWNERS', 'flags/payments/card-payments.yaml']);
    const pr = stub.pulls.get(run.json.pr.pr.number)!;
    expect(pr.title).toBe('Add flag card-payments (alpha)');
    expect(stub.issues.get(pr.number)!.labels).toEqual(['new-flag', 'flag:card-payments']);
    expect(pr.requestedTeams).toEqual(['payments']);
  });

  it('without a token: pushes, says how to open the pull request, and saves the body', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const remote = withRemote(repo);

    const run = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr']);

    expect(run.status).toBe(0);
    expect(remote.branches()).toContain('flags/promote-live-view');
    expect(run.stdout).toContain(
      'No GitHub token (GITHUB_TOKEN and GITHUB_REPOSITORY): the branch is pushed; open the pull request with:',
    );
    expect(run.stdout).toContain(
      "gh pr create --base main --head flags/promote-live-view --title 'Promote live-view to beta' --body-file .git/flags-pr/flags-promote-live-view.md --label promote --label flag:live-view --reviewer novalien/video",
    );
    const body = readFileSync(join(repo.dir, '.git/flags-pr/flags-promote-live-view.md'), 'utf8');
    expect(body).toContain('| `live-view` | `flags/video/live-view.yaml` | alpha → beta |');
  });

  it('without a remote: leaves the branch and commit, and prints the push to run', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');

    const run = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr'], stub.env());

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('No remote named origin: the branch and commit are here');
    expect(run.stdout).toContain('git push -u origin flags/promote-live-view');
    expect(repo.git('log', '-1', '--format=%s', 'flags/promote-live-view').trim()).toBe(
      'Promote live-view to beta',
    );
    expect(repo.git('status', '--porcelain').trim()).toBe('');
    expect(stub.pulls.size).toBe(0);
  });

  it('when GitHub refuses: exit 1, the branch pushed, the way to finish by hand, no token shown', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const remote = withRemote(repo);
    linkStubToRemote(stub, remote);
    stub.forkMode = true;

    const run = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr'], stub.env());

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('GitHub did not open the pull request');
    expect(run.stdout).toContain('Resource not accessible by integration');
    expect(run.stdout).toContain('gh pr create --base main --head flags/promote-live-view');
    expect(remote.branches()).toContain('flags/promote-live-view');
    expect(run.stdout + run.stderr).not.toContain(stub.token);
  });

  it('when the push is refused: exit 1, the commit kept, the push to run again', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const remote = withRemote(repo);
    writeFileSync(
      join(remote.dir, 'hooks/pre-receive'),
      '#!/bin/sh\necho "protected: ask an admin" >&2\nexit 1\n',
      { mode: 0o755 },
    );

    const run = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr'], stub.env());

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('git push was refused');
    expect(run.stdout).toContain('  git push -u origin flags/promote-live-view');
    expect(remote.branches()).toEqual(['main']);
    expect(repo.git('log', '-1', '--format=%s', 'flags/promote-live-view').trim()).toBe(
      'Promote live-view to beta',
    );
    expect(stub.pulls.size).toBe(0);
  });

  it('checks before writing that a commit can be made', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    repo.git('checkout', '-q', '--detach');
    const before = repo.read(LIVE_VIEW);
    const run = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('HEAD is detached');
    expect(repo.read(LIVE_VIEW)).toBe(before);
    expect(existsSync(join(repo.dir, '.git/flags-pr'))).toBe(false);
  });
});
