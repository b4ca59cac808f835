// The platform's pure core: writes as (state, input, {now, actor}) -> next state, answer, audit.
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../../scripts/core/platform-model.ts';
import * as operations from '../../scripts/platform-server/operations.ts';
import type { Applied, WriteContext } from '../../scripts/platform-server/operations.ts';
import {
  applyChange,
  cloneState,
  emptyPlatformState,
  liveFlag,
  orgFlags,
  platformAuditLog,
  type PlatformState,
} from '../../scripts/platform-server/state.ts';
import {
  IdempotencyRecords,
  lookupIdempotency,
  MAX_IDEMPOTENCY_RECORDS,
  requestFingerprint,
} from '../../scripts/platform-server/idempotency.ts';
import { parseState, serializeState } from '../../scripts/platform-server/persistence.ts';

/**
 * An operation with the state it leaves: its change applied to a copy, so the state it was given
 * is left as it was (the operations themselves never change it), or that same state when the
 * write changes nothing.
 */
function withNext<A extends unknown[], T>(
  operation: (state: PlatformState, ...args: A) => Applied<T>,
): (state: PlatformState, ...args: A) => Applied<T> & { state: PlatformState } {
  return (state, ...args) => {
    const applied = operation(state, ...args);
    if (applied.change === null) return { ...applied, state };
    const next = cloneState(state);
    applyChange(next, applied.change);
    return { ...applied, state: next };
  };
}
const putFlag = withNext(operations.putFlag);
const applyStateChange = withNext(operations.applyStateChange);
const archiveFlag = withNext(operations.archiveFlag);
const recordErrors = withNext(operations.recordErrors);
const setOptIn = withNext(operations.setOptIn);
const setOrgEnabled = withNext(operations.setOrgEnabled);

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (hours: number): WriteContext => ({
  now: new Date(T0.getTime() + hours * 3_600_000),
  actor: 'tester',
});
const meta = (deps: string[] = []) => ({
  description: 'd',
  owner: '@novalien/video',
  depends_on: deps,
});

function expectPlatformError(fn: () => unknown, status: number, code: string): PlatformError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).status).toBe(status);
    expect((error as PlatformError).code).toBe(code);
    return error as PlatformError;
  }
  throw new Error(`expected ${code}`);
}

/** live-view (alpha) <- ptz-control (alpha), registered at T0. */
function twoFlags(): PlatformState {
  let state = putFlag(emptyPlatformState(), 'live-view', meta(), at(0)).state;
  state = putFlag(state, 'ptz-control', meta(['live-view']), at(0)).state;
  return state;
}

describe('putFlag', () => {
  it('registers at alpha with state_changed_at now, then updates metadata without touching state', () => {
    const created = putFlag(emptyPlatformState(), 'live-view', meta(), at(0));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'alpha', state_changed_at: T0.toISOString() });
    expect(created.audit.map((e) => e.action)).toEqual(['platform.feature_flag_created']);

    const promoted = applyStateChange(created.state, 'live-view', 'beta', at(30)).state;
    const updated = putFlag(promoted, 'live-view', { ...meta(), description: 'new' }, at(40));
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      description: 'new',
      state: 'beta',
      state_changed_at: at(30).now.toISOString(),
    });
    expect(updated.audit.map((e) => e.action)).toEqual(['platform.feature_flag_updated']);

    const same = putFlag(updated.state, 'live-view', { ...meta(), description: 'new' }, at(41));
    expect(same.audit).toEqual([]);
    expect(same.state).toBe(updated.state);
  });

  it('refuses unknown dependencies (422) and cycles, changing nothing', () => {
    const state = twoFlags();
    const error = expectPlatformError(
      () => putFlag(state, 'x', meta(['live-view', 'nope']), at(1)),
      422,
      'UNKNOWN_DEPENDENCY',
    );
    expect(error.message).toContain("'nope'");
    expect(error.message).not.toContain("'live-view'");
    const cycle = expectPlatformError(
      () => putFlag(state, 'live-view', meta(['ptz-control']), at(1)),
      422,
      'DEPENDENCY_CYCLE',
    );
    expect(cycle.message).toContain('live-view -> ptz-control -> live-view');
    expectPlatformError(
      () => putFlag(state, 'live-view', meta(['live-view']), at(1)),
      422,
      'DEPENDENCY_CYCLE',
    );
  });

  it('registers an archived flag afresh at alpha, without its old enables', () => {
    let state = putFlag(emptyPlatformState(), 'old', meta(), at(0)).state;
    state = applyStateChange(state, 'old', 'beta', at(1)).state;
    state = setOptIn(state, 'acme', 'old', true, at(2)).state;
    state = setOrgEnabled(state, 'acme', 'old', true, at(2)).state;
    state = archiveFlag(state, 'old', at(3)).state;
    const again = putFlag(state, 'old', meta(), at(4));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({
      state: 'alpha',
      opt_in_count: 0,
      orgs_enabled: [],
      state_changed_at: at(4).now.toISOString(),
    });
  });
});

