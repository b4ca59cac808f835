import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanupRepos, gitRepo, TestRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

const NOW = '2026-11-24T12:00:00Z';

async function check(
  repo: TestRepo,
  base: string,
  extra: string[] = [],
  env: Record<string, string> = {},
) {
  const out = await repo.cli(['check', '--base', base, '--now', NOW, '--json', ...extra], env);
  const violations = (out.json?.violations ?? []) as {
    rule: string;
    severity: string;
    flag: string;
    message: string;
    line: number | null;
  }[];
  return {
    ...out,
    violations,
    errors: violations.filter((v) => v.severity === 'error').map((v) => v.rule),
  };
}

/** A repo with flag `live` (video) created at alpha on 2026-11-20 10:00 and a base commit after. */
function repoWithLive(): { repo: TestRepo; base: string } {
  const repo = gitRepo().flag('video', { key: 'live' });
  repo.commit('2026-11-20T10:00:00Z', 'add live');
  return { repo, base: repo.head() };
}

describe('flags check: promotions and the soak clock', () => {
  it('allows alpha to beta after 24 h and reports the change with since and eligibleAt', async () => {
    const { repo, base } = repoWithLive();
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(0);
    expect(out.json).toMatchObject({ ok: true, base, head: repo.head(), now: NOW });
    expect(out.json.changes).toEqual([
      {
        flag: 'live',
        file: 'flags/video/live.yaml',
        kind: 'promote',
        from: 'alpha',
        to: 'beta',
        since: '2026-11-20T10:00:00Z',
        eligibleAt: '2026-11-21T10:00:00Z',
      },
    ]);
    // Without a platform the exit criterion is unverified: a warning, an error with --strict.
    expect(out.violations.map((v) => [v.rule, v.severity])).toEqual([
      ['exit-criteria-unverified', 'warning'],
    ]);
    const strict = await check(repo, base, ['--strict']);
    expect(strict.status).toBe(1);
    expect(strict.errors).toEqual(['exit-criteria-unverified']);
  });

  it('blocks a promotion one second early and says exactly when it becomes allowed', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.commit('2026-11-23T12:00:01Z');
    const base = repo.head();
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(1);
    expect(out.errors).toEqual(['soak']);
    expect(out.json.changes[0].eligibleAt).toBe('2026-11-24T12:00:01Z');
    expect(out.violations.find((v) => v.rule === 'soak')!.message).toContain(
      'allowed from 2026-11-24 12:00:01 UTC (in 1 s)',
    );
    const onTime = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-24T12:00:01Z',
      '--json',
    ]);
    expect(onTime.status).toBe(0);
  });

  it('needs 72 h in beta before ga, measured from the commit that changed the state', async () => {
    const { repo } = repoWithLive();
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-21T13:00:00Z');
    repo
      .flag('video', { key: 'live', state: 'beta', description: 'edited later' })
      .commit('2026-11-23T12:00:00Z');
    const base = repo.head();
    repo
      .flag('video', { key: 'live', state: 'ga', description: 'edited later' })
      .commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.json.changes[0]).toMatchObject({
      since: '2026-11-21T13:00:00Z',
      eligibleAt: '2026-11-24T13:00:00Z',
    });
    expect(out.errors).toEqual(['soak']);
    expect(out.violations.find((v) => v.rule === 'soak')!.message).toContain('in 1 h');
  });

  it('never counts a side branch commit date: the merge time on the first-parent line holds', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.commit('2026-11-01T00:00:00Z', 'main root');
    repo.git('checkout', '-q', '-b', 'side');
    // The side branch claims to have changed the state long ago.
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-02T00:00:00Z', 'backdated');
    repo.git('checkout', '-q', 'main');
    // The merge reaches main at a fixed time a day before --now (never the real clock): in beta
    // since then, ga is 48 h early, while the side branch's date would have allowed it.
    const merged = '2026-11-23T12:00:00Z';
    repo.gitAt(merged, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    const base = repo.head();
    repo.flag('video', { key: 'live', state: 'ga' }).commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.json.changes[0]).toMatchObject({
      since: merged,
      eligibleAt: '2026-11-26T12:00:00Z',
    });
    expect(out.errors).toEqual(['soak']);
    expect(out.violations.find((v) => v.rule === 'soak')!.message).toContain('in 2 d');
  });

  it('keeps the clock when a file moves to another folder, and restarts it on a revert', async () => {
    const { repo } = repoWithLive();
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-20T12:00:00Z');
    repo.move('flags/video/live.yaml', 'flags/platform/live.yaml');
    repo.write('CODEOWNERS', '/flags/ @novalien/video\n').commit('2026-11-22T12:00:00Z', 'move');
    let base = repo.head();
    repo
      .write(
        'flags/platform/live.yaml',
        repo.read('flags/platform/live.yaml').replace('state: beta', 'state: ga'),
      )
      .commit('2026-11-24T11:00:00Z');
    let out = await check(repo, base);
    expect(out.json.changes[0]).toMatchObject({
      file: 'flags/platform/live.yaml',
      since: '2026-11-20T12:00:00Z',
    });
    expect(out.errors).toEqual([]);

    // Revert to alpha (with a fresh revert block), then try to re-promote too early.
    repo.git('reset', '-q', '--hard', base);
    repo.write(
      'flags/platform/live.yaml',
      repo.read('flags/platform/live.yaml').replace('state: beta', 'state: alpha') +
        'revert:\n  reason: errors\n  incident: https://incidents.example/1\n',
    );
    repo.commit('2026-11-24T00:00:00Z', 'revert');
    base = repo.head();
    repo
      .write(
        'flags/platform/live.yaml',
        repo.read('flags/platform/live.yaml').replace('state: alpha', 'state: beta'),
      )
      .commit('2026-11-24T11:00:00Z');
    out = await check(repo, base);
    expect(out.json.changes[0]).toMatchObject({
      kind: 'promote',
      since: '2026-11-24T00:00:00Z',
      eligibleAt: '2026-11-25T00:00:00Z',
    });
    expect(out.errors).toEqual(['soak']);
  });

  it('rejects skipping a state and a new flag that does not start at alpha', async () => {
    const { repo, base } = repoWithLive();
    repo
      .flag('video', { key: 'live', state: 'ga' })
      .flag('video', { key: 'fresh', state: 'beta' })
      .commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.errors.sort()).toEqual(['new-flag-state', 'transition-skip']);
    expect(
      out.json.changes.map((c: { flag: string; kind: string }) => `${c.flag}:${c.kind}`),
    ).toEqual(['fresh:create', 'live:promote']);
  });

  it('reports many flags in one change', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'a' })
      .flag('video', { key: 'b' })
      .flag('video', { key: 'c' });
    repo.commit('2026-11-20T10:00:00Z');
    const base = repo.head();
    repo
      .flag('video', { key: 'a', state: 'beta' })
      .flag('video', { key: 'b', state: 'beta' })
      .flag('video', { key: 'c', description: 'new words' });
    repo.commit('2026-11-24T10:00:00Z');
    const out = await check(repo, base);
    expect(out.json.changes.map((c: { kind: string }) => c.kind)).toEqual([
      'promote',
      'promote',
      'edit',
    ]);
    expect(out.status).toBe(0);
  });
});

