// The entry scripts as the workflows run them (in-process: `main(env, cwd)`), wired to a real git
// repository with an `origin` that has GitHub's pull request refs, and the local GitHub stand-in.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOAK_CONTEXT } from '../../scripts/core/gate-report.ts';
import { main as gateMain } from '../../scripts/github/gate.ts';
import { gitAuthEnv } from '../../scripts/adapters/git-auth.ts';
import { main as recheckMain, recheckPullRequests } from '../../scripts/github/recheck.ts';
import { main as reportMain } from '../../scripts/github/report.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import {
  actionsRunner,
  type ActionsRunner,
  type GitHubStub,
  sha,
  startGitHubStub,
} from '../helpers/github-stub.ts';

import { ago, QUIET } from '../helpers/entry-options.ts';

let stub: GitHubStub;
let runner: ActionsRunner;
let repo: TestRepo;
let scratch: string;
let mainSha: string;
let prHead: string;

beforeAll(async () => {
  stub = await startGitHubStub();
  runner = actionsRunner();
  scratch = mkdtempSync(join(tmpdir(), 'flags-entries-'));
  repo = gitRepo();
  repo.flag('video', { key: 'live-view', state: 'alpha' });
  repo.flag('video', { key: 'old-ga', state: 'ga' });
  mainSha = repo.commit(ago(15), 'flags');
  repo.git('checkout', '-q', '-b', 'promote');
  repo.flag('video', { key: 'live-view', state: 'beta' });
  prHead = repo.commit(ago(1), 'promote live-view');
  repo.git('checkout', '-q', 'main');
  // origin, with the refs GitHub keeps for a pull request.
  const origin = join(scratch, 'origin.git');
  repo.git('init', '-q', '--bare', origin);
  repo.git('remote', 'add', 'origin', origin);
  repo.git('push', '-q', 'origin', 'main', `${prHead}:refs/pull/1/head`);
  // The same files on the stand-in's main, for the removal branch made through the API.
  stub.seedBranch('main', {
    'flags/video/live-view.yaml': repo.read('flags/video/live-view.yaml'),
    'flags/video/old-ga.yaml': repo.read('flags/video/old-ga.yaml'),
  });
});

afterAll(async () => {
  runner.restore();
  await stub.close();
  cleanupRepos();
  rmSync(scratch, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...stub.env(),
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '7',
    FLAGS_REPO_DIR: repo.dir,
    // No platform here: exit criteria are unverified, a warning without --strict.
    FLAGS_STRICT: 'false',
    ...extra,
  };
}

describe('the entry scripts', () => {
  it('gate.ts judges the pull request of the event file', async () => {
    const pr = stub.addPull({ headSha: prHead, headRef: 'promote', baseSha: mainSha });
    expect(pr.number).toBe(1);
    const eventFile = join(scratch, 'event.json');
    writeFileSync(
      eventFile,
      JSON.stringify({
        pull_request: {
          number: pr.number,
          base: { sha: mainSha, repo: { full_name: stub.fullName } },
          head: { sha: prHead, repo: { full_name: stub.fullName } },
        },
      }),
    );
    const { value: status } = await runner.captureStdout(() =>
      gateMain(
        env({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventFile }),
        '/',
        QUIET,
      ),
    );
    expect(status).toBe(0);
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)).toMatchObject({
      state: 'success',
      targetUrl: `https://github.example/${stub.fullName}/actions/runs/7`,
    });
    expect(stub.commentsOn(pr.number)[0]?.body).toContain('| live-view | alpha | beta |');
    expect(runner.outputs()['state']).toBe('success');
  });

  it('gate.ts exits 2 without an event it knows', async () => {
    expect(await gateMain(env({ GITHUB_EVENT_NAME: 'push' }), repo.dir, QUIET)).toBe(2);
  });

  it('recheck.ts and report.ts exit 2 and say why without the GitHub variables', async () => {
    for (const main of [recheckMain, reportMain]) {
      const lines: string[] = [];
      const bare = { ...env(), GITHUB_TOKEN: undefined };
      expect(await main(bare, repo.dir, { ...QUIET, log: (l) => lines.push(l) })).toBe(2);
      expect(lines).toEqual(['GITHUB_TOKEN and GITHUB_REPOSITORY are required']);
    }
  });

  it('recheck.ts fetches each pull request head from origin and sets its status', async () => {
    stub.statuses.length = 0;
    expect(await recheckMain(env(), '/', QUIET)).toBe(0);
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)?.state).toBe('success');
    expect(repo.head('refs/flags-recheck/pr/1/head')).toBe(prHead);
  });

  it('recheck.ts marks a pull request it cannot judge as error and goes on', async () => {
    const broken = stub.addPull({ headSha: sha('not-in-origin'), headRef: 'ghost' });
    // One pull request's failure is reported on that pull request; the run stays green.
    expect(await recheckMain(env(), '/', QUIET)).toBe(0);
    expect(stub.latestStatus(sha('not-in-origin'), SOAK_CONTEXT)?.state).toBe('error');
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)?.state).toBe('success');
    broken.state = 'closed';
  });

  it('report.ts opens the removal of a ga flag past 7 days and files the report', async () => {
    expect(await reportMain(env(), '/', QUIET)).toBe(0);
    const removal = [...stub.pulls.values()].find((p) => p.headRef === 'flags/remove-old-ga');
    expect(removal?.files).toEqual(['flags/video/old-ga.yaml']);
    const issue = [...stub.issues.values()].find((i) => i.labels.includes('flags-report'));
    expect(issue?.body).toContain('Not checked: the platform is not configured');
    expect(issue?.body).toContain('| `old-ga` | @novalien/video |');
    // Run again: no second pull request, no second issue.
    expect(await reportMain(env(), '/', QUIET)).toBe(0);
    expect(
      [...stub.pulls.values()].filter((p) => p.headRef === 'flags/remove-old-ga'),
    ).toHaveLength(1);
    expect([...stub.issues.values()].filter((i) => i.labels.includes('flags-report'))).toHaveLength(
      1,
    );
  });
});

