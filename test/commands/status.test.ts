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
});
