// `npm start`: the embedded platform, validate, check, plan and deploy, twice (a no-op the second
// time), with the state kept in the data folder between runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { start } from '../../scripts/start.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';
import { cleanupRemotes, withRemote } from '../helpers/remote.ts';

// Real git, the real server and several deploys per test: on 2 shared cores a run can take far
// longer than the 30 s default, and a test must not fail for that.
vi.setConfig({ testTimeout: 180_000 });

afterEach(() => {
  cleanupRepos();
  cleanupRemotes();
});

async function run(
  root: string,
  env: Record<string, string> = {},
): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await start({
    root,
    env: { NO_COLOR: '1', ...env },
    out: (t) => (out += t),
    err: (t) => (err += t),
    port: 0,
  });
  return { status, out, err };
}

describe('npm start', () => {
  it('deploys the repository to the embedded platform, and the second run is a no-op', async () => {
    const repo = gitRepo();
    repo
      .flag('video', { key: 'live-view', alpha_orgs: [{ org: 'acme', preview_agreement: 'PA-1' }] })
      .flag('platform', { key: 'resume' });
    repo.commit('2026-11-01T09:00:00Z');
    repo.flag('access', { key: 'scim' }).commit('2026-11-02T09:00:00Z');

    const first = await run(repo.dir, { PLATFORM_API_TOKEN: 'secret-token-123' });
    expect(first.status).toBe(0);
    expect(first.out).toContain('✓ 3 flags valid');
    expect(first.out).toContain('== check (the last change, HEAD^..HEAD) ==');
    expect(first.out).toContain('Steps (4), by kind');
    expect(first.out).toContain('Registrations (at alpha) (3)');
    expect(first.out).toContain('Org enables (alpha orgs) (1: 1 applied)');
    expect(first.out).toContain('✓ deploy: 4 applied, 0 skipped, 0 failed, 0 drifted');
    expect(first.out).toMatch(
      /platform API: http:\/\/127\.0\.0\.1:\d+ \(data in \.data\/platform\.json\)/,
    );
    expect(first.out + first.err).not.toContain('secret-token-123');
    expect(existsSync(join(repo.dir, '.data/platform.json'))).toBe(true);

    const second = await run(repo.dir);
    expect(second.status).toBe(0);
    expect(second.out).toContain('a no-op deploy');
    expect(second.out).toContain('✓ deploy: 0 applied, 0 skipped, 0 failed, 0 drifted, 3 in sync');
  });

  it('stops before deploying when the flags do not validate', async () => {
    const repo = gitRepo();
    repo
      .flag('video', { key: 'live-view', depends_on: ['missing'] })
      .commit('2026-11-01T09:00:00Z');
    const result = await run(repo.dir);
    expect(result.status).toBe(1);
    expect(result.out).toContain('dependency-missing');
    expect(result.out).toContain('nothing is deployed');
    expect(result.out).not.toContain('== deploy ==');
  });
});

describe('npm start on a branch', () => {
  it('deploys the checkout to its own embedded platform, whatever origin/main is', async () => {
    const repo = gitRepo();
    repo.flag('video', { key: 'live-view' }).commit('2026-11-01T09:00:00Z');
    withRemote(repo);
    repo.git('checkout', '-q', '-b', 'feature');
    repo.flag('access', { key: 'scim' });
    repo.flag('video', { key: 'live-view', state: 'beta' }).commit('2026-11-02T09:00:00Z');
    const result = await run(repo.dir);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    // The embedded platform is bootstrapped from the repository's history (--adopt), loudly.
    expect(result.out).toContain("Adopted (--adopt): the operator took the repository's history");
    expect(result.out).toContain('✓ deploy: 3 applied');
  });
});
