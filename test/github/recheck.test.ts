import { fileURLToPath } from 'node:url';
// End to end: a real git repository, the real `flags check`, the real platform server and the
// local GitHub stand-in. A promotion opened too early at 10:00 is held by a pending `flags/soak`
// status, and the scheduled re-check turns it into success once its time has come.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as actions from '../../scripts/adapters/actions.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { evaluateCheck } from '../../scripts/commands/check.ts';
import { SOAK_CONTEXT } from '../../scripts/core/gate-report.ts';
import { ownersOf, runGate } from '../../scripts/github/gate.ts';
import { pullRequestJudge, recheckPullRequests } from '../../scripts/github/recheck.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import {
  actionsRunner,
  type ActionsRunner,
  type GitHubStub,
  startGitHubStub,
} from '../helpers/github-stub.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';

const FILE = 'flags/video/live-view.yaml';

let stub: GitHubStub;
let runner: ActionsRunner;
let platform: TestPlatform;
let repo: TestRepo;
let mainSha: string;
let prHead: string;
let env: Record<string, string>;

beforeAll(async () => {
  stub = await startGitHubStub();
  // Writes only as the workflow's own permissions: block grants them.
  stub.useWorkflowPermissions(
    fileURLToPath(new URL('../../.github/workflows/flags-recheck.yml', import.meta.url)),
    'recheck',
  );
  runner = actionsRunner();
  // The deploy registered the flag half an hour after it merged: the platform's later
  // state_changed_at holds for the soak clock.
  platform = await platformServer({ clock: () => new Date('2026-11-26T14:30:00Z') });
  await platform.client.putFlag('live-view', {
    description: 'Live view.',
    owner: '@novalien/video',
    depends_on: [],
  });
  repo = gitRepo();
  repo.flag('video', { key: 'live-view', state: 'alpha' });
  repo.flag('video', { key: 'recording', state: 'alpha' });
  mainSha = repo.commit('2026-11-26T14:00:00Z', 'add live-view at alpha');
  repo.git('checkout', '-q', '-b', 'promote-live-view');
  repo.flag('video', { key: 'live-view', state: 'beta' });
  prHead = repo.commit('2026-11-27T09:00:00Z', 'promote live-view to beta');
  repo.git('checkout', '-q', 'main');
  env = {
    ...stub.env(),
    PLATFORM_API_URL: platform.url,
    PLATFORM_API_TOKEN: platform.token,
  };
});

afterAll(async () => {
  runner.restore();
  await platform.close();
  await stub.close();
  cleanupRepos();
});

function recheck(at: string, fetched: string[][] = []) {
  const git = new GitRepo(repo.dir);
  return recheckPullRequests({
    github: stub.client(),
    judge: pullRequestJudge({
      cwd: repo.dir,
      env,
      strict: true,
      evaluate: evaluateCheck,
      git,
      // Stands in for `git fetch origin refs/pull/N/...`: the heads are already here, and the
      // merge ref is made the way GitHub makes it.
      fetch: (refspecs) => {
        fetched.push(refspecs);
        for (const spec of refspecs) {
          const [source, target] = spec.replace(/^\+/, '').split(':') as [string, string];
          const number = /^refs\/pull\/(\d+)\/merge$/.exec(source)?.[1];
          const head = number ? stub.pulls.get(Number(number))?.headSha : undefined;
          if (!head) continue;
          const tree = execFileSync('git', ['merge-tree', '--write-tree', 'main', head], {
            cwd: repo.dir,
            encoding: 'utf8',
          }).trim();
          const merge = repo
            .git('commit-tree', tree, '-p', 'main', '-p', head, '-m', 'merge')
            .trim();
          repo.git('update-ref', target, merge);
        }
        return Promise.resolve();
      },
    }),
    owners: (result) => ownersOf(result, git),
    now: new Date(at),
    strict: true,
    base: 'main',
    runUrl: null,
    log: () => {},
  });
}

describe('a promotion too early', () => {
  it('is pending at 10:00 and succeeds by itself after its eligibleAt', async () => {
    const pr = stub.addPull({
      headSha: prHead,
      headRef: 'promote-live-view',
      baseSha: mainSha,
      files: [FILE],
    });
    const untouched = stub.addPull({ headSha: mainSha, headRef: 'docs-only' });

    // The gate on the pull request at 10:00.
    const { value: gate } = await runner.captureStdout(() =>
      runGate(
        {
          repoDir: repo.dir,
          event: 'pull_request',
          pr: pr.number,
          base: mainSha,
          head: prHead,
          mergeCommit: null,
          fork: false,
          strict: true,
          soakViaStatus: true,
          runUrl: null,
        },
        {
          github: stub.client(),
          evaluate: evaluateCheck,
          git: new GitRepo(repo.dir),
          reporter: actions,
          now: new Date('2026-11-27T10:00:00Z'),
          env,
          log: () => {},
        },
      ),
    );
    expect(
      gate.result?.violations.filter((v) => v.severity === 'error').map((v) => v.rule),
    ).toEqual(['soak']);
    expect(gate.exitCode).toBe(0);
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)).toMatchObject({
      state: 'pending',
      description: 'Soak: allowed from 2026-11-27 14:30 UTC (live-view)',
    });
    const comment = stub.commentsOn(pr.number)[0];
    expect(comment?.body).toContain('waiting for the soak, allowed from 2026-11-27 14:30 UTC');
    expect(comment?.body).toContain(
      '- [x] ✅ no flag-related errors on the platform in the last 24 h',
    );

    // The schedule at 10:15: still pending, nothing written again.
    const writes = () => stub.requestsTo('POST', new RegExp(`/statuses/${prHead}$`)).length;
    const before = writes();
    const quarter = await recheck('2026-11-27T10:15:00Z');
    expect(quarter.find((o) => o.pr === pr.number)).toMatchObject({
      state: 'pending',
      written: false,
    });
    expect(writes()).toBe(before);
    // A pull request that touches no flag is simply fine.
    expect(quarter.find((o) => o.pr === untouched.number)).toMatchObject({ state: 'success' });

    // Main moves on meanwhile: the pull request is now behind and is judged through its merge.
    repo.write('README.md', 'NovaVMS flags\n');
    repo.commit('2026-11-27T11:00:00Z', 'docs');

    // The schedule after eligibleAt: success, written once, and the comment follows.
    const fetched: string[][] = [];
    const later = await recheck('2026-11-27T14:35:00Z', fetched);
    expect(later.find((o) => o.pr === pr.number)).toMatchObject({
      state: 'success',
      written: true,
      comment: 'updated',
    });
    // The merge is made locally: only heads are fetched, never refs/pull/N/merge.
    expect(fetched.flat().some((refspec) => refspec.includes('/merge'))).toBe(false);
    expect(fetched).toContainEqual([
      `+refs/pull/${pr.number}/head:refs/flags-recheck/pr/${pr.number}/head`,
    ]);
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)).toMatchObject({
      state: 'success',
      description: 'Ready: 1 flag change may merge',
    });
    const comments = stub.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('✅ Flags gate: the change may merge');
    // The pull request that touches no flag: still fine, and no comment from the schedule.
    expect(later.find((o) => o.pr === untouched.number)).toMatchObject({ state: 'success' });
    expect(stub.commentsOn(untouched.number)).toHaveLength(0);
  });
});
