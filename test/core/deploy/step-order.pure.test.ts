// The order of a deploy: flags with their dependencies first, each step after what it needs
// (dependencies first on the way up, dependents first on the way down), a step that waits for
// one that will not run waits or is refused with it, and a stable order people can read.
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../scripts/core/deploy-plan.ts';
import { dependencyOrder, propagateRefusals } from '../../../scripts/core/deploy/step-order.ts';
import { step, type DeployStep, type PlanContext } from '../../../scripts/core/deploy/model.ts';
import type { Flag, FlagFile } from '../../../scripts/core/model.ts';
import { HOUR, before, facts, flag, history, onPlatform, set, steps } from './data.ts';

const byKey = (...flags: Flag[]): Map<string, FlagFile> =>
  new Map(set(...flags).flags.map((f) => [f.flag.key, f]));

describe('dependencyOrder', () => {
  it('puts every dependency before its dependents, starting with the free keys by name', () => {
    const flags = [
      flag('d', { depends_on: ['b', 'c'] }),
      flag('c', { depends_on: ['a'] }),
      flag('b', { depends_on: ['a'] }),
      flag('a'),
      flag('e'),
    ];
    const order = dependencyOrder(byKey(...flags));
    expect([...order].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(order.slice(0, 2)).toEqual(['a', 'e']);
    for (const f of flags)
      for (const dep of f.depends_on ?? [])
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(f.key));
  });

  it('follows the dependencies where the names would put a dependent first', () => {
    const flags = [
      flag('z'),
      flag('b', { depends_on: ['z'] }),
      flag('c', { depends_on: ['z'] }),
      flag('a', { depends_on: ['b'] }),
      flag('y', { depends_on: ['c', 'b'] }),
      flag('x', { depends_on: ['y'] }),
    ];
    const order = dependencyOrder(byKey(...flags));
    expect([...order].sort()).toEqual(['a', 'b', 'c', 'x', 'y', 'z']);
    expect(order[0]).toBe('z');
    for (const f of flags)
      for (const dep of f.depends_on ?? [])
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(f.key));
    // The free keys start the order by name, whatever order the files came in.
    expect(dependencyOrder(byKey(flag('q'), flag('p'), flag('o'))).slice(0, 3)).toEqual([
      'o',
      'p',
      'q',
    ]);
  });

  it('ignores dependencies outside the set and on itself; puts members of a cycle last, by key', () => {
    expect(
      dependencyOrder(
        byKey(
          flag('z', { depends_on: ['z', 'elsewhere'] }),
          flag('y', { depends_on: ['x'] }),
          flag('x', { depends_on: ['y'] }),
          flag('w', { depends_on: ['x'] }),
        ),
      ),
    ).toEqual(['z', 'w', 'x', 'y']);
  });
});

