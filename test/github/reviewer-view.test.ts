// What a reviewer sees of an edit, from a real repository through `flags check` to the comment.
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateCheck } from '../../scripts/commands/check.ts';
import { reviewerSections, type ReviewerView } from '../../scripts/core/edit-diff.ts';
import { renderComment } from '../../scripts/core/gate-report.ts';
import type { CheckResult } from '../../scripts/core/model.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterAll(() => cleanupRepos());

describe('the reviewer view of an edit', () => {
  it('shows an org added to alpha with its agreement, and the graph around the flag', async () => {
    const repo = gitRepo();
    repo.flag('video', { key: 'codec', state: 'ga' });
    repo.flag('video', { key: 'live-view', state: 'alpha', depends_on: ['codec'] });
    const base = repo.commit('2026-11-20T09:00:00Z', 'flags');
    repo.flag('video', {
      key: 'live-view',
      state: 'alpha',
      depends_on: ['codec'],
      alpha_orgs: [{ org: 'acme', preview_agreement: 'https://legal.example/acme' }],
    });
    repo.commit('2026-11-21T09:00:00Z', 'acme previews live-view');
    const result = (await evaluateCheck({
      cwd: repo.dir,
      base,
      now: new Date('2026-11-22T09:00:00Z'),
      env: {},
    })) as CheckResult & ReviewerView;
    expect(result.edits).toEqual([
      {
        key: 'live-view',
        changes: [
          {
            field: 'alpha_orgs',
            text: '+ org acme (preview agreement https://legal.example/acme)',
            attention: 'customer org acme will see an alpha feature: check its preview agreement',
          },
        ],
      },
    ]);
    const body = renderComment(
      result,
      { approvals: [], owners: {}, strict: false },
      { extra: reviewerSections(result) },
    );
    expect(body).toContain('#### What the edits change');
    expect(body).toContain('- ⚠️ + org acme (preview agreement https://legal.example/acme)');
    expect(body).toContain('```mermaid');
    expect(body).toContain('f_live_view --> f_codec');
  });
});
