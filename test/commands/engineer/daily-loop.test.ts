// The engineer commands as a new engineer uses them every day: each --open-pr keeps its own PR
// body, asks every owner, says and checks the branch it goes into; promote on a branch judges as
// CI will; a refusal's advice clears every error it lists.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanupRepos } from '../../helpers/git-repo.ts';
import { startGitHubStub, type GitHubStub } from '../../helpers/github-stub.ts';
import { cleanupRemotes, linkStubToRemote, withRemote } from '../../helpers/remote.ts';
import { BACKOFF, EDGE, LIVE_VIEW, flagText, repoWithLiveView } from './fixtures.ts';

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
  // `--open-pr` runs on an engineer's machine with their own token, which may ask teams.
  stub.tokenKind = 'user';
});
afterAll(async () => {
  await stub.close();
});
afterEach(() => {
  cleanupRepos();
  cleanupRemotes();
  stub.pulls.clear();
  stub.issues.clear();
});

const NOW = '2026-11-24T12:00:00Z';

/** The file a printed `gh pr create ... --body-file F` names, read from the repository. */
function bodyFileOf(stdout: string, dir: string): string {
  const path = /--body-file (\S+)/.exec(stdout)?.[1];
  expect(path).toBeDefined();
  return readFileSync(isAbsolute(path!) ? path! : join(dir, path!), 'utf8');
}

describe('the daily loop of the engineer commands', () => {
  it('two --open-pr in a row keep a PR body each', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    repo.write(
      BACKOFF,
      flagText({ key: 'reconnect-backoff-v2', owner: '@novalien/platform', state: 'alpha' }),
    );
    repo.commit('2026-11-20T10:00:00Z');

    const first = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr']);
    expect(first.status).toBe(0);
    repo.git('switch', '-q', 'main');
    const second = await repo.cli(['promote', 'reconnect-backoff-v2', '--now', NOW, '--open-pr']);
    expect(second.status).toBe(0);

    expect(bodyFileOf(first.stdout, repo.dir)).toContain('Promotes `live-view` from alpha to beta');
    expect(bodyFileOf(second.stdout, repo.dir)).toContain(
      'Promotes `reconnect-backoff-v2` from alpha to beta',
    );
  });

  it('revert --open-pr asks every owner whose flags it demotes', async () => {
    const repo = repoWithLiveView('beta', '2026-11-01T10:00:00Z');
    repo.write(
      EDGE,
      flagText({
        key: 'edge-session-resume',
        owner: '@novalien/platform',
        state: 'beta',
        depends_on: ['live-view'],
      }),
    );
    repo.commit('2026-11-02T10:00:00Z');
    const remote = withRemote(repo);
    linkStubToRemote(stub, remote);

    const run = await repo.cli(
      [
        'revert',
        'live-view',
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
    const pr = stub.pulls.get(run.json.pr.pr.number)!;
    expect([...pr.requestedTeams].sort()).toEqual(['platform', 'video']);
    expect(run.json.pr.reviewers.sort()).toEqual(['@novalien/platform', '@novalien/video']);
  });

  it('--open-pr says which branch the pull request goes into, and refuses one that is not on origin', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    withRemote(repo);
    repo.git('switch', '-q', '-c', 'my-feature');
    const before = repo.read(LIVE_VIEW);

    const refused = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('origin has no branch my-feature');
    expect(refused.stderr).toContain('git switch main');
    expect(repo.read(LIVE_VIEW)).toBe(before);

    repo.git('switch', '-q', 'main');
    const ok = await repo.cli(['promote', 'live-view', '--now', NOW, '--open-pr']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('the pull request goes into main');
  });

  it('promote on a branch judges the change against the protected branch, as CI will', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-01T10:00:00Z');
    repo.write(
      EDGE,
      flagText({
        key: 'edge-session-resume',
        owner: '@novalien/platform',
        state: 'alpha',
        depends_on: ['live-view'],
      }),
    );
    repo.commit('2026-11-01T10:00:00Z');
    withRemote(repo);
    // The dependency's promotion sits on this branch, unmerged: on main it is still alpha.
    repo.git('switch', '-q', '-c', 'both');
    repo.write(LIVE_VIEW, flagText({ key: 'live-view', state: 'beta' }));
    repo.commit('2026-11-24T11:00:00Z');

    const run = await repo.cli(['promote', 'edge-session-resume', '--now', NOW]);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('✓ Promoted');
    expect(run.stdout).toContain('dependency-order');
    expect(run.stdout).toContain('Judged against origin/main, as CI judges the pull request');
    expect(parse(repo.read(EDGE)).state).toBe('alpha');
  });

  it('a refusal with a dependency and a soak error does not promise that waiting clears it', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-24T10:00:00Z');
    repo.write(
      EDGE,
      flagText({
        key: 'edge-session-resume',
        owner: '@novalien/platform',
        state: 'alpha',
        depends_on: ['live-view'],
      }),
    );
    repo.commit('2026-11-24T10:00:00Z');

    const run = await repo.cli(['promote', 'edge-session-resume', '--now', NOW]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('soak');
    expect(run.stdout).toContain('dependency-order');
    const advice = run.stdout.trimEnd().split('\n');
    expect(advice.at(-1)).not.toMatch(/^Run this again from/);
    expect(run.stdout).not.toContain('--override --decision-maker');
    expect(run.stdout).toContain('waiting for the soak does not clear it');
    expect(run.stdout).toContain('An --override would waive the soak only, never dependency-order');

    // With the soak the only error, waiting (or an override) is the whole advice.
    const soakOnly = repoWithLiveView('alpha', '2026-11-24T10:00:00Z');
    const alone = await soakOnly.cli(['promote', 'live-view', '--now', NOW]);
    expect(alone.stdout).toContain('Run this again from 2026-11-25 10:00 UTC.');
    expect(alone.stdout).toContain('--override --decision-maker @login');
  });
});
