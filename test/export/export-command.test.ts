// `flags export` end to end on temp repositories: what it writes, where it reads from, --check,
// and its exit codes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MANIFEST_SCHEMA } from '../../scripts/core/export/manifest.ts';
import { cleanupRepos, gitRepo, TestRepo } from '../helpers/git-repo.ts';
import { flagdClient } from './flagd-client.ts';

afterEach(() => cleanupRepos());

const T0 = '2026-11-01T10:00:00Z';
const T1 = '2026-11-02T11:00:00Z';
const T2 = '2026-11-05T12:00:00Z';
const T3 = '2026-11-06T13:00:00Z';

/** alpha `live-view` (an alpha partner), beta `clips` since T2, ga `backoff`; edited after. */
function repoWithHistory(): TestRepo {
  const repo = gitRepo();
  repo
    .flag('platform', { key: 'backoff' })
    .flag('video', { key: 'clips', depends_on: ['backoff'] })
    .flag('video', {
      key: 'live-view',
      alpha_orgs: [{ org: 'harbor-logistics', preview_agreement: 'PA-2026-031' }],
    })
    .commit(T0);
  repo.flag('platform', { key: 'backoff', state: 'beta' }).commit(T1);
  repo.flag('platform', { key: 'backoff', state: 'ga', manual: 'https://docs.example/b' });
  repo.flag('video', { key: 'clips', state: 'beta', depends_on: ['backoff'] }).commit(T2);
  // Another field changes: the soak clock stays at T2.
  repo
    .flag('video', { key: 'clips', state: 'beta', depends_on: ['backoff'], description: 'Clips.' })
    .commit(T3);
  return repo;
}

