// A hook runs our commands with GIT_DIR and GIT_INDEX_FILE set (pre-commit, pre-push, a worktree's
// hooks), and a caller may leave them set by accident. Every git call of a run reads the
// repository its `cwd` names, never the one those variables point at: one run that took its refs
// from one repository and its history or blobs from another would judge a flag by someone else's
// clock. Each adapter that starts git is asked here with the variables pointing at a decoy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClockIndexStore, snapshotAt } from '../../scripts/adapters/clock-index-store.ts';
import { archivedFlagKeys } from '../../scripts/adapters/code-refs.ts';
import { soakClocksByWalk } from '../../scripts/adapters/flag-history.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';

const flag = (key: string, state: string): string =>
  `key: ${key}\ndescription: A flag.\nowner: "@novalien/video"\nstate: ${state}\nrevertible: true\n`;

const VARS = ['GIT_DIR', 'GIT_INDEX_FILE', 'GIT_WORK_TREE'] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

let repo: TestRepo;
let decoy: TestRepo;
// Taken before the variables are set: the test's own git helper honours them.
let first = '';
let head = '';
const at = { alpha: '2026-11-01T10:00:00.000Z', beta: '2026-11-03T10:00:00.000Z' };

beforeEach(() => {
  // The repository asked about: x entered beta on 3 November; y was deleted (archived).
  repo = gitRepo();
  repo.write('flags/video/x.yaml', flag('x', 'alpha'));
  repo.write('flags/video/y.yaml', flag('y', 'alpha'));
  first = repo.commit(at.alpha);
  repo.write('flags/video/x.yaml', flag('x', 'beta'));
  repo.remove('flags/video/y.yaml');
  head = repo.commit(at.beta);
  // The decoy: x in alpha since another day, nothing deleted.
  decoy = gitRepo();
  decoy.write('flags/video/x.yaml', flag('x', 'alpha'));
  decoy.commit('2026-10-01T10:00:00Z');
  process.env.GIT_DIR = join(decoy.dir, '.git');
  process.env.GIT_INDEX_FILE = join(decoy.dir, '.git/index');
  process.env.GIT_WORK_TREE = decoy.dir;
});

afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  cleanupRepos();
});

const target = [{ key: 'x', path: 'flags/video/x.yaml' }];

describe("git calls read cwd's repository, whatever GIT_* says", () => {
  it('the history walk and its blobs (git log, cat-file --batch)', async () => {
    const git = new GitRepo(repo.dir);
    expect(await git.resolveCommit('HEAD')).toBe(head);
    const clocks = await soakClocksByWalk(git, head, target);
    expect(clocks.get('x')?.toISOString()).toBe(at.beta);
  });

  it('the index: its first-parent search (rev-list) and replay', async () => {
    const git = new GitRepo(repo.dir);
    const store = new ClockIndexStore(mkdtempSync(join(tmpdir(), 'flags-env-index-')));
    await snapshotAt(git, first, store); // indexed at the first commit: the second replays one
    const snapshot = await snapshotAt(new GitRepo(repo.dir), head, store);
    expect(snapshot.get('flags/video/x.yaml')).toMatchObject({ state: 'beta', sha: head });
    expect([...snapshot.removed]).toEqual(['y']);
  });

  it('a blob read at once (cat-file --batch, synchronously)', async () => {
    const git = new GitRepo(repo.dir);
    const [entry] = (await git.listTree(head)).filter((e) => e.path.endsWith('x.yaml'));
    const text = git.readBlobsSync([entry!.blob]).get(entry!.blob)!.toString('utf8');
    expect(text).toContain('state: beta');
  });

  it('ancestry (merge-base --is-ancestor) answers for this repository', async () => {
    const git = new GitRepo(repo.dir);
    expect(await git.isAncestor(first, head)).toBe(true);
    expect(await git.isAncestor(head, first)).toBe(false);
  });

  it("code references' archived keys (git log of deletions)", async () => {
    expect([...(await archivedFlagKeys(repo.dir))]).toEqual(['y']);
  });
});
