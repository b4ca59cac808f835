// What `flags new`, `promote` and `revert` write for people: the title, commit message, labels,
// reviewers and the pull request body with the runbook's steps for this very change (a new flag,
// alpha to beta, beta to ga, a revert that takes its dependents along).
import { describe, expect, it } from 'vitest';
import {
  branchName,
  changeTable,
  changeTitle,
  commitMessage,
  pullRequestBody,
  pullRequestLabels,
  reviewersForOwners,
  runbookChecklist,
  type ChangeRequest,
} from '../../../scripts/core/change-request.ts';

const newFlag: ChangeRequest = {
  verb: 'new',
  key: 'live-view',
  owner: '@novalien/video',
  rows: [{ flag: 'live-view', file: 'flags/video/live-view.yaml', from: null, to: 'alpha' }],
  files: ['flags/video/live-view.yaml'],
  warnings: [],
};

const toBeta: ChangeRequest = {
  verb: 'promote',
  key: 'live-view',
  owner: '@novalien/video',
  rows: [
    {
      flag: 'live-view',
      file: 'flags/video/live-view.yaml',
      from: 'alpha',
      to: 'beta',
      since: '2026-11-20T10:00:00Z',
      eligibleAt: '2026-11-21T10:00:00Z',
    },
  ],
  files: ['flags/video/live-view.yaml'],
  manual: 'https://docs.example/live-view',
  warnings: [],
};

const revert = (dependents: number): ChangeRequest => ({
  verb: 'revert',
  key: 'codec',
  owner: '@novalien/video',
  owners: ['@novalien/video', '@novalien/Player', '@jdoe'],
  rows: [
    { flag: 'codec', file: 'flags/video/codec.yaml', from: 'ga', to: 'beta' },
    ...['player', 'thumbs', 'clips'].slice(0, dependents).map((flag) => ({
      flag,
      file: `flags/player/${flag}.yaml`,
      from: 'ga' as const,
      to: 'beta' as const,
      note: 'depends on codec',
    })),
  ],
  files: ['flags/video/codec.yaml'],
  revert: { reason: 'decoder crash', incident: 'https://chat.example/i/9' },
  warnings: [],
});

const section = (body: string, title: string): string[] => {
  const lines = body.split('\n');
  const from = lines.indexOf(title) + 1;
  const to = lines.findIndex((l, i) => i >= from && (l === '' || l.startsWith('#')));
  return lines.slice(from, to === -1 ? undefined : to);
};

describe('titles, branches and labels', () => {
  it('a new flag', () => {
    expect(branchName(newFlag)).toBe('flags/new-live-view');
    expect(changeTitle(newFlag)).toBe('Add flag live-view (alpha)');
    expect(pullRequestLabels(newFlag)).toEqual(['new-flag', 'flag:live-view']);
  });

  it('a revert names how many dependents go along, in the singular for one', () => {
    expect(changeTitle(revert(0))).toBe('Revert codec to beta');
    expect(changeTitle(revert(1))).toBe('Revert codec to beta (and 1 dependent)');
    expect(changeTitle(revert(2))).toBe('Revert codec to beta (and 2 dependents)');
    expect(pullRequestLabels(revert(2))).toEqual([
      'revert',
      'flag:codec',
      'flag:player',
      'flag:thumbs',
    ]);
  });
});

describe('the commit message', () => {
  it('a revert lists each flag with why it is there, then the reason and the incident', () => {
    expect(commitMessage(revert(1))).toBe(
      [
        'Revert codec to beta (and 1 dependent)',
        '',
        '- codec: ga -> beta (flags/video/codec.yaml)',
        '- player: ga -> beta (flags/player/player.yaml), depends on codec',
        '',
        'Reason: decoder crash',
        'Incident: https://chat.example/i/9',
        '',
        'Made with `flags revert`.',
        '',
      ].join('\n'),
    );
  });

  it('a new flag: from nothing, no waiver and no reason', () => {
    expect(commitMessage(newFlag)).toBe(
      'Add flag live-view (alpha)\n\n- live-view: new -> alpha (flags/video/live-view.yaml)\n\nMade with `flags new`.\n',
    );
  });
});

describe('reviewers', () => {
  it('every owner once: logins, team slugs in lower case, and the teams as written', () => {
    expect(
      reviewersForOwners(['@novalien/Video', '@jdoe', '@novalien/video', '@jdoe', '@ann']),
    ).toEqual({
      reviewers: ['jdoe', 'ann'],
      teamReviewers: ['video'],
      teams: ['@novalien/Video', '@novalien/video'],
    });
  });
});

