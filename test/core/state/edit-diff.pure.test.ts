// What a reviewer is shown of an edit beyond its states: each field change, those that need a
// person's attention marked (a customer org sees an alpha feature; a flag stops being revertible),
// and the dependency graph one step around the changed flags, as Mermaid.
import { describe, expect, it } from 'vitest';
import {
  dependencyGraph,
  editDiff,
  renderEditDiffMarkdown,
  renderEditDiffText,
  reviewerSections,
  reviewerView,
  type GraphNode,
} from '../../../scripts/core/edit-diff.ts';
import type { Flag } from '../../../scripts/core/model.ts';

const flag = (key: string, extra: Partial<Flag> = {}): Flag => ({
  key,
  description: `The ${key} feature.`,
  owner: '@novalien/video',
  state: 'alpha',
  revertible: true,
  ...extra,
});

const node = (key: string, extra: Partial<GraphNode> = {}): GraphNode => ({
  key,
  before: 'ga',
  after: 'ga',
  since: null,
  dependsOn: [],
  ...extra,
});

describe('editDiff', () => {
  it('a customer org without a preview agreement needs attention; one already there is no change', () => {
    const before = flag('live', { alpha_orgs: [{ org: 'staff' }] });
    const after = flag('live', { alpha_orgs: [{ org: 'staff' }, { org: 'acme' }] });
    expect(editDiff(before, after)).toEqual({
      key: 'live',
      changes: [
        {
          field: 'alpha_orgs',
          text: '+ org acme (no preview agreement)',
          attention: 'customer org acme has no preview agreement',
        },
      ],
    });
  });

  it('becoming revertible is routine; a migration removed needs attention', () => {
    const migration = { description: 'copy', idempotent_forward: true, idempotent_backward: true };
    const diff = editDiff(
      flag('live', { revertible: false, migration }),
      flag('live', { revertible: true }),
    );
    expect(diff?.changes).toEqual([
      { field: 'revertible', text: 'revertible false → true', attention: null },
      {
        field: 'migration',
        text: 'migration removed',
        attention: 'the data migration changed: check it runs both ways',
      },
    ]);
  });

  it('a migration that changes only one of its fields is a change; the same one is none', () => {
    const m = { description: 'copy', idempotent_forward: true, idempotent_backward: true };
    expect(
      editDiff(
        flag('live', { migration: m }),
        flag('live', { migration: { ...m, idempotent_backward: false } }),
      )?.changes.map((c) => c.text),
    ).toEqual(['migration: copy (idempotent forward true, backward false)']);
    expect(editDiff(flag('live', { migration: m }), flag('live', { migration: { ...m } }))).toBe(
      null,
    );
  });

  it('a removed flag has no field diff', () => {
    expect(editDiff(flag('live'), null)).toBeNull();
  });
});

describe('rendering the field changes', () => {
  const diff = editDiff(
    flag('live', { depends_on: ['codec'] }),
    flag('live', { owner: '@novalien/<apps>' }),
  )!;

  it('for a terminal: `!` in front of what needs attention, a blank in front of the routine', () => {
    expect(renderEditDiffText([diff])).toEqual([
      '    live: - depends on codec',
      '  ! live: owner @novalien/video → @novalien/<apps>  (ownership moves: @novalien/<apps> must agree (CODEOWNERS review))',
    ]);
  });

  it('for the comment: a section per flag, ⚠️ on what needs a reviewer, no raw HTML', () => {
    const other = editDiff(flag('b', { revertible: true }), flag('b', { revertible: false }))!;
    expect(renderEditDiffMarkdown([diff, other])).toBe(
      [
        '#### What the edits change',
        '',
        '**`live`**',
        '- - depends on codec',
        '- ⚠️ owner @novalien/video → @novalien/&lt;apps&gt; — _ownership moves: @novalien/&lt;apps&gt; must agree (CODEOWNERS review)_',
        '',
        '**`b`**',
        '- ⚠️ revertible true → false — _the flag can no longer be reverted in an incident_',
      ].join('\n'),
    );
    expect(renderEditDiffMarkdown([])).toBeNull();
  });

  it('keeps a multi-line text on its list item', () => {
    const m = {
      description: 'copy\n  then verify',
      idempotent_forward: true,
      idempotent_backward: true,
    };
    const d = editDiff(flag('live'), flag('live', { migration: m }))!;
    expect(renderEditDiffMarkdown([d])!.split('\n').at(-1)).toBe(
      '- ⚠️ migration: copy then verify (idempotent forward true, backward true) — _the data migration changed: check it runs both ways_',
    );
  });
});

