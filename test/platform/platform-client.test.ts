// The client's retry policy, errors and token hygiene, against small scripted servers.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPlatformClient,
  platformFromEnv,
  PlatformUnreachableError,
  type PlatformClientOptions,
  type RetryInfo,
} from '../../scripts/adapters/platform-client.ts';
import { EvaluationError, UsageError } from '../../scripts/core/errors.ts';
import { PlatformError } from '../../scripts/core/platform-model.ts';
import { closedPort, json, stubServer, type StubServer } from '../helpers/stub-http.ts';

const TOKEN = 'tok-SECRET-4f9c2a7e1b';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const stubs: StubServer[] = [];

afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function stub(...args: Parameters<typeof stubServer>): Promise<StubServer> {
  const server = await stubServer(...args);
  stubs.push(server);
  return server;
}

/** A client whose sleeps are recorded, not waited. */
function testClient(baseUrl: string, more: Partial<PlatformClientOptions> = {}) {
  const sleeps: number[] = [];
  const retries: RetryInfo[] = [];
  const client = createPlatformClient({
    baseUrl,
    token: TOKEN,
    retries: 2,
    minDelayMs: 100,
    maxDelayMs: 150,
    random: () => 1,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    onRetry: (info) => retries.push(info),
    ...more,
  });
  return { client, sleeps, retries };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const OK_FLAGS = { flags: [] };

describe('retries', () => {
  it('waits as long as a 429 Retry-After says (seconds), then succeeds', async () => {
    const server = await stub((_req, res, i) =>
      i === 0
        ? json(
            res,
            429,
            { error: { code: 'RATE_LIMITED', message: 'slow down' } },
            { 'retry-after': '2' },
          )
        : json(res, 200, OK_FLAGS),
    );
    const { client, sleeps, retries } = testClient(server.url);
    expect(await client.listFlags()).toEqual([]);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(retries[0]).toMatchObject({
      attempt: 1,
      reason: 'HTTP 429',
      delayMs: 2000,
      method: 'GET',
    });
  });

  it('honours an HTTP-date Retry-After, and caps a very long one', async () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    const server = await stub((_req, res, i) => {
      if (i === 0) {
        json(res, 503, {}, { 'retry-after': new Date(now + 3000).toUTCString() });
      } else if (i === 1) {
        json(res, 429, {}, { 'retry-after': '3600' });
      } else {
        json(res, 200, OK_FLAGS);
      }
    });
    const { client, sleeps } = testClient(server.url, { now: () => now, maxRetryAfterMs: 10_000 });
    await client.listFlags();
    expect(sleeps).toEqual([3000, 10_000]);
  });

  it('backs off exponentially with full jitter on 5xx, up to maxDelayMs', async () => {
    const server = await stub((_req, res, i) =>
      i < 3 ? json(res, i === 1 ? 500 : 503, {}) : json(res, 200, OK_FLAGS),
    );
    const draws = [1, 0.5, 1];
    const { client, sleeps, retries } = testClient(server.url, {
      retries: 3,
      random: () => draws.shift() ?? 0,
    });
    await client.listFlags();
    // Caps: 100, 200 -> 150, 400 -> 150; times the draws 1, 0.5, 1.
    expect(sleeps).toEqual([100, 75, 150]);
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 503', 'HTTP 500', 'HTTP 503']);
  });

  it('never retries a 4xx other than 429, and surfaces the platform code and message', async () => {
    const server = await stub((req, res) =>
      req.url.endsWith('/state')
        ? json(res, 409, {
            error: { code: 'FLAG_DEPENDENCY', message: "it depends on 'a', which is still alpha" },
          })
        : json(res, 404, { error: { code: 'NOT_FOUND', message: 'no such route' } }),
    );
    const { client, sleeps } = testClient(server.url);
    const error = await failure(client.setState('b', 'beta'));
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({
      status: 409,
      code: 'FLAG_DEPENDENCY',
      message: "it depends on 'a', which is still alpha",
    });
    // getFlag maps only FLAG_NOT_FOUND to null; a missing route is an error.
    expect(await failure(client.getFlag('x'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the last try with the last status, code and the number of tries', async () => {
    const server = await stub((_req, res) =>
      json(res, 503, { error: { code: 'SERVICE_UNAVAILABLE', message: 'down' } }),
    );
    const { client } = testClient(server.url);
    const error = await failure(client.listFlags());
    expect(error).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'down (after 3 tries)',
    });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a try that times out', async () => {
    // The first try's deadline passes the moment the server has its request (no clock involved);
    // the second try's never does, however slow the machine.
    const deadlines: AbortController[] = [];
    const server = await stub((_req, res, i) => {
      if (i === 0) deadlines[0]?.abort(new DOMException('deadline', 'TimeoutError'));
      else json(res, 200, OK_FLAGS);
    });
    const { client, retries } = testClient(server.url, {
      timeoutMs: 150,
      timeoutSignal: () => {
        const deadline = new AbortController();
        deadlines.push(deadline);
        return deadline.signal;
      },
    });
    expect(await client.listFlags()).toEqual([]);
    expect(server.requests).toHaveLength(2);
    expect(deadlines).toHaveLength(2);
    expect(retries.map((r) => r.reason)).toEqual(['timed out after 150 ms']);
  });

  it('retries a dropped connection, and reports an unreachable platform as its own error', async () => {
    const dropping = await stub((_req, res, i) => {
      if (i === 0) res.socket?.destroy();
      else json(res, 200, OK_FLAGS);
    });
    expect(await testClient(dropping.url).client.listFlags()).toEqual([]);
    expect(dropping.requests).toHaveLength(2);

    const port = await closedPort();
    const { client, sleeps } = testClient(`http://127.0.0.1:${port}`);
    const error = await failure(client.listFlags());
    expect(error).toBeInstanceOf(PlatformUnreachableError);
    expect(error).toBeInstanceOf(EvaluationError);
    expect(error.message).toBe(
      `could not reach the platform at http://127.0.0.1:${port}: connection refused (ECONNREFUSED); tried 3 times`,
    );
    expect(sleeps).toHaveLength(2);
  });
});

describe('idempotency keys and actors', () => {
  it('sends one Idempotency-Key per logical write, the same on each retry, none on reads', async () => {
    const server = await stub((req, res, i) =>
      i < 2
        ? json(res, 503, {})
        : json(res, 200, { key: 'a', state: 'beta', previous_state: 'alpha', changed: true }),
    );
    const { client } = testClient(server.url, { actor: 'deploy' });
    await client.setState('a', 'beta');
    await client.setState('a', 'beta', { actor: 'ana', idempotencyKey: 'my-key' });
    await client.listFlags().catch(() => undefined);
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(UUID);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).toBe('my-key');
    expect(keys[4]).toBeUndefined();
    expect(server.requests.map((r) => r.headers['x-actor'])).toEqual([
      'deploy',
      'deploy',
      'deploy',
      'ana',
      undefined,
    ]);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ state: 'beta' });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('gives each write a fresh key', async () => {
    const server = await stub((_req, res) =>
      json(res, 200, { key: 'a', org: 'o', enabled: true, changed: true }),
    );
    const { client } = testClient(server.url);
    await client.setOptIn('o', 'a', true);
    await client.setOptIn('o', 'a', true);
    const [first, second] = server.requests.map((r) => r.headers['idempotency-key']);
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(first).not.toBe(second);
  });
});

