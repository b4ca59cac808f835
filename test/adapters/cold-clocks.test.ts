// A run without any soak-clock index (a fresh clone, a CI cache miss) that needs the clocks of a
// few flags (a check, a promotion) walks those flags' history, as every run did before the index,
// and leaves the index unbuilt; a run that needs every flag's clock (status, export) builds it.
// Either way the answer is the walk's, at every commit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClockIndexStore } from '../../scripts/adapters/clock-index-store.ts';
import {
  soakClocks,
  soakClocksByWalk,
  type HistoryTarget,
} from '../../scripts/adapters/flag-history.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { keyFromPath } from '../../scripts/core/parse-flag.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';
import { seededRandom } from '../helpers/random.ts';

const saved = { ...process.env };
let indexDir = '';
beforeEach(() => {
  indexDir = mkdtempSync(join(tmpdir(), 'flags-cold-index-'));
  delete process.env.FLAGS_CLOCK_INDEX;
  process.env.FLAGS_CLOCK_INDEX_DIR = indexDir;
});
afterEach(() => {
  for (const name of ['FLAGS_CLOCK_INDEX', 'FLAGS_CLOCK_INDEX_DIR']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  cleanupRepos();
});

const STATES = ['alpha', 'beta', 'ga'];
const text = (key: string, state: string, note: number): string =>
  `key: ${key}\ndescription: Note ${note}.\nowner: "@novalien/video"\nstate: ${state}\nrevertible: true\n`;
const iso = (clocks: Map<string, Date | null>): Record<string, string | null> =>
  Object.fromEntries([...clocks].map(([k, d]) => [k, d ? d.toISOString() : null]));

describe('soak clocks without any index', () => {
  it('walks a few flags and builds nothing; all flags build the index; both as the walk', async () => {
    const repo = gitRepo();
    const next = seededRandom(41);
    const keys = Array.from({ length: 80 }, (_, i) => `f-${i}`);
    const commits: string[] = [];
    for (let day = 1; day <= 8; day++) {
      for (const key of keys) {
        if (day === 1 || next() < 0.2) {
          const state = STATES[Math.floor(next() * 3)]!;
          repo.write(`flags/video/${key}.yaml`, text(key, state, Math.floor(next() * 9)));
        }
      }
      commits.push(repo.commit(`2026-11-0${day}T10:00:00Z`));
    }
    const store = new ClockIndexStore(indexDir);
    for (const [i, commit] of commits.entries()) {
      const git = new GitRepo(repo.dir);
      const all: HistoryTarget[] = (await git.listTree(commit)).map((e) => ({
        key: keyFromPath(e.path),
        path: e.path,
      }));
      const few = all.filter((_, j) => j % 17 === i % 17).slice(0, 5);
      const walked = iso(await soakClocksByWalk(git, commit, all));
      const pick = (clocks: Record<string, string | null>, of: HistoryTarget[]) =>
        Object.fromEntries(of.map((t) => [t.key, clocks[t.key]]));
      if (i < 4) {
        // No index yet: the few are walked, and nothing is written.
        expect(iso(await soakClocks(git, commit, few)), `few, cold, commit ${i}`).toEqual(
          pick(walked, few),
        );
        expect((await store.commits()).size, `nothing built at ${i}`).toBe(0);
        continue;
      }
      // Every flag (status, export): the index is built, or extended, and answers as the walk.
      expect(iso(await soakClocks(git, commit, all)), `all, commit ${i}`).toEqual(walked);
      expect((await store.commits()).has(commit), `indexed at ${i}`).toBe(true);
      // Then a few flags come from the index (warm), still as the walk.
      const warm = new GitRepo(repo.dir);
      expect(iso(await soakClocks(warm, commit, few)), `few, warm, commit ${i}`).toEqual(
        pick(walked, few),
      );
    }
  }, 300_000); // git processes on a shared machine: no race, only a bound
});