describe('the re-check makes its own merge with main', () => {
  it('judges a behind pull request without refs/pull/N/merge, and a conflict only on itself', async () => {
    const origin = join(scratch, 'origin.git');
    // Two pull requests made from the old main: one adds a flag, one edits what main edits next.
    repo.git('checkout', '-q', '-b', 'adds', mainSha);
    repo.flag('video', { key: 'brand-new', state: 'alpha' });
    const adds = repo.commit(ago(1), 'add brand-new');
    repo.git('checkout', '-q', '-b', 'clashes', mainSha);
    repo.flag('video', { key: 'old-ga', state: 'ga', description: 'Told one way.' });
    const clashes = repo.commit(ago(1), 'describe old-ga');
    repo.git('checkout', '-q', 'main');
    repo.flag('video', { key: 'old-ga', state: 'ga', description: 'Told another way.' });
    repo.commit(ago(0.5), 'describe old-ga differently');
    const a = stub.addPull({ headSha: adds, headRef: 'adds', baseSha: mainSha });
    const c = stub.addPull({ headSha: clashes, headRef: 'clashes', baseSha: mainSha });
    // Only the heads: GitHub may not have computed a merge ref, and has none for a conflict.
    repo.git('push', '-q', origin, `${adds}:refs/pull/${a.number}/head`);
    repo.git('push', '-q', origin, `${clashes}:refs/pull/${c.number}/head`);
    stub.statuses.length = 0;
    expect(await recheckMain(env(), '/', QUIET)).toBe(0);
    expect(stub.latestStatus(adds, SOAK_CONTEXT)?.state).toBe('success');
    expect(stub.latestStatus(clashes, SOAK_CONTEXT)).toMatchObject({
      state: 'error',
      description: expect.stringMatching(/conflicts with the base in flags\/video\/old-ga\.yaml/),
    });
    expect(stub.requests.some((r) => r.path.includes('/merge'))).toBe(false);
    a.state = 'closed';
    c.state = 'closed';
  });
});

describe('git credentials for the re-check', () => {
  it('go to git through its environment, as a header for the GitHub server only', () => {
    const auth = gitAuthEnv({ GITHUB_TOKEN: 'ghs_abc', GITHUB_SERVER_URL: 'https://github.com' });
    expect(auth['GIT_CONFIG_KEY_0']).toBe('http.https://github.com/.extraheader');
    expect(auth['GIT_CONFIG_VALUE_0']).toBe(
      `AUTHORIZATION: basic ${Buffer.from('x-access-token:ghs_abc').toString('base64')}`,
    );
    expect(gitAuthEnv({})['GIT_CONFIG_COUNT']).toBeUndefined();
  });

  it('a GitHub failure on one pull request stops no other', async () => {
    const other = await startGitHubStub();
    try {
      const a = other.addPull({ headSha: sha('a') });
      const b = other.addPull({ headSha: sha('b') });
      const outcomes = await recheckPullRequests({
        github: other.client({ retries: 0 }),
        judge: (pr) => {
          if (pr.number === b.number) other.secondaryRateLimit(1);
          return Promise.resolve({
            ok: true,
            base: sha('base'),
            head: pr.headSha,
            now: '2026-11-27T10:00:00Z',
            changes: [],
            violations: [],
            criteria: [],
            overrides: [],
          });
        },
        now: new Date('2026-11-27T10:00:00Z'),
        strict: true,
        base: 'main',
        runUrl: null,
        log: () => {},
      });
      expect(outcomes.map((o) => [o.pr, o.state])).toEqual([
        [b.number, 'error'],
        [a.number, 'success'],
      ]);
    } finally {
      await other.close();
    }
  });
});
