// Deploy moves the platform only forward to the tip of the branch it deploys: a re-run of an
// old deploy job (HEAD behind origin/main), an unpushed commit, or another branch is refused
// before anything is read from or written to the platform. No origin: nothing to compare.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanupRemotes, withRemote } from '../helpers/remote.ts';
import { at, closeWorlds, deployWorld, stateChanges } from './setup.ts';

// Real git, the real server and several deploys per test: on 2 shared cores a run can take far
// longer than the 30 s default, and a test must not fail for that.
vi.setConfig({ testTimeout: 180_000 });

afterEach(async () => {
  await closeWorlds();
  cleanupRemotes();
});

const T0 = '2026-11-01T09:00:00Z';

describe('deploy --branch', () => {
  it('refuses a re-run of an old deploy: HEAD behind origin/main, nothing applied', async () => {
    const w = await deployWorld();
    w.repo.flag('video', { key: 'live' }).commit(T0);
    const old = w.repo.head();
    const remote = withRemote(w.repo);
    expect((await w.deploy(at(T0, 1))).status).toBe(0);
    w.repo.flag('video', { key: 'live', state: 'beta' }).commit(at(T0, 30));
    w.repo.git('push', '-q', 'origin', 'main');
    expect((await w.deploy(at(T0, 31))).status).toBe(0);
    const tip = remote.sha('main')!;
    const changes = await stateChanges(w.platform);
    expect(changes).toEqual(['live alpha->beta']);

    // The old run checks out its own commit again.
    w.repo.git('checkout', '-q', '--detach', old);
    for (const command of ['deploy', 'plan'] as const) {
      const rerun = await w.run(command, at(T0, 40));
      expect(rerun.status).toBe(1);
      const lines = rerun.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(old.slice(0, 12));
      expect(lines[0]).toContain(tip.slice(0, 12));
      expect(lines[0]).toContain('origin/main');
      expect(rerun.json).toMatchObject({
        ok: false,
        error: { code: 'not-branch-tip', head: old, tip, branch: 'main' },
      });
    }
    // Nothing demoted, nothing written.
    expect(await stateChanges(w.platform)).toEqual(changes);
    expect((await w.platform.client.listFlags()).map((f) => f.state)).toEqual(['beta']);
  });

  it('fetches first: a tip pushed by someone else makes the local main stale', async () => {
    const w = await deployWorld();
    w.repo.flag('video', { key: 'live' }).commit(T0);
    const remote = withRemote(w.repo);
    const mine = w.repo.head();
    // Another clone pushes a newer main; this checkout has not fetched it.
    w.repo.flag('video', { key: 'other' }).commit(at(T0, 1));
    w.repo.git('push', '-q', 'origin', 'main');
    w.repo.git('reset', '-q', '--hard', mine);
    w.repo.git('update-ref', 'refs/remotes/origin/main', mine);

    const result = await w.deploy(at(T0, 2));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(remote.sha('main')!.slice(0, 12));
    expect(await w.platform.client.listFlags()).toEqual([]);
  });

  it('deploys the tip of the branch it is given, and refuses an unpushed commit', async () => {
    const w = await deployWorld();
    w.repo.flag('video', { key: 'live' }).commit(T0);
    withRemote(w.repo);
    w.repo.git('checkout', '-q', '-b', 'release');
    w.repo.flag('video', { key: 'hotfix' }).commit(at(T0, 1));
    w.repo.git('push', '-q', 'origin', 'release');

    const onMain = await w.deploy(at(T0, 2));
    expect(onMain.status).toBe(1);
    expect(onMain.stderr).toContain('origin/main');

    const onRelease = await w.deploy(at(T0, 2), ['--branch', 'release']);
    expect(onRelease.status).toBe(0);
    expect(onRelease.json.branch).toMatchObject({ checked: true, branch: 'release' });
    expect((await w.platform.client.listFlags()).map((f) => f.key)).toEqual(['hotfix', 'live']);

    w.repo.flag('video', { key: 'unpushed' }).commit(at(T0, 3));
    const unpushed = await w.deploy(at(T0, 4), ['--branch', 'release']);
    expect(unpushed.status).toBe(1);
    expect((await w.platform.client.listFlags()).map((f) => f.key)).toEqual(['hotfix', 'live']);

    const bad = await w.deploy(at(T0, 4), ['--branch', '--upload-pack=x']);
    expect(bad.status).toBe(2);
  });

  it('without an origin there is nothing to compare with: it deploys', async () => {
    const w = await deployWorld();
    w.repo.flag('video', { key: 'live' }).commit(T0);
    const result = await w.deploy(at(T0, 1));
    expect(result.status).toBe(0);
    expect(result.json.branch).toMatchObject({ checked: false, branch: 'main' });
  });
});
