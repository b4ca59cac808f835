// `npm run platform` as a process: options, the token, the `listening on` line, a SIGKILL in the
// middle of writes losing nothing acknowledged, a clean SIGTERM, a damaged data file refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
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
import { processStartTime } from '../../scripts/platform-server/data-lock.ts';
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

/** Runs the server to its exit (for starts that must fail). */
async function runToExit(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** A PUT whose headers are sent and acknowledged (100 Continue); its body is the caller's. */
async function startWrite(
  url: string,
  path: string,
  headers: string[],
): Promise<{ socket: Socket; answer: Promise<string> }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  const continued = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        received = received.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
        resolve();
      }
    });
    socket.on('error', reject);
  });
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(
    [
      `PUT ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      `Authorization: Bearer ${TOKEN}`,
      'Content-Type: application/json',
      ...headers,
      '',
      '',
    ].join('\r\n'),
  );
  await continued;
  return { socket, answer };
}

/** Polls a condition on output already being collected (no deadline: the test's own applies). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

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
    expect(
      parsePlatformArgs(
        ['--headers-timeout-ms', '2000', '--request-timeout-ms', '4000', '--max-connections', '50'],
        ENV,
      ),
    ).toMatchObject({
      kind: 'run',
      options: { headersTimeoutMs: 2000, requestTimeoutMs: 4000, maxConnections: 50 },
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
      [['--max-connections', '0'], /--max-connections '0' must be an integer from 1/],
      [['--headers-timeout-ms', 'soon'], /--headers-timeout-ms 'soon'/],
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

  it('stops on SIGTERM to `npm run platform`: the write in flight answered, the lock released', async () => {
    const dataFile = join(dir, 'npm', 'platform.json');
    const running = await launch('npm', [
      'run',
      '--silent',
      'platform',
      '--',
      '--port',
      '0',
      '--data',
      dataFile,
    ]);
    expect(await clientFor(running.url).listFlags()).toEqual([]);
    expect(existsSync(`${dataFile}.lock`)).toBe(true);

    // A write whose headers the server has read (it sent 100 Continue) but whose body is not sent.
    const body = JSON.stringify(meta);
    const inFlight = await startWrite(running.url, '/api/v1/platform/feature-flags/in-flight', [
      'Expect: 100-continue',
      `Content-Length: ${Buffer.byteLength(body)}`,
    ]);
    // SIGTERM to npm alone, as a process manager sends it, not to the process group.
    running.child.kill('SIGTERM');
    await waitFor(() => running.stderr().includes('platform: SIGTERM, stopping'));
    inFlight.socket.write(body);
    const answer = await inFlight.answer;
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
    expect(answer.toLowerCase()).toContain('connection: close');

    const { code } = await running.exited;
    expect(code).toBe(0);
    expect(running.stderr()).toContain('platform: stopped');
    expect(existsSync(`${dataFile}.lock`)).toBe(false);

    const again = await launchMain(['--data', dataFile]);
    expect((await clientFor(again.url).getFlag('in-flight'))?.state).toBe('alpha');
    again.child.kill('SIGINT');
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(`${dataFile}.lock`)).toBe(false);
  });
});

describe('one server per data file', () => {
  it('refuses a second server on the same file with one line naming the first one', async () => {
    const dataFile = join(dir, 'locked', 'platform.json');
    const first = await launchMain(['--data', dataFile]);
    await clientFor(first.url).putFlag('kept', meta);

    const second = await runToExit(['--data', dataFile]);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `platform: cannot start: data file ${dataFile} is in use by process ${first.child.pid} ` +
        `(lock ${dataFile}.lock); stop that server first, or use another --data file`,
    );
    // The first one is untouched and still serves its state.
    expect((await clientFor(first.url).listFlags()).map((f) => f.key)).toEqual(['kept']);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('takes over the lock of a server killed with SIGKILL, and of a pid now used by another process', async () => {
    const dataFile = join(dir, 'stale', 'platform.json');
    const first = await launchMain(['--data', dataFile]);
    await clientFor(first.url).putFlag('before-kill', meta);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(JSON.parse(await readFile(`${dataFile}.lock`, 'utf8'))).toMatchObject({
      pid: first.child.pid,
    });

    const second = await launchMain(['--data', dataFile]);
    expect((await clientFor(second.url).listFlags()).map((f) => f.key)).toEqual(['before-kill']);
    second.child.kill('SIGKILL');
    await second.exited;

    // A live pid (this test runner) whose start time differs from the lock's: the pid was reused.
    const reused = { pid: process.pid, host: hostname(), started: '1' };
    await writeFile(`${dataFile}.lock`, JSON.stringify(reused));
    const third = await launchMain(['--data', dataFile]);
    expect((await clientFor(third.url).listFlags()).map((f) => f.key)).toEqual(['before-kill']);
    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);

    // The same live pid with its true start time is a running owner: refused.
    const live = { pid: process.pid, host: hostname(), started: processStartTime(process.pid) };
    await writeFile(`${dataFile}.lock`, JSON.stringify(live));
    const refused = await runToExit(['--data', dataFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is in use by process ${process.pid}`);
  });
});
