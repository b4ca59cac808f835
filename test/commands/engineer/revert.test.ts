import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanupRepos, gitRepo, TestRepo } from '../../helpers/git-repo.ts';
import { withIdentity } from '../../helpers/remote.ts';
import { BACKOFF, EDGE, LIVE_VIEW, flagText } from './fixtures.ts';

afterEach(cleanupRepos);

const OTHER = 'flags/video/clip-export.yaml';
const reason = 'reconnect storm after the 14:00 deploy';
const incident = 'https://chat.example/incidents/77';

/** edge (ga) <- backoff (ga) <- live-view (beta); clip-export (ga) stands apart. Just promoted. */
function chain(): TestRepo {
  const repo = withIdentity(gitRepo());
  repo.write(
    EDGE,
    flagText({ key: 'edge-session-resume', owner: '@novalien/platform', state: 'ga' }),
  );
  repo.write(
    BACKOFF,
    flagText({
      key: 'reconnect-backoff-v2',
      owner: '@novalien/platform',
      state: 'ga',
      depends_on: ['edge-session-resume'],
      extra:
        'override:\n  decision_maker: "@jdoe"\n  incident: https://chat.example/incidents/5\n  reason: rushed\n',
    }),
  );
  repo.write(
    LIVE_VIEW,
    flagText({ key: 'live-view', state: 'beta', depends_on: ['reconnect-backoff-v2'] }),
  );
  repo.write(OTHER, flagText({ key: 'clip-export', state: 'ga' }));
  repo.commit('2026-11-24T11:30:00Z');
  return repo;
}

