// What a deploy reads before it plans: the history and audit entries of exactly the flags whose
// platform state or orgs differ, the earliest audit time that still explains a state, and the
// platform flags the repository does not have (was each once ours?).
import { describe, expect, it } from 'vitest';
import { archivedByOthers, factsNeeded } from '../../../scripts/core/deploy-plan.ts';
import { AUDIT_ARCHIVED } from '../../../scripts/core/deploy/model.ts';
import { HOUR, audit, before, flag, onPlatform, set } from './data.ts';

describe('factsNeeded', () => {
  it('reads the audit of a flag new to the platform, and its history only above alpha', () => {
    const needed = factsNeeded(set(flag('new-alpha'), flag('new-beta', { state: 'beta' })), []);
    expect(needed).toEqual({
      historyKeys: ['new-beta'],
      auditKeys: ['new-alpha', 'new-beta'],
      // Was it archived by hand? Org toggles and archives are older than any state time.
      auditSince: null,
      removalKeys: [],
    });
    // Even next to a flag whose state differs: the archive of the new one can be older.
    const y = flag('y', { state: 'beta' });
    expect(
      factsNeeded(set(flag('new-alpha'), y), [
        onPlatform({ ...y, state: 'alpha' }, { state_changed_at: before(5 * HOUR) }),
      ]).auditSince,
    ).toBeNull();
  });

  it('reads audit entries from the earliest platform state time among flags whose state differs', () => {
    const a = flag('a', { state: 'beta' });
    const b = flag('b', { state: 'beta' });
    const c = flag('c', { state: 'beta' });
    const platform = [
      onPlatform({ ...a, state: 'alpha' }, { state_changed_at: before(5 * HOUR) }),
      onPlatform({ ...b, state: 'alpha' }, { state_changed_at: before(9 * HOUR) }),
      onPlatform({ ...c, state: 'alpha' }, { state_changed_at: before(7 * HOUR) }),
      // In step: its (older) time explains nothing that is needed.
      onPlatform(flag('d'), { state_changed_at: before(50 * HOUR) }),
    ];
    expect(factsNeeded(set(a, b, c, flag('d')), platform)).toEqual({
      historyKeys: ['a', 'b', 'c'],
      auditKeys: ['a', 'b', 'c'],
      auditSince: before(9 * HOUR),
      removalKeys: [],
    });
  });

  it('reads the whole audit when orgs differ: an org toggle has no time on the flag', () => {
    const x = flag('x', { alpha_orgs: [{ org: 'acme', preview_agreement: 'PA-1' }] });
    const y = flag('y', { state: 'beta' });
    const platform = [
      onPlatform(x, { orgs_enabled: [] }),
      onPlatform({ ...y, state: 'alpha' }, { state_changed_at: before(5 * HOUR) }),
    ];
    expect(factsNeeded(set(x, y), platform)).toEqual({
      historyKeys: ['x', 'y'],
      auditKeys: ['x', 'y'],
      auditSince: null,
      removalKeys: [],
    });
  });

  it('compares orgs as sets: order and repeats in the file change nothing', () => {
    const x = flag('x', {
      alpha_orgs: [
        { org: 'zeta', preview_agreement: 'PA-2' },
        { org: 'acme', preview_agreement: 'PA-1' },
        { org: 'zeta', preview_agreement: 'PA-3' },
      ],
    });
    const needed = factsNeeded(set(x), [onPlatform(x, { orgs_enabled: ['zeta', 'acme'] })]);
    expect(needed).toEqual({ historyKeys: [], auditKeys: [], auditSince: null, removalKeys: [] });
  });

  it('asks about platform flags the repository lacks, except those whose file does not load', () => {
    const desired = { ...set(flag('kept')), brokenFiles: ['flags/video/broken.yaml'] };
    const platform = [
      onPlatform(flag('kept')),
      onPlatform(flag('gone')),
      onPlatform(flag('broken')),
      onPlatform(flag('other')),
    ];
    expect(factsNeeded(desired, platform).removalKeys).toEqual(['gone', 'other']);
  });
});

describe('archivedByOthers', () => {
  const archived = (actor: string, hoursAgo: number) =>
    audit({ action: AUDIT_ARCHIVED, flag: 'x', actor, at: before(hoursAgo * HOUR) });

  it('names a repository flag missing from the platform because someone else archived it last', () => {
    const desired = set(flag('x'), flag('listed'));
    const actual = [onPlatform(flag('listed'))];
    const by = (...entries: ReturnType<typeof archived>[]) =>
      archivedByOthers(desired, actual, new Map([['x', entries]]));
    expect(by(archived('oncall', 3))).toEqual(['x']);
    expect(by(archived('flags-deploy', 3))).toEqual([]);
    expect(by(archived('flags-deploy --adopt', 3))).toEqual([]);
    // The latest archive decides.
    expect(by(archived('flags-deploy', 5), archived('oncall', 3))).toEqual(['x']);
    expect(by(archived('oncall', 5), archived('flags-deploy', 3))).toEqual([]);
    // Other entries are not archives.
    expect(
      by(
        audit({
          action: 'platform.feature_flag_state_changed',
          flag: 'x',
          actor: 'oncall',
          at: before(HOUR),
        }),
      ),
    ).toEqual([]);
    // A listed flag is not archived, whatever its audit says.
    expect(
      archivedByOthers(desired, actual, new Map([['listed', [archived('oncall', 3)]]])),
    ).toEqual([]);
    expect(archivedByOthers(desired, actual, new Map())).toEqual([]);
  });
});
