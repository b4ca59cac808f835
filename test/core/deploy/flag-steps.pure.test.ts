// One flag's own steps: its registration or metadata update, its state change and who owns it
// (the repository, deploy, or someone else on the platform), and a file that does not load.
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../scripts/core/deploy-plan.ts';
import { AUDIT_ARCHIVED, AUDIT_STATE_CHANGED } from '../../../scripts/core/deploy/model.ts';
import type { Violation } from '../../../scripts/core/model.ts';
import {
  HOUR,
  SECOND,
  audit,
  before,
  facts,
  flag,
  history,
  onPlatform,
  set,
  steps,
} from './data.ts';

describe('a flag someone else archived on the platform', () => {
  const archivedAt = 5 * HOUR;
  const plan = (actor: string, repoMs: number | null, listed = false) => {
    const x = flag('x');
    const h = history(['alpha', 300 * HOUR]);
    h.lastChangedAt = repoMs === null ? null : before(repoMs);
    return facts(set(x), listed ? [onPlatform(x)] : [], {
      history: repoMs === null ? new Map() : new Map([['x', h]]),
      audit: new Map([
        ['x', [audit({ action: AUDIT_ARCHIVED, flag: 'x', actor, at: before(archivedAt) })]],
      ]),
    });
  };

  it('is left alone when archived at or after the repository last changed it', () => {
    for (const repo of [null, archivedAt + HOUR, archivedAt]) {
      const f = plan('oncall', repo);
      expect(steps(f)).toEqual(['x:register drift drift']);
      expect(planDeploy(f).steps[0]!.changedBy).toEqual({
        actor: 'oncall',
        at: before(archivedAt),
      });
      expect(planDeploy(f).inSync).toEqual([]);
    }
    expect(planDeploy(plan('oncall', null)).steps[0]!.reason).toBe(
      '`x` was archived on the platform by `oncall` at 2026-11-10 07:00 UTC, after the repository last changed it: left alone. Change the flag in the repository to bring it back, or delete its file',
    );
  });

  it('is registered again when the repository changed it since, or deploy archived it', () => {
    expect(steps(plan('oncall', archivedAt - SECOND))).toEqual(['x:register apply']);
    expect(steps(plan('flags-deploy', null))).toEqual(['x:register apply']);
    // Listed on the platform: not archived, whatever the audit says.
    expect(steps(plan('oncall', null, true))).toEqual([]);
  });

  it('counts as absent for its dependents', () => {
    const f = plan('oncall', null);
    const x = flag('x', { state: 'beta' });
    const dependent = flag('dep', { state: 'beta', depends_on: ['x'] });
    const withDependent = {
      ...f,
      desired: set(x, dependent),
      actual: [onPlatform({ ...dependent, state: 'alpha' })],
      history: new Map([['dep', history(['alpha', 300 * HOUR], ['beta', 200 * HOUR])]]),
    };
    const s = planDeploy(withDependent).steps.find((p) => p.flag === 'dep')!;
    expect(s).toMatchObject({ id: 'dep:promote:beta', kind: 'refused', rule: 'dependency-order' });
    expect(s.reason).toBe(
      '`dep` goes to beta but its dependency `x` is not on the platform (its own change is drift): the platform would refuse it (409 FLAG_DEPENDENCY); promote `x` first',
    );
  });
});

