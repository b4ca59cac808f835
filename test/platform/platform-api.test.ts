// Every endpoint and every error of the platform API over real HTTP, through the client and raw
// requests; each answer is also checked against schema/platform-api.yaml.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../scripts/core/platform-model.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';
import { answerProblems, templateOf, schemaValidator } from '../helpers/platform-openapi.ts';
import { rawHttp, type RawAnswer } from '../helpers/raw-http.ts';

const T0 = new Date('2026-11-20T10:00:00.000Z');
let now = T0;
const advance = (hours: number): void => {
  now = new Date(now.getTime() + hours * 3_600_000);
};

let platform: TestPlatform;
const problems: string[] = [];
const logLines: string[] = [];

/** fetch that checks every answer the client receives against the API document. */
const checkedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const copy = res.clone();
  const text = await copy.text();
  const path = new URL(input instanceof Request ? input.url : input.toString()).pathname;
  try {
    problems.push(
      ...answerProblems({
        method: init?.method ?? 'GET',
        path,
        status: res.status,
        headers: res.headers,
        body: JSON.parse(text) as unknown,
      }),
    );
  } catch (error) {
    // Thrown here it would look like a network error to the client, and be retried.
    problems.push(`checking ${path}: ${String(error)}`);
  }
  return res;
};

/** A raw request with the right token (unless told otherwise), checked against the document. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? platform.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const answer = await rawHttp(platform.url, method, path, { headers, body });
  const plainPath = path.split('?')[0] ?? path;
  if (templateOf(plainPath) !== undefined) {
    problems.push(...answerProblems({ method, path: plainPath, ...answer }));
  } else if (
    !schemaValidator('OtherErrorBody')(answer.body) &&
    !schemaValidator('BadRequestError')(answer.body) &&
    !schemaValidator('UnauthorizedError')(answer.body)
  ) {
    problems.push(
      `${method} ${path} ${answer.status}: not a documented error body: ${answer.text}`,
    );
  }
  return answer;
}

const meta = (deps: string[] = []) => ({
  description: 'Live view of cameras',
  owner: '@novalien/video',
  depends_on: deps,
});

function errorOf(answer: RawAnswer): { code: string; message: string } {
  return (answer.body as { error: { code: string; message: string } }).error;
}

async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

beforeEach(async () => {
  now = T0;
  problems.length = 0;
  logLines.length = 0;
  platform = await platformServer({
    clock: () => now,
    log: (line) => logLines.push(line),
    client: { fetch: checkedFetch, actor: 'deploy' },
  });
});

afterEach(async () => {
  await platform.close();
  expect(problems).toEqual([]);
});

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
