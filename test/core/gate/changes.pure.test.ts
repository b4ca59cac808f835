// Overrides, drift, reverts and removals judged as data: each rule at its edges.
import { describe, expect, it } from 'vitest';
import { incidentIdentity } from '../../../scripts/core/gate/overrides.ts';
import { evaluateGate, keysNeedingClock } from '../../../scripts/core/gate.ts';
import { DAY_MS } from '../../../scripts/core/model.ts';
import { NOW, flagSet, hoursBefore, input, judge, onPlatform } from './pure.ts';

const OVERRIDE = {
  decision_maker: '@jdoe',
  incident: 'https://novalien.slack.com/archives/C0INCIDENT/p1',
  reason: 'fixes the reconnect storm',
};

const earlyWith = (
  override: typeof OVERRIDE | undefined,
  baseOverride?: typeof OVERRIDE,
  decisionMakers?: string,
) =>
  judge({
    base: [{ key: 'live', ...(baseOverride ? { override: baseOverride } : {}) }],
    head: [{ key: 'live', state: 'beta', ...(override ? { override } : {}) }],
    clocks: { live: hoursBefore(2) },
    decisionMakers,
  });

describe('an override', () => {
  it('waives a too-early promotion with a warning, and is listed', () => {
    const out = earlyWith(OVERRIDE);
    expect(out.errors).toEqual([]);
    // Nothing else: the waiver adds no violation of its own.
    expect(out.rules).toEqual(['exit-criteria-unverified:warning', 'soak-override:warning']);
    expect(out.message('soak-override')).toBe(
      'soak waived by @jdoe (https://novalien.slack.com/archives/C0INCIDENT/p1): alpha to beta would otherwise be allowed from 2026-11-25 10:00 UTC; reason: fixes the reconnect storm; no decision-maker list is configured (.github/decision-makers.yaml), so any named decision-maker is accepted',
    );
    // At the override block's first field (line 7), where the reader looks for who decided.
    expect(out.violations.find((v) => v.rule === 'soak-override')?.line).toBe(7);
    expect(out.overrides).toEqual([
      {
        flag: 'live',
        decision_maker: '@jdoe',
        incident: OVERRIDE.incident,
        reason: OVERRIDE.reason,
      },
    ]);
  });

  it('adds nothing when the promotion is not early', () => {
    const out = judge({
      base: [{ key: 'live' }],
      head: [{ key: 'live', state: 'beta', override: OVERRIDE }],
      clocks: { live: hoursBefore(25) },
    });
    expect(out.rules.filter((r) => r.startsWith('soak'))).toEqual([]);
    expect(out.overrides).toEqual([]);
  });

  it('from the list: a listed login waives (in any case), anyone else is refused', () => {
    const list = 'decision_makers:\n  - "@JDoe"\n  - "@asmith"\n';
    const listed = earlyWith(OVERRIDE, undefined, list);
    expect(listed.errors).toEqual([]);
    expect(listed.message('soak-override')).not.toContain('no decision-maker list');
    const outsider = earlyWith({ ...OVERRIDE, decision_maker: '@mallory' }, undefined, list);
    expect(outsider.errors).toEqual(['override-invalid', 'soak']);
    expect(outsider.violations.find((v) => v.rule === 'override-invalid')?.line).toBe(7);
    expect(outsider.message('override-invalid')).toContain(
      '@mallory is not a decision-maker: only the people named in .github/decision-makers.yaml (as on the base) may decide to skip a soak',
    );
  });

  it('with a list that does not load, waives nothing and says to fix the list', () => {
    const out = earlyWith(OVERRIDE, undefined, 'decision_makers: [not a login]\n');
    expect(out.errors).toEqual(['override-invalid', 'soak']);
    expect(out.violations.find((v) => v.rule === 'override-invalid')?.line).toBe(7);
    expect(out.message('override-invalid')).toContain(
      'the decision-maker list .github/decision-makers.yaml on the base does not load',
    );
  });

  it('carried over from the base is stale: unchanged, or reworded with the same incident', () => {
    const same = earlyWith(OVERRIDE, OVERRIDE);
    expect(same.errors).toEqual(['override-invalid', 'soak']);
    expect(same.message('override-invalid')).toContain('is unchanged from the base');
    expect(same.violations.find((v) => v.rule === 'override-invalid')?.line).toBe(7);
    const reworded = earlyWith(
      { ...OVERRIDE, reason: 'fixes the storm', incident: `${OVERRIDE.incident}/` },
      OVERRIDE,
    );
    expect(reworded.errors).toEqual(['override-invalid', 'soak']);
    expect(reworded.message('override-invalid')).toContain(
      "names the same incident as the base's override",
    );
    const otherMaker = earlyWith({ ...OVERRIDE, decision_maker: '@asmith' }, OVERRIDE);
    expect(otherMaker.message('override-invalid')).toContain('however reworded');
  });

  it('for a new incident, after an old one on the base, waives', () => {
    const out = earlyWith(
      { ...OVERRIDE, incident: 'https://novalien.slack.com/archives/C0INCIDENT/p2' },
      OVERRIDE,
    );
    expect(out.errors).toEqual([]);
    expect(out.overrides).toHaveLength(1);
  });

  it('that is incomplete waives nothing here (the static rules name what is missing)', () => {
    const out = earlyWith({ ...OVERRIDE, reason: '' });
    expect(out.errors).toEqual(['soak']);
    expect(out.overrides).toEqual([]);
  });

  it('is one incident thread: host case, trailing slashes and blanks do not make a new one', () => {
    const id = incidentIdentity('https://novalien.slack.com/archives/C0INCIDENT/p1');
    expect(incidentIdentity('  https://NOVALIEN.slack.com/archives/C0INCIDENT/p1//  ')).toBe(id);
    expect(incidentIdentity('https://novalien.slack.com/archives/C0INCIDENT/p1?x=1#t')).toBe(
      'https://novalien.slack.com/archives/C0INCIDENT/p1?x=1#t',
    );
    expect(incidentIdentity('https://novalien.slack.com/archives/C0INCIDENT/p2')).not.toBe(id);
    expect(incidentIdentity(' not a url/ ')).toBe('not a url');
    expect(incidentIdentity('not a url///')).toBe('not a url');
    expect(incidentIdentity('not/a/url')).toBe('not/a/url');
    expect(incidentIdentity(undefined)).toBe('');
  });
});

