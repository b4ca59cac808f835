// The pure deploy plan: plain flags, platform flags, audit entries and history in; ordered steps
// with reasons, refusals and drift out. No git, no HTTP.
import { describe, expect, it } from 'vitest';
import { announcementFor, announcementsFor } from '../../scripts/core/announcements.ts';
import {
  factsNeeded,
  judgePromotion,
  planDeploy,
  type DeployFacts,
  type FlagHistory,
} from '../../scripts/core/deploy-plan.ts';
import type { State } from '../../scripts/core/model.ts';
import {
  HOUR,
  NOW,
  SECOND,
  audit as entry,
  before,
  facts,
  flag,
  history as historyOf,
  onPlatform,
  set,
  type EntrySpec,
} from '../core/deploy/data.ts';

const ago = (hours: number): string => before(hours * HOUR);

/** A history: [state, hours ago, fresh override?] oldest first (a fresh override by @cto). */
function history(...entries: [State, number, boolean?][]): FlagHistory {
  return historyOf(
    ...entries.map(([state, hours, override]): EntrySpec => [
      state,
      hours * HOUR,
      { freshOverride: override ?? false, decisionMaker: override ? '@cto' : null },
    ]),
  );
}

const ids = (f: DeployFacts): string[] => planDeploy(f).steps.map((s) => `${s.id} ${s.kind}`);

