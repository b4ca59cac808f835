// The judgement of one promotion at deploy time, as data: which of the repository's decisions a
// catch-up has to justify, when an override in the repository waives the platform's soak, what
// --adopt accepts, and what a dependency that will not be there does to its dependent.
import { describe, expect, it } from 'vitest';
import {
  judgePromotion,
  justifiedByHistory,
  planDeploy,
  type FlagHistory,
} from '../../../scripts/core/deploy-plan.ts';
import type { State } from '../../../scripts/core/model.ts';
import { HOUR, NOW, before, facts, flag, history, onPlatform, set, steps } from './data.ts';

const judge = (
  from: State,
  to: State,
  servedHours: number,
  hist: FlagHistory | undefined,
  more: { registered?: boolean; adopt?: boolean } = {},
) =>
  judgePromotion({
    key: 'x',
    from,
    to,
    platformSince: new Date(before(servedHours * HOUR)),
    registered: more.registered ?? true,
    history: hist,
    now: NOW,
    ...(more.adopt === undefined ? {} : { adopt: more.adopt }),
  });

describe('justifiedByHistory', () => {
  it('judges only the decisions above the state the platform already has', () => {
    // Promoted to beta one hour after creation (too early), to ga 199 h later (fine).
    const hist = history(['alpha', 300 * HOUR], ['beta', 299 * HOUR], ['ga', 100 * HOUR]);
    expect(justifiedByHistory('x', hist, 'beta')).toEqual({ ok: true, why: 'catch-up' });
    expect(justifiedByHistory('x', hist, 'alpha')).toMatchObject({ ok: false, rule: 'soak' });
    // A platform at ga has nothing to catch up.
    expect(justifiedByHistory('x', history(['beta', 5 * HOUR]), 'ga')).toEqual({
      ok: true,
      why: 'catch-up',
    });
  });

  it('refuses a flag the repository created above alpha, naming the commit', () => {
    expect(justifiedByHistory('x', history(['beta', 50 * HOUR]), 'alpha')).toEqual({
      ok: false,
      rule: 'new-flag-state',
      message:
        'the repository created `x` at beta (commit aaaaaaaaaaaa, 2026-11-08 10:00 UTC): a new flag starts at alpha',
      allowedAt: null,
    });
  });

  it('refuses a skipped state, and accepts a state reached by a revert when the way up was by the rules', () => {
    expect(
      justifiedByHistory('x', history(['alpha', 300 * HOUR], ['ga', 200 * HOUR]), 'alpha'),
    ).toEqual({
      ok: false,
      rule: 'transition-skip',
      message:
        'the repository moved `x` from alpha to ga in one change (commit bbbbbbbbbbbb): rollout is one state at a time',
      allowedAt: null,
    });
    const reverted = history(
      ['alpha', 300 * HOUR],
      ['beta', 250 * HOUR],
      ['ga', 100 * HOUR],
      ['beta', 5 * HOUR],
    );
    expect(justifiedByHistory('x', reverted, 'alpha')).toEqual({ ok: true, why: 'catch-up' });
  });

  it('accepts an early promotion that came with a fresh override', () => {
    expect(
      justifiedByHistory(
        'x',
        history(['alpha', 10 * HOUR], ['beta', 9 * HOUR, { freshOverride: true }]),
        'alpha',
      ),
    ).toEqual({ ok: true, why: 'catch-up' });
  });
});

describe('the soak waived by an override in the repository', () => {
  const overridden = (decisionMaker: string | null) =>
    history(
      ['alpha', 300 * HOUR],
      ['beta', 200 * HOUR],
      ['ga', 2 * HOUR, { freshOverride: true, decisionMaker }],
    );

  it('names who waived it and the commit', () => {
    expect(judge('beta', 'ga', 10, overridden('@cto'))).toEqual({
      ok: true,
      reach: 'ga',
      adopted: false,
      then: null,
      why: 'soak waived by @cto (override in commit cccccccccccc)',
    });
    expect(judge('beta', 'ga', 10, overridden(null))).toMatchObject({
      ok: true,
      why: 'soak waived by an override (override in commit cccccccccccc)',
    });
  });

  it('waives only the transition the override came with, from the state the platform has', () => {
    // The override came with a revert from ga to beta: it waives nothing about alpha to beta.
    const revert = history(
      ['alpha', 300 * HOUR],
      ['beta', 250 * HOUR],
      ['ga', 100 * HOUR],
      ['beta', 2 * HOUR, { freshOverride: true, decisionMaker: '@cto' }],
    );
    expect(judge('alpha', 'beta', 10, revert)).toMatchObject({
      ok: false,
      held: true,
      rule: 'soak',
    });
    // An override of beta to ga does not take a platform at alpha two states up.
    expect(judge('alpha', 'ga', 10, overridden('@cto'))).toMatchObject({
      ok: false,
      held: true,
      rule: 'soak',
      to: 'beta',
    });
  });

  it('without any history, a promotion waits for the platform soak', () => {
    expect(judge('alpha', 'beta', 10, undefined)).toMatchObject({
      ok: false,
      held: true,
      rule: 'soak',
      to: 'beta',
      allowedAt: new Date(before(-14 * HOUR)),
      message:
        '`x` has been alpha on the platform only since 2026-11-10 02:00 UTC (10 h); alpha to beta needs 24 h there',
    });
  });
});

