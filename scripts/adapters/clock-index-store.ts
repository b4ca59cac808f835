// Where the soak-clock index lives, and the run that uses it: find the newest indexed first-parent
// ancestor of a commit, replay only the commits after it, save what was learned. The files sit
// inside the repository's git directory (`git rev-parse --git-path`, so linked worktrees share
// them), or in FLAGS_CLOCK_INDEX_DIR (CI restores and saves that folder with the Actions cache).
// FLAGS_CLOCK_INDEX=off turns the index off: every run then walks all of history.
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { advance, ClockSnapshot, parseSnapshot, serializeSnapshot } from '../core/clock-index.ts';
import { FLAGS_DIR } from '../core/load.ts';
import { stateOfText } from '../core/state-of.ts';
import { GitError } from '../core/errors.ts';
import type { GitRepo } from './git.ts';
import { spawnGit } from './git-process.ts';

const FILE = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\.clocks$/;
/** Snapshots kept: the newest few bases are all a run needs; older ones are only ballast. */
const KEEP = 16;

export class ClockIndexStore {
  constructor(readonly dir: string) {}

  /** The commits with a snapshot file (not yet checked: reading checks). */
  async commits(): Promise<Set<string>> {
    try {
      return new Set((await readdir(this.dir)).flatMap((name) => FILE.exec(name)?.[1] ?? []));
    } catch {
      return new Set();
    }
  }

  private path(commit: string): string {
    return join(this.dir, `${commit}.clocks`);
  }

  /** The snapshot of `commit`, or null; a file that fails its checks is removed, never used. */
  async read(commit: string): Promise<ClockSnapshot | null> {
    let text: string;
    try {
      text = await readFile(this.path(commit), 'utf8');
    } catch {
      return null;
    }
    const snapshot = parseSnapshot(commit, text);
    if (!snapshot) await unlink(this.path(commit)).catch(() => {});
    return snapshot;
  }

  /** Saves a snapshot (written aside, then renamed: a reader never sees half a file). */
  async write(commit: string, snapshot: ClockSnapshot): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      const temp = `${this.path(commit)}.${process.pid}.tmp`;
      await writeFile(temp, serializeSnapshot(commit, snapshot));
      await rename(temp, this.path(commit));
      await this.prune();
    } catch {
      // An index that cannot be written (read-only clone, full disk) only costs speed.
    }
  }

  private async prune(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => FILE.test(n));
    if (names.length <= KEEP) return;
    const dated = await Promise.all(
      names.map(async (n) => ({ n, t: (await stat(join(this.dir, n))).mtimeMs })),
    );
    dated.sort((a, b) => b.t - a.t);
    for (const { n } of dated.slice(KEEP)) await unlink(join(this.dir, n)).catch(() => {});
  }
}

/**
 * The index of the repository `git` reads, as configured by `env` (the process's by default: this
 * is the edge where the environment is read), or null when it is turned off.
 */
export async function clockIndexOf(
  git: GitRepo,
  env: Record<string, string | undefined> = process.env,
): Promise<ClockIndexStore | null> {
  if (env.FLAGS_CLOCK_INDEX === 'off') return null;
  const configured = env.FLAGS_CLOCK_INDEX_DIR;
  if (configured) return new ClockIndexStore(resolve(git.cwd, configured));
  const path = await git.gitPath('flags-clock-index');
  return new ClockIndexStore(isAbsolute(path) ? path : resolve(git.cwd, path));
}

const runs = new WeakMap<GitRepo, Map<string, Promise<ClockSnapshot>>>();

/**
 * Every flag file's clock at `commit`, from the newest indexed first-parent ancestor plus the
 * commits after it (all of history when none is indexed), saved for the next run. Memoised per
 * repository object, so a run started early is shared by whoever asks later.
 */
export function snapshotAt(
  git: GitRepo,
  commit: string,
  store: ClockIndexStore,
): Promise<ClockSnapshot> {
  let byCommit = runs.get(git);
  if (!byCommit) runs.set(git, (byCommit = new Map<string, Promise<ClockSnapshot>>()));
  const key = `${store.dir}\0${commit}`;
  let run = byCommit.get(key);
  if (!run) {
    run = buildSnapshot(git, commit, store);
    byCommit.set(key, run);
    run.catch(() => byCommit.delete(key));
  }
  return run;
}

async function buildSnapshot(
  git: GitRepo,
  commit: string,
  store: ClockIndexStore,
): Promise<ClockSnapshot> {
  const indexed = await store.commits();
  let from: string | null = null;
  let snapshot = new ClockSnapshot();
  // The commit itself indexed (a run again at the same commit): it is the newest first-parent
  // commit in the set, so no walk of the chain is needed to find it.
  if (indexed.has(commit)) {
    const found = await store.read(commit);
    if (found) return found;
    indexed.delete(commit);
  }
  while (indexed.size > 0) {
    from = await newestFirstParentAmong(git, commit, indexed);
    if (from === null) break;
    const found = await store.read(from);
    if (found) {
      snapshot = found;
      break;
    }
    indexed.delete(from); // corrupt or foreign: removed by read, look further back
    from = null;
  }
  if (from === commit) return snapshot;
  const commits = (await git.firstParentHistorySince(commit, from, `${FLAGS_DIR}/`)).reverse();
  const blobs = await git.readBlobs(
    commits.flatMap((c) =>
      c.changes.flatMap((ch) => (ch.newBlob && ch.path.endsWith('.yaml') ? [ch.newBlob] : [])),
    ),
  );
  const states = new Map<string, ReturnType<typeof stateOfText>>();
  advance(snapshot, commits, (blob) => {
    let state = states.get(blob);
    if (state === undefined) {
      state = stateOfText(blobs.get(blob)?.toString('utf8') ?? '');
      states.set(blob, state);
    }
    return state;
  });
  await store.write(commit, snapshot);
  return snapshot;
}

/**
 * The newest commit of `commit`'s first-parent chain (itself included) that is in `wanted`, or
 * null. Reads the chain newest first and stops at the first hit, so the cost is the distance,
 * not the length of history.
 */
export function newestFirstParentAmong(
  git: GitRepo,
  commit: string,
  wanted: ReadonlySet<string>,
): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(git.cwd, ['rev-list', '--first-parent', commit]);
    let rest = '';
    let stderr = '';
    let found: string | null = null;
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      if (found !== null) return;
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      found = lines.find((sha) => wanted.has(sha)) ?? null;
      if (found !== null) child.kill();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new GitError(`cannot run git rev-list: ${error.message}`)));
    child.on('close', (code) => {
      if (found !== null) return resolve(found);
      if (code !== 0) return reject(new GitError(`git rev-list ${commit}: ${stderr.trim()}`));
      resolve(wanted.has(rest) ? rest : null);
    });
  });
}
