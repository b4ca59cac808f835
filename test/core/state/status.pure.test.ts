// `flags status` as a function of data: where each flag stands (since when, soak left, the next
// step and what blocks it), and the two GA ages of the runbook, each to the second: a ga flag may
// be removed from 7 days at ga, and is stale (technical debt) from 14.
import { describe, expect, it } from 'vitest';
import type { PlatformFacts } from '../../../scripts/core/facts.ts';
import type { PlatformFlag } from '../../../scripts/core/platform-model.ts';
import { flagStatuses, type StatusRow } from '../../../scripts/core/status.ts';
import { HOUR, NOW, flagSet, onPlatform, type FlagSpec } from '../gate/pure.ts';

const SECOND = 1000;
const DAY = 24 * HOUR;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);
const iso = (d: Date): string => d.toISOString().replace('.000Z', 'Z');

const NO_PLATFORM: PlatformFacts = { status: 'unconfigured', reason: 'no platform URL given' };
const platformOf = (...flags: PlatformFlag[]): PlatformFacts => ({
  status: 'ok',
  data: new Map(flags.map((f) => [f.key, f])),
});

function statuses(
  specs: FlagSpec[],
  clocks: Record<string, Date | null>,
  platform: PlatformFacts = NO_PLATFORM,
  now: Date = NOW,
): StatusRow[] {
  return flagStatuses(flagSet(...specs), new Map(Object.entries(clocks)), platform, now);
}

function one(spec: FlagSpec, since: Date | null, platform?: PlatformFacts, now?: Date) {
  return statuses([spec], { [spec.key]: since }, platform, now)[0]!;
}

describe('status: the GA ages, to the second', () => {
  const ga = (since: Date) => one({ key: 'done', state: 'ga' }, since);

  it('removable from exactly 7 days at ga, not one second before', () => {
    expect(ga(ago(7 * DAY - SECOND))).toMatchObject({ removable: false, stale: false });
    expect(ga(ago(7 * DAY))).toMatchObject({ removable: true, stale: false });
  });

  it('stale from exactly 14 days at ga, not one second before', () => {
    expect(ga(ago(14 * DAY - SECOND))).toMatchObject({ removable: true, stale: false });
    expect(ga(ago(14 * DAY))).toMatchObject({ removable: true, stale: true });
  });

  it('counts the GA age on the platform clock when the platform entered ga later than git', () => {
    const since = ago(30 * DAY);
    const platform = platformOf(onPlatform('done', 'ga', ago(7 * DAY - SECOND)));
    expect(one({ key: 'done', state: 'ga' }, since, platform)).toMatchObject({
      since: iso(ago(7 * DAY - SECOND)),
      removable: false,
      stale: false,
    });
  });

  it('never calls a flag before ga, or a ga flag of unknown age, removable or stale', () => {
    for (const state of ['alpha', 'beta'] as const) {
      expect(one({ key: 'old', state }, ago(60 * DAY))).toMatchObject({
        removable: false,
        stale: false,
      });
    }
    expect(one({ key: 'done', state: 'ga' }, null)).toMatchObject({
      since: null,
      removable: false,
      stale: false,
      next: null,
      eligibleAt: null,
      soakLeftMs: 0,
      blockedBy: [],
    });
  });
});

