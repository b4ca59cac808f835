// The platform server as a library: `npm run platform`, `npm start` and tests all start it here.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { acquireDataLock, type DataLock } from './data-lock.ts';
import { createRequestHandler } from './handler.ts';
import { errorBody } from './http-io.ts';
import { PlatformStore } from './store.ts';

export interface PlatformServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where the state is kept across restarts; omitted keeps it in memory only. */
  dataFile?: string;
  /** The bearer token clients must send; omitted, a random one is made (see the handle). */
  token?: string;
  /** Fraction of requests answered 503 before any effect, for tests of clients. */
  failRate?: number;
  /** Delay added to every answer. */
  latencyMs?: number;
  clock?: () => Date;
  /** One line per request, and internal errors; silent when omitted. */
  log?: (line: string) => void;
  random?: () => number;
  /** A request's headers must arrive within this (default 10 s), else 408 and close. */
  headersTimeoutMs?: number;
  /** A whole request, body included, must arrive within this (default 30 s), else 408. */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** Connections beyond this many open at once are closed on arrival (default 1000). */
  maxConnections?: number;
}

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1000,
};

export interface PlatformServerHandle {
  url: string;
  port: number;
  token: string;
  dataFile: string | undefined;
  /** Stops accepting, lets requests in flight finish (writes included), then resolves. */
  close(): Promise<void>;
}

/** How long close() waits for requests in flight before cutting connections. */
const CLOSE_GRACE_MS = 5000;

export async function startPlatformServer(
  options: PlatformServerOptions = {},
): Promise<PlatformServerHandle> {
  const failRate = options.failRate ?? 0;
  const latencyMs = options.latencyMs ?? 0;
  if (!(failRate >= 0 && failRate <= 1)) throw new RangeError('failRate must be between 0 and 1');
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new RangeError('latencyMs must be a non-negative number');
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  if (token === '') throw new RangeError('token must not be empty');
  const host = options.host ?? '127.0.0.1';
  const lock = options.dataFile === undefined ? null : await lockDataFile(options.dataFile);
  try {
    const store = await PlatformStore.open(options.dataFile);
    return await serve(options, { store, token, host, failRate, latencyMs, lock });
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

async function lockDataFile(dataFile: string): Promise<DataLock> {
  await mkdir(dirname(dataFile), { recursive: true });
  return acquireDataLock(dataFile);
}

interface Serving {
  store: PlatformStore;
  token: string;
  host: string;
  failRate: number;
  latencyMs: number;
  lock: DataLock | null;
}

async function serve(
  options: PlatformServerOptions,
  ready: Serving,
): Promise<PlatformServerHandle> {
  const { store, token, host, lock } = ready;
  let closing = false;
  const handler = createRequestHandler({
    store,
    token,
    clock: options.clock ?? (() => new Date()),
    random: options.random ?? Math.random,
    failRate: ready.failRate,
    latencyMs: ready.latencyMs,
    log: options.log ?? (() => undefined),
    closing: () => closing,
  });
  const server = createLimitedServer(limitsOf(options), handler);
  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await stopped;
      clearTimeout(force);
      await store.idle();
      await lock?.release();
    })();
    return closed;
  };
  return { url, port, token, dataFile: options.dataFile, close };
}

function limitsOf(options: PlatformServerOptions): ConnectionLimits {
  const limits: ConnectionLimits = {
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs,
    maxConnections: options.maxConnections ?? DEFAULT_LIMITS.maxConnections,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new RangeError(`${name} must be a positive integer`);
    }
  }
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new RangeError('requestTimeoutMs must be at least headersTimeoutMs');
  }
  return limits;
}

/**
 * A node server that closes slow clients: headers and whole requests have deadlines (node
 * answers 408 through 'clientError' when a status can still be sent), checked often enough that
 * a deadline is kept to within a quarter of it, and connections past the cap are dropped.
 */
function createLimitedServer(
  limits: ConnectionLimits,
  handler: Parameters<typeof createServer>[1],
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  return server;
}

interface ClientErrorAnswer {
  status: number;
  reason: string;
  code: string;
  message: string;
}

const CLIENT_ERRORS: Record<string, ClientErrorAnswer> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'HEADERS_TOO_LARGE',
    message: 'the request headers (or URL) are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'REQUEST_TIMEOUT',
    message: 'the request did not arrive in time; the connection is closed',
  },
};

const MALFORMED: ClientErrorAnswer = {
  status: 400,
  reason: 'Bad Request',
  code: 'BAD_REQUEST',
  message: 'malformed HTTP request',
};

/** Requests node cannot take (too large, too slow, bad syntax) still get a JSON answer. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, reason, code, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the server has no TCP address'));
      } else {
        resolve(address.port);
      }
    });
  });
}
