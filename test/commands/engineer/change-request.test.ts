import { describe, expect, it } from 'vitest';
import {
  branchName,
  changeTitle,
  commitMessage,
  pullRequestBody,
  pullRequestLabels,
  reviewersFor,
  type ChangeRequest,
} from '../../../scripts/core/change-request.ts';

const toGa: ChangeRequest = {
  verb: 'promote',
  key: 'live-view',
  owner: '@novalien/video',
  rows: [
    {
      flag: 'live-view',
      file: 'flags/video/live-view.yaml',
      from: 'beta',
      to: 'ga',
      since: '2026-11-20T10:00:00Z',
      eligibleAt: '2026-11-23T10:00:00Z',
    },
  ],
  files: ['flags/video/live-view.yaml'],
  override: {
    decision_maker: '@jdoe',
    incident: 'https://chat.example/i/1',
    reason: 'customer promise',
  },
  warnings: ['could not verify: at least 10 customer orgs opted in'],
  checkedAt: '2026-11-21T12:00:00Z',
};

describe('change request text', () => {
  it('names the branch, title, labels and reviewers from the change', () => {
    expect(branchName(toGa)).toBe('flags/promote-live-view');
    expect(changeTitle(toGa)).toBe('Promote live-view to ga');
    expect(pullRequestLabels(toGa)).toEqual(['promote', 'flag:live-view']);
    expect(reviewersFor('@novalien/Video')).toEqual({ reviewers: [], teamReviewers: ['video'] });
    expect(reviewersFor('@jdoe')).toEqual({ reviewers: ['jdoe'], teamReviewers: [] });
  });

  it('gives a ga promotion its beta exit criteria, the revert path and the removal reminder', () => {
    const body = pullRequestBody(toGa);
    expect(body).toContain(
      '| `live-view` | `flags/video/live-view.yaml` | beta → ga | 2026-11-20 10:00 UTC | 2026-11-23 10:00 UTC |',
    );
    expect(body).toContain('- [ ] Beta exit criteria: at least 10 customer orgs opted in');
    expect(body).toContain('- [ ] No open incidents tagged to the feature');
    expect(body).toContain('`npx flags revert live-view --reason "..." --incident https://...`');
    expect(body).toContain('remove the flag from the codebase in a follow-up pull request');
    expect(body).toContain(
      '**Soak waived** by @jdoe, decided in https://chat.example/i/1: customer promise',
    );
    expect(body).toContain('- could not verify: at least 10 customer orgs opted in');
  });

  it('writes a commit message with the change and the waiver', () => {
    expect(commitMessage(toGa)).toBe(
      'Promote live-view to ga\n\n- live-view: beta -> ga (flags/video/live-view.yaml)\n\nSoak waived by @jdoe (https://chat.example/i/1): customer promise\n\nMade with `flags promote`.\n',
    );
  });
});