describe('status: the soak left and the next step', () => {
  it('alpha: 24 h from its clock; what is left, to the second, then none', () => {
    const since = ago(23 * HOUR);
    expect(one({ key: 'live' }, since)).toEqual({
      key: 'live',
      file: 'flags/video/live.yaml',
      owner: '@novalien/video',
      state: 'alpha',
      since: iso(since),
      soakLeftMs: HOUR,
      next: 'beta',
      eligibleAt: iso(new Date(since.getTime() + 24 * HOUR)),
      blockedBy: [],
      removable: false,
      stale: false,
      unmerged: null,
    });
    expect(one({ key: 'live' }, ago(24 * HOUR - SECOND)).soakLeftMs).toBe(SECOND);
    expect(one({ key: 'live' }, ago(24 * HOUR)).soakLeftMs).toBe(0);
    // Long past the soak, nothing is left (not a negative time).
    expect(one({ key: 'live' }, ago(30 * DAY)).soakLeftMs).toBe(0);
  });

  it('beta: 72 h from its clock', () => {
    const since = ago(71 * HOUR);
    expect(one({ key: 'live', state: 'beta' }, since)).toMatchObject({
      next: 'ga',
      soakLeftMs: HOUR,
      eligibleAt: iso(new Date(since.getTime() + 72 * HOUR)),
    });
  });

  it('an unknown clock: no eligible time, and it blocks the promotion', () => {
    expect(one({ key: 'live' }, null)).toMatchObject({
      since: null,
      soakLeftMs: 0,
      next: 'beta',
      eligibleAt: null,
      blockedBy: ['when it entered its state is unknown'],
    });
  });

  it('takes the later of the git and platform clocks when both agree on the state', () => {
    const git = ago(30 * HOUR);
    const later = ago(2 * HOUR);
    const row = one({ key: 'live' }, git, platformOf(onPlatform('live', 'alpha', later)));
    expect(row).toMatchObject({ since: iso(later), soakLeftMs: 22 * HOUR, blockedBy: [] });
  });

  it('keeps the git clock when the platform is in another state (an on-call revert there)', () => {
    const git = ago(30 * HOUR);
    const row = one(
      { key: 'live', state: 'beta' },
      git,
      platformOf(onPlatform('live', 'alpha', ago(HOUR), { opt_in_count: 12 })),
    );
    expect(row.since).toBe(iso(git));
    expect(row.blockedBy).toEqual(['drift: the platform has it at alpha']);
  });
});

describe('status: what blocks the next promotion', () => {
  it('a dependency that does not exist, or stands below the next state; not one at it', () => {
    const rows = statuses(
      [
        { key: 'app', state: 'beta', depends_on: ['base', 'gone', 'mid'] },
        { key: 'base', state: 'beta' },
        { key: 'mid', state: 'ga' },
      ],
      { app: ago(80 * HOUR), base: ago(80 * HOUR), mid: ago(80 * HOUR) },
    );
    expect(rows.find((r) => r.key === 'app')!.blockedBy).toEqual([
      'dependency `base` is beta; promote it to ga first',
      'dependency `gone` does not exist',
    ]);
    const alpha = statuses(
      [
        { key: 'app', depends_on: ['base'] },
        { key: 'base', state: 'beta' },
      ],
      { app: ago(HOUR), base: ago(HOUR) },
    );
    // A dependency already at the next state (beta) does not block alpha to beta.
    expect(alpha.find((r) => r.key === 'app')!.blockedBy).toEqual([]);
  });

  it('alpha: one platform error in the last 24 h blocks, none does not', () => {
    const alpha = (errors: number) =>
      one(
        { key: 'live' },
        ago(2 * DAY),
        platformOf(onPlatform('live', 'alpha', ago(2 * DAY), { error_count_24h: errors })),
      ).blockedBy;
    expect(alpha(0)).toEqual([]);
    expect(alpha(1)).toEqual(['1 platform errors in the last 24 h']);
  });

  it('beta: 9 opted-in orgs block, 10 do not; errors do not count in beta', () => {
    const beta = (optIns: number) =>
      one(
        { key: 'live', state: 'beta' },
        ago(4 * DAY),
        platformOf(
          onPlatform('live', 'beta', ago(4 * DAY), { opt_in_count: optIns, error_count_24h: 5 }),
        ),
      ).blockedBy;
    expect(beta(9)).toEqual(['9 of 10 orgs opted in']);
    expect(beta(10)).toEqual([]);
  });

  it('alpha: opt-ins are no criterion of alpha', () => {
    const row = one(
      { key: 'live' },
      ago(2 * DAY),
      platformOf(onPlatform('live', 'alpha', ago(2 * DAY), { opt_in_count: 0 })),
    );
    expect(row.blockedBy).toEqual([]);
  });

  it('a flag the platform does not have yet', () => {
    expect(one({ key: 'live' }, ago(2 * DAY), platformOf()).blockedBy).toEqual([
      'not on the platform yet (deploy registers it)',
    ]);
  });

  it('a platform that cannot be read blocks nothing by itself', () => {
    const down: PlatformFacts = { status: 'unavailable', reason: 'timeout' };
    expect(one({ key: 'live' }, ago(2 * DAY), down).blockedBy).toEqual([]);
  });

  it('ga has no next step, so nothing blocks it', () => {
    const row = one(
      { key: 'done', state: 'ga', revertible: false, depends_on: ['gone'] },
      ago(DAY),
      platformOf(),
    );
    expect(row).toMatchObject({ next: null, eligibleAt: null, soakLeftMs: 0, blockedBy: [] });
  });
});

