// Every endpoint of the platform API over real HTTP, through the client and raw requests; each
// answer is also checked against schema/platform-api.yaml (refusals: platform-api-refusals.test.ts).
import { describe, expect, it } from 'vitest';
import {
  advance,
  call,
  errorOf,
  meta,
  now,
  platform,
  rejection,
  T0,
  useCheckedPlatform,
} from '../helpers/platform-api-setup.ts';

useCheckedPlatform();

describe('the flag registry', () => {
  it('registers at alpha (201), updates metadata (200) and keeps the state and its clock', async () => {
    const { client } = platform;
    const created = await client.putFlag('live-view', meta());
    expect(created.created).toBe(true);
    expect(created.flag).toEqual({
      key: 'live-view',
      description: 'Live view of cameras',
      owner: '@novalien/video',
      state: 'alpha',
      depends_on: [],
      state_changed_at: T0.toISOString(),
      opt_in_count: 0,
      orgs_enabled: [],
      error_count_24h: 0,
    });
    advance(30);
    await client.setState('live-view', 'beta');
    advance(1);
    const updated = await client.putFlag('live-view', { ...meta(), owner: '@novalien/edge' });
    expect(updated.created).toBe(false);
    expect(updated.flag).toMatchObject({
      owner: '@novalien/edge',
      state: 'beta',
      state_changed_at: new Date(T0.getTime() + 30 * 3_600_000).toISOString(),
    });
    expect(await client.getFlag('live-view')).toEqual(updated.flag);
    expect((await client.listFlags()).map((f) => f.key)).toEqual(['live-view']);
  });

  it('answers 404 FLAG_NOT_FOUND for unknown flags, and the client getFlag gives null', async () => {
    expect(await platform.client.getFlag('nope')).toBeNull();
    for (const [method, path, body] of [
      ['GET', '/api/v1/platform/feature-flags/nope', undefined],
      ['POST', '/api/v1/platform/feature-flags/nope/state', { state: 'beta' }],
      ['DELETE', '/api/v1/platform/feature-flags/nope', undefined],
      ['POST', '/api/v1/platform/feature-flags/nope/errors', {}],
      ['POST', '/api/v1/platform/orgs/acme/feature-flags/nope', { enabled: true }],
      ['POST', '/api/v1/orgs/acme/feature-flags/nope/opt-in', { enabled: true }],
    ] as const) {
      const answer = await call(method, path, { body });
      expect([method, path, answer.status, errorOf(answer).code]).toEqual([
        method,
        path,
        404,
        'FLAG_NOT_FOUND',
      ]);
    }
  });

  it('refuses an unknown dependency with 422 UNKNOWN_DEPENDENCY and registers nothing', async () => {
    const error = await rejection(platform.client.putFlag('ptz-control', meta(['live-view'])));
    expect([error.status, error.code]).toEqual([422, 'UNKNOWN_DEPENDENCY']);
    expect(error.message).toContain("'live-view'");
    expect(await platform.client.listFlags()).toEqual([]);
  });

  it('promotes with dependencies in order: 409 FLAG_DEPENDENCY names the dependency and its state', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    await client.putFlag('ptz-control', meta(['live-view']));
    const error = await rejection(client.setState('ptz-control', 'beta'));
    expect([error.status, error.code]).toEqual([409, 'FLAG_DEPENDENCY']);
    expect(error.message).toMatch(/'live-view'.*still alpha/);
    expect(await client.setState('live-view', 'beta')).toEqual({
      key: 'live-view',
      state: 'beta',
      previous_state: 'alpha',
      changed: true,
    });
    expect((await client.setState('ptz-control', 'beta')).changed).toBe(true);
    // A revert is never blocked, even with a dependent above it.
    expect(await client.setState('live-view', 'alpha')).toMatchObject({
      state: 'alpha',
      changed: true,
    });
    const changes = await client.auditLog({ flag: 'live-view' });
    expect(
      changes
        .filter((e) => e.action === 'platform.feature_flag_state_changed')
        .map((e) => [e.old_state, e.new_state, e.actor]),
    ).toEqual([
      ['alpha', 'beta', 'deploy'],
      ['beta', 'alpha', 'deploy'],
    ]);
  });

  it('writes no audit entry and keeps state_changed_at when the state is unchanged', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    advance(2);
    expect(await client.setState('live-view', 'alpha')).toEqual({
      key: 'live-view',
      state: 'alpha',
      previous_state: 'alpha',
      changed: false,
    });
    expect((await client.getFlag('live-view'))?.state_changed_at).toBe(T0.toISOString());
    const entries = await client.auditLog({ flag: 'live-view' });
    expect(entries.filter((e) => e.action === 'platform.feature_flag_state_changed')).toEqual([]);
  });

  it('archives: 409 HAS_DEPENDENTS first, then gone from lists and lookups but kept in the log', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    await client.putFlag('ptz-control', meta(['live-view']));
    const error = await rejection(client.archiveFlag('live-view'));
    expect([error.status, error.code]).toEqual([409, 'HAS_DEPENDENTS']);
    expect(error.message).toContain("'ptz-control'");
    await client.archiveFlag('ptz-control');
    await client.archiveFlag('live-view');
    expect(await client.listFlags()).toEqual([]);
    expect(await client.getFlag('live-view')).toBeNull();
    expect((await client.auditLog({ flag: 'live-view' })).map((e) => e.action)).toContain(
      'platform.feature_flag_archived',
    );
    // Put again, it is registered afresh.
    expect((await client.putFlag('live-view', meta())).created).toBe(true);
  });
});

