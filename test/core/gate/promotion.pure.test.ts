// One promotion judged as data: the soak to the second, one step at a time, dependencies first,
// the eligible time, and which change is which kind. The same rules run through real git in
// boundaries.test.ts; here each boundary is pinned where the rule lives.
import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../../scripts/core/gate.ts';
import { HOUR, NOW, hoursBefore, input, judge, onPlatform } from './pure.ts';

const SECOND = 1000;
const at = (ms: number) => new Date(NOW.getTime() - ms);

describe('the soak of a promotion', () => {
  it('alpha to beta: refused one second before 24 h, allowed at 24 h exactly', () => {
    const promote = (since: Date) =>
      judge({
        base: [{ key: 'live' }],
        head: [{ key: 'live', state: 'beta' }],
        clocks: { live: since },
      });
    const early = promote(at(24 * HOUR - SECOND));
    expect(early.errors).toEqual(['soak']);
    expect(early.violations.find((v) => v.rule === 'soak')?.line).toBe(3);
    expect(early.overrides).toEqual([]);
    expect(early.message('soak')).toBe(
      'alpha to beta comes too early: `live` has been in alpha since 2026-11-23 12:00:01 UTC, 23 h 59 min of the 24 h soak; allowed from 2026-11-24 12:00:01 UTC (in 1 s)',
    );
    expect(early.changes).toEqual([
      {
        flag: 'live',
        file: 'flags/video/live.yaml',
        kind: 'promote',
        from: 'alpha',
        to: 'beta',
        since: '2026-11-23T12:00:01Z',
        eligibleAt: '2026-11-24T12:00:01Z',
      },
    ]);
    const onTime = promote(at(24 * HOUR));
    expect(onTime.errors).toEqual([]);
    expect(onTime.changes[0]!.eligibleAt).toBe('2026-11-24T12:00:00Z');
  });

  it('beta to ga: refused one second before 72 h, allowed at 72 h exactly', () => {
    const promote = (since: Date) =>
      judge({
        base: [{ key: 'live', state: 'beta' }],
        head: [{ key: 'live', state: 'ga' }],
        clocks: { live: since },
      });
    const early = promote(at(72 * HOUR - SECOND));
    expect(early.errors).toEqual(['soak']);
    expect(early.message('soak')).toContain('of the 72 h soak');
    expect(early.changes[0]!.eligibleAt).toBe('2026-11-24T12:00:01Z');
    expect(promote(at(72 * HOUR)).errors).toEqual([]);
  });

  it('takes the later of the git clock and the platform clock', () => {
    const promote = (git: Date | null, platform: Date) =>
      judge({
        base: [{ key: 'live' }],
        head: [{ key: 'live', state: 'beta' }],
        clocks: { live: git },
        platform: [onPlatform('live', 'alpha', platform)],
      });
    // The platform got there later than git says: its clock counts.
    const later = promote(hoursBefore(30), hoursBefore(10));
    expect(later.errors).toEqual(['soak']);
    expect(later.changes[0]!.since).toBe('2026-11-24T02:00:00Z');
    // Git's clock is later: git counts.
    const earlier = promote(hoursBefore(10), hoursBefore(30));
    expect(earlier.changes[0]!.since).toBe('2026-11-24T02:00:00Z');
    expect(earlier.errors).toEqual(['soak']);
    // No git clock: the platform's alone.
    const platformOnly = promote(null, hoursBefore(25));
    expect(platformOnly.changes[0]!.since).toBe('2026-11-23T11:00:00Z');
    expect(platformOnly.errors).toEqual([]);
  });

  it('ignores a platform time that is not a time', () => {
    const out = judge({
      base: [{ key: 'live' }],
      head: [{ key: 'live', state: 'beta' }],
      clocks: { live: hoursBefore(30) },
      platform: [{ ...onPlatform('live', 'alpha', NOW), state_changed_at: 'yesterday' }],
    });
    expect(out.changes[0]!.since).toBe('2026-11-23T06:00:00Z');
    expect(out.errors).toEqual([]);
  });

  it('has no eligible time and a soak error when no clock knows when the state began', () => {
    const out = judge({ base: [{ key: 'live' }], head: [{ key: 'live', state: 'beta' }] });
    expect(out.changes[0]).toMatchObject({ since: null, eligibleAt: null });
    expect(out.violations.find((v) => v.rule === 'soak')?.line).toBe(3);
    expect(out.overrides).toEqual([]);
    expect(out.message('soak')).toBe(
      'no time is known for when `live` entered alpha, so its 24 h soak cannot be verified',
    );
  });
});

describe('one state at a time', () => {
  it('refuses alpha to ga, naming beta as the next step, whatever the soak', () => {
    const out = judge({
      base: [{ key: 'live' }],
      head: [{ key: 'live', state: 'ga' }],
      clocks: { live: hoursBefore(1000) },
    });
    expect(out.errors).toEqual(['transition-skip']);
    expect(out.message('transition-skip')).toBe(
      'alpha to ga skips a state: rollout is one state at a time (alpha -> beta -> ga); promote to beta first',
    );
    expect(out.violations[0]!.line).toBe(3);
  });
});