describe('planDeploy', () => {
  it('plans nothing, and needs no outside facts, when the platform matches', () => {
    const a = flag('a', { alpha_orgs: [{ org: 'acme', preview_agreement: 'PA-1' }] });
    const f = facts(set(a), [onPlatform(a)]);
    expect(factsNeeded(f.desired, f.actual)).toEqual({
      historyKeys: [],
      auditKeys: [],
      auditSince: null,
      removalKeys: [],
    });
    expect(planDeploy(f)).toMatchObject({ steps: [], inSync: ['a'] });
  });

  it('registers a flag the platform does not know at alpha and holds each further step for the platform soak', () => {
    const a = flag('a', { state: 'ga' });
    const b = flag('b', { state: 'beta', depends_on: ['a'] });
    const f = facts(set(b, a), [], {
      history: new Map([
        ['a', history(['alpha', 200], ['beta', 170], ['ga', 90])],
        ['b', history(['alpha', 200], ['beta', 100])],
      ]),
    });
    const plan = planDeploy(f);
    // A history that passed the gate is no witness: the platform has served neither flag.
    expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'a:register apply',
      'b:register apply',
      'a:promote:beta held soak',
      'b:promote:beta held soak',
    ]);
    expect(plan.steps[2]).toMatchObject({
      from: 'alpha',
      to: 'beta',
      allowedAt: '2026-11-11T12:00:00Z',
    });
    expect(plan.steps.every((s) => !s.adopted)).toBe(true);
  });

  it('with --adopt, promotes a fresh platform by the repository history, dependencies first', () => {
    const a = flag('a', { state: 'ga' });
    const b = flag('b', { state: 'beta', depends_on: ['a'] });
    const f = facts(set(b, a), [], {
      adopt: true,
      history: new Map([
        ['a', history(['alpha', 200], ['beta', 170], ['ga', 90])],
        ['b', history(['alpha', 200], ['beta', 100])],
      ]),
    });
    const plan = planDeploy(f);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'a:register',
      'b:register',
      'a:promote:beta',
      'a:promote:ga',
      'b:promote:beta',
    ]);
    expect(plan.steps.filter((s) => s.adopted).map((s) => s.id)).toEqual([
      'a:promote:beta',
      'a:promote:ga',
      'b:promote:beta',
    ]);
    expect(plan.steps.find((s) => s.id === 'b:promote:beta')?.after).toEqual([
      'a:promote:beta',
      'b:register',
    ]);
    expect(plan.steps.find((s) => s.id === 'a:promote:ga')?.after).toEqual([
      'a:promote:beta',
      'a:register',
    ]);
    // --adopt is for flags the platform does not have: a registered one still waits.
    const registered = facts(
      set(flag('c', { state: 'beta' })),
      [onPlatform(flag('c'), { state_changed_at: ago(2) })],
      {
        adopt: true,
        history: new Map([['c', history(['alpha', 200], ['beta', 100])]]),
      },
    );
    expect(ids(registered)).toEqual(['c:promote:beta held']);
  });

  it('refuses a catch-up the repository history does not justify, but still registers', () => {
    const early = flag('early', { state: 'beta' });
    const born = flag('born', { state: 'beta' });
    const f = facts(set(early, born), [], {
      history: new Map([
        ['early', history(['alpha', 50], ['beta', 40])],
        ['born', history(['beta', 50])],
      ]),
    });
    const plan = planDeploy(f);
    expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'born:register apply',
      'early:register apply',
      'born:promote:beta refused new-flag-state',
      'early:promote:beta refused soak',
    ]);
    // Judged by the platform's clock instead, the soak starts at the registration (now).
    expect(plan.steps[3]?.allowedAt).toBe('2026-11-11T12:00:00Z');
  });

  it('judges a promotion with the platform as the witness: soak, skip, fresh override', () => {
    const judge = (
      from: State,
      to: State,
      sinceHours: number,
      hist: FlagHistory,
      registered = true,
    ): ReturnType<typeof judgePromotion> =>
      judgePromotion({
        key: 'x',
        from,
        to,
        platformSince: new Date(ago(sinceHours)),
        registered,
        history: hist,
        now: NOW,
      });
    const hist = history(['alpha', 300], ['beta', 2]);
    expect(judge('alpha', 'beta', 30, hist)).toMatchObject({ ok: true, reach: 'beta', then: null });
    // The repository passed the gate, the platform has not watched long enough: held.
    expect(judge('alpha', 'beta', 10, hist)).toMatchObject({
      ok: false,
      held: true,
      rule: 'soak',
      to: 'beta',
      allowedAt: new Date(ago(-14)),
    });
    // The repository itself promoted too early: refused, allowed once the platform has soaked.
    expect(judge('alpha', 'beta', 10, history(['alpha', 12], ['beta', 2]))).toMatchObject({
      ok: false,
      held: false,
      rule: 'soak',
      allowedAt: new Date(ago(-14)),
    });
    expect(judge('alpha', 'ga', 300, history(['alpha', 300], ['ga', 2]))).toMatchObject({
      ok: false,
      held: false,
      rule: 'transition-skip',
    });
    // A history that passed the gate twice: one state now, the next held for its soak.
    expect(
      judge('alpha', 'ga', 300, history(['alpha', 300], ['beta', 250], ['ga', 100])),
    ).toMatchObject({
      ok: true,
      reach: 'beta',
      then: { to: 'ga', allowedAt: new Date(ago(-72)) },
    });
    expect(
      judge('beta', 'ga', 10, history(['alpha', 300], ['beta', 200], ['ga', 2, true])),
    ).toMatchObject({ ok: true, why: expect.stringContaining('@cto') });
    // An override that came earlier than the state change waives nothing.
    expect(
      judge('beta', 'ga', 10, history(['alpha', 300], ['beta', 200, true], ['ga', 2])),
    ).toMatchObject({ ok: false, rule: 'soak' });
    // Nor does one for a flag the platform has never served.
    expect(
      judge('alpha', 'beta', 0, history(['alpha', 3], ['beta', 2, true]), false),
    ).toMatchObject({ ok: false, held: true, rule: 'soak', allowedAt: new Date(ago(-24)) });
  });

  it('holds to the second: the platform soak is met at exactly 24 h and 72 h, not one second before', () => {
    const judgeAt = (from: State, to: State, servedMs: number): boolean => {
      const r = judgePromotion({
        key: 'x',
        from,
        to,
        platformSince: new Date(NOW.getTime() - servedMs),
        registered: true,
        // The repository passed the gate: only the platform's clock decides.
        history:
          to === 'ga'
            ? history(['alpha', 500], ['beta', 400], ['ga', 100])
            : history(['alpha', 500], ['beta', 400]),
        now: NOW,
      });
      return r.ok;
    };
    expect(judgeAt('alpha', 'beta', 24 * HOUR - SECOND)).toBe(false);
    expect(judgeAt('alpha', 'beta', 24 * HOUR)).toBe(true);
    expect(judgeAt('alpha', 'beta', 24 * HOUR + SECOND)).toBe(true);
    expect(judgeAt('beta', 'ga', 72 * HOUR - SECOND)).toBe(false);
    expect(judgeAt('beta', 'ga', 72 * HOUR)).toBe(true);
    expect(judgeAt('beta', 'ga', 72 * HOUR + SECOND)).toBe(true);
  });

  it('adopts a fresh-platform catch-up only when the history soaked 24 h in alpha, to the second', () => {
    const catchUp = (soakedMs: number): string[] => {
      const at = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
      const hist: FlagHistory = {
        entries: [
          {
            state: 'alpha',
            at: at(soakedMs + HOUR),
            sha: 'a'.repeat(40),
            created: true,
            freshOverride: false,
            decisionMaker: null,
          },
          {
            state: 'beta',
            at: at(HOUR),
            sha: 'b'.repeat(40),
            created: false,
            freshOverride: false,
            decisionMaker: null,
          },
        ],
        orgsChangedAt: {},
        lastChangedAt: at(HOUR),
      };
      return ids(
        facts(set(flag('x', { state: 'beta' })), [], {
          adopt: true,
          history: new Map([['x', hist]]),
        }),
      );
    };
    expect(catchUp(24 * HOUR - SECOND)).toEqual(['x:register apply', 'x:promote:beta refused']);
    expect(catchUp(24 * HOUR)).toEqual(['x:register apply', 'x:promote:beta apply']);
  });

  it('treats a state someone else set after the repository last decided as drift, and a newer repository decision as its own', () => {
    const x = flag('x', { state: 'beta' });
    const platform = onPlatform(x, { state: 'alpha', state_changed_at: ago(5) });
    const oncall = entry({
      action: 'platform.feature_flag_state_changed',
      flag: 'x',
      actor: 'oncall',
      at: ago(5),
      old_state: 'beta',
      new_state: 'alpha',
    });
    const audit = new Map([['x', [oncall]]]);
    const older = facts(set(x), [platform], {
      audit,
      history: new Map([['x', history(['alpha', 100], ['beta', 50])]]),
    });
    const drift = planDeploy(older).steps;
    expect(drift.map((s) => `${s.id} ${s.kind}`)).toEqual(['x:promote:beta drift']);
    expect(drift[0]?.changedBy).toEqual({ actor: 'oncall', at: ago(5) });

    // The repository promoted again after the revert: its decision, judged from the revert.
    const newer = facts(set(x), [platform], {
      audit,
      history: new Map([['x', history(['alpha', 100], ['beta', 50], ['alpha', 4], ['beta', 1])]]),
    });
    expect(planDeploy(newer).steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'x:promote:beta refused soak',
    ]);

    // The deploy's own last write (a half-way failure) is simply completed.
    const own = new Map([['x', [{ ...oncall, actor: 'flags-deploy' }]]]);
    expect(
      ids(
        facts(set(x), [onPlatform(x, { state: 'alpha', state_changed_at: ago(60) })], {
          audit: own,
          history: new Map([['x', history(['alpha', 100], ['beta', 50])]]),
        }),
      ),
    ).toEqual(['x:promote:beta apply']);
  });

  it('demotes dependents before their dependencies, whatever else is refused', () => {
    const a = flag('a');
    const b = flag('b', { depends_on: ['a'] });
    const f = facts(set(a, b), [
      onPlatform({ ...a, state: 'beta' }),
      onPlatform({ ...b, state: 'beta' }),
    ]);
    const plan = planDeploy(f);
    expect(plan.steps.map((s) => s.id)).toEqual(['b:demote:alpha', 'a:demote:alpha']);
    expect(plan.steps[1]?.after).toEqual(['b:demote:alpha']);
  });

  it('plans demotions before registrations, metadata updates and promotions', () => {
    const x = flag('x');
    const y = flag('y', { state: 'beta', description: 'New words.' });
    const f = facts(
      set(flag('aaa'), x, y),
      [
        onPlatform({ ...x, state: 'beta' }),
        onPlatform({ ...y, state: 'alpha', description: 'Old words.' }),
      ],
      { history: new Map([['y', history(['alpha', 300], ['beta', 200])]]) },
    );
    expect(planDeploy(f).steps.map((s) => s.id)).toEqual([
      'x:demote:alpha',
      'aaa:register',
      'y:update',
      'y:promote:beta',
    ]);
  });

  it('refuses what a file with an error asks, except a revert', () => {
    const bad = flag('bad', { alpha_orgs: [{ org: 'acme' }] });
    const f = facts(set(bad), [onPlatform({ ...bad, state: 'beta', alpha_orgs: [] })]);
    expect(planDeploy(f).steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'bad:demote:alpha apply',
      'bad:enable-org:acme refused alpha-org',
    ]);
  });

  it('archives a removed flag after its dependents let go, refuses one at beta or fresh at ga', () => {
    const gone = flag('gone');
    const user = flag('user');
    const f = facts(
      set(user),
      [
        onPlatform(gone),
        onPlatform(user, { depends_on: ['gone'] }),
        onPlatform(flag('beta-flag', { state: 'beta' })),
        onPlatform(flag('new-ga', { state: 'ga' }), { state_changed_at: ago(48) }),
        onPlatform(flag('stranger')),
      ],
      { removedKeys: new Set(['gone', 'beta-flag', 'new-ga']) },
    );
    const plan = planDeploy(f);
    expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'user:update apply',
      'gone:archive apply',
      'beta-flag:archive refused removal',
      'new-ga:archive refused removal',
      'stranger:archive drift drift',
    ]);
    expect(plan.steps[1]?.after).toEqual(['user:update']);
    expect(plan.steps[3]?.allowedAt).toBe('2026-11-15T12:00:00Z');
  });

  it('holds a dependent with its held dependency, and refuses one whose dependency is refused', () => {
    const a = flag('a', { state: 'beta' });
    const b = flag('b', { state: 'beta', depends_on: ['a'] });
    const f = facts(
      set(a, b),
      [
        onPlatform({ ...a, state: 'alpha' }, { state_changed_at: ago(5) }),
        onPlatform({ ...b, state: 'alpha' }),
      ],
      {
        history: new Map([
          ['a', history(['alpha', 200], ['beta', 3])],
          ['b', history(['alpha', 200], ['beta', 2])],
        ]),
      },
    );
    expect(planDeploy(f).steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'a:promote:beta held soak',
      'b:promote:beta held dependency-order',
    ]);
    expect(planDeploy(f).steps[1]?.allowedAt).toBe(planDeploy(f).steps[0]?.allowedAt);
    // `a` promoted by the repository 2 h after it entered alpha: refused, and `b` with it.
    const early = facts(f.desired, [...f.actual], {
      history: new Map([
        ['a', history(['alpha', 5], ['beta', 3])],
        ['b', history(['alpha', 200], ['beta', 2])],
      ]),
    });
    expect(planDeploy(early).steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim())).toEqual([
      'a:promote:beta refused soak',
      'b:promote:beta refused dependency-order',
    ]);
  });
});

describe('announcements', () => {
  it('names the opt-in path and the manual for beta, and the revert path for GA', () => {
    const f = flag('live-view', {
      manual: 'https://docs.example.com/live',
      owner: '@novalien/video',
    });
    const beta = announcementFor(f, 'beta');
    expect(beta.title).toBe('Beta: live-view');
    expect(beta.text).toContain('The live-view feature.');
    expect(beta.text).toContain('/admin/feature-flags');
    expect(beta.text).toContain('Manual: https://docs.example.com/live');
    const ga = announcementFor(flag('x'), 'ga');
    expect(ga.text).toContain('POST /api/v1/platform/feature-flags/x/state');
    expect(ga.text).toContain('{"state": "alpha"}');
    expect(ga.text).toContain('no public manual page');
    expect(
      announcementsFor([
        { flag: f, to: 'beta' },
        { flag: f, to: 'ga' },
      ]).map((a) => a.title),
    ).toEqual(['GA: live-view']);
  });
});