describe('flags revert', () => {
  it('demotes the flag and every dependent above it, with revert blocks, and CI accepts it without soak', async () => {
    const repo = chain();
    const base = repo.head();
    const before = repo.read(LIVE_VIEW);

    const run = await repo.cli([
      'revert',
      'edge-session-resume',
      '--reason',
      reason,
      '--incident',
      incident,
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Reverted edge-session-resume: ga -> alpha');
    expect(run.stdout).toContain(
      'reconnect-backoff-v2  ga -> alpha  flags/platform/reconnect-backoff-v2.yaml  (depends on `edge-session-resume`)',
    );
    expect(run.stdout).toContain(
      'live-view  beta -> alpha  flags/video/live-view.yaml  (depends on `reconnect-backoff-v2` -> `edge-session-resume`)',
    );
    expect(run.stdout).toContain(
      'Post in #novavms-releases with the revert reason and a link to the incident thread',
    );
    expect(run.stdout).toContain('Open a postmortem');
    expect(run.stdout).toContain('within 60 seconds');

    for (const path of [EDGE, BACKOFF, LIVE_VIEW]) {
      const flag = parse(repo.read(path));
      expect(flag.state).toBe('alpha');
      expect(flag.revert).toEqual({ reason, incident });
      expect(flag.override).toBeUndefined();
    }
    expect(repo.read(LIVE_VIEW)).toBe(
      before.replace('state: beta #', 'state: alpha #') +
        `revert:\n  reason: ${reason}\n  incident: ${incident}\n`,
    );
    expect(parse(repo.read(OTHER)).state).toBe('ga');

    // Thirty minutes after the promotion: a revert waits for no soak.
    repo.commit('2026-11-24T12:00:00Z');
    const check = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-24T12:00:00Z',
      '--json',
    ]);
    expect(check.status).toBe(0);
    expect(
      check.json.changes.map((c: { flag: string; kind: string }) => `${c.flag}:${c.kind}`),
    ).toEqual(['edge-session-resume:revert', 'live-view:revert', 'reconnect-backoff-v2:revert']);
  });

  it('with --to beta lowers only the dependents above beta', async () => {
    const repo = chain();
    const run = await repo.cli([
      'revert',
      'edge-session-resume',
      '--to',
      'beta',
      '--reason',
      reason,
      '--incident',
      incident,
      '--json',
    ]);
    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({
      ok: true,
      flag: 'edge-session-resume',
      from: 'ga',
      to: 'beta',
    });
    expect(run.json.dependents).toEqual([
      { flag: 'reconnect-backoff-v2', file: BACKOFF, from: 'ga', to: 'beta' },
    ]);
    expect(parse(repo.read(LIVE_VIEW)).state).toBe('beta');
    expect(parse(repo.read(LIVE_VIEW)).revert).toBeUndefined();
  });

  it('needs a reason and an https incident link, and a lower state', async () => {
    const repo = chain();
    const noIncident = await repo.cli(['revert', 'edge-session-resume', '--reason', reason]);
    expect(noIncident.status).toBe(2);
    expect(noIncident.stderr).toContain('a revert needs --incident https://...');

    const http = await repo.cli([
      'revert',
      'edge-session-resume',
      '--reason',
      reason,
      '--incident',
      'http://chat.example/1',
    ]);
    expect(http.status).toBe(2);
    expect(http.stderr).toContain('--incident must be an https:// link');

    const up = await repo.cli([
      'revert',
      'live-view',
      '--to',
      'ga',
      '--reason',
      reason,
      '--incident',
      incident,
    ]);
    expect(up.status).toBe(2);
    expect(up.stderr).toContain('`live-view` is at beta: --to must be a lower state (alpha)');
    expect(parse(repo.read(EDGE)).state).toBe('ga');
  });

  it('works in a shallow clone, where a promotion is refused for want of history', async () => {
    const origin = chain();
    const dir = mkdtempSync(join(tmpdir(), 'flags-shallow-'));
    try {
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${origin.dir}`, dir]);
      const shallow = withIdentity(new TestRepo(dir));
      const promote = await shallow.cli(['promote', 'live-view', '--now', '2026-11-30T12:00:00Z']);
      expect(promote.status).toBe(2);
      expect(promote.stderr).toContain('the clone is shallow');
      const run = await shallow.cli([
        'revert',
        'live-view',
        '--reason',
        reason,
        '--incident',
        incident,
      ]);
      expect(run.status).toBe(0);
      expect(parse(shallow.read(LIVE_VIEW))).toMatchObject({
        state: 'alpha',
        revert: { reason, incident },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has nothing to revert at alpha', async () => {
    const repo = withIdentity(gitRepo());
    repo.write(LIVE_VIEW, flagText({ key: 'live-view', state: 'alpha' }));
    repo.commit('2026-11-20T10:00:00Z');
    const run = await repo.cli(['revert', 'live-view', '--reason', reason, '--incident', incident]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('is at alpha already: there is nothing to revert it to');
  });

  it('refuses a revert whose block repeats the earlier revert (CI would call it stale)', async () => {
    const repo = withIdentity(gitRepo());
    repo.write(
      LIVE_VIEW,
      flagText({
        key: 'live-view',
        state: 'beta',
        extra: `revert:\n  reason: ${reason}\n  incident: ${incident}\n`,
      }),
    );
    repo.commit('2026-11-20T10:00:00Z');
    const before = repo.read(LIVE_VIEW);
    const run = await repo.cli(['revert', 'live-view', '--reason', reason, '--incident', incident]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('revert-reason');
    expect(repo.read(LIVE_VIEW)).toBe(before);
  });
});

describe('the revert path when dependents stand above the reverted flag', () => {
  const why = "e's reconnect storm";
  const link = 'https://chat.example/incidents/88';

  /** e and d at beta, d depends on e; base is that commit. */
  function pair(): { repo: TestRepo; base: string } {
    const repo = withIdentity(gitRepo());
    repo.flag('video', { key: 'e', state: 'beta' });
    repo.flag('video', { key: 'd', state: 'beta', depends_on: ['e'] });
    return { repo, base: repo.commit('2026-11-20T10:00:00Z') };
  }

  /** The words bash makes of a command line: the message's command must survive the shell. */
  function shellWords(line: string): string[] {
    const out = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
    return out.split('\0').slice(0, -1);
  }

  it('tells on-call to revert the dependents too, with the one command that does it', async () => {
    const { repo, base } = pair();
    repo.flag('video', { key: 'e', state: 'alpha', revert: { reason: why, incident: link } });
    repo.commit('2026-11-20T11:00:00Z');
    const out = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-20T12:00:00Z',
      '--json',
    ]);
    expect(out.status).toBe(1);
    const order = out.json.violations.find((v: { rule: string }) => v.rule === 'dependency-order');
    expect(order.flag).toBe('d');
    expect(order.message).toContain('which this change reverts from beta to alpha');
    expect(order.message).toContain('revert `d` too');
    expect(order.message).not.toContain('promote');
    const command = /`(npx flags revert [^`]+)`/.exec(order.message)![1]!;
    const argv = shellWords(command);
    expect(argv).toEqual(['npx', 'flags', 'revert', 'e', '--reason', why, '--incident', link]);

    // The command, run on the change's branch, lowers d; the change then passes the gate.
    const run = await repo.cli(argv.slice(2));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('d  beta -> alpha');
    expect(parse(repo.read('flags/video/d.yaml'))).toMatchObject({
      state: 'alpha',
      revert: { reason: why, incident: link },
    });
    repo.commit('2026-11-20T11:30:00Z');
    const after = await repo.cli(['check', '--base', base, '--now', '2026-11-20T12:00:00Z']);
    expect(after.status).toBe(0);
  });

  it('still says "promote first" when the dependency was never higher', async () => {
    const repo = withIdentity(gitRepo());
    repo.flag('video', { key: 'e' }).flag('video', { key: 'd', depends_on: ['e'] });
    const base = repo.commit('2026-11-01T10:00:00Z');
    repo.flag('video', { key: 'd', state: 'beta', depends_on: ['e'] });
    repo.commit('2026-11-20T11:00:00Z');
    const out = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-20T12:00:00Z',
      '--json',
    ]);
    const messages = out.json.violations
      .filter((v: { rule: string }) => v.rule === 'dependency-order')
      .map((v: { message: string }) => v.message);
    expect(messages.join('\n')).toContain('promote `e` to beta before `d`');
    expect(messages.join('\n')).not.toContain('flags revert');
  });

  it('in validate (no base), offers the revert command when the dependency carries a revert block', async () => {
    const { repo } = pair();
    repo.flag('video', { key: 'e', state: 'alpha', revert: { reason: why, incident: link } });
    const out = await repo.cli(['validate', '--json']);
    expect(out.status).toBe(1);
    const order = out.json.violations.find((v: { rule: string }) => v.rule === 'dependency-order');
    expect(order.message).toContain('if `e` is being reverted, revert `d` too');
    expect(order.message).toContain(`npx flags revert e --reason 'e'\\''s reconnect storm'`);
  });

  it('continues an uncommitted first revert instead of finding nothing to revert', async () => {
    const { repo } = pair();
    const args = ['revert', 'e', '--reason', why, '--incident', link];
    expect((await repo.cli(args)).status).toBe(0);
    // Not committed yet: the committed state is still beta, so CI still sees a revert to make.
    const again = await repo.cli([...args.slice(0, 3), 'second look', '--incident', link]);
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('nothing to revert');
    expect(again.stdout).toContain('Reverted e: beta -> alpha');
    expect(again.stdout).toContain('d  beta -> alpha');
    expect(parse(repo.read('flags/video/e.yaml')).revert).toEqual({
      reason: 'second look',
      incident: link,
    });
    // Once committed, it is done.
    repo.commit('2026-11-20T11:00:00Z');
    const done = await repo.cli(args);
    expect(done.status).toBe(1);
    expect(done.stdout).toContain('nothing to revert');
  });
});
