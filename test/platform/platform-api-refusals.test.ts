// Every refusal of the platform API over real HTTP (401, 400, 404, 405, odd paths, 413, 500), each
// answer checked against schema/platform-api.yaml.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  call,
  errorOf,
  logLines,
  meta,
  platform,
  rejection,
  useCheckedPlatform,
} from '../helpers/platform-api-setup.ts';
import { schemaValidator } from '../helpers/platform-openapi.ts';
import { platformServer } from '../helpers/platform-server.ts';
import { rawHttp } from '../helpers/raw-http.ts';

useCheckedPlatform();

describe('refusals', () => {
  it('401 without a token, with a wrong one, with a wrong scheme; the log never shows a token', async () => {
    const wrongSameLength = platform.token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${wrongSameLength}` },
      { authorization: `Basic ${platform.token}` },
    ];
    for (const headers of headerSets) {
      const answer = await call('GET', '/api/v1/platform/feature-flags', { token: null, headers });
      expect(answer.status).toBe(401);
      expect(errorOf(answer).code).toBe('UNAUTHORIZED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    const wrong = platform.newClient({ token: 'not-the-token', retries: 0 });
    const error = await rejection(wrong.listFlags());
    expect([error.status, error.code]).toEqual([401, 'UNAUTHORIZED']);
    const ok = await call('GET', '/api/v1/platform/feature-flags');
    expect(ok.status).toBe(200);
    expect(logLines.join('\n')).not.toContain(platform.token);
    expect(logLines.length).toBeGreaterThanOrEqual(6);
  });

  it('400 BAD_REQUEST for bad JSON, wrong types, unknown states, fields, keys and headers', async () => {
    await platform.client.putFlag('live-view', meta());
    const cases: [string, string, unknown, Record<string, string>?][] = [
      ['PUT', '/api/v1/platform/feature-flags/x', '{"description": '],
      ['PUT', '/api/v1/platform/feature-flags/x', ''],
      ['PUT', '/api/v1/platform/feature-flags/x', '[1, 2]'],
      ['PUT', '/api/v1/platform/feature-flags/x', { ...meta(), owner: 7 }],
      ['PUT', '/api/v1/platform/feature-flags/x', { ...meta(), description: '  ' }],
      ['PUT', '/api/v1/platform/feature-flags/x', { ...meta(), depends_on: 'live-view' }],
      ['PUT', '/api/v1/platform/feature-flags/x', { ...meta(['live-view', 'live-view']) }],
      ['PUT', '/api/v1/platform/feature-flags/x', { ...meta(), 'depends-on': [] }],
      ['PUT', '/api/v1/platform/feature-flags/Live-View', meta()],
      ['PUT', `/api/v1/platform/feature-flags/${'a'.repeat(64)}`, meta()],
      ['PUT', '/api/v1/platform/feature-flags/live--view', meta()],
      ['POST', '/api/v1/platform/feature-flags/live-view/state', { state: 'gamma' }],
      ['POST', '/api/v1/platform/feature-flags/live-view/state', { state: 2 }],
      ['POST', '/api/v1/platform/feature-flags/live-view/state', {}],
      ['POST', '/api/v1/platform/orgs/acme/feature-flags/live-view', { enabled: 'yes' }],
      ['POST', '/api/v1/platform/orgs/ac%20me/feature-flags/live-view', { enabled: true }],
      ['POST', '/api/v1/orgs/acme/feature-flags/live-view/opt-in', { enabled: 1 }],
      ['POST', '/api/v1/platform/feature-flags/live-view/errors', { count: 0 }],
      ['POST', '/api/v1/platform/feature-flags/live-view/errors', { count: 1.5 }],
      ['POST', '/api/v1/platform/feature-flags/live-view/errors', { at: 'soon' }],
      ['GET', '/api/v1/platform/audit-log?flag=Bad_Key', undefined],
      [
        'POST',
        '/api/v1/platform/feature-flags/live-view/state',
        { state: 'beta' },
        { 'x-actor': '' },
      ],
      [
        'POST',
        '/api/v1/platform/feature-flags/live-view/state',
        { state: 'beta' },
        { 'idempotency-key': 'a b' },
      ],
    ];
    for (const [method, path, body, headers] of cases) {
      const answer = await call(method, path, { body, headers });
      expect([method, path, JSON.stringify(body), answer.status, errorOf(answer).code]).toEqual([
        method,
        path,
        JSON.stringify(body),
        400,
        'BAD_REQUEST',
      ]);
    }
    // None of them had an effect.
    expect((await platform.client.getFlag('live-view'))?.state).toBe('alpha');
    expect((await platform.client.listFlags()).map((f) => f.key)).toEqual(['live-view']);
  });

  it('404 NOT_FOUND for unknown routes and trailing slashes, 405 with Allow for wrong methods', async () => {
    for (const path of [
      '/',
      '/api/v1/platform/feature-flags/',
      '/api/v1/platform//feature-flags',
      '/api/v2/platform/feature-flags',
      '/api/v1/platform/feature-flags/live-view/state/extra',
    ]) {
      const answer = await call('GET', path);
      expect([path, answer.status, errorOf(answer).code]).toEqual([path, 404, 'NOT_FOUND']);
    }
    const wrong = await call('PATCH', '/api/v1/platform/feature-flags/live-view', { body: {} });
    expect([wrong.status, errorOf(wrong).code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
    const post = await call('POST', '/api/v1/platform/feature-flags');
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('odd paths get a 4xx, never a crash: dot segments, bad or clever percent-encoding, huge URLs', async () => {
    await platform.client.putFlag('live-view', meta());
    const expectations: [string, number][] = [
      ['/api/v1/platform/../platform/feature-flags', 400],
      ['/api/v1/platform/feature-flags/..', 400],
      ['/api/v1/platform/feature-flags/%2e%2e', 400],
      ['/api/v1/platform/feature-flags/%zz', 400],
      ['/api/v1/platform/feature-flags/live%2Fview', 400],
      ['/api/v1/platform/feature-flags/%00', 400],
      ['/api/v1/platform/feature-flags/%C3%A9t%C3%A9', 400],
      ['/api/v1/platform/feature-flags/%6Cive-view', 200],
      [`/api/v1/platform/feature-flags/${'a'.repeat(5000)}`, 414],
      [`/api/v1/platform/feature-flags/${'a'.repeat(20_000)}`, 431],
    ];
    for (const [path, status] of expectations) {
      const answer = await call('GET', path);
      expect([path.slice(0, 60), answer.status]).toEqual([path.slice(0, 60), status]);
    }
    const star = await rawHttp(platform.url, 'OPTIONS', '*', {
      headers: { authorization: `Bearer ${platform.token}` },
    });
    expect(star.status).toBe(400);
    // Still serving.
    expect((await platform.client.listFlags()).map((f) => f.key)).toEqual(['live-view']);
  });

  it('413 PAYLOAD_TOO_LARGE for a body over 64 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ ...meta(), description: 'x'.repeat(70 * 1024) });
    const answer = await call('PUT', '/api/v1/platform/feature-flags/big', { body: big });
    expect([answer.status, errorOf(answer).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const huge = await call('PUT', '/api/v1/platform/feature-flags/big', {
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(await platform.client.getFlag('big')).toBeNull();
  });

  it('answers 500 INTERNAL when the state cannot be saved, changes nothing, and keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'platform-broken-'));
    const dataDir = join(dir, 'data');
    const broken = await platformServer({
      dataFile: join(dataDir, 'platform.json'),
      log: (l) => logLines.push(l),
    });
    try {
      await broken.client.putFlag('live-view', meta());
      // The data directory turns into a file: the next save fails.
      await rm(dataDir, { recursive: true });
      await writeFile(dataDir, 'not a directory');
      const answer = await rawHttp(
        broken.url,
        'POST',
        '/api/v1/platform/feature-flags/live-view/state',
        {
          headers: { authorization: `Bearer ${broken.token}` },
          body: JSON.stringify({ state: 'beta' }),
        },
      );
      expect([answer.status, errorOf(answer).code]).toEqual([500, 'INTERNAL']);
      expect(schemaValidator('OtherErrorBody')(answer.body)).toBe(true);
      expect(logLines.some((l) => l.startsWith('internal error'))).toBe(true);
      expect((await broken.client.getFlag('live-view'))?.state).toBe('alpha');
      await rm(dataDir);
      await mkdir(dataDir);
      expect((await broken.client.setState('live-view', 'beta')).changed).toBe(true);
    } finally {
      await broken.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
