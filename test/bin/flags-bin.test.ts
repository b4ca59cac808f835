// The `flags` bin as people run it: npx from a team folder, --json parseable, the build used only
// while it is the working tree's code, and a reader that goes away early (| head) ends quietly.
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_DIR, STAMP_FILE, currentStamp, stampMatches } from '../../bin/build-stamp.js';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/flags.js');
const run = promisify(execFile);

const temps: string[] = [];
afterEach(() => {
  cleanupRepos();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flags-bin-'));
  temps.push(dir);
  return dir;
}

/** An environment without npm's variables, as in a terminal. */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'INIT_CWD'),
  );
}

describe('the flags bin', () => {
  it('npx flags works from a team folder, and its --json is one parseable document', async () => {
    const repo = gitRepo().flag('video', { key: 'live' }).flag('video', { key: 'other' });
    repo.commit('2026-11-01T00:00:00Z');
    // npx finds the bin of the package it runs in; the repository is found upward from the cwd.
    const out = await run(
      'npx',
      ['--no-install', '--prefix', ROOT, 'flags', 'validate', '--json'],
      {
        cwd: join(repo.dir, 'flags/video'),
        env: plainEnv(),
      },
    );
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, flags: 2 });

    const silent = await run('npm', ['run', '--silent', 'flags', '--', 'validate', '--json'], {
      cwd: ROOT,
      env: plainEnv(),
    });
    expect(JSON.parse(silent.stdout)).toMatchObject({ ok: expect.any(Boolean) });
  });

  it('a reader that closes early (flags validate | head -3) ends it quietly', async () => {
    const repo = gitRepo();
    // Enough errors to fill the pipe many times over.
    for (let i = 0; i < 1500; i++)
      repo.flag('video', { key: `f${i}`, state: 'ga', revertible: false });
    const child = spawn(process.execPath, [BIN, 'validate'], {
      cwd: repo.dir,
      env: plainEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(status).toBe(1);
  });
});

describe('the build stamp', () => {
  /** A package with the real bin, a "source" cli and a "built" cli, each saying which it is. */
  function fakePackage(): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'scripts/core'), { recursive: true });
    mkdirSync(join(dir, BUILD_DIR, 'js'), { recursive: true });
    for (const f of ['flags.js', 'build-stamp.js'])
      copyFileSync(join(ROOT, 'bin', f), join(dir, 'bin', f));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const cli = (which: string) =>
      `export async function main(): Promise<void> { process.stdout.write('${which}\\n'); }\n`;
    writeFileSync(join(dir, 'scripts/cli.ts'), cli('source'));
    writeFileSync(join(dir, 'scripts/core/x.ts'), 'export const x = 1;\n');
    writeFileSync(
      join(dir, BUILD_DIR, 'js/cli.js'),
      `export async function main() { process.stdout.write('built\\n'); }\n`,
    );
    writeFileSync(join(dir, BUILD_DIR, STAMP_FILE), JSON.stringify(currentStamp(dir)));
    return dir;
  }

  const which = async (dir: string) =>
    (await run(process.execPath, [join(dir, 'bin/flags.js')], { cwd: dir, env: plainEnv() }))
      .stdout;

  it('runs the build while it matches the sources, and the sources once one changes', async () => {
    const dir = fakePackage();
    expect(await which(dir)).toBe('built\n');

    // A checkout or a touch moves the time but not the content: still the same code.
    utimesSync(join(dir, 'scripts/core/x.ts'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(await which(dir)).toBe('built\n');

    // An edit: the build is stale and never runs.
    writeFileSync(join(dir, 'scripts/core/x.ts'), 'export const x = 2;\n');
    expect(await which(dir)).toBe('source\n');
  });

  it('counts a new or deleted source file, and a missing stamp, as stale', () => {
    const dir = fakePackage();
    const stamp = currentStamp(dir);
    expect(stampMatches(dir, stamp)).toBe(true);
    writeFileSync(join(dir, 'scripts/core/y.ts'), 'export const y = 1;\n');
    expect(stampMatches(dir, stamp)).toBe(false);
    rmSync(join(dir, 'scripts/core/y.ts'));
    rmSync(join(dir, 'scripts/core/x.ts'));
    expect(stampMatches(dir, stamp)).toBe(false);
  });

  it('runs the sources when there is no build (npm ci --ignore-scripts)', async () => {
    const dir = fakePackage();
    rmSync(join(dir, BUILD_DIR), { recursive: true });
    expect(await which(dir)).toBe('source\n');
  });
});