describe('the change table', () => {
  it('a row per flag, its note, and empty cells for times not known', () => {
    expect(changeTable(revert(1).rows).split('\n')).toEqual([
      '| flag | file | change | in the state since | soak allows it from |',
      '| --- | --- | --- | --- | --- |',
      '| `codec` | `flags/video/codec.yaml` | ga → beta |  |  |',
      '| `player` (depends on codec) | `flags/player/player.yaml` | ga → beta |  |  |',
    ]);
    expect(changeTable(newFlag.rows).split('\n')[2]).toBe(
      '| `live-view` | `flags/video/live-view.yaml` | new → alpha |  |  |',
    );
  });
});

describe('the runbook steps of the pull request', () => {
  it('a new flag: the owner agrees; the deploy registers it at alpha; promote after 24 h', () => {
    const steps = runbookChecklist(newFlag);
    expect(steps.before).toEqual([
      '- [ ] @novalien/video agrees to own `live-view` (it starts in alpha: Novalien-internal orgs only)',
    ]);
    expect(steps.after).toHaveLength(3);
    expect(steps.after[2]).toBe(
      '- [ ] After at least 24 h in alpha, promote it: `npx flags promote live-view`',
    );
    const body = pullRequestBody(newFlag);
    expect(body.split('\n')[0]).toBe(
      'Adds the flag `live-view` at alpha, owned by @novalien/video.',
    );
    expect(body).not.toContain('Warnings:');
    expect(body).not.toContain('also writes flags owned by');
    expect(body).not.toContain('Checked locally');
    expect(body.endsWith('<sub>Opened by `flags new`.</sub>\n')).toBe(true);
  });

  it('alpha to beta: the alpha exit criteria, the sign-off, the announcement with the manual page', () => {
    const steps = runbookChecklist(toBeta);
    expect(steps.before).toEqual([
      '- [ ] Alpha exit criteria: no flag-related errors in the platform audit log in the last 24 hours',
      '- [ ] @novalien/video signed off in #novavms-releases',
    ]);
    expect(steps.after[0]).toBe(
      '- [ ] After the merge the deploy sets the state on the platform (`POST /api/v1/platform/feature-flags/live-view/state` with `{state: "beta"}`): available for customer opt-in, enabled for none',
    );
    expect(steps.after[1]).toContain('and the manual page https://docs.example/live-view');
    expect(runbookChecklist({ ...toBeta, manual: undefined }).after[1]).toContain(
      ', and the manual page (if public)',
    );
    const body = pullRequestBody(toBeta);
    expect(body.split('\n')[0]).toBe(
      'Promotes `live-view` from alpha to beta, owned by @novalien/video.',
    );
    expect(section(body, '### Before merging')).toEqual(steps.before);
    expect(section(body, '### After the merge and deploy')).toEqual(steps.after);
  });

  it('a revert: quick review, the platform call to its target state, the reason, a postmortem', () => {
    const request = revert(2);
    const steps = runbookChecklist(request);
    expect(steps.before).toEqual([
      '- [ ] Review quickly: a revert needs no soak, only the owners’ approval',
    ]);
    expect(steps.after).toEqual([
      '- [ ] After the merge the deploy sets the state on the platform (`POST /api/v1/platform/feature-flags/codec/state` with `{state: "beta"}`); orgs that had the feature see it disappear from their UI within 60 seconds',
      '- [ ] Post in #novavms-releases with the revert reason and a link to the incident thread: “decoder crash” — https://chat.example/i/9',
      '- [ ] Open a postmortem (see the Incident response runbook)',
    ]);
    expect(runbookChecklist({ ...request, revert: undefined }).after[1]).toBe(
      '- [ ] Post in #novavms-releases with the revert reason and a link to the incident thread',
    );
    const body = pullRequestBody(request);
    expect(body.split('\n')[0]).toBe('Reverts `codec` from ga to beta, owned by @novalien/video.');
    expect(body).toContain(
      '\nThe change also writes flags owned by @novalien/Player, @jdoe: every owner is asked to review.\n\n',
    );
    expect(body).toContain(
      '\nDependents are demoted with it, so that none stands above `codec`: `player`, `thumbs`.\n\n',
    );
    expect(body).toContain(
      '\n**Reason:** decoder crash  \n**Incident:** https://chat.example/i/9\n\n',
    );
    expect(body).not.toContain('Soak waived');
  });

  it('a revert alone, by its only owner: no dependents line, no other owners', () => {
    const body = pullRequestBody({ ...revert(0), owners: ['@novalien/video'] });
    expect(body).not.toContain('Dependents are demoted');
    expect(body).not.toContain('also writes flags owned by');
  });

  it('says when the gate ran locally, and lists its warnings', () => {
    const body = pullRequestBody({
      ...toBeta,
      checkedAt: '2026-11-21T12:00:05Z',
      warnings: ['soak waived', 'criteria unverified'],
    });
    expect(body).toContain(
      '\nChecked locally with `flags promote` at 2026-11-21 12:00:05 UTC; CI (`flags check`) judges this pull request again.\n\n',
    );
    expect(body).toContain('\nWarnings:\n- soak waived\n- criteria unverified\n\n');
  });
});
