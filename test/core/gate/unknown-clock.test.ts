// The gate is pure: judged here straight from flag sets, for the one input a real repository
// cannot produce on demand: a flag whose entry into its state no clock knows.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { evaluateGate } from '../../../scripts/core/gate.ts';
import { buildFlagSet, type RawEntry } from '../../../scripts/core/load.ts';

function flags(...list: { key: string; state: string }[]) {
  const entries = list.map((f): RawEntry => {
    const content = Buffer.from(
      stringify({ ...f, description: 'd', owner: '@novalien/video', revertible: true }),
    );
    return { path: `flags/video/${f.key}.yaml`, kind: 'file', size: content.length, content };
  });
  return buildFlagSet(entries);
}

const judge = (clocks: Map<string, Date | null>, platformSince?: string) =>
  evaluateGate({
    base: flags({ key: 'live', state: 'alpha' }),
    head: flags({ key: 'live', state: 'beta' }),
    headCodeowners: null,
    clocks,
    platform: platformSince
      ? {
          status: 'ok',
          data: new Map([
            [
              'live',
              {
                key: 'live',
                description: 'd',
                owner: '@novalien/video',
                state: 'alpha',
                depends_on: [],
                state_changed_at: platformSince,
                opt_in_count: 0,
                orgs_enabled: [],
                error_count_24h: 0,
              },
            ],
          ]),
        }
      : { status: 'unconfigured', reason: 'not configured' },
    incidents: { status: 'ok', data: new Map() },
    decisionMakers: { status: 'none', file: '.github/decision-makers.yaml' },
    now: new Date('2026-11-24T12:00:00Z'),
    strict: false,
    staticViolations: [],
  });

describe('a promotion with an unknown clock', () => {
  it('is a soak error that says the time is unknown, with no eligible time', () => {
    const out = judge(new Map([['live', null]]));
    expect(out.changes).toEqual([
      expect.objectContaining({ kind: 'promote', since: null, eligibleAt: null }),
    ]);
    const soak = out.violations.filter((v) => v.rule === 'soak');
    expect(soak).toHaveLength(1);
    expect(soak[0]!.message).toContain('no time is known for when `live` entered alpha');
    expect(soak[0]!.severity).toBe('error');
  });

  it('takes the platform clock when git has none', () => {
    const out = judge(new Map(), '2026-11-20T00:00:00Z');
    expect(out.changes[0]).toMatchObject({
      since: '2026-11-20T00:00:00Z',
      eligibleAt: '2026-11-21T00:00:00Z',
    });
    expect(out.violations.filter((v) => v.rule === 'soak')).toEqual([]);
  });

  it('stays unknown when the platform time is not a time either: no clock is made of it', () => {
    const out = judge(new Map([['live', null]]), 'yesterday');
    expect(out.changes[0]).toMatchObject({ since: null, eligibleAt: null });
    const soak = out.violations.filter((v) => v.rule === 'soak');
    expect(soak.map((v) => v.message)).toEqual([
      expect.stringContaining('no time is known for when `live` entered alpha'),
    ]);
  });
});