describe('drift', () => {
  const change = (platformState: 'alpha' | 'beta' | 'ga' | null) =>
    judge({
      base: [{ key: 'live', state: 'beta' }],
      head: [{ key: 'live', state: 'beta', description: 'Reworded.' }],
      platform: platformState ? [onPlatform('live', platformState, hoursBefore(5))] : [],
    });

  it('is reported when the platform moved a changed flag away from the base', () => {
    const out = change('alpha');
    expect(out.errors).toEqual(['drift']);
    expect(out.violations[0]!.line).toBe(3);
    expect(out.message('drift')).toBe(
      'the platform has `live` at alpha (since 2026-11-24T07:00:00.000Z) but the base says beta: someone changed it on the platform (an on-call revert?); bring the repository in line with the platform first (e.g. `flags revert`), then make this change',
    );
  });

  it('is not reported when the platform agrees with the base, or lacks the flag', () => {
    expect(change('beta').errors).toEqual([]);
    expect(change(null).errors).toEqual([]);
  });

  it('is resolved by the change that brings the repository in line with the platform', () => {
    const out = judge({
      base: [{ key: 'live', state: 'beta' }],
      head: [{ key: 'live', revert: { reason: 'storm', incident: 'https://i.example.com/2' } }],
      platform: [onPlatform('live', 'alpha', hoursBefore(5))],
    });
    expect(out.errors).toEqual([]);
  });
});

describe("a revert that drops the base's block", () => {
  it('is not fresh: the block it had was for the earlier revert', () => {
    const block = { reason: 'storm', incident: 'https://incidents.example.com/42' };
    const out = judge({
      base: [{ key: 'live', state: 'beta', revert: block }],
      head: [{ key: 'live' }],
    });
    expect(out.errors).toEqual(['revert-reason']);
    expect(out.message('revert-reason')).toContain('without a fresh `revert` block');
  });
});