describe('orgs', () => {
  it('staff enable writes both logs once, lists the org, and the org sees the alpha flag', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    const first = await client.setOrgEnabled('partner', 'live-view', true, { actor: 'staff:ana' });
    const repeat = await client.setOrgEnabled('partner', 'live-view', true);
    expect([first.changed, repeat.changed]).toEqual([true, false]);
    expect((await client.getFlag('live-view'))?.orgs_enabled).toEqual(['partner']);
    const platformEntries = (await client.auditLog({ flag: 'live-view' })).filter(
      (e) => e.org === 'partner',
    );
    expect(platformEntries.map((e) => [e.action, e.actor])).toEqual([
      ['platform.feature_flag_enabled', 'staff:ana'],
    ]);
    expect((await client.orgAuditLog('partner')).map((e) => [e.action, e.flag, e.org])).toEqual([
      ['feature_flag.enabled', 'live-view', 'partner'],
    ]);
    expect(await client.orgFlags('partner')).toEqual(['live-view']);
    expect(await client.orgFlags('novalien-internal')).toEqual(['live-view']);
    expect(await client.orgFlags('acme')).toEqual([]);
    await client.setOrgEnabled('partner', 'live-view', false);
    expect(await client.orgFlags('partner')).toEqual([]);
    expect((await client.orgAuditLog('partner')).map((e) => e.action)).toEqual([
      'feature_flag.enabled',
      'feature_flag.disabled',
    ]);
  });

  it('customer opt-in: 403 while alpha, counted in beta, default on at ga unless opted out', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    const refused = await rejection(client.setOptIn('acme', 'live-view', true));
    expect([refused.status, refused.code]).toEqual([403, 'FLAG_NOT_AVAILABLE']);
    await client.setState('live-view', 'beta');
    await client.setOptIn('acme', 'live-view', true);
    await client.setOptIn('acme', 'live-view', true);
    await client.setOptIn('globex', 'live-view', true);
    await client.setOptIn('initech', 'live-view', false);
    expect((await client.getFlag('live-view'))?.opt_in_count).toBe(2);
    expect(await client.orgFlags('acme')).toEqual(['live-view']);
    expect(await client.orgFlags('hooli')).toEqual([]);
    const enabledEntries = (await client.auditLog({ flag: 'live-view' })).filter(
      (e) => e.action === 'platform.feature_flag_enabled',
    );
    expect(enabledEntries.map((e) => e.org)).toEqual(['acme', 'globex']);
    expect((await client.orgAuditLog('initech')).map((e) => e.action)).toEqual([
      'feature_flag.disabled',
    ]);
    await client.setState('live-view', 'ga');
    expect(await client.orgFlags('hooli')).toEqual(['live-view']);
    expect(await client.orgFlags('initech')).toEqual([]);
  });

  it('reports errors of the last 24 h in error_count_24h (extension endpoint)', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    expect(await client.reportErrors('live-view', { count: 4 })).toEqual({
      key: 'live-view',
      error_count_24h: 4,
    });
    await client.reportErrors('live-view', {
      at: new Date(T0.getTime() - 25 * 3_600_000).toISOString(),
    });
    expect((await client.getFlag('live-view'))?.error_count_24h).toBe(4);
    await client.reportErrors('live-view');
    advance(23);
    expect((await client.listFlags())[0]?.error_count_24h).toBe(5);
    advance(2);
    expect((await client.getFlag('live-view'))?.error_count_24h).toBe(0);
  });
});

describe('audit-log queries', () => {
  it('filters by flag and since (inclusive)', async () => {
    const { client } = platform;
    await client.putFlag('live-view', meta());
    advance(1);
    await client.putFlag('ptz-control', meta());
    const since = now.toISOString();
    advance(1);
    await client.setState('live-view', 'beta');
    expect((await client.auditLog()).map((e) => e.id)).toEqual([1, 2, 3]);
    expect((await client.auditLog({ since })).map((e) => [e.action, e.flag])).toEqual([
      ['platform.feature_flag_created', 'ptz-control'],
      ['platform.feature_flag_state_changed', 'live-view'],
    ]);
    expect((await client.auditLog({ flag: 'ptz-control' })).map((e) => e.id)).toEqual([2]);
    expect(await client.auditLog({ flag: 'live-view', since: now.toISOString() })).toHaveLength(1);
    const bad = await call('GET', '/api/v1/platform/audit-log?since=yesterday');
    expect([bad.status, errorOf(bad).code]).toEqual([400, 'BAD_REQUEST']);
  });
});
