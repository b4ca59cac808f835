import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanupRepos } from '../../helpers/git-repo.ts';
import { cleanupRemotes } from '../../helpers/remote.ts';
import { BACKOFF, EDGE, LIVE_VIEW, flagText, repoWithLiveView } from './fixtures.ts';

afterEach(() => {
  cleanupRepos();
  cleanupRemotes();
});

const NOW = '2026-11-24T12:00:00Z';

describe('flags promote', () => {
  it('promotes alpha to beta after the soak, keeping comments, and CI agrees', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-23T10:00:00Z');
    const before = repo.read(LIVE_VIEW);
    const base = repo.head();

    const run = await repo.cli(['promote', 'live-view', '--now', NOW]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Promoted live-view: alpha -> beta in flags/video/live-view.yaml');
    expect(run.stdout).toContain('allowed it from 2026-11-24 10:00 UTC');
    expect(run.stdout).toContain('- [ ] Announce in the customer release channel');
    expect(run.stdout).toContain('git switch -c flags/promote-live-view');
    const after = repo.read(LIVE_VIEW);
    expect(after).toBe(before.replace('state: alpha #', 'state: beta #'));
    expect(after).toContain('# Owned by the live-view crew');

    repo.commit('2026-11-24T12:05:00Z');
    const check = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-24T12:05:00Z',
      '--json',
    ]);
    expect(check.status).toBe(0);
    expect(check.json.changes).toEqual([
      expect.objectContaining({ flag: 'live-view', kind: 'promote', from: 'alpha', to: 'beta' }),
    ]);
  });

  it('refuses a promotion that comes too early, naming the time it is allowed, and writes nothing', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-24T10:00:00Z');
    const before = repo.read(LIVE_VIEW);

    const run = await repo.cli(['promote', 'live-view', '--now', NOW]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('alpha to beta is refused by the rollout gate');
    expect(run.stdout).toContain('allowed from 2026-11-25 10:00 UTC (in 22 h)');
    expect(run.stdout).toContain('--override --decision-maker @login');
    expect(repo.read(LIVE_VIEW)).toBe(before);
  });

  it('gives the eligible time of a beta to ga promotion in --json', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    repo.write(LIVE_VIEW, repo.read(LIVE_VIEW).replace('state: alpha', 'state: beta'));
    repo.commit('2026-11-24T14:00:00Z');

    const run = await repo.cli(['promote', 'live-view', '--now', '2026-11-25T11:00:00Z', '--json']);

    expect(run.status).toBe(1);
    expect(run.json).toMatchObject({
      ok: false,
      flag: 'live-view',
      file: LIVE_VIEW,
      from: 'beta',
      to: 'ga',
      eligibleAt: '2026-11-27T14:00:00Z',
      written: false,
    });
    const soak = run.json.violations.find((v: { rule: string }) => v.rule === 'soak');
    expect(soak.message).toContain('allowed from 2026-11-27 14:00 UTC (in 2 d 3 h)');
    expect(run.json.violations.every((v: { flag: string }) => v.flag === 'live-view')).toBe(true);
  });

  it('with --override writes a fresh override block, and CI accepts it as a waiver', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-24T10:00:00Z');
    const base = repo.head();
    const override = {
      decision_maker: '@jdoe',
      incident: 'https://chat.example/incidents/42',
      reason: 'harbor needs it today',
    };

    const run = await repo.cli([
      'promote',
      'live-view',
      '--now',
      NOW,
      '--override',
      '--decision-maker',
      override.decision_maker,
      '--incident',
      override.incident,
      '--reason',
      override.reason,
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('soak waived by @jdoe');
    const written = parse(repo.read(LIVE_VIEW));
    expect(written.state).toBe('beta');
    expect(written.override).toEqual(override);
    expect(repo.read(LIVE_VIEW)).toContain('# changed by flags promote / flags revert');

    repo.commit('2026-11-24T12:01:00Z');
    const check = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-24T12:01:00Z',
      '--json',
    ]);
    expect(check.status).toBe(0);
    expect(check.json.violations.map((v: { rule: string }) => v.rule)).toContain('soak-override');
  });

  it('writes no override when the soak is over, and drops a stale one', async () => {
    const stale =
      'override:\n  decision_maker: "@old"\n  incident: https://chat.example/incidents/1\n  reason: earlier\n';
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z', stale);

    const plain = await repo.cli(['promote', 'live-view', '--now', NOW]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('removed the `override` block of an earlier change');
    expect(parse(repo.read(LIVE_VIEW)).override).toBeUndefined();

    repo.git('checkout', '--', LIVE_VIEW);
    const withOverride = await repo.cli([
      'promote',
      'live-view',
      '--now',
      NOW,
      '--override',
      '--decision-maker',
      '@jdoe',
      '--incident',
      'https://chat.example/i/2',
      '--reason',
      'r',
      '--json',
    ]);
    expect(withOverride.status).toBe(0);
    expect(withOverride.json.override).toBe(false);
    expect(withOverride.json.notes).toContain(
      'the soak is over, so no override is needed: none was written',
    );
    expect(parse(repo.read(LIVE_VIEW)).override).toBeUndefined();
  });

  it('refuses to promote past a dependency that has not reached the new state', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-01T10:00:00Z');
    repo.write(
      EDGE,
      flagText({ key: 'edge-session-resume', owner: '@novalien/platform', state: 'alpha' }),
    );
    repo.write(
      BACKOFF,
      flagText({
        key: 'reconnect-backoff-v2',
        owner: '@novalien/platform',
        state: 'alpha',
        depends_on: ['edge-session-resume'],
      }),
    );
    repo.commit('2026-11-02T10:00:00Z');

    const run = await repo.cli(['promote', 'reconnect-backoff-v2', '--now', NOW]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('dependency-order');
    expect(run.stdout).toContain(
      'promote `edge-session-resume` to beta before `reconnect-backoff-v2`',
    );
    expect(parse(repo.read(BACKOFF)).state).toBe('alpha');
  });

  it('has nothing to promote at ga, and says when the flag may be removed', async () => {
    const repo = repoWithLiveView('ga', '2026-11-20T10:00:00Z');
    const run = await repo.cli(['promote', 'live-view', '--now', NOW]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('is at ga already: there is nothing to promote');
    expect(run.stdout).toContain('removed from 2026-11-27 10:00 UTC (in 2 d 22 h)');
  });

  it('answers bad options with exit 2 and what to do', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    const missing = await repo.cli([
      'promote',
      'live-view',
      '--override',
      '--decision-maker',
      '@jdoe',
      '--reason',
      'r',
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--override needs --incident');

    const unknown = await repo.cli(['promote', 'live-veiw']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('did you mean `live-view`?');

    const stray = await repo.cli(['promote', 'live-view', '--reason', 'x']);
    expect(stray.status).toBe(2);
    expect(stray.stderr).toContain('--reason goes with --override');
  });

  it('refuses a flag that is not committed yet: its soak has not started', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    repo.write(
      EDGE,
      flagText({ key: 'edge-session-resume', owner: '@novalien/platform', state: 'alpha' }),
    );
    const run = await repo.cli(['promote', 'edge-session-resume', '--now', NOW]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('`edge-session-resume` is not committed yet');
    expect(parse(repo.read(EDGE)).state).toBe('alpha');
  });

  it('refuses when the file holds an uncommitted change of state', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    repo.write(LIVE_VIEW, repo.read(LIVE_VIEW).replace('state: alpha', 'state: beta'));
    const run = await repo.cli(['promote', 'live-view', '--now', NOW]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('uncommitted change of state (alpha at HEAD, beta in the file)');
  });
});
