// `npm run platform` as a process: options, the token, the `listening on` line, a SIGKILL in the
// middle of writes losing nothing acknowledged, a clean SIGTERM, a damaged data file refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../scripts/adapters/platform-client.ts';
import {
  DEFAULT_DATA_FILE,
  DEFAULT_PORT,
  parsePlatformArgs,
} from '../../scripts/platform-server/main.ts';
import { PlatformDataError } from '../../scripts/platform-server/persistence.ts';
import { startPlatformServer } from '../../scripts/platform-server/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'scripts/platform-server/main.ts');
const TOKEN = 'process-test-token-7d1e';
const ENV = { PLATFORM_API_TOKEN: TOKEN };

let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'platform-process-'));
});
afterEach(() => {
  // Whatever a failed test left running.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a process and resolves once it prints `listening on URL`, or rejects when it exits. */
function launch(
  command: string,
  args: string[],
  options: { detached?: boolean } = {},
): Promise<Running> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no 'listening on' line in 20 s; stderr: ${stderr}`)),
      20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stderr: () => stderr, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

const launchMain = (args: string[]): Promise<Running> =>
  launch(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...args]);

const clientFor = (url: string) =>
  createPlatformClient({ baseUrl: url, token: TOKEN, retries: 0, timeoutMs: 5_000 });

const meta = { description: 'd', owner: '@novalien/video', depends_on: [] };

describe('parsePlatformArgs', () => {
  it('reads the options and the token, with defaults', () => {
    expect(parsePlatformArgs([], ENV)).toEqual({
      kind: 'run',
      options: {
        port: DEFAULT_PORT,
        dataFile: DEFAULT_DATA_FILE,
        failRate: 0,
        latencyMs: 0,
        token: TOKEN,
      },
    });
    expect(
      parsePlatformArgs(
        ['--port', '0', '--data', 'x.json', '--fail-rate', '0.25', '--latency-ms', '40'],
        ENV,
      ),
    ).toEqual({
      kind: 'run',
      options: { port: 0, dataFile: 'x.json', failRate: 0.25, latencyMs: 40, token: TOKEN },
    });
    expect(parsePlatformArgs(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('refuses bad values with one line, and a missing token', () => {
    const refusals: [string[], RegExp][] = [
      [['--port', 'abc'], /--port 'abc' must be an integer from 0 to 65535/],
      [['--port', '70000'], /--port/],
      [['--port', '-1'], /--port/],
      [['--fail-rate', '2'], /--fail-rate '2' must be a number from 0 to 1/],
      [['--fail-rate', 'half'], /--fail-rate/],
      [['--latency-ms', '1.5'], /--latency-ms/],
      [['--bogus'], /Unknown option '--bogus'.*--help/],
      [['extra'], /positional/i],
    ];
    for (const [argv, message] of refusals) {
      const result = parsePlatformArgs(argv, ENV);
      expect(result.kind).toBe('error');
      if (result.kind === 'error') {
        expect(result.message).toMatch(message);
        expect(result.message).not.toContain('\n');
      }
    }
    const noToken = parsePlatformArgs([], {});
    expect(noToken).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/PLATFORM_API_TOKEN is not set/),
    });
  });
});

describe('the server process', () => {
  it('loses nothing acknowledged when SIGKILLed mid-writes, and stops cleanly on SIGTERM', async () => {
    const dataFile = join(dir, 'crash', 'platform.json');
    const first = await launchMain(['--data', dataFile]);
    const client = clientFor(first.url);
    await client.putFlag('base', meta);
    await client.setState('base', 'beta');

    const acknowledged: string[] = [];
    let killed = false;
    const writes = Array.from({ length: 40 }, (_, i) => `burst-${i}`).map((key) =>
      client.putFlag(key, meta).then(() => {
        acknowledged.push(key);
        if (acknowledged.length >= 10 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }),
    );
    await Promise.allSettled(writes);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);

    const second = await launchMain(['--data', dataFile]);
    const after = clientFor(second.url);
    const keys = (await after.listFlags()).map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(['base', ...acknowledged]));
    expect((await after.getFlag('base'))?.state).toBe('beta');
    expect((await after.auditLog({ flag: 'base' })).map((e) => e.action)).toEqual([
      'platform.feature_flag_created',
      'platform.feature_flag_state_changed',
    ]);
    // Still writable after the crash.
    expect((await after.putFlag('after-crash', meta)).created).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stderr()).toMatch(/GET \/api\/v1\/platform\/feature-flags 200 \d+ms/);
    expect(second.stderr()).toContain('platform: stopped');
    expect(second.stderr()).not.toContain(TOKEN);
  });

  it('refuses to start on a damaged data file, and leaves it as it was', async () => {
    const dataFile = join(dir, 'damaged.json');
    const damaged = '{"format": "novavms-platform/1", "flags": {"x": ';
    await writeFile(dataFile, damaged);
    await expect(startPlatformServer({ dataFile })).rejects.toBeInstanceOf(PlatformDataError);

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--port', '0', '--data', dataFile],
      {
        cwd: ROOT,
        env: { ...process.env, ...ENV },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(dataFile);
    expect(stderr).toMatch(/not valid JSON.*refusing to start/);
    expect(await readFile(dataFile, 'utf8')).toBe(damaged);
  });

  it('runs as `npm run platform` and prints exactly the listening line', async () => {
    const dataFile = join(dir, 'npm', 'platform.json');
    const running = await launch(
      'npm',
      ['run', '--silent', 'platform', '--', '--port', '0', '--data', dataFile],
      {
        detached: true,
      },
    );
    expect(await clientFor(running.url).listFlags()).toEqual([]);
    // npm, tsx and the server share a process group of their own.
    if (running.child.pid !== undefined) process.kill(-running.child.pid, 'SIGTERM');
    const { code, signal } = await running.exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
  });
});
