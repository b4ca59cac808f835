// The gate with its outside facts: the project's platform server and the local GitHub stand-in.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import { startGitHubStub, type GitHubStub } from '../helpers/github-stub.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';

const NOW = '2026-11-24T12:00:00Z';
let platform: TestPlatform | undefined;
let github: GitHubStub | undefined;
let platformTime = new Date('2026-11-20T10:00:00Z');

afterEach(async () => {
  cleanupRepos();
  await platform?.close();
  await github?.close();
  platform = undefined;
  github = undefined;
});

async function startPlatform(): Promise<TestPlatform> {
  platform = await platformServer({ clock: () => platformTime });
  return platform;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PLATFORM_API_URL: platform!.url, PLATFORM_API_TOKEN: platform!.token, ...extra };
}

async function check(
  repo: TestRepo,
  base: string,
  vars: Record<string, string>,
  extra: string[] = [],
) {
  const out = await repo.cli(['check', '--base', base, '--now', NOW, '--json', ...extra], vars);
  const violations = (out.json?.violations ?? []) as {
    rule: string;
    severity: string;
    message: string;
  }[];
  return { ...out, violations, rules: violations.map((v) => `${v.rule}:${v.severity}`).sort() };
}

/** `live` at `state` in git since 2026-11-10, and registered on the platform at 2026-11-20 10:00. */
async function liveAt(state: 'alpha' | 'beta'): Promise<{ repo: TestRepo; base: string }> {
  const repo = gitRepo().flag('video', { key: 'live' });
  repo.commit('2026-11-01T00:00:00Z');
  if (state === 'beta')
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-10T00:00:00Z');
  const p = await startPlatform();
  platformTime = new Date('2026-11-01T00:00:00Z');
  await p.client.putFlag('live', { description: 'd', owner: '@novalien/video', depends_on: [] });
  if (state === 'beta') {
    platformTime = new Date('2026-11-10T00:00:00Z');
    await p.client.setState('live', 'beta');
  }
  return { repo, base: repo.head() };
}

describe('exit criteria from the platform', () => {
  it('blocks alpha to beta while the platform saw flag errors in the last 24 h', async () => {
    const { repo, base } = await liveAt('alpha');
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const clean = await check(repo, base, env(), ['--strict']);
    expect(clean.status).toBe(0);
    expect(clean.json.criteria).toContainEqual(
      expect.objectContaining({ criterion: 'no-platform-errors-24h', status: 'met' }),
    );

    platformTime = new Date(NOW);
    await platform!.client.reportErrors('live', { count: 3 });
    const failing = await check(repo, base, env());
    expect(failing.status).toBe(1);
    expect(failing.rules).toEqual(['exit-criteria:error']);
    expect(failing.violations[0]!.message).toContain('3 errors in the last 24 h');
  });

  it('blocks alpha to beta on a single platform error in the last 24 h, and passes on none', async () => {
    const { repo, base } = await liveAt('alpha');
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const none = await check(repo, base, env(), ['--strict']);
    expect(none.rules).toEqual([]);
    platformTime = new Date(NOW);
    await platform!.client.reportErrors('live', { count: 1 });
    const one = await check(repo, base, env(), ['--strict']);
    expect(one.status).toBe(1);
    expect(one.rules).toEqual(['exit-criteria:error']);
    expect(one.violations[0]!.message).toContain('1 error in the last 24 h');
  });

  it('needs 10 opted-in orgs for ga, and reports open incidents from GitHub', async () => {
    const { repo, base } = await liveAt('beta');
    repo.flag('video', { key: 'live', state: 'ga' }).commit('2026-11-24T11:00:00Z');
    for (let i = 0; i < 9; i++) await platform!.client.setOptIn(`org-${i}`, 'live', true);
    // No GitHub: the incident criterion cannot be verified.
    const nine = await check(repo, base, env());
    expect(nine.rules).toEqual(['exit-criteria-unverified:warning', 'exit-criteria:error']);
    expect(nine.violations.find((v) => v.rule === 'exit-criteria')!.message).toContain(
      '9 orgs opted in',
    );

    await platform!.client.setOptIn('org-9', 'live', true);
    github = await startGitHubStub();
    github.addIssue({ title: 'Live view freezes', labels: ['incident', 'flag:live'] });
    github.addIssue({ title: 'Old one', labels: ['incident', 'flag:live'], state: 'closed' });
    github.addIssue({ title: 'Other flag', labels: ['incident', 'flag:other'] });
    const incident = await check(repo, base, env(github.env()), ['--strict']);
    expect(incident.rules).toEqual(['exit-criteria:error']);
    expect(incident.violations[0]!.message).toContain('Live view freezes');

    github.issues.forEach((issue) => (issue.state = 'closed'));
    const clear = await check(repo, base, env(github.env()), ['--strict']);
    expect(clear.rules).toEqual([]);
    expect(clear.status).toBe(0);
  });

  it('lets a later state_changed_at on the platform hold over the git clock', async () => {
    const { repo, base } = await liveAt('alpha');
    // Someone re-registered the flag's state on the platform recently (demoted and re-set).
    platformTime = new Date('2026-11-24T00:00:00Z');
    await platform!.client.setState('live', 'beta');
    platformTime = new Date('2026-11-24T01:00:00Z');
    await platform!.client.setState('live', 'alpha');
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base, env());
    expect(out.json.changes[0]).toMatchObject({
      since: '2026-11-24T01:00:00Z',
      eligibleAt: '2026-11-25T01:00:00Z',
    });
    expect(out.rules).toContain('soak:error');
  });

  it('calls a platform that does not answer unverified, and an error only with --strict', async () => {
    const { repo, base } = await liveAt('alpha');
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const url = platform!.url;
    await platform!.close();
    platform = undefined;
    const vars = { PLATFORM_API_URL: url, PLATFORM_API_TOKEN: 't' };
    const loose = await check(repo, base, vars);
    expect(loose.status).toBe(0);
    expect(loose.rules).toEqual(['exit-criteria-unverified:warning']);
    expect(loose.violations[0]!.message).toMatch(/did not answer|ECONNREFUSED|unreachable/i);
    expect((await check(repo, base, vars, ['--strict'])).status).toBe(1);
  });
});

describe('drift', () => {
  it('blocks changing a flag whose platform state differs from the base, but not the change that follows the platform', async () => {
    const { repo, base } = await liveAt('beta');
    // On-call revert on the platform, as the runbook's revert path says.
    platformTime = new Date('2026-11-23T00:00:00Z');
    await platform!.client.setState('live', 'alpha', { actor: 'oncall' });
    repo
      .flag('video', { key: 'live', state: 'beta', description: 'new words' })
      .commit('2026-11-24T11:00:00Z');
    const edit = await check(repo, base, env());
    expect(edit.rules).toEqual(['drift:error']);
    expect(edit.violations[0]!.message).toContain('at alpha');

    repo
      .flag('video', {
        key: 'live',
        state: 'alpha',
        revert: { reason: 'errors', incident: 'https://incidents.example/3' },
      })
      .commit('2026-11-24T11:30:00Z');
    const follow = await check(repo, base, env());
    expect(follow.rules).toEqual([]);
    expect(follow.json.changes[0]).toMatchObject({ kind: 'revert', from: 'beta', to: 'alpha' });
  });
});
