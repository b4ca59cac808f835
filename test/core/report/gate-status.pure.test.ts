// The commit status `flags/soak` that branch protection waits for, as data: which errors make it
// pending rather than failed, which time it names, and its 140-character description.
import { describe, expect, it } from 'vitest';
import { gateStatus, plural, when } from '../../../scripts/core/gate-status.ts';
import type { Change, CheckResult, Violation } from '../../../scripts/core/model.ts';

function result(partial: Partial<CheckResult> = {}): CheckResult {
  return {
    ok: true,
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    now: '2026-11-27T10:00:00Z',
    changes: [],
    violations: [],
    criteria: [],
    overrides: [],
    ...partial,
  };
}

function change(flag: string, eligibleAt: string | null): Change {
  return {
    flag,
    file: `flags/video/${flag}.yaml`,
    kind: 'promote',
    from: 'alpha',
    to: 'beta',
    since: '2026-11-26T14:00:00Z',
    eligibleAt,
  };
}

function violation(rule: Violation['rule'], flag: string | null, severity = 'error'): Violation {
  return {
    rule,
    severity: severity as Violation['severity'],
    flag,
    file: flag ? `flags/video/${flag}.yaml` : null,
    line: 5,
    message: `${rule} of ${flag}`,
  };
}

describe('the commit status when nothing blocks', () => {
  it('says there is nothing to merge, or how many changes may merge, and the warnings', () => {
    expect(gateStatus(result())).toEqual({
      state: 'success',
      description: 'Ready: no flag changes',
      eligibleAt: null,
    });
    const two = [change('a', null), change('b', null)];
    expect(gateStatus(result({ changes: two })).description).toBe(
      'Ready: 2 flag changes may merge',
    );
    expect(
      gateStatus(
        result({
          changes: two,
          violations: [
            violation('soak-override', 'a', 'warning'),
            violation('codeowners', 'b', 'warning'),
          ],
        }),
      ).description,
    ).toBe('Ready: 2 flag changes may merge (2 warnings)');
  });
});

describe('the commit status when only the soak blocks', () => {
  it('names each waiting flag once, and no flag for a soak error without one', () => {
    const status = gateStatus(
      result({
        ok: false,
        changes: [change('live-view', '2026-11-27T14:00:00Z')],
        violations: [
          violation('soak', 'live-view'),
          violation('soak', 'live-view'),
          violation('soak', null),
        ],
      }),
    );
    expect(status.state).toBe('pending');
    expect(status.description).toBe('Soak: allowed from 2026-11-27 14:00 UTC (live-view)');
  });

  it('waits for the last soak of the flags the soak blocks, not of other changes', () => {
    const status = gateStatus(
      result({
        ok: false,
        changes: [
          change('unknown-clock', null),
          change('live-view', '2026-11-27T14:00:00Z'),
          // Not blocked by the soak: its later time is not what the pull request waits for.
          change('other', '2026-12-30T00:00:00Z'),
          change('smart-search', '2026-11-28T09:30:00Z'),
        ],
        violations: [
          violation('soak', 'unknown-clock'),
          violation('soak', 'live-view'),
          violation('soak', 'smart-search'),
          violation('codeowners', 'other', 'warning'),
        ],
      }),
    );
    expect(status).toEqual({
      state: 'pending',
      description:
        'Soak: allowed from 2026-11-28 09:30 UTC (unknown-clock, live-view, smart-search)',
      eligibleAt: '2026-11-28T09:30:00Z',
    });
  });

  it('takes the latest time wherever it stands among the waiting flags', () => {
    const status = gateStatus(
      result({
        ok: false,
        changes: [change('late', '2026-11-29T08:00:00Z'), change('early', '2026-11-27T14:00:00Z')],
        violations: [violation('soak', 'late'), violation('soak', 'early')],
      }),
    );
    expect(status.eligibleAt).toBe('2026-11-29T08:00:00Z');
  });

  it('says "too early" when no waiting flag has a known time', () => {
    const status = gateStatus(
      result({
        ok: false,
        changes: [change('live-view', null)],
        violations: [violation('soak', 'live-view')],
      }),
    );
    expect(status).toEqual({
      state: 'pending',
      description: 'Soak: too early (live-view)',
      eligibleAt: null,
    });
  });
});

describe('the commit status when anything else blocks', () => {
  it('counts the errors and names each rule once; warnings are not counted', () => {
    const status = gateStatus(
      result({
        ok: false,
        changes: [change('a', '2026-11-28T00:00:00Z')],
        violations: [
          violation('soak', 'a'),
          violation('dependency-order', 'a'),
          violation('dependency-order', 'b'),
          violation('codeowners', 'a', 'warning'),
        ],
      }),
    );
    expect(status).toEqual({
      state: 'failure',
      description: 'Blocked: 3 errors: soak, dependency-order',
      eligibleAt: null,
    });
    expect(gateStatus(result({ violations: [violation('schema', null)] })).description).toBe(
      'Blocked: 1 error: schema',
    );
  });
});

describe('the 140-character description', () => {
  const named = (length: number) => {
    // `Soak: too early (` + key + `)` is 18 characters around the key.
    const key = 'k'.repeat(length - 18);
    return gateStatus(
      result({
        ok: false,
        changes: [change(key, null)],
        violations: [violation('soak', key)],
      }),
    ).description;
  };

  it('is kept whole at 140 characters and cut to 140, ending in …, at 141', () => {
    expect(named(140)).toBe(`Soak: too early (${'k'.repeat(122)})`);
    expect(named(141)).toBe(`Soak: too early (${'k'.repeat(122)}…`);
    expect(named(141)).toHaveLength(140);
  });
});

describe('times and counts', () => {
  it('a time to the minute, seconds only when not zero; unknown or unreadable is —', () => {
    expect(when('2026-11-27T14:00:00Z')).toBe('2026-11-27 14:00 UTC');
    expect(when('2026-11-27T14:00:05Z')).toBe('2026-11-27 14:00:05 UTC');
    expect(when(undefined)).toBe('—');
    expect(when('')).toBe('—');
    expect(when('not a time')).toBe('—');
  });

  it('one error, 2 errors, 1,500 errors', () => {
    expect(plural(1, 'error')).toBe('1 error');
    expect(plural(0, 'error')).toBe('0 errors');
    expect(plural(1500, 'error')).toBe('1,500 errors');
  });
});
