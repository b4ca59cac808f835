// The platform server as a library: `npm run platform`, `npm start` and tests all start it here.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
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
}

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
  const store = await PlatformStore.open(options.dataFile);
  let closing = false;
  const handler = createRequestHandler({
    store,
    token,
    clock: options.clock ?? (() => new Date()),
    random: options.random ?? Math.random,
    failRate,
    latencyMs,
    log: options.log ?? (() => undefined),
    closing: () => closing,
  });
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, handler);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Requests node cannot parse (a huge header, bad syntax) still get a JSON answer.
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify(
      errorBody(
        status === 431 ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST',
        status === 431 ? 'the request headers (or URL) are too large' : 'malformed HTTP request',
      ),
    );
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });
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
    })();
    return closed;
  };
  return { url, port, token, dataFile: options.dataFile, close };
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
