// The soak-clock index against the full walk: for every first-parent commit of a generated
// history (promotions, reverts, moves between folders, deletions and re-additions, edits that
// keep the state, side branches with forged dates merged in, `git revert`), the indexed answer
// must equal the walk's, whether the index is extended commit by commit, sparse, or cold. And a
// corrupt, foreign or other-version index file is detected and rebuilt, never trusted.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClockIndexStore, clockIndexOf } from '../../scripts/adapters/clock-index-store.ts';
import {
  soakClocksByWalk,
  soakClocksIndexed,
  type HistoryTarget,
} from '../../scripts/adapters/flag-history.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { keyFromPath } from '../../scripts/core/parse-flag.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

/** A small seeded generator (mulberry32), so a failure names a history that can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATES = ['alpha', 'beta', 'ga'] as const;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const TEAMS = ['video', 'access'];

interface Live {
  team: string;
  state: string;
  note: number;
}

/** A first-parent history of `steps` commits on main; answers main's first-parent commits. */
function generateHistory(repo: TestRepo, seed: number, steps: number): string[] {
  const next = random(seed);
  const live = new Map<string, Live>();
  let day = 0;
  const at = (): string => new Date(Date.UTC(2026, 0, 1) + ++day * 3_600_000).toISOString();
  const write = (key: string, f: Live): void => {
    repo.flag(f.team, { key, state: f.state, description: `Note ${f.note}.` });
  };
  const path = (key: string, f: Live): string => `flags/${f.team}/${key}.yaml`;
  const step = (): void => {
    const key = KEYS[Math.floor(next() * KEYS.length)]!;
    const f = live.get(key);
    const roll = next();
    if (!f) {
      const created = { team: TEAMS[Math.floor(next() * 2)]!, state: 'alpha', note: 0 };
      live.set(key, created);
      write(key, created);
    } else if (roll < 0.35) {
      f.state = STATES[Math.floor(next() * 3)]!; // promotions, demotions, the same state again
      write(key, f);
    } else if (roll < 0.5) {
      f.note++; // an edit that keeps the state
      write(key, f);
    } else if (roll < 0.65) {
      const to = { ...f, team: f.team === 'video' ? 'access' : 'video' };
      repo.move(path(key, f), path(key, to)); // a move keeps the clock
      live.set(key, to);
    } else if (roll < 0.75) {
      repo.remove(path(key, f)); // deleted: a later add starts a new clock
      live.delete(key);
    } else if (roll < 0.82) {
      f.state = STATES[Math.floor(next() * 3)]!;
      if (next() < 0.5) f.note++;
      write(key, f);
      repo.move(path(key, f), path(key, { ...f, team: f.team === 'video' ? 'access' : 'video' }));
      f.team = f.team === 'video' ? 'access' : 'video'; // a move and a state change at once
    } else {
      f.state = STATES[Math.floor(next() * 3)]!;
      write(key, f);
    }
  };
  for (let i = 0; i < steps; i++) {
    const roll = next();
    if (roll < 0.12 && i > 3) {
      // A side branch with dates of its own choosing, merged in: only the merge's date counts.
      repo.git('checkout', '-q', '-b', `side${i}`);
      step();
      repo.commit('2025-01-01T00:00:00Z', 'forged date');
      repo.git('checkout', '-q', 'main');
      if (next() < 0.5) {
        step();
        repo.commit(at());
      }
      repo.gitAt(at(), 'merge', '-q', '--no-ff', '-m', 'merge', `side${i}`);
      // The branch may have changed files main also changed; take the tree as git merged it.
      resync(repo, live);
    } else if (roll < 0.2 && i > 3 && revert(repo, at())) {
      resync(repo, live);
    } else {
      step();
      repo.commit(at());
    }
  }
  return repo.git('rev-list', '--first-parent', '--reverse', 'main').trim().split('\n');
}

/** `git revert` of HEAD (its first-parent side for a merge); false when git had nothing to do. */
function revert(repo: TestRepo, at: string): boolean {
  const merge = repo.git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length > 2;
  try {
    repo.gitAt(at, 'revert', '--no-edit', ...(merge ? ['-m', '1'] : []), 'HEAD');
    return true;
  } catch {
    repo.git('reset', '-q', '--hard', 'HEAD');
    return false;
  }
}