describe('metadata', () => {
  it('updates exactly the fields the repository changed, and sends the repository metadata', () => {
    const x = flag('x', { state: 'beta', depends_on: ['y'] });
    const y = flag('y', { state: 'beta' });
    const update = (changed: Partial<Parameters<typeof onPlatform>[1]>) =>
      planDeploy(facts(set(x, y), [onPlatform(x, changed), onPlatform(y)])).steps;
    expect(update({ description: 'Old.' })).toMatchObject([
      {
        id: 'x:update',
        kind: 'apply',
        from: 'beta',
        to: 'beta',
        reason: 'description changed in the repository',
        meta: { description: 'The x feature.', owner: '@novalien/video', depends_on: ['y'] },
      },
    ]);
    expect(update({ owner: '@novalien/web' })[0]!.reason).toBe('owner changed in the repository');
    expect(update({ depends_on: [] })[0]!.reason).toBe('depends_on changed in the repository');
    expect(update({ description: 'Old.', owner: '@o/p', depends_on: ['y', 'z'] })[0]!.reason).toBe(
      'description, owner, depends_on changed in the repository',
    );
    expect(update({})).toEqual([]);
  });

  it('registers a new flag at alpha with its metadata', () => {
    const plan = planDeploy(facts(set(flag('x', { depends_on: ['y'] }), flag('y')), []));
    expect(plan.steps.find((s) => s.id === 'x:register')).toMatchObject({
      kind: 'apply',
      from: null,
      to: 'alpha',
      meta: { description: 'The x feature.', owner: '@novalien/video', depends_on: ['y'] },
      after: ['y:register'],
      reason: 'new in the repository (flags/video/x.yaml); registered at alpha',
    });
  });
});

describe('who owns a state the platform has', () => {
  const x = flag('x', { state: 'beta' });
  /** The platform went to alpha 5 h ago by `actor`; the repository last set beta `repoMs` ago. */
  const plan = (actor: string, repoMs: number, repoState: 'alpha' | 'beta' = 'beta') =>
    facts(set(x), [onPlatform(flag('x'), { state_changed_at: before(60 * HOUR) })], {
      history: new Map([
        [
          'x',
          repoState === 'beta'
            ? history(['alpha', 300 * HOUR], ['beta', repoMs])
            : history(['alpha', repoMs]),
        ],
      ]),
      audit: new Map([
        [
          'x',
          [
            audit({
              action: AUDIT_STATE_CHANGED,
              flag: 'x',
              actor,
              at: before(5 * HOUR),
              old_state: 'beta',
              new_state: 'alpha',
            }),
          ],
        ],
      ]),
    });

  it('someone else set it at or after the repository last decided: drift, to the second', () => {
    for (const repo of [5 * HOUR, 5 * HOUR + SECOND]) {
      const [s] = planDeploy(plan('oncall', repo)).steps;
      expect(s).toMatchObject({
        id: 'x:promote:beta',
        kind: 'drift',
        rule: 'drift',
        from: 'alpha',
        to: 'beta',
        changedBy: { actor: 'oncall', at: before(5 * HOUR) },
      });
      expect(s!.reason).toContain('set by `oncall` at 2026-11-10 07:00 UTC (from beta)');
    }
    expect(steps(plan('oncall', 5 * HOUR - SECOND))).toEqual(['x:promote:beta apply']);
  });

  it('deploy (adopted or not) set it: the repository still decides', () => {
    expect(steps(plan('flags-deploy', 200 * HOUR))).toEqual(['x:promote:beta apply']);
    expect(steps(plan('flags-deploy --adopt', 200 * HOUR))).toEqual(['x:promote:beta apply']);
  });

  it('the repository has no dated decision for the state it asks: drift', () => {
    // The last history entry is not at the state the repository asks for.
    expect(steps(plan('oncall', 1 * HOUR, 'alpha'))).toEqual(['x:promote:beta drift drift']);
  });
});

describe('demotions', () => {
  it('need no soak, and say when the repository reverted', () => {
    const x = flag('x');
    const onBeta = [onPlatform({ ...x, state: 'beta' }, { state_changed_at: before(HOUR) })];
    const reverted = planDeploy(
      facts(set(x), onBeta, {
        history: new Map([
          ['x', history(['alpha', 300 * HOUR], ['beta', 200 * HOUR], ['alpha', HOUR])],
        ]),
      }),
    ).steps;
    expect(reverted).toMatchObject([
      {
        id: 'x:demote:alpha',
        kind: 'apply',
        from: 'beta',
        to: 'alpha',
        reason: 'reverted in the repository (2026-11-10 11:00 UTC); demotions need no soak',
      },
    ]);
    const lower = planDeploy(facts(set(x), onBeta)).steps;
    expect(lower[0]!.reason).toBe('lower in the repository; demotions need no soak');
  });
});