describe('a promotion the platform has not soaked', () => {
  it('tells a flag new on the platform from one that has been there', () => {
    expect(
      judge('alpha', 'beta', 0, history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]), {
        registered: false,
      }),
    ).toMatchObject({
      ok: false,
      held: true,
      message:
        '`x` is new on the platform, where it starts at alpha now; alpha to beta needs 24 h there',
    });
  });

  it('refused for the soak, with the repository history as the reason, when the history skipped a state', () => {
    // alpha to ga in one commit, then reverted to beta: the way to beta broke the rules.
    const hist = history(['alpha', 300 * HOUR], ['ga', 200 * HOUR], ['beta', 100 * HOUR]);
    const r = judge('alpha', 'beta', 10, hist);
    expect(r).toMatchObject({
      ok: false,
      held: false,
      rule: 'soak',
      allowedAt: new Date(before(-14 * HOUR)),
    });
    expect(r.ok ? '' : r.message).toBe(
      '`x` has been alpha on the platform only since 2026-11-10 02:00 UTC (10 h); alpha to beta needs 24 h there (the repository moved `x` from alpha to ga in one change (commit bbbbbbbbbbbb): rollout is one state at a time)',
    );
  });

  it('goes one state now and holds the next for its soak from now, naming both', () => {
    const r = judge(
      'alpha',
      'ga',
      30,
      history(['alpha', 300 * HOUR], ['beta', 250 * HOUR], ['ga', 100 * HOUR]),
    );
    expect(r).toEqual({
      ok: true,
      reach: 'beta',
      adopted: false,
      why: '24 h soak in alpha met on the platform (since 2026-11-09 06:00 UTC)',
      then: {
        to: 'ga',
        allowedAt: new Date(before(-72 * HOUR)),
        message: '`x` enters beta on the platform with this deploy; beta to ga needs 72 h there',
      },
    });
  });
});

describe('a promotion that skips a state', () => {
  it('is refused without a history to justify it, with nothing more to say', () => {
    expect(judge('alpha', 'ga', 300, undefined)).toEqual({
      ok: false,
      held: false,
      rule: 'transition-skip',
      message:
        'the platform has `x` at alpha; going to ga skips a state: rollout is one state at a time',
      allowedAt: null,
    });
  });

  it('is not what one state up is: beta to ga promoted too early by the repository is a soak', () => {
    const early = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR], ['ga', 150 * HOUR]);
    const r = judge('beta', 'ga', 10, early);
    expect(r).toMatchObject({
      ok: false,
      held: false,
      rule: 'soak',
      allowedAt: new Date(before(-62 * HOUR)),
    });
    expect(r.ok ? '' : r.message).toContain('beta to ga needs 72 h there (the repository promoted');
  });
});

describe('--adopt', () => {
  const passed = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]);

  it('takes the repository history as the witness for a flag the platform does not have', () => {
    expect(judge('alpha', 'beta', 0, passed, { registered: false, adopt: true })).toEqual({
      ok: true,
      reach: 'beta',
      adopted: true,
      then: null,
      why: 'adopted (--adopt): the repository has it at beta since 2026-11-02 04:00 UTC and its history passed the gate; the operator took that history as the witness',
    });
  });

  it('is no witness without a history, without --adopt, or for a flag the platform has', () => {
    expect(judge('alpha', 'beta', 0, undefined, { registered: false, adopt: true })).toMatchObject({
      ok: false,
      held: true,
    });
    expect(judge('alpha', 'beta', 0, passed, { registered: false, adopt: false })).toMatchObject({
      ok: false,
      held: true,
    });
    expect(judge('alpha', 'beta', 0, passed, { registered: true, adopt: true })).toMatchObject({
      ok: false,
      held: true,
    });
  });
});

