// The scheduled report with code references, end to end: real git repositories (the flags and an
// application beside them) and the GitHub stand-in.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStatus } from '../../scripts/commands/status.ts';
import { removalBranch, runReport } from '../../scripts/github/report.ts';
import { loadReportRefs } from '../../scripts/github/report-refs.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import { startGitHubStub, type GitHubStub } from '../helpers/github-stub.ts';

const NOW = new Date('2026-11-27T06:00:00Z');
const SERVER = 'https://github.example';

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(async () => {
  await stub.close();
});
afterEach(cleanupRepos);

function repos(): { flags: TestRepo; app: TestRepo } {
  const app = gitRepo();
  app
    .write('web/player.ts', 'if (flags.liveView) {\n  play();\n}\n')
    .write('server/live.go', 'if client.Enabled("live-view") {}\n');
  app.commit('2026-11-20T10:00:00Z', 'app');
  const flags = gitRepo({ codeowners: '/flags/video/ @novalien/video @erin\n' });
  flags
    .flag('video', { key: 'old-flag', state: 'ga' })
    .flag('video', { key: 'live-view', state: 'ga', owner: '@erin' })
    .write(
      '.github/flag-refs.yaml',
      `sources:\n  - name: app\n    path: ${app.dir}\n    repository: novalien/app\n`,
    );
  flags.commit('2026-11-07T06:00:00Z', 'both at ga');
  stub.seedBranch('main', {
    'flags/video/old-flag.yaml': 'key: old-flag\n',
    'flags/video/live-view.yaml': 'key: live-view\n',
  });
  return { flags, app };
}

async function report(flags: TestRepo) {
  const status = await evaluateStatus({ cwd: flags.dir, now: NOW, env: {} });
  return runReport({
    github: stub.client(),
    now: NOW,
    status,
    platform: { unavailable: 'not configured' },
    dependents: new Map(),
    base: 'main',
    log: () => {},
    refs: await loadReportRefs(flags.dir, { GITHUB_SERVER_URL: SERVER }),
  });
}

const refsIssues = () => [...stub.issues.values()].filter((i) => i.labels.includes('flag-refs'));

describe('the report with code references', () => {
  it('proposes removing an unreferenced flag with evidence, and keeps an issue for a referenced one until its last reference goes', async () => {
    const { flags, app } = repos();
    const first = await report(flags);
    expect(first.removals.map((r) => [r.key, r.result])).toEqual([
      ['live-view', 'blocked'],
      ['old-flag', 'opened'],
    ]);

    // No reference: the removal pull request says what was scanned, at which commit.
    const pr = stub.pulls.get(first.removals[1]?.pr?.number ?? 0);
    expect(pr?.headRef).toBe(removalBranch('old-flag'));
    expect(pr?.body).toContain('### Code references');
    expect(pr?.body).toContain(`- \`app\`: novalien/app, at \`${app.head()}\`, tracked files`);

    // References: an issue for the owner, listing each with its link, and no pull request.
    expect(refsIssues()).toHaveLength(1);
    const issue = refsIssues()[0]!;
    expect(first.removals[0]?.note).toBe(
      `2 code references left (#${issue.number}): remove them first`,
    );
    expect(issue.state).toBe('open');
    expect(issue.title).toBe('Flag live-view: remove 2 code references');
    expect(issue.labels).toEqual(['flag-refs', 'flag:live-view']);
    expect(issue.assignees).toEqual(['erin']);
    const at = app.head();
    expect(issue.body).toContain(
      `| app | [server/live.go:1](${SERVER}/novalien/app/blob/${at}/server/live.go#L1) | \`live-view\` |`,
    );
    expect(issue.body).toContain(
      `| app | [web/player.ts:1](${SERVER}/novalien/app/blob/${at}/web/player.ts#L1) | \`liveView\` |`,
    );
    expect([...stub.pulls.values()].map((p) => p.headRef)).not.toContain(
      removalBranch('live-view'),
    );

    // One reference goes: the same issue is brought up to date.
    app.remove('server/live.go');
    const one = app.commit('2026-11-25T10:00:00Z', 'live-view off the server');
    const second = await report(flags);
    expect(second.removals[0]?.result).toBe('blocked');
    expect(refsIssues()).toHaveLength(1);
    expect(issue.state).toBe('open');
    expect(issue.title).toBe('Flag live-view: remove 1 code reference');
    expect(issue.body).not.toContain('server/live.go');
    expect(issue.body).toContain(`/blob/${one}/web/player.ts#L1`);

    // The last one goes: the issue closes itself and the removal pull request opens, with evidence.
    app.write('web/player.ts', 'play();\n');
    const none = app.commit('2026-11-26T10:00:00Z', 'live-view gone');
    const third = await report(flags);
    expect(issue.state).toBe('closed');
    expect(issue.body).toContain('No code reference is left');
    expect(refsIssues()).toHaveLength(1);
    expect(third.removals.map((r) => [r.key, r.result])).toEqual([
      ['live-view', 'opened'],
      ['old-flag', 'exists'],
    ]);
    const removal = stub.pulls.get(third.removals[0]?.pr?.number ?? 0);
    expect(removal?.files).toEqual(['flags/video/live-view.yaml']);
    expect(removal?.body).toContain(`at \`${none}\`, tracked files`);

    // Nothing changes the next day: the closed issue stays closed, nothing opens twice.
    const pulls = stub.pulls.size;
    const fourth = await report(flags);
    expect(fourth.removals.map((r) => r.result)).toEqual(['exists', 'exists']);
    expect(stub.pulls.size).toBe(pulls);
    expect(issue.state).toBe('closed');
  }, 180_000); // four report runs over real repositories on a shared machine
});