describe('status: the order of rows, and a branch that changes a state', () => {
  it('lists flags by key', () => {
    const rows = statuses([{ key: 'zeta' }, { key: 'alpha-b', folder: 'zz' }, { key: 'mid' }], {});
    expect(rows.map((r) => r.key)).toEqual(['alpha-b', 'mid', 'zeta']);
  });

  it('a state the branch changes is the merge’s to judge: no clock, no soak, no next step', () => {
    const head = flagSet(
      { key: 'live', state: 'beta' },
      { key: 'same' },
      { key: 'fresh', state: 'alpha' },
    );
    const base = { ref: 'origin/main', set: flagSet({ key: 'live' }, { key: 'same' }) };
    const clocks = new Map<string, Date | null>([
      ['live', ago(30 * HOUR)],
      ['same', ago(30 * HOUR)],
      ['fresh', ago(HOUR)],
    ]);
    const platform = platformOf(
      onPlatform('live', 'beta', ago(HOUR)),
      onPlatform('same', 'alpha', ago(30 * HOUR)),
    );
    const rows = flagStatuses(head, clocks, platform, NOW, base);
    expect(rows.map((r) => [r.key, r.unmerged])).toEqual([
      ['fresh', { ref: 'origin/main', state: null }],
      ['live', { ref: 'origin/main', state: 'alpha' }],
      ['same', null],
    ]);
    expect(rows[0]!.blockedBy).toEqual([
      'this branch changes it (new; not on origin/main); CI judges the change: npx flags check --base origin/main',
    ]);
    expect(rows[1]).toEqual({
      key: 'live',
      file: 'flags/video/live.yaml',
      owner: '@novalien/video',
      state: 'beta',
      since: null,
      soakLeftMs: 0,
      next: null,
      eligibleAt: null,
      blockedBy: [
        'this branch changes it from alpha (origin/main); CI judges the change: npx flags check --base origin/main',
        'drift: the platform has it at beta, origin/main at alpha',
      ],
      removable: false,
      stale: false,
      unmerged: { ref: 'origin/main', state: 'alpha' },
    });
    // A flag the branch leaves alone is read as without a base.
    expect(rows[2]).toMatchObject({ since: iso(ago(30 * HOUR)), next: 'beta', soakLeftMs: 0 });
  });

  it('no drift note when the platform agrees with the protected branch', () => {
    const head = flagSet({ key: 'live', state: 'beta' });
    const base = { ref: 'origin/main', set: flagSet({ key: 'live' }) };
    const platform = platformOf(onPlatform('live', 'alpha', ago(30 * HOUR)));
    const [row] = flagStatuses(head, new Map(), platform, NOW, base);
    expect(row!.blockedBy).toHaveLength(1);
    const [down] = flagStatuses(head, new Map(), NO_PLATFORM, NOW, base);
    expect(down!.blockedBy).toHaveLength(1);
  });
});