describe('the token is never printed', () => {
  it('appears in no error, message, stack, retry report or inspect output', async () => {
    // A hostile server that echoes the Authorization header in its messages.
    const server = await stub((req, res, i) => {
      const echo = String(req.headers.authorization);
      if (i === 0) return json(res, 503, { error: { code: 'SERVICE_UNAVAILABLE', message: echo } });
      return json(res, 401, { error: { code: 'UNAUTHORIZED', message: `bad token ${echo}` } });
    });
    const { client, retries } = testClient(server.url);
    const errors: unknown[] = [];
    errors.push(await failure(client.listFlags()));
    errors.push(
      await failure(testClient(`http://127.0.0.1:${await closedPort()}`).client.listFlags()),
    );
    const hanging = await stub(() => undefined);
    errors.push(
      await failure(testClient(hanging.url, { timeoutMs: 50, retries: 0 }).client.listFlags()),
    );
    expect(errors.map((e) => (e as Error).name)).toEqual([
      'PlatformError',
      'PlatformUnreachableError',
      'PlatformUnreachableError',
    ]);
    expect((errors[0] as Error).message).toBe(
      'the platform answered 401 Unauthorized (its message is not shown: it contains the API token) (the token in PLATFORM_API_TOKEN was refused)',
    );

    const printed = [
      ...errors.flatMap((e) => [
        String(e),
        (e as Error).stack ?? '',
        inspect(e, { depth: Infinity, showHidden: true }),
        JSON.stringify(e),
      ]),
      inspect(client, { depth: Infinity, showHidden: true }),
      inspect({ client }, { depth: Infinity }),
      String(client),
      JSON.stringify(client),
      JSON.stringify(retries),
    ].join('\n');
    expect(printed).not.toContain(TOKEN);
    expect(String(client)).toBe(`PlatformClient(${server.url})`);
    expect(printed).toContain(server.url);
  });
});

