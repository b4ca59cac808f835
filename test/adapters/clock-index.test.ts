// The soak-clock index against the full walk: for every first-parent commit of a generated
// history (promotions, reverts, moves between folders, deletions and re-additions, edits that
// keep the state, side branches with forged dates merged in, `git revert`), the indexed answer
// must equal the walk's, whether the index is extended commit by commit, sparse, or cold. And a
// corrupt, foreign or other-version index file is detected and rebuilt, never trusted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClockIndexStore,
  clockIndexOf,
  snapshotAt,
} from '../../scripts/adapters/clock-index-store.ts';
import {
  removedFlagKeysByWalk,
  soakClocksByWalk,
  soakClocksIndexed,
  type HistoryTarget,
} from '../../scripts/adapters/flag-history.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { CLOCK_INDEX_VERSION } from '../../scripts/core/clock-index.ts';
import { keyFromPath } from '../../scripts/core/parse-flag.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import { seededRandom as random } from '../helpers/random.ts';

afterEach(cleanupRepos);

const STATES = ['alpha', 'beta', 'ga'] as const;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const TEAMS = ['video', 'access'];

/** The flag files of one tree: path to text. */
type Tree = Map<string, string>;

const text = (key: string, state: string, note: number): string =>
  `key: ${key}\ndescription: Note ${note}.\nowner: "@novalien/video"\nstate: ${state}\nrevertible: true\n`;

/** One random change to a tree: a promotion or demotion, an edit, a move, a deletion, a creation. */
function step(tree: Tree, next: () => number): void {
  const key = KEYS[Math.floor(next() * KEYS.length)]!;
  const path = [...tree.keys()].find((p) => keyFromPath(p) === key);
  const state = STATES[Math.floor(next() * 3)]!;
  const note = Math.floor(next() * 1000);
  const other = (p: string): string =>
    p.replace(/flags\/(\w+)\//, (_m, t: string) => `flags/${t === 'video' ? 'access' : 'video'}/`);
  const roll = next();
  if (!path) tree.set(`flags/${TEAMS[Math.floor(next() * 2)]!}/${key}.yaml`, text(key, 'alpha', 0));
  else if (roll < 0.35)
    tree.set(path, text(key, state, note)); // promote, demote, same state again
  else if (roll < 0.5) tree.set(path, tree.get(path)!.replace(/Note \d+/, `Note ${note}`));
  else if (roll < 0.65) {
    tree.set(other(path), tree.get(path)!); // a move keeps the clock
    tree.delete(path);
  } else if (roll < 0.75)
    tree.delete(path); // a later creation starts a new clock
  else if (roll < 0.85) {
    tree.delete(path); // a move and a state change in one commit
    tree.set(other(path), text(key, state, note));
  } else tree.set(path, text(key, state, note));
}

/**
 * A history of `steps` commits on main, written with git fast-import (one process): plain
 * commits, reverts (the tree of two commits back), and side branches with forged dates merged
 * in (the merge takes the branch's tree). Answers main's first-parent commits, oldest first.
 */
function generateHistory(repo: TestRepo, seed: number, steps: number): string[] {
  const next = random(seed);
  const data = (t: string): string => `data ${Buffer.byteLength(t)}\n${t}\n`;
  const out: string[] = [];
  let mark = 0;
  let time = Date.UTC(2026, 0, 1) / 1000;
  const commit = (ref: string, tree: Tree, at: number, from: number, merge?: number): number => {
    out.push(
      `commit ${ref}\nmark :${++mark}\ncommitter T <t@example.com> ${at} +0000\n${data('c')}`,
    );
    if (from > 0) out.push(`from :${from}\n`);
    if (merge) out.push(`merge :${merge}\n`);
    out.push('deleteall\n');
    for (const [path, body] of tree) out.push(`M 100644 inline ${path}\n${data(body)}`);
    out.push('\n');
    return mark;
  };
  let tree: Tree = new Map();
  let before: Tree = new Map();
  let head = 0;
  for (let i = 0; i < steps; i++) {
    const roll = next();
    time += 3600;
    if (roll < 0.12 && head > 0) {
      const side = new Map(tree);
      step(side, next);
      const sideMark = commit(`refs/heads/side${i}`, side, 1_700_000_000, head); // forged date
      if (next() < 0.5) {
        step(tree, next);
        head = commit('refs/heads/main', tree, time, head);
        time += 3600;
      }
      before = tree;
      tree = new Map(side);
      head = commit('refs/heads/main', tree, time, head, sideMark);
    } else if (roll < 0.2 && head > 0) {
      [tree, before] = [new Map(before), tree]; // a revert of the last commit
      head = commit('refs/heads/main', tree, time, head);
    } else {
      before = new Map(tree);
      step(tree, next);
      head = commit('refs/heads/main', tree, time, head);
    }
  }
  execFileSync('git', ['fast-import', '--quiet', '--force'], {
    cwd: repo.dir,
    input: out.join(''),
  });
  return repo.git('rev-list', '--first-parent', '--reverse', 'main').trim().split('\n');
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
    const commits = generateHistory(repo, 2026, 40);
    const extended = new ClockIndexStore(tempDir());
    const sparse = new ClockIndexStore(tempDir());
    const next = random(7);
    let compared = 0;
    let removals = 0;
    // One repository object (its caches of trees and blobs hold only immutable objects).
    const git = new GitRepo(repo.dir);
    for (const [i, commit] of commits.entries()) {
      const targets = await targetsAt(git, commit);
      if (targets.length === 0) continue;
      const walked = iso(await soakClocksByWalk(git, commit, targets));
      const fromExtended = await soakClocksIndexed(git, commit, targets, extended);
      expect(iso(fromExtended), `extended, commit ${i}`).toEqual(walked);
      // The keys history deleted (what deploy may archive) too.
      const removed = [...(await removedFlagKeysByWalk(git, commit))].sort();
      const kept = [...(await snapshotAt(git, commit, extended)).removed].sort();
      expect(kept, `removed keys, commit ${i}`).toEqual(removed);
      removals += removed.length;
      if (i % 5 === 0 || next() < 0.2) {
        const fromSparse = await soakClocksIndexed(git, commit, targets, sparse);
        expect(iso(fromSparse), `sparse, commit ${i}`).toEqual(walked);
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    expect(removals).toBeGreaterThan(0);
    // The history holds what the test is about: merges, moves (a delete and an add of one key).
    const log = repo.git(
      'log',
      '--first-parent',
      '--raw',
      '--no-renames',
      '--format=%x01%P',
      'main',
    );
    const entries = log.split('\x01').slice(1);
    expect(entries.filter((e) => e.split('\n')[0]!.includes(' ')).length).toBeGreaterThan(2);
    const moves = entries.filter((e) => {
      const changed = [...e.matchAll(/ ([AD])\t(\S+)/g)].map((m) => [m[1], keyFromPath(m[2]!)]);
      return changed.some(([s, k]) => s === 'A' && changed.some(([t, j]) => t === 'D' && j === k));
    });
    expect(moves.length).toBeGreaterThan(2);
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
      good.replace(` ${CLOCK_INDEX_VERSION} `, ' 999 '),
      good.replace(` ${CLOCK_INDEX_VERSION} `, ` ${CLOCK_INDEX_VERSION - 1} `),
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
