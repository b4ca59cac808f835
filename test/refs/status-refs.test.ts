import { afterEach, describe, expect, it } from 'vitest';
import { refsMarks } from '../../scripts/core/refs/status-marks.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

const NOW = '2026-11-27T12:00:00Z';

function repos(configured: boolean) {
  const app = gitRepo();
  app.write('src/app.ts', 'if (flags.oldGa && flags.betaOne) {}\n');
  app.commit('2026-11-20T10:00:00Z');
  const flags = gitRepo();
  flags
    .flag('video', { key: 'old-ga', state: 'ga' })
    .flag('video', { key: 'beta-one', state: 'beta' })
    .flag('video', { key: 'fresh', state: 'alpha' });
  if (configured)
    flags.write('.github/flag-refs.yaml', `sources:\n  - name: app\n    path: ${app.dir}\n`);
  flags.commit('2026-11-01T10:00:00Z');
  return flags;
}

describe('status with code references', () => {
  it('marks ga flags past 14 days that code reads as dead code, and flags read nowhere as unused', async () => {
    const flags = repos(true);
    const run = await flags.cli(['status', '--now', NOW]);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/REFS$/);
    expect(lines.find((l) => l.startsWith('old-ga'))).toMatch(/ 1 \(dead code\)$/);
    expect(lines.find((l) => l.startsWith('fresh'))).toMatch(/ 0 \(unused\)$/);
    expect(lines.find((l) => l.startsWith('beta-one'))).toMatch(/ 1$/);
    const json = (await flags.cli(['status', '--now', NOW, '--json'])).json;
    expect(json.refs).toEqual({
      'beta-one': { count: 1, mark: null },
      fresh: { count: 0, mark: 'unused' },
      'old-ga': { count: 1, mark: 'dead code' },
    });
  });

  it('shows no REFS column and scans nothing without configured sources', async () => {
    const flags = repos(false);
    const run = await flags.cli(['status', '--now', NOW, '--json']);
    expect(run.json.refs).toBeUndefined();
    expect((await flags.cli(['status', '--now', NOW])).stdout.split('\n')[0]).not.toMatch(/REFS/);
  });

  it('marks a ga flag younger than 14 days with references as neither', () => {
    const marks = refsMarks(
      [
        { key: 'a', stale: false },
        { key: 'b', stale: true },
      ],
      new Map([
        ['a', [1]],
        ['b', []],
      ]),
    );
    expect([...marks]).toEqual([
      ['a', { count: 1, mark: null }],
      ['b', { count: 0, mark: 'unused' }],
    ]);
  });
});