describe('flags export', { timeout: 120_000 }, () => {
  it('writes flagd definitions with metadata and says that opt-ins were not read', async () => {
    const repo = repoWithHistory();
    const result = await repo.cli(['export', '--format', 'flagd', '--out', 'out/flagd.json']);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(
      /^✓ wrote out\/flagd\.json \(flagd, 3 flags, from [0-9a-f]{12}\)$/m,
    );
    expect(result.stdout).toContain('note: customer opt-ins and opt-outs are unknown');
    const doc = JSON.parse(repo.read('out/flagd.json'));
    expect(doc.$schema).toBe('https://flagd.dev/schema/v0/flags.json');
    expect(doc.metadata.customerChoices).toMatch(/^unknown \(no platform configured/);
    const head = repo.head();
    expect(doc.flags.clips.metadata).toEqual({
      owner: '@novalien/video',
      state: 'beta',
      since: T2,
      commit: head,
    });
    expect(doc.flags.backoff.metadata.since).toBe(T2);
    expect(doc.flags['live-view'].metadata.since).toBe(T0);

    const client = await flagdClient(repo.read('out/flagd.json'), 'command-no-platform');
    const on = (key: string, orgId: string): Promise<boolean> =>
      client.getBooleanValue(key, false, { orgId });
    expect(await on('live-view', 'harbor-logistics')).toBe(true);
    expect(await on('live-view', 'acme')).toBe(false);
    // Without the platform, beta is on for the internal orgs only, ga for every org.
    expect(await on('clips', 'novalien-internal')).toBe(true);
    expect(await on('clips', 'acme')).toBe(false);
    expect(await on('backoff', 'acme')).toBe(true);
    expect(await client.getBooleanValue('backoff', false)).toBe(true);
    expect(await client.getBooleanValue('live-view', false)).toBe(false);
  });

  it('reads the flags at --ref, never the work tree', async () => {
    const repo = repoWithHistory();
    const first = repo.git('rev-list', '--max-parents=0', 'HEAD').trim();
    repo.flag('video', { key: 'uncommitted' });
    const result = await repo.cli([
      'export',
      '--format',
      'flagd',
      '--out',
      'old.json',
      '--ref',
      first,
      '--json',
    ]);
    expect(result.status).toBe(0);
    expect(result.json).toMatchObject({ ok: true, commit: first, flags: 3 });
    const doc = JSON.parse(repo.read('old.json'));
    expect(Object.keys(doc.flags)).toEqual(['backoff', 'clips', 'live-view']);
    expect(doc.flags.backoff.metadata).toMatchObject({ state: 'alpha', commit: first });
  });

  it('writes the OpenFeature manifest: a boolean flag per key, off by default', async () => {
    const repo = repoWithHistory();
    const result = await repo.cli(['export', '--format', 'manifest', '--out', 'm.json', '--json']);
    expect(result.json).toMatchObject({
      ok: true,
      files: [{ format: 'manifest', path: 'm.json', status: 'written' }],
    });
    expect(JSON.parse(repo.read('m.json'))).toEqual({
      $schema: MANIFEST_SCHEMA,
      flags: {
        backoff: { flagType: 'boolean', defaultValue: false, description: 'The backoff feature.' },
        clips: { flagType: 'boolean', defaultValue: false, description: 'Clips.' },
        'live-view': {
          flagType: 'boolean',
          defaultValue: false,
          description: 'The live-view feature.',
        },
      },
    });
  });

  it('--check: fresh, then stale after a flag change, and missing files', async () => {
    const repo = repoWithHistory();
    const missing = await repo.cli(['export', '--check', '--json']);
    expect(missing.status).toBe(1);
    expect(missing.json.files.map((f: any) => `${f.path} ${f.status}`)).toEqual([
      'generated/openfeature-manifest.json missing',
      'generated/flags.ts missing',
    ]);
    for (const [format, out] of [
      ['manifest', 'generated/openfeature-manifest.json'],
      ['typescript', 'generated/flags.ts'],
    ] as const) {
      expect((await repo.cli(['export', '--format', format, '--out', out])).status).toBe(0);
    }
    // Written but not committed: --check reads what is committed.
    expect((await repo.cli(['export', '--check'])).status).toBe(1);
    repo.commit('2026-11-07T00:00:00Z', 'generated files');
    const fresh = await repo.cli(['export', '--check']);
    expect([fresh.status, fresh.stdout]).toEqual([
      0,
      expect.stringContaining('✓ generated/flags.ts is up to date with the flags at'),
    ]);

    repo.flag('video', { key: 'new-thing' }).commit('2026-11-08T00:00:00Z');
    const stale = await repo.cli(['export', '--check']);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain(
      '✗ generated/flags.ts is stale (flags at ' +
        repo.head().slice(0, 12) +
        '): run `npx flags export --format typescript --out generated/flags.ts` and commit it',
    );
    // One file, named by --format and --out.
    const one = await repo.cli([
      'export',
      '--check',
      '--format',
      'manifest',
      '--out',
      'generated/openfeature-manifest.json',
      '--json',
    ]);
    expect([one.status, one.json.files]).toEqual([
      1,
      [{ format: 'manifest', path: 'generated/openfeature-manifest.json', status: 'stale' }],
    ]);
    // The older commit still matches its own generated files.
    const atOld = await repo.cli(['export', '--check', '--ref', 'HEAD~1']);
    expect(atOld.status).toBe(0);
  });

  it('refuses flags that do not load: exit 1, nothing written', async () => {
    const repo = repoWithHistory();
    repo.write('flags/video/broken.yaml', 'key: broken\nstate: [\n').commit('2026-11-07T00:00:00Z');
    const result = await repo.cli(['export', '--format', 'typescript', '--out', 'f.ts']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('flags/video/broken.yaml');
    expect(result.stdout).toContain('do not load: nothing exported');
    expect(existsSync(join(repo.dir, 'f.ts'))).toBe(false);
  });

  it('could not evaluate: exit 2 with one line on stderr', async () => {
    const repo = repoWithHistory();
    const cases: [string[], string][] = [
      [['export'], 'give --format flagd|manifest|typescript and --out PATH'],
      [
        ['export', '--format', 'yaml', '--out', 'x'],
        "--format 'yaml' is not one of flagd, manifest, typescript",
      ],
      [['export', '--format', 'flagd'], 'give --format flagd|manifest|typescript and --out PATH'],
      [['export', '--check', '--format', 'flagd', '--out', 'x.json'], 'a deploy artifact'],
      [['export', '--check', '--format', 'manifest'], 'give both --format and --out'],
      [
        ['export', '--check', '--format', 'manifest', '--out', '/tmp/x.json'],
        'not a file in the repository',
      ],
      [
        ['export', '--format', 'manifest', '--out', 'x', '--ref', 'no-such-ref'],
        "unknown ref 'no-such-ref'",
      ],
      [['export', '--format', 'manifest', '--out', 'x', '--bogus'], "unknown option '--bogus'"],
    ];
    for (const [args, message] of cases) {
      const result = await repo.cli(args);
      expect([args, result.status, result.stderr]).toEqual([
        args,
        2,
        expect.stringContaining(message),
      ]);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exit 2 when the platform named does not answer', async () => {
    const repo = repoWithHistory();
    const result = await repo.cli(
      [
        'export',
        '--format',
        'flagd',
        '--out',
        'f.json',
        '--platform-url',
        'http://127.0.0.1:9',
        '--json',
      ],
      { PLATFORM_API_TOKEN: 't' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^flags export: .*could not reach the platform at http:\/\/127\.0\.0\.1:9/,
    );
    expect(result.json).toMatchObject({ ok: false, error: { code: 'evaluation' } });
    expect(existsSync(join(repo.dir, 'f.json'))).toBe(false);
  });

  it('needs the whole history for flagd only', async () => {
    const repo = repoWithHistory();
    const dir = mkdtempSync(join(tmpdir(), 'flags-shallow-'));
    try {
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, dir]);
      const shallow = new TestRepo(dir);
      const flagd = await shallow.cli(['export', '--format', 'flagd', '--out', 'f.json']);
      expect([flagd.status, flagd.stderr]).toEqual([2, expect.stringContaining('shallow')]);
      const manifest = await shallow.cli(['export', '--format', 'manifest', '--out', 'm.json']);
      expect(manifest.status).toBe(0);
      expect(readFileSync(join(dir, 'm.json'), 'utf8')).toContain('"clips"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
