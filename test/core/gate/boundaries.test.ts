// Every boundary of the gate, at the boundary: one second, and commits whose author dates lie
// (the soak clock is committer time, so an author date that says otherwise must change nothing).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo } from '../../helpers/git-repo.ts';
import { check } from './run-check.ts';

afterEach(cleanupRepos);

const after = (iso: string, seconds: number): string =>
  new Date(new Date(iso).getTime() + seconds * 1000).toISOString().replace('.000Z', 'Z');
const HOUR = 3600;

describe('the soak, to the second, on committer time', () => {
  it('alpha to beta: blocked one second before 24 h, allowed at exactly 24 h', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    const entered = '2026-11-20T10:00:00Z';
    // The author claims a week earlier: the clock must not believe it.
    const base = repo.commitDated({ committer: entered, author: '2026-11-13T10:00:00Z' });
    repo.flag('video', { key: 'live', state: 'beta' });
    repo.commitDated({ committer: '2026-11-21T09:00:00Z', author: '2026-11-14T00:00:00Z' });
    const early = await check(repo, base, after(entered, 24 * HOUR - 1));
    expect(early.errors).toEqual(['soak']);
    expect(early.json.changes[0]).toMatchObject({
      since: entered,
      eligibleAt: '2026-11-21T10:00:00Z',
    });
    expect(early.find('soak')!.message).toContain('(in 1 s)');
    const exact = await check(repo, base, after(entered, 24 * HOUR));
    expect(exact.errors).toEqual([]);
    expect(exact.status).toBe(0);
  });

  it('beta to ga: blocked one second before 72 h, allowed at exactly 72 h', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.commit('2026-11-01T00:00:00Z');
    const entered = '2026-11-20T10:00:00Z';
    repo.flag('video', { key: 'live', state: 'beta' });
    // The author claims a later time: were it the clock, the exact boundary would be refused.
    const base = repo.commitDated({ committer: entered, author: '2026-11-22T10:00:00Z' });
    repo.flag('video', { key: 'live', state: 'ga' });
    repo.commitDated({ committer: '2026-11-23T00:00:00Z', author: '2026-11-23T00:00:00Z' });
    const early = await check(repo, base, after(entered, 72 * HOUR - 1));
    expect(early.errors).toEqual(['soak']);
    const exact = await check(repo, base, after(entered, 72 * HOUR));
    expect(exact.json.changes[0]).toMatchObject({
      since: entered,
      eligibleAt: after(entered, 72 * HOUR),
    });
    expect(exact.errors).toEqual([]);
  });

  it('removes a ga flag from exactly 7 days at ga, not one second before', async () => {
    const repo = gitRepo().flag('video', { key: 'old' });
    repo.commit('2026-11-01T00:00:00Z');
    repo.flag('video', { key: 'old', state: 'beta' }).commit('2026-11-02T00:00:00Z');
    const entered = '2026-11-10T00:00:00Z';
    repo.flag('video', { key: 'old', state: 'ga' });
    const base = repo.commitDated({ committer: entered, author: '2026-11-01T00:00:00Z' });
    repo.remove('flags/video/old.yaml');
    repo.commitDated({ committer: '2026-11-16T00:00:00Z', author: '2026-11-16T00:00:00Z' });
    const early = await check(repo, base, after(entered, 7 * 24 * HOUR - 1));
    expect(early.errors).toEqual(['removal']);
    expect(early.json.changes[0]).toMatchObject({
      kind: 'remove',
      eligibleAt: '2026-11-17T00:00:00Z',
    });
    expect((await check(repo, base, after(entered, 7 * 24 * HOUR))).errors).toEqual([]);
  });
});

describe('dependencies and overrides at the edges', () => {
  it('allows a promotion whose dependency already stands at the target state, or above it', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'dep', state: 'beta' })
      .flag('video', { key: 'top', depends_on: ['dep'] })
      .flag('video', { key: 'high', state: 'ga', revertible: true })
      .flag('video', { key: 'low', depends_on: ['high'] });
    const base = repo.commit('2026-11-20T10:00:00Z');
    repo
      .flag('video', { key: 'top', state: 'beta', depends_on: ['dep'] })
      .flag('video', { key: 'low', state: 'beta', depends_on: ['high'] })
      .commit('2026-11-22T10:00:00Z');
    const out = await check(repo, base);
    expect(out.errors).toEqual([]);
    expect(out.json.changes.map((c: { kind: string }) => c.kind)).toEqual(['promote', 'promote']);
  });

  it('blocks a promotion whose dependency stands at the target state only in the change', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'dep' })
      .flag('video', { key: 'top', depends_on: ['dep'] });
    const base = repo.commit('2026-11-20T10:00:00Z');
    repo
      .flag('video', { key: 'dep', state: 'beta' })
      .flag('video', { key: 'top', state: 'beta', depends_on: ['dep'] })
      .commit('2026-11-22T10:00:00Z');
    const out = await check(repo, base);
    expect(out.errors).toEqual(['dependency-order']);
    expect(out.find('dependency-order')!.message).toContain('was alpha on the base');
  });

  it('judges a too-early promotion that drops the base override: a soak error, no crash', async () => {
    const override = {
      decision_maker: '@cto',
      incident: 'https://incidents.example/42',
      reason: 'outage',
    };
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.commit('2026-11-24T08:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override });
    const base = repo.commit('2026-11-24T09:00:00Z');
    repo.flag('video', { key: 'live', state: 'ga' }).commit('2026-11-24T10:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(1);
    expect(out.errors).toEqual(['soak']);
    expect(out.find('soak')!.message).toContain('beta to ga comes too early');
  });
});