describe('the after edges', () => {
  it('updates after the dependencies are registered and updated', () => {
    const a = flag('a', { description: 'New a.' });
    const b = flag('b', { depends_on: ['a', 'n'] });
    const plan = planDeploy(
      facts(set(a, b, flag('n')), [
        onPlatform({ ...a, description: 'Old a.' }),
        onPlatform(flag('b')),
      ]),
    );
    expect(plan.steps.find((s) => s.id === 'b:update')?.after).toEqual(['a:update', 'n:register']);
  });

  it('promotes after the flag is registered and updated and its dependencies reach the state', () => {
    const a = flag('a', { state: 'beta' });
    const b = flag('b', { state: 'beta', depends_on: ['a'] });
    const hist = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]);
    const plan = planDeploy(
      facts(
        set(a, b),
        [
          onPlatform({ ...a, state: 'alpha' }),
          onPlatform({ ...b, state: 'alpha', depends_on: [] }),
        ],
        {
          history: new Map([
            ['a', hist],
            ['b', hist],
          ]),
        },
      ),
    );
    expect(plan.steps.map((s) => `${s.id} after ${s.after.join(',')}`)).toEqual([
      'b:update after ',
      'a:promote:beta after ',
      'b:promote:beta after a:promote:beta,b:update',
    ]);
  });

  it('demotes a flag after what depends on it, in the repository or on the platform', () => {
    const a = flag('a');
    const plan = planDeploy(
      facts(
        set(a, flag('r', { depends_on: ['a'] })),
        [
          onPlatform({ ...a, state: 'ga' }),
          onPlatform(flag('r', { state: 'beta' }), { depends_on: ['a'] }),
          onPlatform(flag('p', { state: 'beta' }), { depends_on: ['a'] }),
        ],
        { removedKeys: new Set(['p']) },
      ),
    );
    expect(plan.steps.find((s) => s.id === 'a:demote:alpha')?.after).toEqual(['r:demote:alpha']);
    // `p` is archived, not demoted; it still goes before `a` is taken away from under it.
    expect(plan.steps.map((s) => s.id)).toEqual(['r:demote:alpha', 'a:demote:alpha', 'p:archive']);
  });

  it("registers a flag without waiting for its dependencies' metadata updates", () => {
    const y = flag('y', { description: 'New y.' });
    const plan = planDeploy(
      facts(set(flag('x', { depends_on: ['y'] }), y), [onPlatform({ ...y, description: 'y.' })]),
    );
    expect(plan.steps.map((s) => `${s.id} after ${s.after.join(',')}`)).toEqual([
      'x:register after ',
      'y:update after ',
    ]);
  });

  it('demotes after dependents the repository alone names, each of them', () => {
    const a = flag('a');
    const plan = planDeploy(
      facts(set(a, flag('r', { depends_on: ['a'] }), flag('s', { depends_on: ['a'] })), [
        onPlatform({ ...a, state: 'beta' }),
        onPlatform(flag('r', { state: 'beta' })),
        onPlatform(flag('s', { state: 'beta' })),
      ]),
    );
    expect(plan.steps.find((s) => s.id === 'a:demote:alpha')?.after).toEqual([
      'r:demote:alpha',
      's:demote:alpha',
    ]);
  });

  it('demotes a flag the platform lists as its own dependency', () => {
    const plan = planDeploy(
      facts(set(flag('a')), [onPlatform(flag('a', { state: 'beta' }), { depends_on: ['a'] })]),
    );
    expect(plan.steps.map((s) => `${s.id} ${s.kind} [${s.after.join(',')}]`)).toEqual([
      'a:demote:alpha apply []',
      'a:update apply []',
    ]);
  });

  it('archives a flag after its platform dependents are archived or let go of it', () => {
    const plan = planDeploy(
      facts(
        set(flag('keep')),
        [
          onPlatform(flag('base')),
          onPlatform(flag('old'), { depends_on: ['base'] }),
          onPlatform(flag('keep'), { depends_on: ['base'] }),
        ],
        { removedKeys: new Set(['base', 'old']) },
      ),
    );
    expect(plan.steps.map((s) => `${s.id} after ${s.after.join(',')}`)).toEqual([
      'keep:update after ',
      'old:archive after ',
      'base:archive after keep:update,old:archive',
    ]);
  });
});

