// The README's examples run on the repository as shipped: every `npx flags ...` line of its `sh`
// blocks is run on a clone of the committed tree, and every file it links to exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `npx flags` command lines of the README's sh blocks, continuation lines joined. */
export function readmeCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, '').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx flags'));
}

// Docs written in other branches of this sprint; until they merge, their links cannot resolve here.
let work: string;
let clone: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv() });
}

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // No real GitHub, platform or npm context: the examples run as on a fresh laptop.
    if (/^(npm_|INIT_CWD$|GITHUB_|PLATFORM_API_)/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Engineer',
    GIT_AUTHOR_EMAIL: 'engineer@example.com',
    GIT_COMMITTER_NAME: 'Engineer',
    GIT_COMMITTER_EMAIL: 'engineer@example.com',
  };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'flags-readme-'));
  const origin = join(work, 'origin.git');
  clone = join(work, 'clone');
  // The committed tree, as `main` of an origin of its own (pushes of --open-pr land there).
  git(ROOT, 'clone', '-q', '--bare', ROOT, origin);
  git(origin, 'update-ref', 'refs/heads/main', git(ROOT, 'rev-parse', 'HEAD').trim());
  git(origin, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  git(work, 'clone', '-q', origin, clone);
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  execFileSync(process.execPath, ['bin/build.js'], { cwd: clone, stdio: 'ignore' });
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('README', () => {
  const commands = readmeCommands(README);

  it('has the quick start, and commands to run', () => {
    expect(README).toContain('```sh\nnpm ci && npm start');
    expect(README).toMatch(/^npm test\b/m);
    expect(commands.length).toBeGreaterThan(5);
    expect(README).not.toMatch(/npm run (--silent )?flags -- [a-z]/);
    expect(README).not.toMatch(/hidden option/i);
  });

  it('links only to files the repository has', () => {
    const links = [...README.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    const local = links.filter((l) => !/^[a-z]+:/.test(l));
    expect(local.length).toBeGreaterThan(0);
    for (const link of local) {
      expect(existsSync(join(ROOT, link)), link).toBe(true);
    }
  });

  it.each(commands)(
    '%s',
    (command) => {
      git(clone, 'checkout', '-q', '-f', 'main');
      git(clone, 'reset', '-q', '--hard', 'origin/main');
      // node_modules is a symlink here, which git counts as an untracked file.
      git(clone, 'clean', '-fdq', '-e', 'node_modules');
      const out = spawnSync('sh', ['-c', command], { cwd: clone, encoding: 'utf8', env: gitEnv() });
      // 0 done, 1 the command said no (a refusal is an answer); 2 would be a broken example.
      expect(out.stderr).not.toContain('internal error');
      expect([0, 1], `${command}\n${out.stdout}\n${out.stderr}`).toContain(out.status);
      if (command.startsWith('npx flags new ')) expect(out.status, out.stdout + out.stderr).toBe(0);
      // A whole command through npx on 2 shared cores: generous, since nothing here waits on time.
    },
    180_000,
  );
});
