// Archival at deploy time, on the platform's clock: a flag the repository deleted is archived
// once nothing depends on it and it is not at beta, and a ga flag only 7 days after the platform
// put it there (to the second). A flag the repository never had is not ours to archive.
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../scripts/core/deploy-plan.ts';
import { AUDIT_STATE_CHANGED } from '../../../scripts/core/deploy/model.ts';
import { HOUR, SECOND, audit, before, facts, flag, history, onPlatform, set } from './data.ts';

const DAY = 24 * HOUR;

describe('archiving a flag the repository deleted', () => {
  const archive = (state: 'alpha' | 'beta' | 'ga', sinceMs: number, removed = true) =>
    planDeploy(
      facts(set(), [onPlatform(flag('gone', { state }), { state_changed_at: before(sinceMs) })], {
        removedKeys: new Set(removed ? ['gone'] : []),
      }),
    ).steps;

  it('archives a ga flag at 7 days on the platform exactly, not one second before', () => {
    expect(archive('ga', 7 * DAY)).toMatchObject([
      {
        id: 'gone:archive',
        action: 'archive',
        kind: 'apply',
        from: 'ga',
        to: null,
        reason: 'deleted from the repository; archived on the platform',
      },
    ]);
    const [early] = archive('ga', 7 * DAY - SECOND);
    expect(early).toMatchObject({
      id: 'gone:archive',
      kind: 'refused',
      rule: 'removal',
      from: 'ga',
      to: null,
      allowedAt: '2026-11-10T12:00:01Z',
    });
    expect(early!.reason).toMatch(/^on the platform: `gone` has been at ga only since /);
  });

  it('archives an alpha flag at once, refuses a beta one whatever its age', () => {
    expect(archive('alpha', HOUR).map((s) => s.kind)).toEqual(['apply']);
    expect(archive('beta', 100 * DAY)).toMatchObject([
      { kind: 'refused', rule: 'removal', allowedAt: null },
    ]);
  });

  it('leaves alone a flag the repository never had', () => {
    expect(archive('alpha', HOUR, false)).toMatchObject([
      {
        id: 'gone:archive',
        kind: 'drift',
        rule: 'drift',
        from: 'alpha',
        reason:
          '`gone` is on the platform but was never in this repository (registered by hand?): left alone',
      },
    ]);
  });

  it('refuses while a repository flag still depends on it', () => {
    const plan = planDeploy(
      facts(
        set(flag('user', { depends_on: ['gone'] }), flag('other')),
        [onPlatform(flag('gone')), onPlatform(flag('user')), onPlatform(flag('other'))],
        { removedKeys: new Set(['gone']) },
      ),
    );
    const s = plan.steps.find((p) => p.id === 'gone:archive')!;
    expect(s).toMatchObject({ kind: 'refused', rule: 'removal', allowedAt: null });
    expect(s.reason).toBe(
      'on the platform: `gone` is deleted while `user` depends on it: remove the dependency first',
    );
  });
});

describe('the latest audit entry', () => {
  it('of two at the same time, the later one in the log decides who set the state', () => {
    const x = flag('x', { state: 'beta' });
    const change = (actor: string, id: number) =>
      audit({
        id,
        action: AUDIT_STATE_CHANGED,
        flag: 'x',
        actor,
        at: before(5 * HOUR),
        old_state: 'beta',
        new_state: 'alpha',
      });
    const plan = (entries: ReturnType<typeof change>[]) =>
      planDeploy(
        facts(set(x), [onPlatform(flag('x'), { state_changed_at: before(60 * HOUR) })], {
          history: new Map([['x', history(['alpha', 300 * HOUR], ['beta', 200 * HOUR])]]),
          audit: new Map([['x', entries]]),
        }),
      ).steps.map((s) => s.kind);
    expect(plan([change('oncall', 1), change('flags-deploy', 2)])).toEqual(['apply']);
    expect(plan([change('flags-deploy', 1), change('oncall', 2)])).toEqual(['drift']);
    // An older entry later in the log does not win.
    const older = { ...change('flags-deploy', 2), at: before(6 * HOUR) };
    expect(plan([change('oncall', 1), older])).toEqual(['drift']);
  });
});
