// Slow and greedy clients: connections that never finish their headers or their body are closed
// (408 where a status can still be sent), and connections past the cap are dropped on arrival.
// Timeouts are small and configurable; every wait is on an event (a socket closing), never on
// the clock, so a loaded machine only makes the test slower, not wrong.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startPlatformServer,
  type PlatformServerHandle,
} from '../../scripts/platform-server/server.ts';
import { platformServer } from '../helpers/platform-server.ts';

const servers: PlatformServerHandle[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Held {
  socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
  isClosed: () => boolean;
}

/** Opens a connection and sends `first` (possibly nothing), then holds it open. */
function hold(port: number, first: string): Held {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let done = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  if (first !== '') socket.on('connect', () => socket.write(first));
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      done = true;
      resolve(received);
    }),
  );
  return { socket, closed, isClosed: () => done };
}

async function start(
  options: Parameters<typeof startPlatformServer>[0],
): Promise<PlatformServerHandle> {
  const server = await startPlatformServer(options);
  servers.push(server);
  return server;
}

describe('slow clients', () => {
  it('closes many connections that never finish their headers or body, with 408', async () => {
    const server = await start({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const put =
      `PUT /api/v1/platform/feature-flags/slow HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${server.token}\r\ncontent-type: application/json\r\n` +
      `content-length: 100\r\n\r\n{"description"`;
    const kinds = ['', 'GET /api/v1/platform/feature-flags HTTP/1.1\r\nHost: x\r\n', put];
    const held = Array.from({ length: 300 }, (_, i) => hold(server.port, kinds[i % 3] ?? ''));
    const answers = await Promise.all(held.map((h) => h.closed));
    const statusLines = answers.map((a) => a.split('\r\n')[0]);
    expect(new Set(statusLines)).toEqual(new Set(['HTTP/1.1 408 Request Timeout']));
    expect(answers[2]).toContain('"code":"REQUEST_TIMEOUT"');

    // The server still answers well-behaved clients.
    const res = await fetch(`${server.url}/api/v1/platform/feature-flags`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(res.status).toBe(200);
  });

  it('drops connections past the cap while the others are held', async () => {
    // Long timeouts: the held connections stay open until the test lets them go.
    const server = await start({
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
      maxConnections: 5,
    });
    const held = Array.from({ length: 5 }, () => hold(server.port, 'GET / HTTP/1.1\r\n'));
    // Each held connection has reached the server once its partial request is on the wire and a
    // later connection was seen: node accepts in order.
    await Promise.all(held.map((h) => new Promise((r) => h.socket.once('connect', r))));
    const extra = hold(server.port, '');
    expect(await extra.closed).toBe('');
    expect(held.map((h) => h.isClosed())).toEqual([false, false, false, false, false]);
  });

  it('keeps the cap configurable and the defaults sane', async () => {
    await expect(start({ maxConnections: 0 })).rejects.toThrow(/maxConnections/);
    await expect(start({ headersTimeoutMs: 500, requestTimeoutMs: 100 })).rejects.toThrow(
      /requestTimeoutMs/,
    );
    // The test helper's server (default limits) answers as before.
    const platform = await platformServer();
    try {
      expect(await platform.client.listFlags()).toEqual([]);
    } finally {
      await platform.close();
    }
  });
});
