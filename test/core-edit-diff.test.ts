import { describe, expect, it } from 'vitest';
import {
  dependencyGraph,
  editDiff,
  renderEditDiffMarkdown,
  renderEditDiffText,
  type GraphNode,
} from '../scripts/core/edit-diff.ts';
import type { Flag } from '../scripts/core/model.ts';

const base: Flag = {
  key: 'live-view',
  description: 'Live view',
  owner: '@novalien/video',
  state: 'alpha',
  revertible: true,
  depends_on: ['codec'],
  alpha_orgs: [{ org: 'staff' }],
};

describe('editDiff', () => {
  it('shows an org added to alpha with its agreement, and asks for attention', () => {
    const after: Flag = {
      ...base,
      alpha_orgs: [
        { org: 'staff' },
        { org: 'acme', preview_agreement: 'https://legal.example/acme' },
      ],
    };
    const diff = editDiff(base, after);
    expect(diff?.changes).toEqual([
      {
        field: 'alpha_orgs',
        text: '+ org acme (preview agreement https://legal.example/acme)',
        attention: 'customer org acme will see an alpha feature: check its preview agreement',
      },
    ]);
    expect(renderEditDiffText([diff!])).toEqual([
      '  ! live-view: + org acme (preview agreement https://legal.example/acme)  (customer org acme will see an alpha feature: check its preview agreement)',
    ]);
    expect(renderEditDiffMarkdown([diff!])).toContain('- ⚠️ + org acme');
  });

  it('shows every field an edit touches, routine ones without a flag', () => {
    const after: Flag = {
      ...base,
      owner: '@novalien/apps',
      revertible: false,
      depends_on: ['auth'],
      alpha_orgs: [],
      migration: {
        description: 'copy settings',
        idempotent_forward: true,
        idempotent_backward: false,
      },
    };
    const diff = editDiff(base, after);
    const text = diff?.changes.map((c) => `${c.attention ? '!' : ' '} ${c.text}`);
    expect(text).toEqual([
      '  - org staff',
      '! + depends on auth',
      '  - depends on codec',
      '! owner @novalien/video → @novalien/apps',
      '! revertible true → false',
      '! migration: copy settings (idempotent forward true, backward false)',
    ]);
  });

  it('says nothing for an edit that changes none of these fields', () => {
    expect(editDiff(base, { ...base, description: 'Live view, now faster' })).toBeNull();
    expect(editDiff(null, base)).toBeNull();
  });
});

describe('dependencyGraph', () => {
  it('draws the changed flag, its dependencies and dependents, with states and soak', () => {
    const graph = dependencyGraph(
      [
        { key: 'codec', before: 'ga', after: 'ga', since: null, dependsOn: [] },
        {
          key: 'live-view',
          before: 'alpha',
          after: 'beta',
          since: '2026-11-26T14:00:00Z',
          dependsOn: ['codec'],
        },
        { key: 'clips', before: 'alpha', after: 'alpha', since: null, dependsOn: ['live-view'] },
        { key: 'unrelated', before: 'ga', after: 'ga', since: null, dependsOn: [] },
      ],
      new Set(['live-view']),
    );
    expect(graph).toContain('```mermaid\nflowchart LR');
    expect(graph).toContain(
      'f_live_view["live-view<br/>alpha → beta<br/>since 2026-11-26 14:00 UTC"]',
    );
    expect(graph).toContain('f_live_view --> f_codec');
    expect(graph).toContain('f_clips --> f_live_view');
    expect(graph).toContain('class f_live_view changed');
    expect(graph).not.toContain('unrelated');
  });

  it('says how many flags it drew when it cannot draw them all', () => {
    const nodes: GraphNode[] = Array.from({ length: 100 }, (_, i) => ({
      key: `dep-${i}`,
      before: 'ga' as const,
      after: 'ga' as const,
      since: null,
      dependsOn: [],
    }));
    nodes.push({
      key: 'hub',
      before: 'ga',
      after: 'ga',
      since: null,
      dependsOn: nodes.map((n) => n.key),
    });
    expect(dependencyGraph(nodes, new Set(['hub']), { maxNodes: 10 })).toContain(
      '_10 of 101 flags drawn._',
    );
  });
});
