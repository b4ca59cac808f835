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
import type { Flag, FlagSet, State } from '../../scripts/core/model.ts';
import type { AuditEntry, PlatformFlag } from '../../scripts/core/platform-model.ts';

const NOW = new Date('2026-11-10T12:00:00Z');
const H = 3_600_000;
const ago = (hours: number): string => new Date(NOW.getTime() - hours * H).toISOString();

function flag(key: string, more: Partial<Flag> = {}): Flag {
  return {
    key,
    description: `The ${key} feature.`,
    owner: '@novalien/video',
    state: 'alpha',
    revertible: true,
    ...more,
  };
}

function set(...flags: Flag[]): FlagSet {
  return {
    flags: flags.map((f) => ({ file: `flags/video/${f.key}.yaml`, flag: f, lineOf: () => 1 })),
    violations: [],
    brokenFiles: [],
  };
}

function onPlatform(f: Flag, more: Partial<PlatformFlag> = {}): PlatformFlag {
  return {
    key: f.key,
    description: f.description,
    owner: f.owner,
    state: f.state,
    depends_on: f.depends_on ?? [],
    state_changed_at: ago(100),
    opt_in_count: 0,
    orgs_enabled: (f.alpha_orgs ?? []).map((o) => o.org).sort(),
    error_count_24h: 0,
    ...more,
  };
}

function entry(
  e: Partial<AuditEntry> & Pick<AuditEntry, 'action' | 'flag' | 'actor' | 'at'>,
): AuditEntry {
  return { id: 1, org: null, old_state: null, new_state: null, ...e };
}

/** A history: [state, hours ago, fresh override?] oldest first. */
function history(...entries: [State, number, boolean?][]): FlagHistory {
  return {
    entries: entries.map(([state, hours, override], i) => ({
      state,
      at: ago(hours),
      sha: `${i}`.repeat(40).slice(0, 40),
      created: i === 0,
      freshOverride: override ?? false,
      decisionMaker: override ? '@cto' : null,
    })),
    orgsChangedAt: {},
    lastChangedAt: entries.length > 0 ? ago(entries.at(-1)![1]) : null,
  };
}

function facts(
  desired: FlagSet,
  actual: PlatformFlag[],
  more: Partial<DeployFacts> = {},
): DeployFacts {
  return {
    desired,
    actual,
    history: new Map(),
    audit: new Map(),
    removedKeys: new Set(),
    now: NOW,
    ...more,
  };
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

  it('registers dependencies first and promotes a fresh platform by the repository history', () => {
    const a = flag('a', { state: 'ga' });
    const b = flag('b', { state: 'beta', depends_on: ['a'] });
    const f = facts(set(b, a), [], {
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
    expect(plan.steps.find((s) => s.id === 'b:promote:beta')?.after).toEqual([
      'a:promote:beta',
      'b:register',
    ]);
    expect(plan.steps.find((s) => s.id === 'a:promote:ga')?.after).toEqual([
      'a:promote:beta',
      'a:register',
    ]);
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

  it('judges a promotion with the platform as the base: soak, skip, fresh override', () => {
    const hist = history(['alpha', 300], ['beta', 2]);
    expect(judgePromotion('x', 'alpha', 'beta', new Date(ago(30)), true, hist, NOW)).toMatchObject({
      ok: true,
    });
    expect(judgePromotion('x', 'alpha', 'beta', new Date(ago(10)), true, hist, NOW)).toMatchObject({
      ok: false,
      rule: 'soak',
      allowedAt: new Date(ago(-14)),
    });
    expect(
      judgePromotion(
        'x',
        'alpha',
        'ga',
        new Date(ago(300)),
        true,
        history(['alpha', 300], ['ga', 2]),
        NOW,
      ),
    ).toMatchObject({ ok: false, rule: 'transition-skip' });
    expect(
      judgePromotion(
        'x',
        'beta',
        'ga',
        new Date(ago(10)),
        true,
        history(['alpha', 300], ['beta', 200], ['ga', 2, true]),
        NOW,
      ),
    ).toMatchObject({ ok: true, why: expect.stringContaining('@cto') });
    // An override that came earlier than the state change waives nothing.
    expect(
      judgePromotion(
        'x',
        'beta',
        'ga',
        new Date(ago(10)),
        true,
        history(['alpha', 300], ['beta', 200, true], ['ga', 2]),
        NOW,
      ),
    ).toMatchObject({ ok: false, rule: 'soak' });
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

  it('refuses a dependent whose dependency will not reach its state', () => {
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
