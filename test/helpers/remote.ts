// A bare repository as `origin` for a test repository, and a link that lets the GitHub stand-in
// see the branches pushed there (as GitHub sees what is pushed to it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestRepo } from './git-repo.ts';
import type { GitHubStub } from './github-stub.ts';

const cleanups: (() => void)[] = [];

export function cleanupRemotes(): void {
  for (const c of cleanups.splice(0)) c();
}

/** A local committer identity, so commits made by the CLI do not depend on the machine's. */
export function withIdentity(repo: TestRepo): TestRepo {
  repo.git('config', 'user.name', 'Engineer');
  repo.git('config', 'user.email', 'engineer@example.com');
  return repo;
}

export class BareRemote {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', ['--git-dir', this.dir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
      // git's complaint goes into the error thrown, not into the run's log: the stand-in may ask
      // for a branch after the test removed the remote (sha() answers null then).
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Branch names, sorted. */
  branches(): string[] {
    return this.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/')
      .split('\n')
      .filter(Boolean)
      .sort();
  }

  /** The commit a branch points at, or null. */
  sha(branch: string): string | null {
    try {
      return this.git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).trim() || null;
    } catch {
      return null;
    }
  }

  show(branch: string, path: string): string {
    return this.git('show', `${branch}:${path}`);
  }
}

/** Adds a bare `origin` to the repository and pushes its `main` there. */
export function withRemote(repo: TestRepo): BareRemote {
  const dir = mkdtempSync(join(tmpdir(), 'flags-remote-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  repo.git('remote', 'add', 'origin', dir);
  repo.git('push', '-q', '-u', 'origin', 'main');
  return new BareRemote(dir);
}

/** Lets the stub's branch lookups (opening a pull request needs both ends) find pushed branches. */
export function linkStubToRemote(stub: GitHubStub, remote: BareRemote): void {
  const refs = stub.refs;
  const own = refs.get.bind(refs);
  refs.get = (ref: string) =>
    own(ref) ??
    (ref.startsWith('heads/') ? (remote.sha(ref.slice('heads/'.length)) ?? undefined) : undefined);
}