describe('a file with an error', () => {
  const error = (flagKey: string, rule: Violation['rule'], line: number | null): Violation => ({
    rule,
    severity: 'error',
    flag: flagKey,
    file: `flags/video/${flagKey}.yaml`,
    line,
    message: `${rule} is wrong`,
  });

  it('refuses its registration, update and promotion with the first error, file and line', () => {
    const x = flag('x', { state: 'beta' });
    const withErrors = (...violations: Violation[]) => ({ ...set(x), violations });
    const fresh = planDeploy(
      facts(withErrors(error('x', 'schema', 4), error('x', 'parse', 2)), []),
    );
    expect(fresh.steps.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      'x:register refused schema',
      'x:promote:beta refused schema',
    ]);
    expect(fresh.steps[0]!.reason).toBe('flags/video/x.yaml:4: schema is wrong');
    expect(fresh.violations).toHaveLength(2);
    const known = planDeploy(
      facts(withErrors(error('x', 'schema', null)), [
        onPlatform(flag('x'), { description: 'Old.' }),
      ]),
    );
    expect(known.steps.map((s) => `${s.id} ${s.kind} ${s.rule} ${s.reason}`)).toEqual([
      'x:update refused schema flags/video/x.yaml: schema is wrong',
      'x:promote:beta refused schema flags/video/x.yaml: schema is wrong',
    ]);
  });

  it('ignores warnings, errors of no flag, and CODEOWNERS (GitHub enforces reviews, not the platform)', () => {
    const x = flag('x');
    const desired = {
      ...set(x),
      violations: [
        { ...error('x', 'codeowners', 1) },
        { ...error('x', 'schema', 1), severity: 'warning' as const },
        { ...error('x', 'schema', 1), flag: null },
      ],
    };
    const plan = planDeploy(facts(desired, []));
    expect(plan.steps.map((s) => `${s.id} ${s.kind}`)).toEqual(['x:register apply']);
    expect(plan.violations.map((v) => `${v.rule} ${v.flag}`)).toEqual(['schema null']);
  });

  it('keeps what the platform has for a file that does not load, and never archives it', () => {
    const desired = {
      ...set(flag('ok')),
      brokenFiles: ['flags/video/broken.yaml', 'flags/video/new.yaml', 'flags/video/ok.yaml'],
      violations: [
        {
          rule: 'parse' as const,
          severity: 'error' as const,
          flag: null,
          file: 'flags/video/broken.yaml',
          line: 3,
          message: 'bad indentation',
        },
      ],
    };
    const plan = planDeploy(
      facts(desired, [onPlatform(flag('ok')), onPlatform(flag('broken', { state: 'beta' }))], {
        removedKeys: new Set(['broken']),
      }),
    );
    expect(plan.steps).toMatchObject([
      {
        id: 'new:register',
        action: 'register',
        kind: 'refused',
        from: null,
        to: null,
        rule: 'file',
        reason: 'flags/video/new.yaml cannot be read; the platform keeps what it has',
      },
      {
        id: 'broken:update',
        action: 'update',
        kind: 'refused',
        from: 'beta',
        to: 'beta',
        rule: 'parse',
        reason:
          'flags/video/broken.yaml cannot be read: bad indentation; the platform keeps what it has',
      },
    ]);
    expect(plan.inSync).toEqual(['ok']);
  });
});

describe('in sync', () => {
  it('lists the flags the platform already has as the repository does, by key', () => {
    const flags = [flag('c'), flag('a'), flag('b', { state: 'beta' })];
    const plan = planDeploy(
      facts(
        set(...flags),
        flags.map((f) => onPlatform(f)),
      ),
    );
    expect(plan).toMatchObject({ steps: [], inSync: ['a', 'b', 'c'] });
    const changed = planDeploy(
      facts(set(...flags), [onPlatform(flags[0]!), onPlatform(flags[2]!)]),
    );
    expect(changed.inSync).toEqual(['b', 'c']);
    // Planned dependencies first (z before a), listed by key.
    const deps = [flag('a', { depends_on: ['z'] }), flag('z')];
    expect(
      planDeploy(
        facts(
          set(...deps),
          deps.map((f) => onPlatform(f)),
        ),
      ).inSync,
    ).toEqual(['a', 'z']);
  });
});

