// Many writes at once lose nothing; injected failures (--fail-rate) and latency (--latency-ms)
// are survived by the client with exactly one effect per change.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { platformServer, seededRandom, type TestPlatform } from '../helpers/platform-server.ts';
import { rawHttp } from '../helpers/raw-http.ts';

const meta = (deps: string[] = []) => ({
  description: 'd',
  owner: '@novalien/video',
  depends_on: deps,
});
const opened: TestPlatform[] = [];

async function open(options: Parameters<typeof platformServer>[0] = {}): Promise<TestPlatform> {
  const platform = await platformServer(options);
  opened.push(platform);
  return platform;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('concurrent writes', () => {
  it('lose nothing: 60 registrations, 60 opt-ins, 60 staff enables at once, and all on disk', async () => {
    const platform = await open();
    const { client } = platform;
    const keys = range(60).map((i) => `flag-${i}`);
    const created = await Promise.all(keys.map((key) => client.putFlag(key, meta())));
    expect(created.every((c) => c.created)).toBe(true);
    await client.setState('flag-0', 'beta');
    const orgs = range(60).map((i) => `org-${i}`);
    await Promise.all([
      ...orgs.map((org) => client.setOptIn(org, 'flag-0', true)),
      ...orgs.map((org) => client.setOrgEnabled(org, 'flag-1', true)),
    ]);

    const check = async (): Promise<void> => {
      const flags = await platform.client.listFlags();
      expect(flags.map((f) => f.key).sort()).toEqual([...keys].sort());
      const byKey = new Map(flags.map((f) => [f.key, f]));
      expect(byKey.get('flag-0')?.opt_in_count).toBe(60);
      expect(byKey.get('flag-1')?.orgs_enabled).toEqual([...orgs].sort());
      const entries = await platform.client.auditLog();
      const orgEntries = await Promise.all(orgs.map((org) => platform.client.orgAuditLog(org)));
      // 60 created, 1 state change, 60 opt-ins, 60 enables; each opt-in and enable also one entry
      // in the org's log. Ids are shared by both logs: 1..301, no gap, no repeat.
      expect(entries).toHaveLength(181);
      expect(orgEntries.every((list) => list.length === 2)).toBe(true);
      const ids = [...entries, ...orgEntries.flat()].map((e) => Number(e.id)).sort((a, b) => a - b);
      expect(ids).toEqual(range(301).map((i) => i + 1));
    };
    await check();
    await platform.restart();
    await check();
  });

  it('keep one state for one flag when promotions and reverts race', async () => {
    const platform = await open();
    const { client } = platform;
    await client.putFlag('live-view', meta());
    const results = await Promise.all(
      range(30).map((i) => client.setState('live-view', i % 2 === 0 ? 'beta' : 'alpha')),
    );
    const changes = (await client.auditLog({ flag: 'live-view' })).filter(
      (e) => e.action === 'platform.feature_flag_state_changed',
    );
    // Each change starts where the one before it ended: no write saw a stale state.
    expect(changes.length).toBe(results.filter((r) => r.changed).length);
    changes.forEach((entry, i) => {
      if (i > 0) expect(entry.old_state).toBe(changes[i - 1]?.new_state);
    });
    expect((await client.getFlag('live-view'))?.state).toBe(changes.at(-1)?.new_state ?? 'alpha');
  });
});

describe('injected failures and latency', () => {
  it('the client converges through --fail-rate 0.5, with exactly one audit entry per change', async () => {
    const retries: string[] = [];
    const platform = await open({
      failRate: 0.5,
      random: seededRandom(20261124),
      client: {
        retries: 12,
        minDelayMs: 1,
        maxDelayMs: 1,
        random: seededRandom(7),
        onRetry: (info) => retries.push(info.reason),
      },
    });
    const { client } = platform;
    await client.putFlag('cam-a', meta());
    await client.putFlag('cam-b', meta(['cam-a']));
    await client.setState('cam-a', 'beta');
    await client.setState('cam-b', 'beta');
    const orgs = range(10).map((i) => `customer-${i}`);
    for (const org of orgs) await client.setOptIn(org, 'cam-a', true);
    await client.setOrgEnabled('partner', 'cam-b', true);
    await client.reportErrors('cam-b', { count: 2 });
    await client.setState('cam-a', 'ga');

    const entries = await client.auditLog();
    const count = (action: string, flag: string): number =>
      entries.filter((e) => e.action === action && e.flag === flag).length;
    expect(count('platform.feature_flag_created', 'cam-a')).toBe(1);
    expect(count('platform.feature_flag_created', 'cam-b')).toBe(1);
    expect(count('platform.feature_flag_state_changed', 'cam-a')).toBe(2);
    expect(count('platform.feature_flag_state_changed', 'cam-b')).toBe(1);
    expect(count('platform.feature_flag_enabled', 'cam-a')).toBe(10);
    expect(count('platform.feature_flag_enabled', 'cam-b')).toBe(1);
    expect(entries).toHaveLength(16);
    const flags = await client.listFlags();
    expect(flags.map((f) => [f.key, f.state, f.opt_in_count, f.error_count_24h])).toEqual([
      ['cam-a', 'ga', 10, 0],
      ['cam-b', 'beta', 0, 2],
    ]);
    // The failures really happened, and were all 503s.
    expect(retries.length).toBeGreaterThan(8);
    expect(new Set(retries)).toEqual(new Set(['HTTP 503']));
  });

  it('answers a fraction of requests 503 with Retry-After before any effect', async () => {
    const platform = await open({ failRate: 1 });
    const answer = await rawHttp(platform.url, 'PUT', '/api/v1/platform/feature-flags/x', {
      headers: { authorization: `Bearer ${platform.token}` },
      body: JSON.stringify(meta()),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('0');
    expect((answer.body as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
    // Nothing was ever written.
    expect(existsSync(platform.dataFile)).toBe(false);
  });

  it('delays every answer by --latency-ms', async () => {
    const platform = await open({ latencyMs: 120 });
    const started = performance.now();
    await platform.client.listFlags();
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });
});