describe('platformFromEnv', () => {
  it('is null without a URL; --platform-url wins over PLATFORM_API_URL; options pass through', async () => {
    expect(platformFromEnv({})).toBeNull();
    expect(platformFromEnv({ PLATFORM_API_TOKEN: TOKEN })).toBeNull();
    const server = await stub((req, res) =>
      req.headers.authorization === `Bearer ${TOKEN}`
        ? json(res, 200, OK_FLAGS)
        : json(res, 401, {
            error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' },
          }),
    );
    const fromEnv = platformFromEnv({
      PLATFORM_API_URL: `${server.url}/`,
      PLATFORM_API_TOKEN: TOKEN,
    });
    expect(fromEnv?.url).toBe(server.url);
    expect(await fromEnv?.client.listFlags()).toEqual([]);
    const fromOption = platformFromEnv({ PLATFORM_API_URL: 'http://127.0.0.1:9' }, server.url, {
      retries: 0,
    });
    expect(fromOption?.url).toBe(server.url);
    const noToken = platformFromEnv({}, server.url, { retries: 0 });
    const error = await failure(noToken?.client.listFlags() ?? Promise.resolve());
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(error.message).toContain('set PLATFORM_API_TOKEN');
    expect(() => platformFromEnv({}, 'ftp://example.com')).toThrow(UsageError);
    expect(() => platformFromEnv({}, 'not a url')).toThrow(UsageError);
  });
});

describe('messages say what happened', () => {
  it('names a DNS failure, a refused connection, a timeout, with the URL and the tries', async () => {
    const dns = await failure(
      testClient('http://platform.invalid:8787', { retries: 0 }).client.listFlags(),
    );
    expect(dns).toBeInstanceOf(PlatformUnreachableError);
    expect(dns.message).toMatch(
      /^could not reach the platform at http:\/\/platform\.invalid:8787: DNS lookup of platform\.invalid failed \((ENOTFOUND|EAI_AGAIN)\)$/,
    );

    const port = await closedPort();
    const refused = await failure(
      testClient(`http://127.0.0.1:${port}`, { retries: 1 }).client.listFlags(),
    );
    expect(refused.message).toBe(
      `could not reach the platform at http://127.0.0.1:${port}: connection refused (ECONNREFUSED); tried 2 times`,
    );

    // A server that never answers: the deadline passes whatever the machine's load.
    const silent = await stub(() => undefined);
    const timedOut = await failure(
      testClient(silent.url, { retries: 0, timeoutMs: 50 }).client.listFlags(),
    );
    expect(timedOut.message).toBe(
      `could not reach the platform at ${silent.url}: timed out after 50 ms`,
    );
  });

  it('says the HTTP status plainly when the answer is not the API JSON', async () => {
    const server = await stub((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    const error = await failure(testClient(server.url, { retries: 0 }).client.listFlags());
    expect(error).toMatchObject({
      status: 503,
      code: 'HTTP_503',
      message: 'the platform answered 503 Service Unavailable: <html>maintenance</html>',
    });
  });

  it('a token that is a common word mangles no message, and is still never shown', async () => {
    const server = await stub((req, res) =>
      req.url.includes('echo')
        ? json(res, 401, {
            error: { code: 'UNAUTHORIZED', message: `you sent ${req.headers.authorization}` },
          })
        : json(res, 401, {
            error: { code: 'UNAUTHORIZED', message: 'missing or wrongly formatted bearer token' },
          }),
    );
    const client = createPlatformClient({ baseUrl: server.url, token: 'wrong', retries: 0 });
    const plain = await failure(client.listFlags());
    expect(plain.message).toBe(
      'missing or wrongly formatted bearer token (the token in PLATFORM_API_TOKEN was refused)',
    );
    const echoed = await failure(client.getFlag('echo'));
    expect(echoed.message).not.toMatch(/\bwrong\b/);
    expect(echoed.message).toContain('its message is not shown: it contains the API token');

    // The word standing alone is the token: that message is withheld whole, not redacted.
    const wordy = await stub((_req, res) =>
      json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' } }),
    );
    const withheld = await failure(
      createPlatformClient({ baseUrl: wordy.url, token: 'wrong', retries: 0 }).listFlags(),
    );
    expect(withheld.message).not.toContain('[redacted]');
    expect(withheld.message).toBe(
      'the platform answered 401 Unauthorized (its message is not shown: it contains the API token) (the token in PLATFORM_API_TOKEN was refused)',
    );
  });
});