describe('steps that wait for one that will not run', () => {
  it('wait with a held step, until it is allowed, and are refused with a refused or drifted one', () => {
    const a = flag('a', { state: 'beta' });
    const b = flag('b', { state: 'beta', depends_on: ['a'] });
    const hist = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]);
    const plan = (aOnPlatform: Parameters<typeof onPlatform>[1], more = {}) =>
      planDeploy(
        facts(
          set(a, b),
          [
            onPlatform({ ...a, state: 'alpha' }, aOnPlatform),
            onPlatform({ ...b, state: 'alpha', depends_on: [] }),
          ],
          {
            history: new Map([
              ['a', hist],
              ['b', hist],
            ]),
            ...more,
          },
        ),
      ).steps;
    // `a` held on the platform clock: b's metadata update does not wait for it, b's promotion does.
    expect(
      plan({ state_changed_at: before(HOUR) }).map((s) =>
        `${s.id} ${s.kind} ${s.rule ?? ''}`.trim(),
      ),
    ).toEqual([
      'b:update apply',
      'a:promote:beta held soak',
      'b:promote:beta held dependency-order',
    ]);
    // `a` renamed by hand: b's update waits for a's update, which is refused (a file error).
    const held = plan({ state_changed_at: before(HOUR) });
    expect(held[2]!.allowedAt).toBe(held[1]!.allowedAt);
    expect(held[2]!.allowedAt).toBe(
      new Date(Date.parse(before(HOUR)) + 24 * HOUR).toISOString().replace('.000Z', 'Z'),
    );
  });

  it('pass a refusal down a chain, naming the step each waits for', () => {
    // c's update waits for b's update, which waits for a's, refused by a's file error.
    const a = flag('a', { description: 'New a.' });
    const b = flag('b', { description: 'New b.', depends_on: ['a'] });
    const c = flag('c', { description: 'New c.', depends_on: ['b'] });
    const desired = {
      ...set(a, b, c),
      violations: [
        {
          rule: 'schema' as const,
          severity: 'error' as const,
          flag: 'a',
          file: 'flags/video/a.yaml',
          line: 2,
          message: 'bad',
        },
      ],
    };
    const plan = planDeploy(
      facts(desired, [
        onPlatform({ ...a, description: 'a.' }),
        onPlatform({ ...b, description: 'b.' }),
        onPlatform({ ...c, description: 'c.' }),
      ]),
    ).steps;
    expect(plan.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      'a:update refused schema',
      'b:update refused schema',
      'c:update refused schema',
    ]);
    expect(plan[1]!.reason).toBe(
      'waits for `a:update`, which is refused: flags/video/a.yaml:2: bad',
    );
    expect(plan[2]!.reason).toMatch(
      /^waits for `b:update`, which is refused: waits for `a:update`/,
    );
    expect(plan[2]!.allowedAt).toBeNull();
  });

  it('are refused for the dependency order when what they wait for is drift', () => {
    const x = flag('x', { description: 'New.' });
    const y = flag('y', { description: 'New y.', depends_on: ['x'] });
    const plan = planDeploy(
      facts(set(x, y), [onPlatform({ ...y, description: 'y.' })], {
        history: new Map([['x', { ...history(['alpha', 300 * HOUR]) }]]),
        audit: new Map([
          [
            'x',
            [
              {
                id: 1,
                at: before(HOUR),
                action: 'platform.feature_flag_archived',
                flag: 'x',
                org: null,
                old_state: null,
                new_state: null,
                actor: 'oncall',
              },
            ],
          ],
        ]),
      }),
    ).steps;
    expect(plan.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      'y:update refused dependency-order',
      'x:register drift drift',
    ]);
    expect(plan[0]!.reason).toMatch(/^waits for `x:register`, which is drift: /);
  });

  it('pass a refusal up a chain of archives, whatever order the platform lists them in', () => {
    // top depends on mid, mid on base; top is at beta (never archived); all three deleted.
    const plan = planDeploy(
      facts(
        set(),
        [
          onPlatform(flag('base')),
          onPlatform(flag('mid'), { depends_on: ['base'] }),
          onPlatform(flag('top', { state: 'beta' }), { depends_on: ['mid'] }),
        ],
        { removedKeys: new Set(['base', 'mid', 'top']) },
      ),
    ).steps;
    expect(plan.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      'base:archive refused removal',
      'mid:archive refused removal',
      'top:archive refused removal',
    ]);
    expect(plan[0]!.reason).toMatch(
      /^waits for `mid:archive`, which is refused: waits for `top:archive`/,
    );
  });

  it('never hold back a revert, yet keep it after the dependents that are reverted', () => {
    const a = flag('a');
    const b = flag('b', { depends_on: ['a'] });
    const c = flag('c', { depends_on: ['a'] });
    const plan = planDeploy(
      facts(
        set(a, b, c),
        [
          onPlatform({ ...a, state: 'beta' }),
          onPlatform({ ...b, state: 'beta' }),
          onPlatform({ ...c, state: 'beta' }),
        ],
        {
          history: new Map([['b', history(['alpha', 300 * HOUR])]]),
          audit: new Map([
            [
              'b',
              [
                {
                  id: 1,
                  at: before(HOUR),
                  action: 'platform.feature_flag_state_changed',
                  flag: 'b',
                  org: null,
                  old_state: 'alpha' as const,
                  new_state: 'beta' as const,
                  actor: 'oncall',
                },
              ],
            ],
          ]),
        },
      ),
    ).steps;
    expect(plan.map((s) => `${s.id} ${s.kind} [${s.after.join(',')}]`)).toEqual([
      'c:demote:alpha apply []',
      'a:demote:alpha apply [c:demote:alpha]',
      'b:demote:alpha drift []',
    ]);
  });

  it('never hold back a revert: it waits only for what will run', () => {
    const a = flag('a');
    const b = flag('b', { depends_on: ['a'] });
    // b's demotion is someone else's (drift): a's demotion goes ahead without it.
    const plan = planDeploy(
      facts(set(a, b), [onPlatform({ ...a, state: 'beta' }), onPlatform({ ...b, state: 'beta' })], {
        history: new Map([['b', history(['alpha', 300 * HOUR])]]),
        audit: new Map([
          [
            'b',
            [
              {
                id: 1,
                at: before(HOUR),
                action: 'platform.feature_flag_state_changed',
                flag: 'b',
                org: null,
                old_state: 'alpha' as const,
                new_state: 'beta' as const,
                actor: 'oncall',
              },
            ],
          ],
        ]),
      }),
    ).steps;
    expect(plan.map((s) => `${s.id} ${s.kind} [${s.after.join(',')}]`)).toEqual([
      'a:demote:alpha apply []',
      'b:demote:alpha drift []',
    ]);
  });
});

