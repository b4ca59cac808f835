// The runbook's exit criteria as data: one platform error, nine against ten opt-ins, 72 h of
// beta to the second, an open incident; facts that cannot be read are a warning, an error
// with --strict; and which criteria belong to which step.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../scripts/core/facts.ts';
import type { PlatformFlag } from '../../../scripts/core/platform-model.ts';
import { HOUR, NOW, hoursBefore, judge, onPlatform } from './pure.ts';

const alphaToBeta = (platform?: PlatformFlag[], strict = false) =>
  judge({
    base: [{ key: 'live' }],
    head: [{ key: 'live', state: 'beta' }],
    clocks: { live: hoursBefore(48) },
    platform,
    strict,
  });

const betaToGa = (opts: {
  platform?: PlatformFlag[];
  incidents?: Record<string, Incident[]>;
  since?: Date;
  strict?: boolean;
}) =>
  judge({
    base: [{ key: 'live', state: 'beta' }],
    head: [{ key: 'live', state: 'ga' }],
    clocks: { live: opts.since ?? hoursBefore(100) },
    platform: opts.platform,
    incidents: opts.incidents,
    strict: opts.strict,
  });

describe('leaving alpha', () => {
  it('needs no flag errors in the last 24 h: none passes, one does not', () => {
    const clean = alphaToBeta([onPlatform('live', 'alpha', hoursBefore(48))]);
    expect(clean.violations).toEqual([]);
    expect(clean.criteria).toEqual([
      {
        flag: 'live',
        criterion: 'no-platform-errors-24h',
        status: 'met',
        label: 'no flag-related errors on the platform in the last 24 h',
        detail: '0 errors in the last 24 h',
      },
      {
        flag: 'live',
        criterion: 'owner-sign-off',
        status: 'manual',
        label: '@novalien/video signed off in #novavms-releases',
        detail: "confirmed by the owner team's review",
      },
    ]);
    const one = alphaToBeta([onPlatform('live', 'alpha', hoursBefore(48), { error_count_24h: 1 })]);
    expect(one.errors).toEqual(['exit-criteria']);
    expect(one.message('exit-criteria')).toBe(
      'exit criterion not met: no flag-related errors on the platform in the last 24 h: 1 error in the last 24 h',
    );
    expect(one.violations[0]!.line).toBe(3);
  });

  it('is unmet for a flag the platform does not have: no alpha ran there', () => {
    const out = alphaToBeta([onPlatform('other', 'alpha', hoursBefore(48))]);
    expect(out.errors).toEqual(['exit-criteria']);
    expect(out.message('exit-criteria')).toContain(
      '`live` is not on the platform, so no alpha ran there',
    );
  });

  it('without platform facts: a warning that says why, an error with --strict', () => {
    const lenient = alphaToBeta(undefined);
    expect(lenient.rules).toEqual(['exit-criteria-unverified:warning']);
    expect(lenient.message('exit-criteria-unverified')).toBe(
      'could not verify: no flag-related errors on the platform in the last 24 h: no platform URL given (an error with --strict)',
    );
    expect(lenient.violations[0]!.line).toBe(3);
    const strict = alphaToBeta(undefined, true);
    expect(strict.rules).toEqual(['exit-criteria-unverified:error']);
    expect(strict.message('exit-criteria-unverified')).toBe(
      'could not verify: no flag-related errors on the platform in the last 24 h: no platform URL given',
    );
  });
});

describe('leaving beta', () => {
  const withOptIns = (n: number) => [
    onPlatform('live', 'beta', hoursBefore(100), { opt_in_count: n }),
  ];

  it('needs 10 opted-in orgs: 9 is refused, 10 passes', () => {
    const nine = betaToGa({ platform: withOptIns(9), incidents: {} });
    expect(nine.errors).toEqual(['exit-criteria']);
    expect(nine.message('exit-criteria')).toBe(
      'exit criterion not met: at least 10 customer orgs opted in: 9 orgs opted in',
    );
    const ten = betaToGa({ platform: withOptIns(10), incidents: {} });
    expect(ten.violations).toEqual([]);
    expect(ten.criteria.map((c) => `${c.criterion} ${c.status} ${c.detail}`)).toEqual([
      'opt-ins met 10 orgs opted in',
      'stable-72h met 4 d 4 h in beta',
      'no-open-incident met no open incident',
    ]);
  });

  it('says one org in the singular, and counts a flag missing on the platform as none', () => {
    expect(betaToGa({ platform: withOptIns(1), incidents: {} }).message('exit-criteria')).toContain(
      ': 1 org opted in',
    );
    const missing = betaToGa({ platform: [], incidents: {} });
    expect(missing.message('exit-criteria')).toContain(': 0 orgs opted in');
  });

  it('has 72 h stable from exactly 72 h in beta; earlier it is the soak, not a second error', () => {
    const stable = (since: Date) =>
      betaToGa({ platform: withOptIns(10), incidents: {}, since }).criteria.find(
        (c) => c.criterion === 'stable-72h',
      );
    expect(stable(new Date(NOW.getTime() - 72 * HOUR))).toMatchObject({
      status: 'met',
      detail: '3 d in beta',
    });
    expect(stable(new Date(NOW.getTime() - 72 * HOUR + 1000))).toMatchObject({ status: 'unmet' });
    const early = betaToGa({ platform: withOptIns(10), incidents: {}, since: hoursBefore(71) });
    expect(early.errors).toEqual(['soak']);
  });

  it('is unmet with an unknown time in beta', () => {
    const out = judge({
      base: [{ key: 'live', state: 'beta' }],
      head: [{ key: 'live', state: 'ga' }],
      // A platform record whose time is not a time: no clock at all.
      platform: [{ ...withOptIns(10)[0]!, state_changed_at: '' }],
      incidents: {},
    });
    expect(out.criteria.find((c) => c.criterion === 'stable-72h')).toMatchObject({
      status: 'unmet',
      detail: 'time in beta unknown',
    });
  });

  it('refuses while an incident tagged to the flag is open, naming each', () => {
    const out = betaToGa({
      platform: withOptIns(12),
      incidents: {
        live: [
          { number: 7, title: 'Reconnect storm', url: 'https://github.com/o/r/issues/7' },
          { number: 9, title: 'Blank tiles', url: 'https://github.com/o/r/issues/9' },
        ],
        other: [{ number: 1, title: 'Not ours', url: 'https://github.com/o/r/issues/1' }],
      },
    });
    expect(out.errors).toEqual(['exit-criteria']);
    expect(out.message('exit-criteria')).toBe(
      'exit criterion not met: no open incident tagged to the flag: #7 Reconnect storm; #9 Blank tiles',
    );
  });

  it('without incident facts: unverified, and the platform criteria still judged', () => {
    const out = betaToGa({ platform: withOptIns(10) });
    expect(out.rules).toEqual(['exit-criteria-unverified:warning']);
    expect(out.message('exit-criteria-unverified')).toContain(
      'could not verify: no open incident tagged to the flag: GitHub not reachable',
    );
  });
});

describe('criteria belong to their step', () => {
  it('an edit, a revert and a creation have none', () => {
    const out = judge({
      base: [
        { key: 'edited', state: 'beta' },
        { key: 'down', state: 'ga' },
      ],
      head: [
        { key: 'edited', state: 'beta', description: 'New words.' },
        {
          key: 'down',
          state: 'beta',
          revert: { reason: 'r', incident: 'https://i.example.com/1' },
        },
        { key: 'fresh' },
      ],
    });
    expect(out.criteria).toEqual([]);
    expect(out.violations).toEqual([]);
  });
});