describe('applyStateChange', () => {
  it('refuses a promotion above a dependency, naming it and its state', () => {
    const error = expectPlatformError(
      () => applyStateChange(twoFlags(), 'ptz-control', 'beta', at(1)),
      409,
      'FLAG_DEPENDENCY',
    );
    expect(error.message).toContain("'live-view'");
    expect(error.message).toContain('still alpha');
  });

  it('promotes once the dependency has reached the state, with an audit entry of both states', () => {
    let state = applyStateChange(twoFlags(), 'live-view', 'beta', at(25)).state;
    const result = applyStateChange(state, 'ptz-control', 'beta', at(26));
    expect(result.body).toEqual({
      key: 'ptz-control',
      state: 'beta',
      previous_state: 'alpha',
      changed: true,
    });
    expect(result.audit).toEqual([
      expect.objectContaining({
        action: 'platform.feature_flag_state_changed',
        flag: 'ptz-control',
        old_state: 'alpha',
        new_state: 'beta',
        actor: 'tester',
        at: at(26).now.toISOString(),
      }),
    ]);
    state = result.state;
    expect(liveFlag(state, 'ptz-control')?.state_changed_at).toBe(at(26).now.toISOString());
  });

  it('always lets a demotion through, even below a dependent', () => {
    let state = applyStateChange(twoFlags(), 'live-view', 'beta', at(25)).state;
    state = applyStateChange(state, 'ptz-control', 'beta', at(26)).state;
    const revert = applyStateChange(state, 'live-view', 'alpha', at(27));
    expect(revert.body).toMatchObject({ state: 'alpha', previous_state: 'beta', changed: true });
  });

  it('writes nothing and keeps the soak clock when the state is unchanged', () => {
    const state = twoFlags();
    const result = applyStateChange(state, 'live-view', 'alpha', at(5));
    expect(result.body.changed).toBe(false);
    expect(result.audit).toEqual([]);
    expect(result.state).toBe(state);
  });

  it('does not know archived flags', () => {
    let state = putFlag(emptyPlatformState(), 'gone', meta(), at(0)).state;
    state = archiveFlag(state, 'gone', at(1)).state;
    expectPlatformError(
      () => applyStateChange(state, 'gone', 'beta', at(2)),
      404,
      'FLAG_NOT_FOUND',
    );
  });
});

describe('archiveFlag', () => {
  it('refuses while a live flag depends on it, and allows it once that one is archived', () => {
    const state = twoFlags();
    const error = expectPlatformError(
      () => archiveFlag(state, 'live-view', at(1)),
      409,
      'HAS_DEPENDENTS',
    );
    expect(error.message).toContain("'ptz-control'");
    const next = archiveFlag(archiveFlag(state, 'ptz-control', at(1)).state, 'live-view', at(2));
    expect(liveFlag(next.state, 'live-view')).toBeUndefined();
    expect(next.audit[0]).toMatchObject({
      action: 'platform.feature_flag_archived',
      old_state: 'alpha',
    });
  });
});

