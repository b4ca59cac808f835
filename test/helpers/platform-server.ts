// platformServer(): the real platform server in-process on a free port with a temp data file,
// and a client for it with fast retries. For any test that needs the platform.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPlatformClient,
  type PlatformClient,
  type PlatformClientOptions,
} from '../../scripts/adapters/platform-client.ts';
import {
  startPlatformServer,
  type PlatformServerHandle,
  type PlatformServerOptions,
} from '../../scripts/platform-server/server.ts';

export interface TestPlatformOptions extends Omit<PlatformServerOptions, 'port' | 'token'> {
  /** Extra client options (the defaults retry fast: 1-5 ms backoff, 3 tries). */
  client?: Partial<PlatformClientOptions>;
}

export interface TestPlatform {
  url: string;
  token: string;
  dataFile: string;
  client: PlatformClient;
  server: PlatformServerHandle;
  /** A client with other options, for the same server. */
  newClient(options?: Partial<PlatformClientOptions>): PlatformClient;
  /** Stops the server and starts a new one on the same data file (a new port). */
  restart(): Promise<void>;
  /** Stops the server and removes the temp folder (unless `dataFile` was given). */
  close(): Promise<void>;
}

export async function platformServer(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const { client: clientOptions, ...serverOptions } = options;
  const dir = options.dataFile === undefined ? await mkdtemp(join(tmpdir(), 'platform-')) : null;
  const dataFile = options.dataFile ?? join(dir ?? '', 'platform.json');
  const token = `test-token-${randomBytes(12).toString('hex')}`;
  const start = (): Promise<PlatformServerHandle> =>
    startPlatformServer({ ...serverOptions, dataFile, token, port: 0 });
  const newClient = (more: Partial<PlatformClientOptions> = {}): PlatformClient =>
    createPlatformClient({
      baseUrl: platform.server.url,
      token,
      retries: 2,
      minDelayMs: 1,
      maxDelayMs: 5,
      timeoutMs: 5_000,
      ...clientOptions,
      ...more,
    });
  const server = await start();
  const platform: TestPlatform = {
    url: server.url,
    token,
    dataFile,
    server,
    client: undefined as unknown as PlatformClient,
    newClient,
    async restart() {
      await platform.server.close();
      platform.server = await start();
      platform.url = platform.server.url;
      platform.client = newClient();
    },
    async close() {
      await platform.server.close();
      if (dir !== null) await rm(dir, { recursive: true, force: true });
    },
  };
  platform.client = newClient();
  return platform;
}

/** A small seeded PRNG (mulberry32), for deterministic failure injection and jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
