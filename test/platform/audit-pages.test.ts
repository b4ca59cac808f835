// The audit log in pages and its retention bound, as pure functions and through the API.
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../scripts/core/platform-model.ts';
import {
  AUDIT_RETENTION,
  auditPage,
  trimAuditLog,
} from '../../scripts/platform-server/audit-pages.ts';
import { applyChange, emptyPlatformState } from '../../scripts/platform-server/state.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';
import { rawHttp } from '../helpers/raw-http.ts';

function entries(n: number, from = 1): AuditEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    id: from + i,
    at: new Date(Date.UTC(2026, 10, 24, 0, 0, from + i)).toISOString(),
    action: 'platform.feature_flag_updated',
    flag: (from + i) % 2 === 0 ? 'even' : 'odd',
    org: null,
    old_state: null,
    new_state: null,
    actor: 'api',
  }));
}

describe('auditPage', () => {
  it('pages a log by limit and cursor, each entry exactly once, the last page without cursor', () => {
    const log = entries(10);
    const seen: number[] = [];
    let after: number | undefined;
    const cursors: (string | null)[] = [];
    do {
      const page = auditPage(log, { limit: 3, ...(after === undefined ? {} : { after }) });
      seen.push(...page.entries.map((e) => Number(e.id)));
      cursors.push(page.next_cursor);
      after = page.next_cursor === null ? undefined : Number(page.next_cursor);
    } while (after !== undefined);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(cursors).toEqual(['3', '6', '9', null]);
    // A page that ends exactly at the last entry says so: no empty page to fetch.
    expect(auditPage(log, { limit: 10 }).next_cursor).toBeNull();
    expect(auditPage(log, { limit: 9 }).next_cursor).toBe('9');
  });

  it('filters before counting, so a page of one flag is full even when others interleave', () => {
    const log = entries(10);
    const first = auditPage(log, { flag: 'even', limit: 2 });
    expect(first.entries.map((e) => e.id)).toEqual([2, 4]);
    expect(first.next_cursor).toBe('4');
    const rest = auditPage(log, { flag: 'even', after: 4 });
    expect(rest.entries.map((e) => e.id)).toEqual([6, 8, 10]);
    const since = auditPage(log, { since: new Date(log[7]?.at ?? ''), limit: 2 });
    expect(since).toEqual({ entries: log.slice(7, 9), next_cursor: '9' });
  });

  it('keeps the newest entries once a log passes the retention bound', () => {
    const log = entries(AUDIT_RETENTION);
    trimAuditLog(log);
    expect(log).toHaveLength(AUDIT_RETENTION);
    log.push(...entries(5000, AUDIT_RETENTION + 1));
    trimAuditLog(log);
    expect(log).toHaveLength(AUDIT_RETENTION);
    expect(log[0]?.id).toBe(5001);
    expect(log.at(-1)?.id).toBe(AUDIT_RETENTION + 5000);

    // applyChange applies the bound to both logs.
    const state = emptyPlatformState();
    state.platform_audit = entries(AUDIT_RETENTION + 1000);
    state.next_audit_id = AUDIT_RETENTION + 1001;
    applyChange(state, { platform_audit: entries(1, AUDIT_RETENTION + 1001) });
    expect(state.platform_audit).toHaveLength(AUDIT_RETENTION);
    expect(state.platform_audit.at(-1)?.id).toBe(AUDIT_RETENTION + 1001);
  });
});

describe('GET audit-log pages', () => {
  let platform: TestPlatform;
  afterEach(async () => platform.close());

  it('answers pages with next_cursor, and the client follows them to every entry', async () => {
    platform = await platformServer();
    const meta = { description: 'd', owner: '@novalien/video', depends_on: [] };
    for (let i = 0; i < 7; i++) await platform.client.putFlag(`f${i}`, meta);
    await platform.client.putFlag('f0', { ...meta, description: 'changed' });
    const auth = { authorization: `Bearer ${platform.token}` };
    const first = await rawHttp(platform.url, 'GET', '/api/v1/platform/audit-log?limit=3', {
      headers: auth,
    });
    expect(first.status).toBe(200);
    const body = first.body as { entries: AuditEntry[]; next_cursor: string | null };
    expect(body.entries.map((e) => e.flag)).toEqual(['f0', 'f1', 'f2']);
    expect(body.next_cursor).toEqual(expect.any(String));
    const next = await rawHttp(
      platform.url,
      'GET',
      `/api/v1/platform/audit-log?limit=3&cursor=${body.next_cursor ?? ''}`,
      { headers: auth },
    );
    expect((next.body as { entries: AuditEntry[] }).entries.map((e) => e.flag)).toEqual([
      'f3',
      'f4',
      'f5',
    ]);
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'cursor=abc', 'cursor=0']) {
      const refused = await rawHttp(platform.url, 'GET', `/api/v1/platform/audit-log?${bad}`, {
        headers: auth,
      });
      expect([bad, refused.status]).toEqual([bad, 400]);
    }

    // The client, reading pages of 2, still returns every entry, in order.
    const paging = platform.newClient({ auditPageSize: 2 });
    const all = await paging.auditLog();
    expect(all.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await paging.auditLog({ flag: 'f0' })).map((e) => e.action)).toEqual([
      'platform.feature_flag_created',
      'platform.feature_flag_updated',
    ]);
  });
});