describe('org enables, opt-ins and what each org sees', () => {
  it('staff enable writes both audit logs once; a repeat writes nothing', () => {
    const first = setOrgEnabled(twoFlags(), 'acme', 'live-view', true, at(1));
    expect(first.body.changed).toBe(true);
    expect(first.audit.map((e) => [e.action, e.org])).toEqual([
      ['platform.feature_flag_enabled', 'acme'],
      ['feature_flag.enabled', 'acme'],
    ]);
    const again = setOrgEnabled(first.state, 'acme', 'live-view', true, at(2));
    expect(again.body.changed).toBe(false);
    expect(again.audit).toEqual([]);
    expect(liveFlag(again.state, 'live-view')?.orgs_enabled).toEqual(['acme']);
    const off = setOrgEnabled(again.state, 'acme', 'live-view', false, at(3));
    expect(off.audit.map((e) => e.action)).toEqual([
      'platform.feature_flag_disabled',
      'feature_flag.disabled',
    ]);
  });

  it('refuses customer opt-in while alpha', () => {
    const error = expectPlatformError(
      () => setOptIn(twoFlags(), 'acme', 'live-view', true, at(1)),
      403,
      'FLAG_NOT_AVAILABLE',
    );
    expect(error.message).toContain('alpha');
  });

  it('follows the runbook: alpha internal + staff, beta + opted in, ga all but opted out', () => {
    let state = setOrgEnabled(twoFlags(), 'partner', 'live-view', true, at(1)).state;
    const seen = (org: string) => orgFlags(state, org).includes('live-view');
    expect([
      seen('novalien-internal'),
      seen('novalien-internal-staging'),
      seen('partner'),
      seen('acme'),
    ]).toEqual([true, true, true, false]);
    state = applyStateChange(state, 'live-view', 'beta', at(25)).state;
    expect(seen('acme')).toBe(false);
    state = setOptIn(state, 'acme', 'live-view', true, at(26)).state;
    state = setOptIn(state, 'globex', 'live-view', false, at(26)).state;
    expect([
      seen('acme'),
      seen('globex'),
      seen('initech'),
      seen('partner'),
      seen('novalien-internal'),
    ]).toEqual([true, false, false, true, true]);
    expect(liveFlag(state, 'live-view')?.opted_in).toEqual(['acme']);
    state = applyStateChange(state, 'live-view', 'ga', at(100)).state;
    expect([seen('acme'), seen('initech'), seen('globex')]).toEqual([true, true, false]);
    state = applyStateChange(state, 'live-view', 'alpha', at(101)).state;
    expect([seen('acme'), seen('initech'), seen('partner')]).toEqual([false, false, true]);
  });

  it('counts opt-ins once per org and writes no entry for a repeat', () => {
    let state = applyStateChange(twoFlags(), 'live-view', 'beta', at(25)).state;
    const first = setOptIn(state, 'acme', 'live-view', true, at(26));
    const repeat = setOptIn(first.state, 'acme', 'live-view', true, at(27));
    expect(repeat.audit).toEqual([]);
    state = setOptIn(repeat.state, 'globex', 'live-view', true, at(27)).state;
    state = setOptIn(state, 'acme', 'live-view', false, at(28)).state;
    expect(liveFlag(state, 'live-view')).toMatchObject({
      opted_in: ['globex'],
      opted_out: ['acme'],
    });
  });
});