describe('the order of the plan', () => {
  it('applies demotions, registrations, updates, org disables, promotions, org enables, archives; then refused, held, drift', () => {
    const hist = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]);
    const f = facts(
      set(
        flag('down'),
        flag('fresh'),
        flag('meta', { description: 'New.' }),
        flag('orgs', { alpha_orgs: [{ org: 'acme', preview_agreement: 'PA-1' }] }),
        flag('up', { state: 'beta' }),
        flag('wait', { state: 'beta' }),
        flag('bad', { state: 'ga' }),
      ),
      [
        onPlatform(flag('down', { state: 'beta' })),
        onPlatform(flag('meta'), { description: 'Old.' }),
        onPlatform(flag('orgs'), { orgs_enabled: ['zeta'] }),
        onPlatform(flag('up')),
        onPlatform(flag('wait'), { state_changed_at: before(HOUR) }),
        onPlatform(flag('bad')),
        onPlatform(flag('gone')),
        onPlatform(flag('stranger')),
      ],
      {
        removedKeys: new Set(['gone']),
        history: new Map([
          ['up', hist],
          ['wait', hist],
          ['bad', history(['alpha', 300 * HOUR], ['ga', 200 * HOUR])],
          ['orgs', history(['alpha', 300 * HOUR])],
        ]),
      },
    );
    f.history.get('orgs')!.orgsChangedAt = { zeta: before(HOUR) };
    expect(steps(f)).toEqual([
      'down:demote:alpha apply',
      'fresh:register apply',
      'meta:update apply',
      'orgs:disable-org:zeta apply',
      'up:promote:beta apply',
      'orgs:enable-org:acme apply',
      'gone:archive apply',
      'bad:promote:ga refused transition-skip',
      'wait:promote:beta held soak',
      'stranger:archive drift drift',
    ]);
  });

  it('orders steps of one phase by flag, then by id', () => {
    const orgs = [
      { org: 'b-org', preview_agreement: 'PA-1' },
      { org: 'a-org', preview_agreement: 'PA-2' },
    ];
    expect(
      planDeploy(
        facts(set(flag('y', { alpha_orgs: orgs }), flag('x', { alpha_orgs: orgs })), []),
      ).steps.map((s) => s.id),
    ).toEqual([
      'x:register',
      'y:register',
      'x:enable-org:a-org',
      'x:enable-org:b-org',
      'y:enable-org:a-org',
      'y:enable-org:b-org',
    ]);
  });

  it('orders by flag, not by id, where one key begins another', () => {
    expect(planDeploy(facts(set(flag('a-b'), flag('a')), [])).steps.map((s) => s.id)).toEqual([
      'a:register',
      'a-b:register',
    ]);
    expect(planDeploy(facts(set(flag('a'), flag('a-b')), [])).steps.map((s) => s.id)).toEqual([
      'a:register',
      'a-b:register',
    ]);
    // Planned a-b first (a waits for its dependency z), still ordered a, a-b.
    const down = [flag('a', { depends_on: ['z'] }), flag('a-b'), flag('z')];
    expect(
      planDeploy(
        facts(
          set(...down),
          down.map((f) => onPlatform({ ...f, state: 'beta' })),
        ),
      ).steps.map((s) => s.id),
    ).toEqual(['a:demote:alpha', 'a-b:demote:alpha', 'z:demote:alpha']);
  });

  it('refuses steps that wait on each other: a dependency cycle the platform could not take', () => {
    // A cycle made by hand on the platform; the repository reverts both flags.
    const plan = planDeploy(
      facts(set(flag('a'), flag('b')), [
        onPlatform(flag('a', { state: 'beta' }), { depends_on: ['b'] }),
        onPlatform(flag('b', { state: 'beta' }), { depends_on: ['a'] }),
      ]),
    ).steps;
    expect(plan.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      // The repository lets go of the cycle: those updates run.
      'a:update apply null',
      'b:update apply null',
      'a:demote:alpha refused dependency-cycle',
      'b:demote:alpha refused dependency-cycle',
    ]);
    expect(plan[2]!.reason).toBe(
      'its steps wait on each other (b:demote:alpha): a dependency cycle',
    );
  });
});