describe('a revert', () => {
  const revert = (head: object, base: object = {}) =>
    judge({ base: [{ key: 'live', state: 'beta', ...base }], head: [{ key: 'live', ...head }] });
  const BLOCK = { reason: 'storm', incident: 'https://incidents.example.com/42' };

  it('with a fresh, complete revert block passes', () => {
    expect(revert({ revert: BLOCK }).errors).toEqual([]);
  });

  it('without a block is refused on the state line, naming the command', () => {
    const out = revert({});
    expect(out.errors).toEqual(['revert-reason']);
    expect(out.message('revert-reason')).toBe(
      'beta to alpha lowers the state without a fresh `revert` block: add `revert: {reason: "...", incident: "https://..."}` for this revert (or use `npx flags revert live --reason ... --incident URL`)',
    );
    expect(out.violations[0]!.line).toBe(3);
  });

  it("repeating the base's block is not fresh", () => {
    const out = revert({ revert: BLOCK }, { revert: BLOCK });
    expect(out.errors).toEqual(['revert-reason']);
    expect(out.message('revert-reason')).toContain('without a fresh `revert` block');
    // At the block (its first field, line 7), not at the state line.
    expect(out.violations[0]!.line).toBe(7);
  });

  it('with an incomplete block says what is missing', () => {
    const out = revert({
      revert: { reason: 'storm', incident: 'http://incidents.example.com/42' },
    });
    expect(out.errors).toEqual(['revert-reason']);
    expect(out.message('revert-reason')).toMatch(
      /^the `revert` block .+: a revert needs a reason and the https link to its incident thread$/,
    );
  });
});

describe('a removal', () => {
  // `unrelated` stays on both sides: only a flag that names `old` in depends_on holds it.
  const remove = (state: 'alpha' | 'beta' | 'ga', since: Date | null, dependents = false) => {
    const users = dependents ? [{ key: 'user', depends_on: ['old'] }] : [];
    return judge({
      base: [{ key: 'old', state }, { key: 'unrelated' }, ...users],
      head: [{ key: 'unrelated' }, ...users],
      clocks: { old: since },
    });
  };

  it('of a ga flag: refused one second before 7 days, allowed at 7 days', () => {
    const early = remove('ga', new Date(NOW.getTime() - 7 * DAY_MS + 1000));
    expect(early.errors).toEqual(['removal']);
    expect(early.changes).toEqual([
      {
        flag: 'old',
        file: 'flags/video/old.yaml',
        kind: 'remove',
        from: 'ga',
        to: null,
        since: '2026-11-17T12:00:01Z',
        eligibleAt: '2026-11-24T12:00:01Z',
      },
    ]);
    expect(early.violations[0]).toMatchObject({ flag: 'old', line: null, severity: 'error' });
    expect(remove('ga', new Date(NOW.getTime() - 7 * DAY_MS)).errors).toEqual([]);
  });

  it('of a ga flag with no clock, of a beta flag, and of a depended-on flag: refused', () => {
    expect(remove('ga', null).message('removal')).toContain('when it got there is unknown');
    expect(remove('beta', hoursBefore(1000)).message('removal')).toContain(
      'is deleted while at beta',
    );
    const depended = remove('alpha', hoursBefore(1000), true);
    expect(depended.message('removal')).toBe(
      '`old` is deleted while `user` depends on it: remove the dependency first',
    );
    expect(depended.changes.find((c) => c.flag === 'old')?.eligibleAt).toBeNull();
  });

  it('names every dependent, in the plural when there are several', () => {
    const out = judge({
      base: [
        { key: 'old' },
        { key: 'u1', depends_on: ['old'] },
        { key: 'u2', depends_on: ['old'] },
      ],
      head: [
        { key: 'u1', depends_on: ['old'] },
        { key: 'u2', depends_on: ['old'] },
      ],
    });
    expect(out.message('removal')).toBe(
      '`old` is deleted while `u1`, `u2` depend on it: remove the dependency first',
    );
  });

  it('of an alpha flag nothing depends on: allowed at once', () => {
    expect(remove('alpha', null).errors).toEqual([]);
  });

  it('is not what a file that stopped parsing is', () => {
    const c = { base: [{ key: 'old', state: 'ga' as const }], head: [] };
    expect(evaluateGate(input(c)).changes).toHaveLength(1);
    const broken = input(c);
    broken.head.brokenFiles.push('flags/video/old.yaml');
    const out = evaluateGate(broken);
    expect(out.changes).toEqual([]);
    expect(out.violations).toEqual([]);
  });
});

describe('which flags need a clock', () => {
  it('the changed, moved and removed ones, not the unchanged or new', () => {
    const base = flagSet(
      { key: 'same' },
      { key: 'changed' },
      { key: 'moved', folder: 'video' },
      { key: 'gone' },
    );
    const head = flagSet(
      { key: 'same' },
      { key: 'changed', state: 'beta' },
      { key: 'moved', folder: 'analytics' },
      { key: 'new' },
    );
    expect(keysNeedingClock(base, head).sort()).toEqual(['changed', 'gone', 'moved']);
  });
});
