import { writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos } from '../helpers/git-repo.ts';
import { appRepo, config, flagsRepo } from './fixtures.ts';

afterEach(cleanupRepos);

const refsOf = (json: any, key: string): string[] =>
  json.flags
    .find((f: any) => f.key === key)
    .references.map((r: any) => `${r.source}:${r.path}:${r.line}`);

describe('flags refs', () => {
  it('finds keys, accessor names and aliases in several languages, on word boundaries', async () => {
    const app = appRepo();
    const flags = flagsRepo(config(app));
    const run = await flags.cli(['refs', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.json.flags.map((f: any) => f.key)).toEqual([
      'clip-export-mp4',
      'live-view',
      'live-view-webrtc',
      'motion-heatmaps',
    ]);
    // Not build/ (ignored), vendor/ (linguist-vendored), assets/blob.bin (binary), and not the
    // lines where live-view is only the start of live-view-webrtc.
    expect(refsOf(run.json, 'live-view')).toEqual(['app:server/live.go:1', 'app:web/player.ts:3']);
    expect(refsOf(run.json, 'live-view-webrtc')).toEqual([
      'app:android/Player.java:1',
      'app:api/views.py:3',
      'app:web/player.ts:2',
    ]);
    expect(refsOf(run.json, 'clip-export-mp4')).toEqual(['app:exports/Export.kt:1']);
    expect(refsOf(run.json, 'motion-heatmaps')).toEqual([]);
    expect(run.json.unknown).toEqual([
      { source: 'app', path: 'exports/Export.kt', line: 2, name: 'ghost-flag' },
    ]);
    expect(run.json.sources[0]).toMatchObject({ name: 'app', mode: 'git', commit: app.head() });
  });

  it('no longer counts a reference removed in a later commit', async () => {
    const app = appRepo();
    const flags = flagsRepo(config(app));
    expect(refsOf((await flags.cli(['refs', '--json'])).json, 'live-view')).toHaveLength(2);
    app.remove('server/live.go').write('web/player.ts', 'startWebrtc();\n');
    const commit = app.commit('2026-11-03T10:00:00Z', 'live-view is gone');
    const after = await flags.cli(['refs', '--json']);
    expect(refsOf(after.json, 'live-view')).toEqual([]);
    expect(after.json.sources[0].commit).toBe(commit);
  });

  it('searches --source folders instead of the configured ones, relative to the root', async () => {
    const app = appRepo();
    const flags = flagsRepo();
    const run = await flags.cli(['refs', '--source', app.dir, '--json']);
    expect(run.status).toBe(0);
    // No alias configured for this source: exportMp4Clip is not a name of clip-export-mp4.
    expect(refsOf(run.json, 'clip-export-mp4')).toEqual([]);
    expect(refsOf(run.json, 'live-view')).toEqual([
      `${app.dir}:server/live.go:1`,
      `${app.dir}:web/player.ts:3`,
    ]);
    // A folder inside a git repository: its tracked files only.
    flags.write('apps/web/main.ts', 'motionHeatmaps()\n');
    const untracked = await flags.cli(['refs', '--source', 'apps/web', '--json']);
    expect(refsOf(untracked.json, 'motion-heatmaps')).toEqual([]);
    flags.git('add', 'apps/web/main.ts');
    const relative = await flags.cli(['refs', '--source', 'apps/web', '--json']);
    expect(refsOf(relative.json, 'motion-heatmaps')).toEqual(['apps/web:main.ts:1']);
    // The flags repository itself: its flag files name every flag, and are no code paths.
    const own = await flags.cli(['refs', '--source', '.', '--json']);
    expect(refsOf(own.json, 'motion-heatmaps')).toEqual(['.:apps/web/main.ts:1']);
  });

  it('searches a folder that is not a git repository with its .gitignore applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'refs-plain-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src/a.rb'), 'if Flags::MotionHeatmaps\n');
      writeFileSync(join(dir, 'skipped.rb'), 'if Flags::MotionHeatmaps\n');
      writeFileSync(join(dir, '.gitignore'), 'skipped.rb\n');
      const flags = flagsRepo();
      const run = await flags.cli(['refs', '--source', dir, '--json']);
      expect(run.status).toBe(0);
      expect(refsOf(run.json, 'motion-heatmaps')).toEqual([`${dir}:src/a.rb:1`]);
      expect(run.json.sources[0]).toMatchObject({ mode: 'plain', commit: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints each flag with its count and path:line list', async () => {
    const app = appRepo();
    const flags = flagsRepo(config(app));
    const run = await flags.cli(['refs']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('live-view         2 references\n  app:server/live.go:1\n');
    expect(run.stdout).toContain('motion-heatmaps   no references\n');
    expect(run.stdout).toContain('ghost-flag');
  });

  it('exits 2 with one line when there is nothing to search or a source is missing', async () => {
    const flags = flagsRepo();
    const none = await flags.cli(['refs', '--json']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no source to search/);
    expect(none.json.ok).toBe(false);
    const missing = await flags.cli(['refs', '--source', 'no/such/dir']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on a config mistake, naming the place', async () => {
    const app = appRepo();
    const flags = flagsRepo(config(app, '    colour: blue'));
    const run = await flags.cli(['refs']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/sources\[0\]: unknown field `colour`/);
  });
});
