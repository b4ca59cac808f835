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
