// Temporary git repositories with dated commits, and the CLI run in-process against them.
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
  unlinkSync,
  renameSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../scripts/cli.ts';

export interface FlagData {
  key?: string;
  description?: string;
  owner?: string;
  state?: string;
  revertible?: boolean;
  depends_on?: string[];
  [field: string]: unknown;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json: any;
}

const cleanups: (() => void)[] = [];

/** Removes every repository made since the last call (call from afterEach/afterAll). */
export function cleanupRepos(): void {
  for (const c of cleanups.splice(0)) c();
}

export class TestRepo {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: gitEnv() });
  }

  /** git with committer and author time `at` (ISO): a merge that lands at a known time. */
  gitAt(at: string, ...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...gitEnv(), GIT_COMMITTER_DATE: at, GIT_AUTHOR_DATE: at },
    });
  }

  write(path: string, content: string | Buffer): this {
    const abs = join(this.dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    return this;
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  remove(path: string): this {
    unlinkSync(join(this.dir, path));
    return this;
  }

  move(from: string, to: string): this {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    renameSync(join(this.dir, from), join(this.dir, to));
    return this;
  }

  /** Writes flags/<team>/<key>.yaml with sensible defaults for what is not given. */
  flag(team: string, data: FlagData): this {
    const key = data.key ?? 'x';
    const flag = {
      key,
      description: `The ${key} feature.`,
      owner: `@novalien/${team}`,
      state: 'alpha',
      revertible: true,
      ...data,
    };
    return this.write(`flags/${team}/${key}.yaml`, stringify(flag));
  }

  /** Commits everything with committer and author date `at` (ISO); returns the sha. */
  commit(at: string, message = `change at ${at}`): string {
    return this.commitDated({ committer: at, author: at }, message);
  }

  /**
   * Commits everything with different committer and author dates: the soak clock is committer
   * time (when the commit reached the branch); the author date is the author's to set.
   */
  commitDated(
    dates: { committer: string; author: string },
    message = `change at ${dates.committer}`,
  ): string {
    execFileSync('git', ['add', '-A'], { cwd: this.dir, env: gitEnv() });
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
      cwd: this.dir,
      env: { ...gitEnv(), GIT_COMMITTER_DATE: dates.committer, GIT_AUTHOR_DATE: dates.author },
    });
    return this.head();
  }

  head(ref = 'HEAD'): string {
    return this.git('rev-parse', ref).trim();
  }

  async cli(
    args: string[],
    env: Record<string, string | undefined> = {},
    clock = new Date('2026-11-24T12:00:00Z'),
  ): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    const status = await runCli(args, {
      cwd: this.dir,
      env: { NO_COLOR: '1', ...env },
      clock: () => clock,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      isTTY: false,
    });
    let json: unknown;
    try {
      json = args.includes('--json') ? JSON.parse(stdout) : undefined;
    } catch {
      json = undefined;
    }
    return { status, stdout, stderr, json };
  }
}

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
}

/** A fresh repository on `main` with a CODEOWNERS that covers flags/<team>/ for @novalien/<team>. */
export function gitRepo(options: { codeowners?: string } = {}): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), 'flags-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const repo = new TestRepo(dir);
  repo.git('init', '-q', '-b', 'main');
  repo.git('config', 'commit.gpgsign', 'false');
  repo.write(
    'CODEOWNERS',
    options.codeowners ??
      ['video', 'platform', 'access', 'analytics']
        .map((t) => `/flags/${t}/ @novalien/${t}`)
        .join('\n') + '\n',
  );
  mkdirSync(join(dir, 'flags'), { recursive: true });
  return repo;
}