describe('propagateRefusals', () => {
  // The planners hold a dependent themselves today, before this pass runs; the pass is what keeps
  // "waiting on a held step is waiting too" true for any plan, so it is pinned on its own.
  const ctxOf = (...list: DeployStep[]): PlanContext => ({
    facts: facts(set(), []),
    desiredByKey: new Map(),
    actualByKey: new Map(),
    steps: new Map(list.map((s) => [s.id, s])),
  });
  const held = step({
    id: 'a:promote:beta',
    flag: 'a',
    action: 'promote',
    kind: 'held',
    rule: 'soak',
    reason: 'in beta for 30 h of the 72 h soak',
    allowedAt: '2026-11-30T10:00:00.000Z',
  });

  it('holds an apply step that waits for a held one, with its reason and time', () => {
    const waiting = step({
      id: 'b:promote:beta',
      flag: 'b',
      action: 'promote',
      kind: 'apply',
      reason: 'promote',
      after: [held.id],
    });
    propagateRefusals(ctxOf(held, waiting));
    expect(waiting).toMatchObject({
      kind: 'held',
      rule: 'soak',
      allowedAt: '2026-11-30T10:00:00.000Z',
      reason: 'waits for `a:promote:beta`, which is held: in beta for 30 h of the 72 h soak',
    });
  });

  it('refuses one that waits for a refused step, through a chain', () => {
    const refused = step({ ...held, kind: 'refused', rule: 'soak', allowedAt: null });
    const middle = step({
      id: 'b:update',
      flag: 'b',
      action: 'update',
      kind: 'apply',
      reason: 'update',
      after: [refused.id],
    });
    const last = step({
      id: 'c:update',
      flag: 'c',
      action: 'update',
      kind: 'apply',
      reason: 'update',
      after: [middle.id],
    });
    propagateRefusals(ctxOf(last, middle, refused));
    expect([middle.kind, last.kind]).toEqual(['refused', 'refused']);
    expect(last.reason).toContain('waits for `b:update`, which is refused');
  });
});