describe('dependencies first', () => {
  const base = (depState: 'alpha' | 'beta' | 'ga' | null) => [
    { key: 'app', depends_on: ['other', 'lib'] },
    { key: 'other', state: 'ga' as const },
    ...(depState ? [{ key: 'lib', state: depState }] : []),
  ];
  const promoteApp = (depBase: 'alpha' | 'beta' | 'ga' | null, depHead: 'alpha' | 'beta' | 'ga') =>
    judge({
      base: base(depBase),
      head: [
        { key: 'app', state: 'beta', depends_on: ['other', 'lib'] },
        { key: 'lib', state: depHead },
        { key: 'other', state: 'ga' },
      ],
      clocks: { app: hoursBefore(48), lib: hoursBefore(100) },
    });

  it('allows a promotion whose dependency already stands at the target state on the base', () => {
    expect(promoteApp('beta', 'beta').errors).toEqual([]);
    expect(promoteApp('ga', 'ga').errors).toEqual([]);
  });

  it('refuses one whose dependency is raised in the same change, on the line of the dependency', () => {
    const out = promoteApp('alpha', 'beta');
    expect(out.errors).toEqual(['dependency-order']);
    expect(out.message('dependency-order')).toBe(
      '`app` goes to beta but its dependency `lib` was alpha on the base: promote `lib` first, in its own change, and promote `app` after it has merged',
    );
    const app = out.violations[0]!;
    expect(app.flag).toBe('app');
    // Lines 6-8: depends_on, - other, - lib: the item that is wrong, not the first one.
    expect(app.line).toBe(8);
  });

  it('refuses one whose dependency is new in the same change', () => {
    const out = promoteApp(null, 'beta');
    expect(out.errors).toContain('dependency-order');
    expect(out.message('dependency-order')).toContain('was not there on the base');
  });

  it('refuses one whose dependency is new in the same change, even below the target', () => {
    const out = promoteApp(null, 'alpha');
    expect(out.errors).toEqual(['dependency-order']);
    expect(out.message('dependency-order')).toContain('`lib` was not there on the base');
  });

  it('leaves a dependency that stays below to the static rule (not a change-order problem)', () => {
    expect(promoteApp('alpha', 'alpha').errors).toEqual([]);
  });
});

describe('the rules without history', () => {
  it('are applied by the gate unless the caller applied them already', () => {
    const c = {
      base: [{ key: 'g', state: 'ga' as const }],
      head: [{ key: 'g', state: 'ga' as const, revertible: false }],
    };
    const own = input(c);
    delete own.staticViolations;
    expect(evaluateGate(own).violations.map((v) => v.rule)).toContain('revertible');
    expect(evaluateGate(input(c)).violations.map((v) => v.rule)).not.toContain('revertible');
  });
});

describe('what kind of change', () => {
  it('a lower state is a revert, an equal one an edit, and an unchanged file nothing', () => {
    const out = judge({
      base: [{ key: 'down', state: 'beta' }, { key: 'same' }, { key: 'quiet' }],
      head: [
        {
          key: 'down',
          revert: { reason: 'storm', incident: 'https://incidents.example.com/1' },
        },
        { key: 'same', description: 'Reworded.' },
        { key: 'quiet' },
      ],
    });
    expect(
      out.changes.map((c) => `${c.flag} ${c.kind} ${c.from}->${c.to} ${c.eligibleAt}`),
    ).toEqual(['down revert beta->alpha null', 'same edit alpha->alpha null']);
    expect(out.errors).toEqual([]);
  });

  it('a moved file with the same content is an edit, not nothing', () => {
    const out = judge({
      base: [{ key: 'live', folder: 'video' }],
      head: [{ key: 'live', folder: 'analytics' }],
    });
    expect(out.changes).toMatchObject([
      { flag: 'live', kind: 'edit', file: 'flags/analytics/live.yaml' },
    ]);
  });

  it('a new flag is created at alpha, and refused anywhere higher', () => {
    const out = judge({ base: [], head: [{ key: 'a' }, { key: 'b', state: 'beta' }] });
    expect(out.changes).toEqual([
      {
        flag: 'a',
        file: 'flags/video/a.yaml',
        kind: 'create',
        from: null,
        to: 'alpha',
        since: null,
        eligibleAt: null,
      },
      {
        flag: 'b',
        file: 'flags/video/b.yaml',
        kind: 'create',
        from: null,
        to: 'beta',
        since: null,
        eligibleAt: null,
      },
    ]);
    expect(out.rules).toEqual(['new-flag-state:error']);
    expect(out.message('new-flag-state')).toContain('not beta: set `state: alpha`');
    expect(out.violations.find((v) => v.rule === 'new-flag-state')?.line).toBe(3);
    expect(out.violations[0]!.flag).toBe('b');
  });

  it('sorts the changes by flag key, not by file', () => {
    const out = judge({
      base: [],
      head: [
        { key: 'zeta', folder: 'a' },
        { key: 'alpha-one', folder: 'z' },
        { key: 'mid', folder: 'm' },
      ],
    });
    expect(out.changes.map((c) => c.flag)).toEqual(['alpha-one', 'mid', 'zeta']);
  });
});