describe('flags check: overrides and reverts', () => {
  const override = {
    decision_maker: '@cto',
    incident: 'https://incidents.example/42',
    reason: 'customer outage fix',
  };

  it('lets a fresh override waive the soak, as a warning naming the decision-maker', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    const base = repo.commit('2026-11-24T10:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override }).commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(0);
    const warning = out.violations.find((v) => v.rule === 'soak-override')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toContain('@cto');
    expect(out.json.overrides).toEqual([{ flag: 'live', ...override }]);
  });

  it('treats an override unchanged from the base as stale', async () => {
    const repo = gitRepo().flag('video', { key: 'live', override });
    repo.commit('2026-11-20T10:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override }).commit('2026-11-24T10:00:00Z');
    const base = repo.head();
    repo.flag('video', { key: 'live', state: 'ga', override }).commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.errors.sort()).toEqual(['override-invalid', 'soak']);
  });

  it('does not let an override without a decision-maker waive anything', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    const base = repo.commit('2026-11-24T10:00:00Z');
    repo
      .flag('video', {
        key: 'live',
        state: 'beta',
        override: { incident: 'https://x.example/1', reason: 'r' },
      })
      .commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.errors.sort()).toEqual(['override-invalid', 'soak']);
  });

  it('needs a fresh revert block to lower a state, and no soak', async () => {
    const { repo } = repoWithLive();
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
    const base = repo.head();
    repo.flag('video', { key: 'live', state: 'alpha' }).commit('2026-11-24T11:30:00Z');
    const bare = await check(repo, base);
    expect(bare.errors).toEqual(['revert-reason']);
    expect(bare.json.changes[0].kind).toBe('revert');
    repo
      .flag('video', {
        key: 'live',
        state: 'alpha',
        revert: { reason: 'errors', incident: 'http://not-https' },
      })
      .commit('2026-11-24T11:40:00Z');
    expect((await check(repo, base)).errors).toEqual(['revert-reason']);
    repo
      .flag('video', {
        key: 'live',
        state: 'alpha',
        revert: { reason: 'errors', incident: 'https://incidents.example/7' },
      })
      .commit('2026-11-24T11:45:00Z');
    const good = await check(repo, base);
    expect(good.status).toBe(0);
    expect(good.errors).toEqual([]);
  });
});