describe('survivors of the state planning', () => {
  it('goes one state now and holds the next on the platform clock, from the state it reaches', () => {
    const plan = planDeploy(
      facts(
        set(flag('x', { state: 'ga' })),
        [onPlatform(flag('x'), { state_changed_at: before(30 * HOUR) })],
        {
          history: new Map([
            ['x', history(['alpha', 300 * HOUR], ['beta', 250 * HOUR], ['ga', 100 * HOUR])],
          ]),
        },
      ),
    ).steps;
    expect(plan).toMatchObject([
      { id: 'x:promote:beta', kind: 'apply', from: 'alpha', to: 'beta' },
      {
        id: 'x:promote:ga',
        kind: 'held',
        rule: 'soak',
        from: 'beta',
        to: 'ga',
        allowedAt: '2026-11-13T12:00:00Z',
        after: ['x:promote:beta'],
      },
    ]);
  });

  it('only a state change in the audit says who set the state, not an org toggle', () => {
    const x = flag('x', { state: 'beta' });
    const entries = [
      audit({
        action: AUDIT_STATE_CHANGED,
        flag: 'x',
        actor: 'flags-deploy',
        at: before(60 * HOUR),
        old_state: 'beta',
        new_state: 'alpha',
      }),
      audit({
        action: 'platform.feature_flag_enabled',
        flag: 'x',
        org: 'acme',
        actor: 'oncall',
        at: before(HOUR),
      }),
    ];
    expect(
      steps(
        facts(set(x), [onPlatform(flag('x'), { state_changed_at: before(60 * HOUR) })], {
          history: new Map([['x', history(['alpha', 300 * HOUR], ['beta', 200 * HOUR])]]),
          audit: new Map([['x', entries]]),
        }),
      ),
    ).toEqual(['x:promote:beta apply']);
  });

  it('a flag deploy archived and the repository brings back: its old state changes are not drift', () => {
    const x = flag('x', { state: 'beta' });
    const entries = [
      audit({
        action: AUDIT_STATE_CHANGED,
        flag: 'x',
        actor: 'oncall',
        at: before(50 * HOUR),
        old_state: 'beta',
        new_state: 'alpha',
      }),
      audit({ action: AUDIT_ARCHIVED, flag: 'x', actor: 'flags-deploy', at: before(40 * HOUR) }),
    ];
    expect(
      steps(
        facts(set(x), [], {
          history: new Map([['x', history(['alpha', 300 * HOUR], ['beta', 200 * HOUR])]]),
          audit: new Map([['x', entries]]),
        }),
      ),
    ).toEqual(['x:register apply', 'x:promote:beta held soak']);
  });

  it('a dependency whose file has an error is, for its dependents, where the platform has it', () => {
    const x = flag('x', { state: 'beta' });
    const y = flag('y', { state: 'beta', depends_on: ['x'] });
    const desired = {
      ...set(x, y),
      violations: [
        {
          rule: 'schema' as const,
          severity: 'error' as const,
          flag: 'x',
          file: 'flags/video/x.yaml',
          line: 2,
          message: 'bad',
        },
      ],
    };
    const reason = (platform: ReturnType<typeof onPlatform>[]) =>
      planDeploy(
        facts(desired, [...platform, onPlatform({ ...y, state: 'alpha' })], {
          history: new Map([['y', history(['alpha', 300 * HOUR], ['beta', 200 * HOUR])]]),
        }),
      ).steps.find((s) => s.id === 'y:promote:beta')!.reason;
    expect(reason([])).toContain(
      'its dependency `x` is not on the platform (its own change is refused: schema)',
    );
    expect(reason([onPlatform({ ...x, state: 'alpha' })])).toContain(
      'its dependency `x` stays at alpha on the platform (its own change is refused: schema)',
    );
  });
});
