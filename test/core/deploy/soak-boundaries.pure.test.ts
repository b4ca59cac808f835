// The two deploy boundaries issue 18 names, pinned one hour and one second either side: deploy's
// own soak check on the platform clock (24 h in alpha, 72 h in beta, from `state_changed_at`),
// and a fresh-platform catch-up judged by the repository's history (24 h in alpha, 72 h in beta
// between the commits that changed the state).
import { describe, expect, it } from 'vitest';
import { justifiedByHistory, planDeploy } from '../../../scripts/core/deploy-plan.ts';
import type { State } from '../../../scripts/core/model.ts';
import { HOUR, NOW, SECOND, before, facts, flag, history, onPlatform, set, steps } from './data.ts';

const SOAK = { alpha: 24 * HOUR, beta: 72 * HOUR } as const;

describe("deploy's soak check on the platform clock", () => {
  // The repository promoted long after its own soak: only the platform's clock decides.
  const passed = {
    beta: history(['alpha', 500 * HOUR], ['beta', 400 * HOUR]),
    ga: history(['alpha', 500 * HOUR], ['beta', 400 * HOUR], ['ga', 100 * HOUR]),
  };
  const plan = (from: 'alpha' | 'beta', to: 'beta' | 'ga', servedMs: number) =>
    planDeploy(
      facts(
        set(flag('x', { state: to })),
        [onPlatform(flag('x', { state: from }), { state_changed_at: before(servedMs) })],
        { history: new Map([['x', passed[to]]]) },
      ),
    ).steps;

  for (const [from, to] of [
    ['alpha', 'beta'],
    ['beta', 'ga'],
  ] as const) {
    const soak = SOAK[from];
    const h = soak / HOUR;
    it(`${from} to ${to}: held ${h - 1} h and ${h} h less one second after the platform entered ${from}`, () => {
      for (const served of [soak - HOUR, soak - SECOND]) {
        const [s, ...rest] = plan(from, to, served);
        expect(rest).toEqual([]);
        expect(s).toMatchObject({
          id: `x:promote:${to}`,
          kind: 'held',
          rule: 'soak',
          from,
          to,
          // Allowed exactly one soak after the platform's state_changed_at.
          allowedAt: new Date(NOW.getTime() - served + soak).toISOString().replace('.000Z', 'Z'),
        });
        expect(s!.reason).toContain(`${from} to ${to} needs ${h} h there`);
      }
    });

    it(`${from} to ${to}: applied at ${h} h exactly, one second and one hour later`, () => {
      for (const served of [soak, soak + SECOND, soak + HOUR]) {
        const [s, ...rest] = plan(from, to, served);
        expect(rest).toEqual([]);
        expect(s).toMatchObject({
          id: `x:promote:${to}`,
          kind: 'apply',
          from,
          to,
          allowedAt: null,
        });
        expect(s!.reason).toContain(`${h} h soak in ${from} met on the platform`);
      }
    });
  }
});

describe('a fresh-platform catch-up, judged by the repository history', () => {
  /** The repository promoted `x` from `from` to `to` `heldMs` after it entered `from`. */
  const promotedAfter = (from: 'alpha' | 'beta', heldMs: number) => {
    const at = 10 * HOUR;
    return from === 'alpha'
      ? history(['alpha', at + heldMs], ['beta', at])
      : history(['alpha', at + heldMs + 200 * HOUR], ['beta', at + heldMs], ['ga', at]);
  };
  const adopted = (from: 'alpha' | 'beta', heldMs: number): string[] => {
    const to: State = from === 'alpha' ? 'beta' : 'ga';
    return steps(
      facts(set(flag('x', { state: to })), [], {
        adopt: true,
        history: new Map([['x', promotedAfter(from, heldMs)]]),
      }),
    );
  };

  it('alpha to beta: refused after 23 h and 24 h less one second in alpha', () => {
    for (const held of [23 * HOUR, 24 * HOUR - SECOND]) {
      expect(justifiedByHistory('x', promotedAfter('alpha', held), 'alpha')).toMatchObject({
        ok: false,
        rule: 'soak',
        allowedAt: null,
      });
      expect(adopted('alpha', held)).toEqual(['x:register apply', 'x:promote:beta refused soak']);
    }
    const r = justifiedByHistory('x', promotedAfter('alpha', 23 * HOUR), 'alpha');
    expect(r.ok ? '' : r.message).toBe(
      'the repository promoted `x` to beta 23 h after it entered alpha (commit bbbbbbbbbbbb, 2026-11-10 02:00 UTC); alpha needs 24 h',
    );
  });

  it('alpha to beta: caught up after 24 h exactly, one second and one hour more', () => {
    for (const held of [24 * HOUR, 24 * HOUR + SECOND, 25 * HOUR]) {
      expect(justifiedByHistory('x', promotedAfter('alpha', held), 'alpha')).toEqual({
        ok: true,
        why: 'catch-up',
      });
      expect(adopted('alpha', held)).toEqual(['x:register apply', 'x:promote:beta apply']);
    }
  });

  it('beta to ga: refused after 71 h and 72 h less one second in beta, caught up from 72 h', () => {
    for (const held of [71 * HOUR, 72 * HOUR - SECOND]) {
      expect(justifiedByHistory('x', promotedAfter('beta', held), 'alpha')).toMatchObject({
        ok: false,
        rule: 'soak',
      });
      // Not adopted, the fresh platform would skip beta: refused, with the history's reason.
      expect(adopted('beta', held)).toEqual([
        'x:register apply',
        'x:promote:ga refused transition-skip',
      ]);
      const refusal = planDeploy(
        facts(set(flag('x', { state: 'ga' })), [], {
          adopt: true,
          history: new Map([['x', promotedAfter('beta', held)]]),
        }),
      ).steps[1]!.reason;
      expect(refusal).toContain('after it entered beta');
      expect(refusal).toContain('beta needs 72 h');
    }
    for (const held of [72 * HOUR, 72 * HOUR + SECOND, 73 * HOUR]) {
      expect(justifiedByHistory('x', promotedAfter('beta', held), 'alpha')).toEqual({
        ok: true,
        why: 'catch-up',
      });
      expect(adopted('beta', held)).toEqual([
        'x:register apply',
        'x:promote:beta apply',
        'x:promote:ga apply',
      ]);
    }
  });

  it('without --adopt, the same history decides between held (waiting is enough) and refused', () => {
    // The platform has served alpha 10 h: not enough, so the repository's history is judged.
    const registered = (heldMs: number) =>
      planDeploy(
        facts(
          set(flag('x', { state: 'beta' })),
          [onPlatform(flag('x'), { state_changed_at: before(10 * HOUR) })],
          { history: new Map([['x', promotedAfter('alpha', heldMs)]]) },
        ),
      ).steps;
    for (const held of [23 * HOUR, 24 * HOUR - SECOND]) {
      expect(registered(held)).toMatchObject([
        { id: 'x:promote:beta', kind: 'refused', rule: 'soak', allowedAt: '2026-11-11T02:00:00Z' },
      ]);
    }
    for (const held of [24 * HOUR, 25 * HOUR]) {
      expect(registered(held)).toMatchObject([
        { id: 'x:promote:beta', kind: 'held', rule: 'soak', allowedAt: '2026-11-11T02:00:00Z' },
      ]);
    }
  });
});
