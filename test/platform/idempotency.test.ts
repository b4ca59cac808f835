// Idempotency-Key end to end: a repeated key returns the first answer and repeats no effect,
// across concurrent repeats, restarts, and an answer lost on the way back to the client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';
import { rawHttp, type RawAnswer } from '../helpers/raw-http.ts';
import { json, stubServer, type StubServer } from '../helpers/stub-http.ts';

let platform: TestPlatform;
const logLines: string[] = [];
const meta = (deps: string[] = []) => ({
  description: 'd',
  owner: '@novalien/video',
  depends_on: deps,
});

beforeEach(async () => {
  logLines.length = 0;
  platform = await platformServer({ log: (line) => logLines.push(line) });
  await platform.client.putFlag('live-view', meta());
});

afterEach(async () => {
  await platform.close();
});

function post(path: string, body: unknown, key?: string, actor?: string): Promise<RawAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${platform.token}` };
  if (key !== undefined) headers['idempotency-key'] = key;
  if (actor !== undefined) headers['x-actor'] = actor;
  return rawHttp(platform.url, 'POST', path, { headers, body: JSON.stringify(body) });
}

const STATE = '/api/v1/platform/feature-flags/live-view/state';
const ERRORS = '/api/v1/platform/feature-flags/live-view/errors';

async function stateChanges(): Promise<number> {
  const entries = await platform.client.auditLog({ flag: 'live-view' });
  return entries.filter((e) => e.action === 'platform.feature_flag_state_changed').length;
}

describe('a repeated Idempotency-Key', () => {
  it('returns the first answer (status and body) and writes one audit entry', async () => {
    const first = await post(STATE, { state: 'beta' }, 'k-1');
    const second = await post(STATE, { state: 'beta' }, 'k-1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      key: 'live-view',
      state: 'beta',
      previous_state: 'alpha',
      changed: true,
    });
    expect([second.status, second.body]).toEqual([first.status, first.body]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await stateChanges()).toBe(1);
    // Without a key the same request is a new one: unchanged, answered so.
    expect((await post(STATE, { state: 'beta' })).body).toMatchObject({
      changed: false,
      previous_state: 'beta',
    });
    expect(logLines.filter((l) => l.endsWith('(replayed)'))).toHaveLength(1);
  });

  it('replays a 201 registration as 201, and repeats no error report', async () => {
    const put = (key: string) =>
      rawHttp(platform.url, 'PUT', '/api/v1/platform/feature-flags/ptz-control', {
        headers: { authorization: `Bearer ${platform.token}`, 'idempotency-key': key },
        body: JSON.stringify(meta()),
      });
    expect((await put('p-1')).status).toBe(201);
    expect((await put('p-1')).status).toBe(201);
    expect((await put('p-2')).status).toBe(200);
    await post(ERRORS, { count: 3 }, 'e-1');
    await post(ERRORS, { count: 3 }, 'e-1');
    expect((await platform.client.getFlag('live-view'))?.error_count_24h).toBe(3);
  });

  it('is refused with 422 IDEMPOTENCY_KEY_REUSED for a different body or actor, with no effect', async () => {
    await post(STATE, { state: 'beta' }, 'k-2');
    const otherBody = await post(STATE, { state: 'ga' }, 'k-2');
    expect([otherBody.status, (otherBody.body as { error: { code: string } }).error.code]).toEqual([
      422,
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    const otherActor = await post(STATE, { state: 'beta' }, 'k-2', 'someone-else');
    expect(otherActor.status).toBe(422);
    expect((await platform.client.getFlag('live-view'))?.state).toBe('beta');
    // The same key on another path is another request.
    expect((await post(ERRORS, {}, 'k-2')).status).toBe(200);
  });

  it('replays a refusal too: the first answer stands even once the write would succeed', async () => {
    await platform.client.putFlag('ptz-control', meta(['live-view']));
    const path = '/api/v1/platform/feature-flags/ptz-control/state';
    expect((await post(path, { state: 'beta' }, 'r-1')).status).toBe(409);
    await platform.client.setState('live-view', 'beta');
    expect((await post(path, { state: 'beta' }, 'r-1')).status).toBe(409);
    expect((await post(path, { state: 'beta' }, 'r-2')).status).toBe(200);
  });

  it('has one effect when sent 10 times at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(ERRORS, { count: 1 }, 'same')),
    );
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect((await platform.client.getFlag('live-view'))?.error_count_24h).toBe(1);
  });

  it('is remembered across a restart', async () => {
    const first = await post(STATE, { state: 'beta' }, 'k-3');
    await platform.restart();
    const again = await post(STATE, { state: 'beta' }, 'k-3');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await stateChanges()).toBe(1);
  });
});

describe('an answer lost after the write took effect', () => {
  let proxy: StubServer;
  let drops = 0;

  beforeEach(async () => {
    // Forwards to the platform; drops the connection instead of relaying the next `drops` answers
    // to writes, after the platform has applied them.
    proxy = await stubServer(async (req, res) => {
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'idempotency-key', 'x-actor', 'content-type']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(`${platform.url}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'DELETE' ? undefined : req.body,
      });
      const text = await upstream.text();
      if (req.method !== 'GET' && drops > 0) {
        drops--;
        res.socket?.destroy();
        return;
      }
      json(res, upstream.status, JSON.parse(text));
    });
  });

  afterEach(async () => {
    await proxy.close();
  });

  it('is retried with the same key, so the client gets the first answer and nothing applies twice', async () => {
    const client = platform.newClient({ baseUrl: proxy.url, retries: 3 });
    drops = 1;
    expect(await client.setState('live-view', 'beta')).toEqual({
      key: 'live-view',
      state: 'beta',
      previous_state: 'alpha',
      changed: true,
    });
    drops = 2;
    expect((await client.putFlag('ptz-control', meta())).created).toBe(true);
    drops = 1;
    expect(await client.reportErrors('live-view', { count: 5 })).toEqual({
      key: 'live-view',
      error_count_24h: 5,
    });
    drops = 1;
    expect((await client.setOrgEnabled('acme', 'live-view', true)).changed).toBe(true);
    expect((await platform.client.getFlag('live-view'))?.error_count_24h).toBe(5);
    expect(await stateChanges()).toBe(1);
    expect(await platform.client.orgAuditLog('acme')).toHaveLength(1);
    expect(proxy.requests.filter((r) => r.method !== 'GET')).toHaveLength(9);
    expect(logLines.filter((l) => l.endsWith('(replayed)'))).toHaveLength(5);
  });
});