describe('errors, audit queries, idempotency records and the data format', () => {
  it('counts errors of the 24 h before now only', () => {
    let state = twoFlags();
    state = recordErrors(state, 'live-view', 3, at(-25).now, at(0)).state;
    const result = recordErrors(state, 'live-view', 2, at(-1).now, at(0));
    expect(result.body.error_count_24h).toBe(2);
    expect(result.audit).toEqual([]);
    // A day later the same record no longer counts.
    const later = recordErrors(result.state, 'live-view', 1, at(24).now, at(24));
    expect(later.body.error_count_24h).toBe(1);
  });

  it('filters the platform audit log by flag and since', () => {
    let state = twoFlags();
    state = applyStateChange(state, 'live-view', 'beta', at(30)).state;
    expect(platformAuditLog(state, { flag: 'live-view' }).entries.map((e) => e.action)).toEqual([
      'platform.feature_flag_created',
      'platform.feature_flag_state_changed',
    ]);
    expect(platformAuditLog(state, { since: at(30).now }).entries.map((e) => e.flag)).toEqual([
      'live-view',
    ]);
    expect(platformAuditLog(state, { since: at(31).now })).toEqual({
      entries: [],
      next_cursor: null,
    });
  });

  it('replays a key with the same request, refuses it with another, forgets it after 24 h', () => {
    const fp = requestFingerprint({ state: 'beta' }, 'api');
    expect(requestFingerprint({ state: 'beta' }, 'api')).toBe(fp);
    expect(requestFingerprint({ state: 'ga' }, 'api')).not.toBe(fp);
    expect(requestFingerprint({ a: 1, b: 2 }, 'x')).toBe(requestFingerprint({ b: 2, a: 1 }, 'x'));
    const record = {
      scope: 'POST /p k1',
      fingerprint: fp,
      status: 200,
      body: { ok: 1 },
      at: T0.toISOString(),
    };
    const state = emptyPlatformState();
    state.idempotency.remember(record);
    expect(lookupIdempotency(state.idempotency, 'POST /p k1', fp, at(1).now)).toEqual({
      kind: 'replay',
      record,
    });
    expect(lookupIdempotency(state.idempotency, 'POST /p k1', 'other', at(1).now).kind).toBe(
      'reused',
    );
    expect(lookupIdempotency(state.idempotency, 'POST /q k1', fp, at(1).now).kind).toBe('new');
    expect(lookupIdempotency(state.idempotency, 'POST /p k1', fp, at(25).now).kind).toBe('new');
  });

  it('keeps at most the newest 10,000 idempotency records, and none older than 24 h', () => {
    const record = (scope: string, hours = 0) => ({
      scope,
      fingerprint: 'f',
      status: 200,
      body: null,
      at: at(hours).now.toISOString(),
    });
    const records = new IdempotencyRecords(
      Array.from({ length: MAX_IDEMPOTENCY_RECORDS }, (_, i) => record(`s${i}`)),
    );
    records.remember(record('new'));
    expect(records.size).toBe(MAX_IDEMPOTENCY_RECORDS);
    expect(records.records()).toHaveLength(MAX_IDEMPOTENCY_RECORDS);
    expect(records.records()[0]?.scope).toBe('s1');
    expect(records.records().at(-1)?.scope).toBe('new');
    expect(records.get('s0')).toBeUndefined();
    // A key used again after it expired: its new answer is kept, last, and only once.
    records.remember(record('s5', 2));
    records.remember(record('s1', 25));
    expect(records.records().map((r) => r.scope)).toEqual(['s5', 's1']);
    expect(records.get('s1')?.at).toBe(at(25).now.toISOString());
    expect(JSON.parse(JSON.stringify(records))).toEqual(records.records());
  });

  it('round-trips the data file and refuses one that is not ours', () => {
    const state = setOrgEnabled(twoFlags(), 'acme', 'live-view', true, at(1)).state;
    const answer = {
      scope: 's',
      fingerprint: 'f',
      status: 200,
      body: 1,
      at: at(1).now.toISOString(),
    };
    state.idempotency.remember(answer);
    const parsed = parseState(serializeState(state), 'f.json');
    expect(parsed).toEqual(state);
    expect(parsed.idempotency.records()).toEqual(state.idempotency.records());
    expect(() => parseState('{"flags": {}}', 'f.json')).toThrow(
      /f\.json.*not a platform data file.*refusing/,
    );
    expect(() => parseState('{', 'f.json')).toThrow(/not valid JSON/);
    const damaged = JSON.parse(serializeState(state)) as {
      flags: Record<string, { state: string }>;
    };
    damaged.flags['live-view']!.state = 'gamma';
    expect(() => parseState(JSON.stringify(damaged), 'f.json')).toThrow(
      /damaged at flag 'live-view'/,
    );
  });
});