/** Rebuilds the model of live flags from the tree after a merge or revert git made. */
function resync(repo: TestRepo, live: Map<string, Live>): void {
  live.clear();
  for (const file of repo.git('ls-files', 'flags').trim().split('\n')) {
    if (!file.endsWith('.yaml')) continue;
    const text = repo.read(file);
    const state = /^state: (\w+)$/m.exec(text)?.[1] ?? 'alpha';
    const note = Number(/Note (\d+)/.exec(text)?.[1] ?? 0);
    live.set(keyFromPath(file), { team: file.split('/')[1]!, state, note });
  }
}

async function targetsAt(git: GitRepo, commit: string): Promise<HistoryTarget[]> {
  return (await git.listTree(commit))
    .filter((e) => e.path.endsWith('.yaml'))
    .map((e) => ({ key: keyFromPath(e.path), path: e.path }));
}

const iso = (clocks: Map<string, Date | null>): Record<string, string | null> =>
  Object.fromEntries([...clocks].map(([k, d]) => [k, d ? d.toISOString() : null]));

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'flags-index-'));

describe('the soak-clock index', () => {
  it('answers as the full walk at every commit: extended, sparse and cold', async () => {
    const repo = gitRepo();
    const commits = generateHistory(repo, 2026, 36);
    const extended = new ClockIndexStore(tempDir());
    const sparse = new ClockIndexStore(tempDir());
    const next = random(7);
    let compared = 0;
    // One repository object (its caches of trees and blobs hold only immutable objects).
    const git = new GitRepo(repo.dir);
    for (const [i, commit] of commits.entries()) {
      const targets = await targetsAt(git, commit);
      if (targets.length === 0) continue;
      const walked = iso(await soakClocksByWalk(git, commit, targets));
      const fromExtended = await soakClocksIndexed(git, commit, targets, extended);
      expect(iso(fromExtended), `extended, commit ${i}`).toEqual(walked);
      if (i % 5 === 0 || next() < 0.2) {
        const fromSparse = await soakClocksIndexed(git, commit, targets, sparse);
        expect(iso(fromSparse), `sparse, commit ${i}`).toEqual(walked);
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    expect((await extended.commits()).size).toBeGreaterThan(10);
  }, 300_000); // git processes on a shared machine: no race, only a bound

  it('rebuilds a corrupt, truncated, other-version or other-commit file, never trusting it', async () => {
    const repo = gitRepo();
    const commits = generateHistory(repo, 99, 12);
    const head = commits.at(-1)!;
    const git = new GitRepo(repo.dir);
    const targets = await targetsAt(git, head);
    const walked = iso(await soakClocksByWalk(git, head, targets));
    const store = new ClockIndexStore(tempDir());
    await soakClocksIndexed(new GitRepo(repo.dir), head, targets, store);
    const file = join(store.dir, `${head}.clocks`);
    const good = readFileSync(file, 'utf8');
    // A clock moved one second (with or without the checksum fixed up), a cut, another version,
    // the snapshot of another commit under this name, and bytes that are no index at all.
    const shifted = good.replace(/,(\d+)\]/, (_m, s: string) => `,${Number(s) - 1}]`);
    const other = readFileSync(file, 'utf8').replace(head, commits[0]!);
    const bad = [
      shifted,
      good.slice(0, good.length - 5),
      good.replace(/ 1 /, ' 999 '),
      other,
      'not an index\n[]',
      '',
    ];
    for (const text of bad) {
      writeFileSync(file, text);
      const answer = await soakClocksIndexed(new GitRepo(repo.dir), head, targets, store);
      expect(iso(answer)).toEqual(walked);
      expect(readFileSync(file, 'utf8'), 'rebuilt in place').toBe(good);
    }
    expect(readdirSync(store.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 300_000);

  it('lives inside the git directory unless FLAGS_CLOCK_INDEX_DIR or =off says otherwise', async () => {
    const repo = gitRepo();
    const git = new GitRepo(repo.dir);
    const store = await clockIndexOf(git, {});
    expect(store?.dir).toBe(join(repo.dir, '.git', 'flags-clock-index'));
    expect((await clockIndexOf(git, { FLAGS_CLOCK_INDEX_DIR: '/tmp/x' }))?.dir).toBe('/tmp/x');
    expect(await clockIndexOf(git, { FLAGS_CLOCK_INDEX: 'off' })).toBeNull();
  });
});