describe('a dependency that will not be at the state', () => {
  const a = flag('a', { state: 'beta' });
  const b = flag('b', { state: 'beta', depends_on: ['a'] });
  const passed = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]);

  it('already at the state or above on the platform: the dependent goes', () => {
    for (const state of ['beta', 'ga'] as const) {
      expect(
        steps(
          facts(
            set({ ...a, state }, b),
            [onPlatform({ ...a, state }), onPlatform({ ...b, state: 'alpha' })],
            {
              history: new Map([['b', passed]]),
            },
          ),
        ),
      ).toEqual(['b:promote:beta apply']);
    }
  });

  it('stays lower on the platform: refused, naming the dependency and its state', () => {
    // `a` is beta in the repository but someone else put it back to alpha on the platform.
    const plan = planDeploy(
      facts(
        set(a, b),
        [
          onPlatform({ ...a, state: 'alpha' }, { state_changed_at: before(HOUR) }),
          onPlatform({ ...b, state: 'alpha' }),
        ],
        {
          history: new Map([
            ['a', passed],
            ['b', passed],
          ]),
          audit: new Map([
            [
              'a',
              [
                {
                  id: 1,
                  at: before(HOUR),
                  action: 'platform.feature_flag_state_changed',
                  flag: 'a',
                  org: null,
                  old_state: 'beta' as const,
                  new_state: 'alpha' as const,
                  actor: 'oncall',
                },
              ],
            ],
          ]),
        },
      ),
    );
    expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      'b:promote:beta refused dependency-order',
      'a:promote:beta drift drift',
    ]);
    expect(plan.steps[0]!.reason).toBe(
      '`b` goes to beta but its dependency `a` stays at alpha on the platform (its own change is drift): the platform would refuse it (409 FLAG_DEPENDENCY); promote `a` first',
    );
    expect(plan.steps[0]!.allowedAt).toBeNull();
  });

  it('refused itself: the dependent is refused with its rule named', () => {
    const early = history(['alpha', 5 * HOUR], ['beta', 3 * HOUR]);
    const plan = planDeploy(
      facts(
        set(a, b),
        [
          onPlatform({ ...a, state: 'alpha' }, { state_changed_at: before(HOUR) }),
          onPlatform({ ...b, state: 'alpha' }),
        ],
        {
          history: new Map([
            ['a', early],
            ['b', passed],
          ]),
        },
      ),
    );
    expect(plan.steps[1]).toMatchObject({
      id: 'b:promote:beta',
      kind: 'refused',
      rule: 'dependency-order',
    });
    expect(plan.steps[1]!.reason).toContain(
      'its dependency `a` stays at alpha on the platform (its own change is refused: soak)',
    );
  });

  it('new on the platform: the dependent waits for its soak there, not for its registration', () => {
    // `a` is registered now (applied) and held at alpha; `b` has soaked on the platform.
    const plan = planDeploy(
      facts(set(a, b), [onPlatform({ ...b, state: 'alpha' })], {
        history: new Map([
          ['a', passed],
          ['b', passed],
        ]),
      }),
    );
    expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'a:register apply',
      'a:promote:beta held soak',
      'b:promote:beta held dependency-order',
    ]);
    expect(plan.steps[2]!.allowedAt).toBe('2026-11-11T12:00:00Z');
  });

  it('held: the dependent waits with it, until the same time', () => {
    const plan = planDeploy(
      facts(
        set(a, b),
        [
          onPlatform({ ...a, state: 'alpha' }, { state_changed_at: before(HOUR) }),
          onPlatform({ ...b, state: 'alpha' }),
        ],
        {
          history: new Map([
            ['a', passed],
            ['b', passed],
          ]),
        },
      ),
    );
    expect(plan.steps[1]).toMatchObject({
      id: 'b:promote:beta',
      kind: 'held',
      rule: 'dependency-order',
      to: 'beta',
      allowedAt: '2026-11-11T11:00:00Z',
    });
    expect(plan.steps[1]!.reason).toMatch(
      /^`b` goes to beta after its dependency `a`, which is held: `a` has been alpha/,
    );
  });
});
