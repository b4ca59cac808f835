// status as an engineer reads it on a daily basis: NEXT agrees with BLOCKED BY, SINCE is when the
// flag entered the state it is in, a branch's own change is not drift, one time format.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';
import { platformServer } from '../helpers/platform-server.ts';

afterEach(cleanupRepos);

const NOW = '2026-11-24T12:00:00Z';

describe('flags status, read daily', () => {
  it('never says a flag may go next "now" while BLOCKED BY names a dependency', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'dep' })
      .flag('video', { key: 'top', depends_on: ['dep'] });
    repo.commit('2026-11-01T00:00:00Z');
    const out = await repo.cli(['status', '--now', NOW]);
    const top = out.stdout.split('\n').find((l) => l.startsWith('top '))!;
    expect(top).toContain('dependency `dep` is alpha; promote it to beta first');
    expect(top).not.toMatch(/beta now/);
    expect(top).toContain('beta, once unblocked');
    const dep = out.stdout.split('\n').find((l) => l.startsWith('dep '))!;
    expect(dep).toMatch(/beta now\s*$/);
  });

  it('shows every time in one format, to the minute', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.commit('2026-11-24T09:30:26Z');
    const out = await repo.cli(['status', '--now', NOW]);
    const live = out.stdout.split('\n').find((l) => l.startsWith('live '))!;
    // Since rounds down; the next step's time rounds up, so it is never before the soak ends.
    expect(live).toMatch(
      /alpha\s+2026-11-24 09:30 UTC\s+21 h 30 min\s+beta from 2026-11-25 09:31 UTC/,
    );
    expect(out.stdout).not.toMatch(/\d\d:\d\d:\d\d UTC/);
  });

  it('after an on-call revert on the platform, SINCE is when the flag entered its state, not the revert', async () => {
    let clock = new Date('2026-11-20T00:00:00Z');
    const platform = await platformServer({ clock: () => clock });
    try {
      await platform.client.putFlag('live', {
        description: 'The live feature.',
        owner: '@novalien/video',
        depends_on: [],
      });
      clock = new Date('2026-11-21T00:00:00Z');
      await platform.client.setState('live', 'beta');
      // On-call flips it back on the platform by hand; the repository still says beta.
      clock = new Date('2026-11-24T10:00:00Z');
      await platform.client.setState('live', 'alpha');

      const repo = gitRepo().flag('video', { key: 'live' });
      repo.commit('2026-11-19T00:00:00Z');
      repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-21T00:00:00Z');
      const out = await repo.cli(
        ['status', '--now', NOW, '--platform-url', platform.url, '--json'],
        { PLATFORM_API_TOKEN: platform.token },
      );
      const live = out.json.flags.find((f: any) => f.key === 'live');
      expect(live.state).toBe('beta');
      expect(live.since).toBe('2026-11-21T00:00:00Z');
      expect(live.blockedBy).toContain('drift: the platform has it at alpha');
    } finally {
      await platform.close();
    }
  });

  it("shows the current branch's unmerged promotion as such, not as drift", async () => {
    const platform = await platformServer({ clock: () => new Date('2026-11-01T00:00:00Z') });
    try {
      await platform.client.putFlag('live', {
        description: 'The live feature.',
        owner: '@novalien/video',
        depends_on: [],
      });
      const repo = gitRepo().flag('video', { key: 'live' });
      repo.commit('2026-11-01T00:00:00Z');
      repo.git('checkout', '-q', '-b', 'flags/promote-live');
      repo.flag('video', { key: 'live', state: 'beta' }).commit('2026-11-24T11:00:00Z');
      const env = { PLATFORM_API_TOKEN: platform.token };
      const args = ['status', '--now', NOW, '--platform-url', platform.url];

      const json = await repo.cli([...args, '--json'], env);
      const live = json.json.flags.find((f: any) => f.key === 'live');
      expect(live.unmerged).toEqual({ ref: 'main', state: 'alpha' });
      expect(live.blockedBy.join(' ')).not.toContain('drift');
      expect(live.blockedBy[0]).toContain('npx flags check --base main');

      const text = await repo.cli(args, env);
      expect(text.stdout).toMatch(
        /^live\s+beta \(unmerged; alpha on main\)\s+-\s+-\s+merge first/m,
      );

      // On main itself nothing is unmerged.
      repo.git('checkout', '-q', 'main');
      const onMain = await repo.cli([...args, '--json'], env);
      expect(onMain.json.flags[0].unmerged).toBeNull();
    } finally {
      await platform.close();
    }
  });

  it('suggests the nearest key for a misspelt one', async () => {
    const repo = gitRepo().flag('video', { key: 'live-view' });
    repo.commit('2026-11-01T00:00:00Z');
    const out = await repo.cli(['status', 'live-veiw']);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("did you mean 'live-view'?");
  });
});
