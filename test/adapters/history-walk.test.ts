// Which walk reads a change's history: its files' paths, or all of flags/ when that is cheaper
// for git; and either walk gives the same soak clock, through moves and merges.
import { afterEach, describe, expect, it } from 'vitest';
import { historyPaths } from '../../scripts/adapters/flag-history.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

const files = (dir: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${dir}/f${i}.yaml`);

describe('historyPaths', () => {
  const teams = ['video', 'edge', 'billing', 'alerts'].flatMap((t) => files(`flags/${t}`, 1000));
  const flat = files('flags', 4000);

  it('names the paths when their folders hold a share of the flags, or are small', () => {
    const paths = ['flags/video/f1.yaml', 'flags/edge/f2.yaml'];
    expect(historyPaths(paths, teams)).toEqual(paths);
    expect(historyPaths(['flags/f1.yaml'], files('flags', 900))).toEqual(['flags/f1.yaml']);
  });

  it('walks all of flags/ for one large folder that holds nearly every flag, or many paths', () => {
    expect(historyPaths(['flags/f1.yaml', 'flags/f2.yaml'], flat)).toEqual(['flags/']);
    const mixed = [...flat, ...files('flags/video', 50)];
    expect(historyPaths(['flags/f1.yaml'], mixed)).toEqual(['flags/']);
    expect(historyPaths(files('flags/video', 65), teams)).toEqual(['flags/']);
  });
});

describe('the soak clock from a walk of all of flags/', () => {
  it('follows a move and counts a merge at its first-parent time, as the path walk does', async () => {
    // 1,000 flags in one folder: check walks all of flags/ instead of naming the paths.
    const repo = gitRepo();
    for (let i = 0; i < 1000; i++)
      repo.write(
        `flags/f${i}.yaml`,
        `key: f${i}\ndescription: Feature ${i}.\nowner: "@novalien/video"\nstate: alpha\nrevertible: true\n`,
      );
    repo.write('CODEOWNERS', '/flags/ @novalien/video\n').commit('2026-11-01T00:00:00Z');
    repo.move('flags/f1.yaml', 'flags/moved/f1.yaml');
    repo.commit('2026-11-10T00:00:00Z', 'move f1');
    repo.git('checkout', '-q', '-b', 'side');
    repo.write('flags/f2.yaml', repo.read('flags/f2.yaml').replace('alpha', 'beta'));
    repo.commit('2026-11-02T00:00:00Z', 'backdated promotion');
    repo.git('checkout', '-q', 'main');
    // The merge lands on main at 2026-11-22 12:00 (committer time), after the side's date.
    repo.gitAt('2026-11-22T12:00:00Z', 'merge', '--no-ff', '-q', '-m', 'merge side', 'side');
    const base = repo.head();
    repo.write('flags/moved/f1.yaml', repo.read('flags/moved/f1.yaml').replace('alpha', 'beta'));
    repo.write('flags/f2.yaml', repo.read('flags/f2.yaml').replace('beta', 'ga'));
    repo.commit('2026-11-24T11:00:00Z', 'promote');

    const out = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      '2026-11-24T12:00:00Z',
      '--json',
    ]);
    const byFlag = Object.fromEntries(out.json.changes.map((c: any) => [c.flag, c]));
    // The move kept f1's clock at its creation; f2 entered beta when the merge landed on main.
    expect(byFlag.f1).toMatchObject({ kind: 'promote', since: '2026-11-01T00:00:00Z' });
    expect(byFlag.f2).toMatchObject({ kind: 'promote', since: '2026-11-22T12:00:00Z' });
    const errors = out.json.violations.filter((v: any) => v.severity === 'error');
    expect(errors.map((v: any) => `${v.flag}:${v.rule}`)).toEqual(['f2:soak']);
    expect(out.status).toBe(1);
  });
});
