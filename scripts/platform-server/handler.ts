// One request, start to finish: injected failure, bearer token, route, input, the write in turn
// with its Idempotency-Key, latency, answer, log line. Any fault is answered as JSON; the server
// keeps running.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlatformError } from '../core/platform-model.ts';
import { errorBody, parseJsonBody, parseTarget, readBody, sendJson } from './http-io.ts';
import {
  IDEMPOTENCY_KEY_PATTERN,
  idempotencyScope,
  lookupIdempotency,
  requestFingerprint,
} from './idempotency.ts';
import { matchRoute, type Answer, type WriteRoute } from './routes.ts';
import type { StateChange } from './state.ts';
import type { PlatformStore } from './store.ts';
import { badRequest, parseActor } from './validation.ts';

export interface HandlerOptions {
  store: PlatformStore;
  token: string;
  clock: () => Date;
  random: () => number;
  failRate: number;
  latencyMs: number;
  log: (line: string) => void;
  /** True once the server is shutting down: answers then close their connection. */
  closing: () => boolean;
}

interface Outcome extends Answer {
  headers?: Record<string, string>;
  replayed?: boolean;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The options and the token's digest, shared by every request. */
interface Context extends HandlerOptions {
  /** Digests have equal lengths, so timingSafeEqual compares in constant time whatever was sent. */
  expected: Buffer;
}

export function createRequestHandler(
  options: HandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const ctx: Context = { ...options, expected: digest(options.token) };
  return (req, res) => respond(ctx, req, res);
}

function authorized(ctx: Context, req: IncomingMessage): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), ctx.expected) && match !== null;
}

async function answer(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<Outcome> {
  if (ctx.failRate > 0 && ctx.random() < ctx.failRate) {
    req.resume();
    return {
      status: 503,
      body: errorBody('SERVICE_UNAVAILABLE', 'injected failure (--fail-rate); retry'),
      headers: { 'retry-after': '0' },
    };
  }
  if (!authorized(ctx, req)) {
    req.resume();
    return {
      status: 401,
      body: errorBody('UNAUTHORIZED', 'missing or wrong bearer token in the Authorization header'),
      headers: { 'www-authenticate': 'Bearer' },
    };
  }
  const method = req.method ?? 'GET';
  const { segments, query } = parseTarget(req.url ?? '/');
  const match = matchRoute(method, segments);
  if (match.kind === 'not-found') {
    req.resume();
    return {
      status: 404,
      body: errorBody('NOT_FOUND', `no such route: ${method} /${segments.join('/')}`),
    };
  }
  if (match.kind === 'method-not-allowed') {
    req.resume();
    const allow = match.allow.join(', ');
    return {
      status: 405,
      body: errorBody('METHOD_NOT_ALLOWED', `${method} is not allowed here; allowed: ${allow}`),
      headers: { allow },
    };
  }
  const { route, params } = match;
  const now = ctx.clock();
  if (route.kind === 'read') {
    req.resume();
    return route.read(ctx.store.state, { params, query, now });
  }
  let body: unknown;
  if (route.hasBody) body = parseJsonBody(await readBody(req, res));
  else req.resume();
  return write(ctx, route, { params, query, now, body }, req, `/${segments.join('/')}`);
}

async function write(
  ctx: Context,
  route: WriteRoute,
  input: Parameters<WriteRoute['prepare']>[0],
  req: IncomingMessage,
  path: string,
): Promise<Outcome> {
  const actor = parseActor(req.headers['x-actor']);
  const key = req.headers['idempotency-key'];
  if (key !== undefined && (Array.isArray(key) || !IDEMPOTENCY_KEY_PATTERN.test(key))) {
    throw badRequest('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
  const operation = route.prepare(input);
  const scope = key === undefined ? undefined : idempotencyScope(route.method, path, key);
  const fingerprint = requestFingerprint(input.body, actor);
  return ctx.store.write((state) => {
    // Read inside the turn so audit times follow the order writes were applied in.
    const now = ctx.clock();
    if (scope !== undefined) {
      const found = lookupIdempotency(state.idempotency, scope, fingerprint, now);
      if (found.kind === 'replay') {
        const { status, body } = found.record;
        return { change: null, value: { status, body, replayed: true } };
      }
      if (found.kind === 'reused') {
        const body = errorBody(
          'IDEMPOTENCY_KEY_REUSED',
          `Idempotency-Key '${key}' was already used for a different request to ${route.method} ${path}`,
        );
        return { change: null, value: { status: 422, body } };
      }
    }
    let change: StateChange | null = null;
    let outcome: Outcome;
    try {
      const applied = operation(state, { now, actor });
      change = applied.change;
      outcome = { status: applied.status, body: applied.body };
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      outcome = { status: error.status, body: errorBody(error.code, error.message) };
    }
    if (scope !== undefined) {
      const record = { scope, fingerprint, ...outcome, at: now.toISOString() };
      change = { ...change, idempotency: record };
    }
    return { change, value: outcome };
  });
}

/** Answers one request and logs it; any fault becomes a JSON answer. */
function respond(ctx: Context, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  const target = (req.url ?? '').slice(0, 200);
  void (async () => {
    let outcome: Outcome;
    try {
      outcome = await answer(ctx, req, res);
    } catch (error) {
      if (error instanceof PlatformError) {
        outcome = { status: error.status, body: errorBody(error.code, error.message) };
      } else {
        ctx.log(
          `internal error on ${req.method} ${target}: ${(error as Error).stack ?? String(error)}`,
        );
        outcome = {
          status: 500,
          body: errorBody('INTERNAL', 'internal error; see the server log'),
        };
      }
    }
    if (ctx.latencyMs > 0) await sleep(ctx.latencyMs);
    const headers = { ...outcome.headers };
    if (outcome.replayed) headers['idempotent-replayed'] = 'true';
    if (ctx.closing()) headers.connection = 'close';
    if (!res.headersSent && !res.destroyed) sendJson(res, outcome.status, outcome.body, headers);
    const ms = Math.round(performance.now() - started);
    ctx.log(
      `${req.method} ${target} ${outcome.status} ${ms}ms${outcome.replayed ? ' (replayed)' : ''}`,
    );
  })().catch((error: unknown) => {
    ctx.log(`cannot answer ${req.method} ${target}: ${String(error)}`);
    res.destroy();
  });
}
