import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('flags status', () => {
  it('shows since, soak left, the next step and its time, blockers, and dead GA flags', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'dep' })
      .flag('video', { key: 'top', depends_on: ['dep'] })
      .flag('video', { key: 'old' })
      .flag('video', { key: 'week' });
    repo.commit('2026-10-01T00:00:00Z');
    repo
      .flag('video', { key: 'old', state: 'beta' })
      .flag('video', { key: 'week', state: 'beta' })
      .commit('2026-10-02T00:00:00Z');
    repo.flag('video', { key: 'old', state: 'ga' }).commit('2026-11-01T00:00:00Z');
    repo.flag('video', { key: 'week', state: 'ga' }).commit('2026-11-15T00:00:00Z');
    repo
      .flag('video', { key: 'dep', description: 'an edit does not restart the clock' })
      .commit('2026-11-24T06:00:00Z');
    const out = await repo.cli(['status', '--now', '2026-11-24T12:00:00Z', '--json']);
    expect(out.status).toBe(0);
    const byKey = Object.fromEntries(out.json.flags.map((f: any) => [f.key, f]));
    expect(byKey.dep).toMatchObject({
      state: 'alpha',
      since: '2026-10-01T00:00:00Z',
      next: 'beta',
      eligibleAt: '2026-10-02T00:00:00Z',
      soakLeftMs: 0,
      blockedBy: [],
    });
    expect(byKey.top.blockedBy).toEqual(['dependency `dep` is alpha; promote it to beta first']);
    expect(byKey.old).toMatchObject({ state: 'ga', next: null, removable: true, stale: true });
    expect(byKey.week).toMatchObject({ state: 'ga', removable: true, stale: false });
    expect(out.json.stale).toEqual(['old']);

    const early = await repo.cli(['status', 'week', '--now', '2026-11-16T00:00:00Z', '--json']);
    expect(early.json.flags).toEqual([expect.objectContaining({ key: 'week', removable: false })]);
  });

  it('reports the soak still to go in a readable table', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.commit('2026-11-24T10:00:00Z');
    const out = await repo.cli(['status', '--now', '2026-11-24T12:00:00Z']);
    expect(out.stdout).toMatch(
      /^live\s+alpha\s+2026-11-24 10:00 UTC\s+22 h\s+beta from 2026-11-25 10:00 UTC/m,
    );
    const unknown = await repo.cli(['status', 'nope']);
    expect(unknown.status).toBe(2);
  });

  it('reads the clocks of many flags from one walk of flags/, as the path-limited walk would', async () => {
    // 70 flags: more than one pathspec per flag is worth, so history is one walk of all commits.
    const repo = gitRepo();
    for (let i = 0; i < 70; i++) repo.flag('video', { key: `f${i}` });
    repo.commit('2026-11-01T00:00:00Z');
    repo.flag('video', { key: 'f1', state: 'beta' }).commit('2026-11-05T00:00:00Z');
    // Commits that touch no flag must not count for any flag.
    repo.write('CODEOWNERS', '/flags/ @novalien/video\n').commit('2026-11-06T00:00:00Z', 'owners');
    repo.write('README.md', 'notes\n').commit('2026-11-07T00:00:00Z', 'readme');
    // A move to another folder keeps the clock; an edit does not restart it.
    repo.git('mv', 'flags/video/f1.yaml', 'flags/f1.yaml');
    repo.commit('2026-11-08T00:00:00Z', 'move');
    repo.flag('video', { key: 'f2', description: 'reworded' }).commit('2026-11-09T00:00:00Z');
    // A side branch's backdated promotion counts from the merge on the first-parent line.
    repo.git('checkout', '-q', '-b', 'side');
    repo.flag('video', { key: 'f3', state: 'beta' }).commit('2026-11-02T00:00:00Z', 'backdated');
    repo.git('checkout', '-q', 'main');
    repo.gitAt('2026-11-10T00:00:00Z', 'merge', '--no-ff', '-q', '-m', 'merge side', 'side');

    const out = await repo.cli(['status', '--now', '2026-11-24T12:00:00Z', '--json']);
    expect(out.status).toBe(0);
    const since = Object.fromEntries(out.json.flags.map((f: any) => [f.key, f.since]));
    expect(Object.keys(since)).toHaveLength(70);
    expect(since.f0).toBe('2026-11-01T00:00:00Z');
    expect(since.f1).toBe('2026-11-05T00:00:00Z');
    expect(since.f2).toBe('2026-11-01T00:00:00Z');
    expect(since.f3).toBe('2026-11-10T00:00:00Z');
  });
});
