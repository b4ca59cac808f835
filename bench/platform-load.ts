// Load on the platform server: 50 client loops for 3 s (reads and durable writes mixed) against
// the server in its own process, so the load generator does not share its event loop.
// Run alone with `npx tsx bench/platform-load.ts`; `npm run bench` runs it with the others.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPlatformClient, type PlatformClient } from '../scripts/adapters/platform-client.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'scripts/platform-server/main.ts');

export interface PlatformLoadOptions {
  durationMs?: number;
  concurrency?: number;
}

type Kind = 'read' | 'write';

export async function benchPlatformLoad(options: PlatformLoadOptions = {}): Promise<string[]> {
  const durationMs = options.durationMs ?? 3_000;
  const concurrency = options.concurrency ?? 50;
  const dir = await mkdtemp(join(tmpdir(), 'platform-bench-'));
  const token = `bench-${process.pid}`;
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--port', '0', '--data', join(dir, 'platform.json')],
    {
      cwd: ROOT,
      env: { ...process.env, PLATFORM_API_TOKEN: token },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    const url = await listeningUrl(server.stdout, exited);
    const client = createPlatformClient({ baseUrl: url, token, retries: 0, timeoutMs: 10_000 });
    const keys = await seed(client);
    const samples: Record<Kind, number[]> = { read: [], write: [] };
    let errors = 0;
    const deadline = performance.now() + durationMs;
    const loop = async (worker: number): Promise<void> => {
      for (let i = 0; performance.now() < deadline; i++) {
        const { kind, run } = pickOperation(client, keys, worker, i);
        const started = performance.now();
        try {
          await run();
          samples[kind].push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
    const elapsed = (performance.now() - started) / 1000;
    const all = [...samples.read, ...samples.write];
    const rate = (n: number): string => `${Math.round(n / elapsed)}/s`;
    return [
      `platform load: ${concurrency} client loops for ${elapsed.toFixed(1)} s, server in its own process, each answer after its write is fsynced (group commit)`,
      `  requests ${all.length} (${rate(all.length)}), errors ${errors}`,
      `  all      p50 ${ms(percentile(all, 50))}, p99 ${ms(percentile(all, 99))}`,
      `  reads    ${samples.read.length} (${rate(samples.read.length)}), p50 ${ms(percentile(samples.read, 50))}, p99 ${ms(percentile(samples.read, 99))}`,
      `  writes   ${samples.write.length} (${rate(samples.write.length)}), p50 ${ms(percentile(samples.write, 50))}, p99 ${ms(percentile(samples.write, 99))}`,
    ];
  } finally {
    server.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

/** 20 flags, the first 10 in beta so customer orgs may opt in. */
async function seed(client: PlatformClient): Promise<string[]> {
  const keys = Array.from({ length: 20 }, (_, i) => `bench-flag-${i}`);
  for (const key of keys) {
    await client.putFlag(key, { description: 'bench', owner: '@novalien/bench', depends_on: [] });
  }
  for (const key of keys.slice(0, 10)) await client.setState(key, 'beta');
  return keys;
}

/** A fixed mix: 70 % reads (list, get, org view, audit of one flag), 30 % writes. */
function pickOperation(
  client: PlatformClient,
  keys: string[],
  worker: number,
  i: number,
): { kind: Kind; run: () => Promise<unknown> } {
  const key = keys[(worker + i) % keys.length] ?? 'bench-flag-0';
  const betaKey = keys[(worker + i) % 10] ?? 'bench-flag-0';
  const org = `org-${worker}`;
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
      return { kind: 'read', run: () => client.listFlags() };
    case 3:
    case 4:
      return { kind: 'read', run: () => client.getFlag(key) };
    case 5:
      return { kind: 'read', run: () => client.orgFlags(org) };
    case 6:
      return {
        kind: 'read',
        run: () => client.auditLog({ flag: key, since: new Date().toISOString() }),
      };
    case 7:
    case 8:
      return { kind: 'write', run: () => client.setOptIn(org, betaKey, i % 20 < 10) };
    default:
      return {
        kind: 'write',
        run: () =>
          client.putFlag(key, {
            description: `bench ${worker}/${i}`,
            owner: '@novalien/bench',
            depends_on: [],
          }),
      };
  }
}

function listeningUrl(
  stdout: NodeJS.ReadableStream | null,
  exited: Promise<void>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error('the platform server did not start in 20 s')),
      20_000,
    );
    stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^listening on (\S+)$/m.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error('the platform server exited before listening'));
    });
  });
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(1)} ms`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await benchPlatformLoad()) process.stdout.write(`${line}\n`);
}