describe('flags check: dependencies and removal', () => {
  it('refuses promoting a flag beyond what its dependency had reached on the base', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'dep' })
      .flag('video', { key: 'top', depends_on: ['dep'] });
    const base = repo.commit('2026-11-20T10:00:00Z');
    // Promoting both in one change: the dependency had not reached beta on the base.
    repo
      .flag('video', { key: 'dep', state: 'beta' })
      .flag('video', { key: 'top', state: 'beta', depends_on: ['dep'] })
      .commit('2026-11-24T10:00:00Z');
    const out = await check(repo, base);
    expect(out.errors).toEqual(['dependency-order']);
    expect(out.violations.find((v) => v.rule === 'dependency-order')!.flag).toBe('top');
  });

  it('guards removal: dependents, beta, and ga for less than 7 days', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'needed' })
      .flag('video', { key: 'user', depends_on: ['needed'] })
      .flag('video', { key: 'betaflag' })
      .flag('video', { key: 'young' })
      .flag('video', { key: 'old' })
      .flag('video', { key: 'tmp' });
    repo.commit('2026-11-01T00:00:00Z');
    repo
      .flag('video', { key: 'betaflag', state: 'beta' })
      .flag('video', { key: 'young', state: 'beta' })
      .flag('video', { key: 'old', state: 'beta' })
      .commit('2026-11-02T00:00:00Z');
    repo.flag('video', { key: 'old', state: 'ga' }).commit('2026-11-10T00:00:00Z');
    repo.flag('video', { key: 'young', state: 'ga' }).commit('2026-11-20T00:00:00Z');
    const base = repo.head();
    for (const k of ['needed', 'betaflag', 'young', 'old', 'tmp'])
      repo.remove(`flags/video/${k}.yaml`);
    repo.commit('2026-11-24T10:00:00Z');
    const out = await check(repo, base);
    const removal = out.violations
      .filter((v) => v.rule === 'removal')
      .map((v) => v.flag)
      .sort();
    expect(removal).toEqual(['betaflag', 'needed', 'young']);
    expect(out.errors).toContain('dependency-missing');
    const young = out.json.changes.find((c: { flag: string }) => c.flag === 'young');
    expect(young).toMatchObject({
      kind: 'remove',
      from: 'ga',
      to: null,
      eligibleAt: '2026-11-27T00:00:00Z',
    });
  });
});

describe('flags check: could not evaluate', () => {
  it('exits 2 for an unknown ref, with one line on stderr', async () => {
    const { repo } = repoWithLive();
    const out = await repo.cli(['check', '--base', 'no-such-branch']);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/unknown ref 'no-such-branch'/);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 when base is not an ancestor of head', async () => {
    const { repo, base } = repoWithLive();
    repo.git('checkout', '-q', '--orphan', 'other');
    repo.commit('2026-11-21T00:00:00Z', 'unrelated');
    const out = await repo.cli(['check', '--base', base]);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('not an ancestor');
  });

  it('exits 2 in a shallow clone and says how to fetch the history', async () => {
    const { repo } = repoWithLive();
    repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T10:00:00Z');
    const clone = gitRepo();
    clone.git('clone', '-q', '--depth', '1', `file://${repo.dir}`, 'c');
    const shallow = new (repo.constructor as typeof TestRepo)(`${clone.dir}/c`);
    const out = await shallow.cli(['check', '--base', 'HEAD']);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('fetch-depth: 0');
  });

  it('exits 2 for a missing --base or a malformed --now', async () => {
    const { repo, base } = repoWithLive();
    expect((await repo.cli(['check'])).status).toBe(2);
    const bad = await repo.cli(['check', '--base', base, '--now', 'tomorrow', '--json']);
    expect(bad.status).toBe(2);
    expect(bad.json).toMatchObject({ ok: false });
  });
});

describe('flags check on this repository', () => {
  it('passes the shipped flags against their own history', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const first = execFileSync('git', ['rev-list', '--max-parents=0', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')[0]!;
    const out = await new TestRepo(root).cli([
      'check',
      '--base',
      first,
      '--head',
      'HEAD',
      '--json',
    ]);
    expect(out.stderr).toBe('');
    expect(out.json.violations.filter((v: { severity: string }) => v.severity === 'error')).toEqual(
      [],
    );
    expect(out.status).toBe(0);
  });
});