describe('dependencyGraph', () => {
  it('nothing changed: no graph', () => {
    expect(dependencyGraph([node('a')], new Set())).toBeNull();
  });

  it('draws a new and a removed flag, quotes safe, arrows only between flags it draws', () => {
    const graph = dependencyGraph(
      [
        node('fresh.one', { before: null, after: 'alpha', dependsOn: ['base'] }),
        node('base', { before: 'ga', after: 'ga' }),
        node('old', { before: 'beta', after: null, since: '2026-11-20T08:30:00Z' }),
        node('odd', { before: null, after: null }),
      ],
      new Set(['fresh.one', 'old', 'odd']),
    );
    expect(graph).toBe(
      [
        '#### Dependencies around the change',
        '',
        '```mermaid',
        'flowchart LR',
        '  f_base["base<br/>ga"]',
        '  f_fresh_one["fresh.one<br/>new → alpha"]',
        '  f_odd["odd<br/>—"]',
        '  f_old["old<br/>beta → removed<br/>since 2026-11-20 08:30 UTC"]',
        '  f_fresh_one --> f_base',
        '  classDef changed stroke-width:3px',
        '  class f_fresh_one,f_odd,f_old changed',
        '```',
      ].join('\n'),
    );
  });

  it('draws at most 60 flags by default, and says so', () => {
    const deps = Array.from({ length: 60 }, (_, i) => node(`d${String(i).padStart(2, '0')}`));
    const hub = node('hub', { dependsOn: deps.map((d) => d.key) });
    const all = dependencyGraph([...deps, hub], new Set(['hub']))!;
    expect(all).toContain('_60 of 61 flags drawn._');
    const fewer = dependencyGraph(
      [...deps.slice(1), node('hub', { dependsOn: deps.slice(1).map((d) => d.key) })],
      new Set(['hub']),
    )!;
    expect(fewer).not.toContain('flags drawn');
    expect(fewer).toContain('  class f_hub changed');
  });

  it('a dependency the repository does not have is not drawn, nor an arrow to it', () => {
    const graph = dependencyGraph([node('app', { dependsOn: ['ghost'] })], new Set(['app']))!;
    expect(graph).not.toContain('f_ghost');
    expect(graph).toContain('  f_app["app<br/>ga"]\n  classDef changed');
  });

  it('counts only flags when it says how many it drew: a missing dependency is not one left out', () => {
    const deps = Array.from({ length: 60 }, (_, i) => node(`d${String(i).padStart(2, '0')}`));
    const hub = node('hub', { dependsOn: [...deps.slice(1).map((d) => d.key), 'ghost'] });
    const graph = dependencyGraph([...deps.slice(1), hub], new Set(['hub']))!;
    expect(graph).toContain('f_d59');
    expect(graph).not.toContain('flags drawn');
    const over = dependencyGraph(
      [...deps, node('hub', { dependsOn: [...deps.map((d) => d.key), 'ghost'] })],
      new Set(['hub']),
    )!;
    expect(over).toContain('_60 of 61 flags drawn._');
  });

  it('no changed flag among those drawn: no bold class', () => {
    const deps = Array.from({ length: 3 }, (_, i) => node(`a${i}`));
    const graph = dependencyGraph(
      [...deps, node('zz', { dependsOn: ['a0', 'a1', 'a2'] })],
      new Set(['zz']),
      {
        maxNodes: 3,
      },
    )!;
    expect(graph).not.toContain('classDef');
    expect(graph).toContain('_3 of 4 flags drawn._');
  });
});

describe('reviewerView and its comment sections', () => {
  const before = new Map(
    [
      flag('codec', { state: 'ga' }),
      flag('live', { depends_on: ['codec'], alpha_orgs: [{ org: 'staff' }] }),
      flag('gone', { state: 'ga', depends_on: ['auth'] }),
      flag('auth', { state: 'ga' }),
      flag('clips', { depends_on: ['live'] }),
      flag('far', { depends_on: ['clips'] }),
    ].map((f) => [f.key, { flag: f }]),
  );
  const after = new Map(
    [
      flag('codec', { state: 'ga' }),
      flag('live', {
        state: 'beta',
        depends_on: ['codec'],
        alpha_orgs: [{ org: 'staff' }, { org: 'acme' }],
      }),
      flag('auth', { state: 'ga' }),
      flag('clips', { depends_on: ['live'] }),
      flag('far', { depends_on: ['clips'] }),
    ].map((f) => [f.key, { flag: f }]),
  );
  const changes = [
    { flag: 'live', since: '2026-11-20T10:00:00Z' },
    { flag: 'gone', since: null },
  ];

  it('the changed flags, their dependencies (a removed flag’s from the base) and dependents', () => {
    const view = reviewerView(before, after, changes);
    expect(view.edits.map((e) => e.key)).toEqual(['live']);
    expect(view.graph).toEqual([
      {
        key: 'live',
        before: 'alpha',
        after: 'beta',
        since: '2026-11-20T10:00:00Z',
        dependsOn: ['codec'],
      },
      { key: 'gone', before: 'ga', after: null, since: null, dependsOn: ['auth'] },
      { key: 'codec', before: 'ga', after: 'ga', since: null, dependsOn: [] },
      { key: 'auth', before: 'ga', after: 'ga', since: null, dependsOn: [] },
      { key: 'clips', before: 'alpha', after: 'alpha', since: null, dependsOn: ['live'] },
    ]);
  });

  it('the comment gets the edits, then the graph; none without changes', () => {
    const view = reviewerView(before, after, changes);
    const sections = reviewerSections({ changes, ...view });
    expect(sections).toHaveLength(2);
    expect(sections[0]).toMatch(/^#### What the edits change/);
    expect(sections[1]).toMatch(/^#### Dependencies around the change/);
    expect(sections[1]).toContain('  class f_gone,f_live changed');
    expect(reviewerSections({ changes: [] })).toEqual([]);
  });

  it('draws no empty diagram for changes whose flags it has no nodes for', () => {
    // A result without the reviewer's view (no edits, no graph) and one whose graph misses them.
    expect(reviewerSections({ changes })).toEqual([]);
    expect(dependencyGraph([], new Set(['live']))).toBeNull();
  });
});
