// What a reviewer sees of flags that gain or lose their first org or dependency, and of a change
// that creates or removes a flag, as data in, view out.
import { describe, expect, it } from 'vitest';
import { editDiff, reviewerView } from '../../../scripts/core/edit-diff.ts';
import type { Flag, State } from '../../../scripts/core/model.ts';

const flag = (key: string, state: State, more: Partial<Flag> = {}): Flag => ({
  key,
  description: `${key} feature`,
  owner: '@novalien/video',
  state,
  revertible: true,
  ...more,
});
const byKey = (...flags: Flag[]): Map<string, { flag: Flag }> =>
  new Map(flags.map((f) => [f.key, { flag: f }]));

describe('editDiff of a field that one side does not have at all', () => {
  it('shows the first alpha org and the first dependency as added, nothing removed', () => {
    const before = flag('live-view', 'alpha');
    const after = flag('live-view', 'alpha', {
      alpha_orgs: [{ org: 'staff' }],
      depends_on: ['codec'],
    });
    expect(editDiff(before, after)?.changes.map((c) => c.text)).toEqual([
      '+ org staff (no preview agreement)',
      '+ depends on codec',
    ]);
  });

  it('shows the last alpha org and the last dependency as removed, nothing added', () => {
    const before = flag('live-view', 'alpha', {
      alpha_orgs: [{ org: 'staff' }],
      depends_on: ['codec'],
    });
    expect(editDiff(before, flag('live-view', 'alpha'))?.changes.map((c) => c.text)).toEqual([
      '- org staff',
      '- depends on codec',
    ]);
  });
});

describe('reviewerView', () => {
  // a is promoted; n (depending on a) and m (no dependencies) are created; r (depending on b)
  // is removed; c depends on b and a, of which only a changed.
  const before = byKey(
    flag('a', 'alpha'),
    flag('b', 'alpha'),
    flag('c', 'alpha', { depends_on: ['b', 'a'] }),
    flag('r', 'alpha', { depends_on: ['b'] }),
  );
  const after = byKey(
    flag('a', 'beta'),
    flag('b', 'alpha'),
    flag('c', 'alpha', { depends_on: ['b', 'a'] }),
    flag('n', 'alpha', { depends_on: ['a'] }),
    flag('m', 'alpha'),
  );
  const changes = [
    { flag: 'a', since: '2026-11-20T09:00:00Z' },
    { flag: 'n', since: null },
    { flag: 'm', since: null },
    { flag: 'r', since: null },
  ];

  it('draws created and removed flags, their dependencies, and a dependent of any changed flag', () => {
    expect(reviewerView(before, after, changes).graph).toEqual([
      { key: 'a', before: 'alpha', after: 'beta', since: '2026-11-20T09:00:00Z', dependsOn: [] },
      { key: 'n', before: null, after: 'alpha', since: null, dependsOn: ['a'] },
      { key: 'm', before: null, after: 'alpha', since: null, dependsOn: [] },
      // A removed flag keeps the dependencies it had on the base.
      { key: 'r', before: 'alpha', after: null, since: null, dependsOn: ['b'] },
      { key: 'b', before: 'alpha', after: 'alpha', since: null, dependsOn: [] },
      // c waits on a, which changed, though its other dependency b did not.
      { key: 'c', before: 'alpha', after: 'alpha', since: null, dependsOn: ['b', 'a'] },
    ]);
  });

  it('lists field edits only for flags on both sides', () => {
    const owned = byKey(flag('a', 'alpha', { owner: '@novalien/apps' }));
    expect(reviewerView(before, owned, changes).edits).toEqual([
      {
        key: 'a',
        changes: [
          {
            field: 'owner',
            text: 'owner @novalien/video → @novalien/apps',
            attention: 'ownership moves: @novalien/apps must agree (CODEOWNERS review)',
          },
        ],
      },
    ]);
  });
});
