// What a commit's first-parent history says about flags: every change of `state` (with whether
// a fresh `override` came with it), when each org entered or left `alpha_orgs`, and which keys
// the repository once had and deleted. The soak clock is the newest state entry: only changes of
// `state` count, side-branch dates never do, and a move between folders keeps the history (the
// key is the identity). One git log for the flags asked about (one walk over flags/ when they
// are many) and one cat-file for all their versions; never a git process per flag.
import { isDeepStrictEqual } from 'node:util';
import type { FlagHistory, StateEntry } from '../core/deploy-plan.ts';
import { FLAGS_DIR } from '../core/load.ts';
import type { Flag, State } from '../core/model.ts';
import { keyFromPath, parseFlag } from '../core/parse-flag.ts';
import { stateOfText } from '../core/state-of.ts';
import { isoTime } from '../core/time.ts';
import { clockIndexOf, snapshotAt, type ClockIndexStore } from './clock-index-store.ts';
import type { GitRepo, HistoryCommit, RawChange } from './git.ts';

export interface HistoryTarget {
  key: string;
  /** The file's path at the deployed commit. */
  path: string;
}

interface Entry {
  commit: HistoryCommit;
  change: RawChange;
}

interface Version {
  sha: string;
  time: Date;
  blob: string;
  path: string;
}

/** Above this many flags one walk over flags/ is cheaper than naming every path. */
const PATH_LIMIT = 64;
/** On a run without any index, up to this many flags are walked, not indexed (see useIndex). */
const COLD_WALK_LIMIT = PATH_LIMIT;
/** Changed files in folders holding fewer flags than this are always walked by their paths. */
const LARGE_FOLDER = 1000;

/**
 * What one git log walks for these files (every flag file at the commit in `allPaths`): their
 * paths, or all of flags/ when that is cheaper. It is when they are many, and when their folders
 * are large and hold nearly all the flags (one flat folder): git must then scan those folders'
 * trees at every commit either way, and with a pathspec it does so twice (14.8 s against 9.4 s
 * for five paths in one folder of 10,000 files over 16,000 commits).
 */
export function historyPaths(
  paths: readonly string[],
  allPaths: readonly string[],
): readonly string[] {
  const folder = [`${FLAGS_DIR}/`];
  if (paths.length > PATH_LIMIT) return folder;
  const dirOf = (path: string): string => path.slice(0, path.lastIndexOf('/'));
  const sizes = new Map<string, number>();
  for (const path of allPaths) sizes.set(dirOf(path), (sizes.get(dirOf(path)) ?? 0) + 1);
  const dirs = new Set(paths.map(dirOf));
  const held = [...dirs].reduce((sum, dir) => sum + (sizes.get(dir) ?? 0), 0);
  // With changes spread evenly, a folder's share of git's work grows with the square of its size.
  const work = (list: Iterable<string>): number =>
    [...list].reduce((sum, dir) => sum + (sizes.get(dir) ?? 0) ** 2, 0);
  return held >= LARGE_FOLDER && work(dirs) > 0.9 * work(sizes.keys()) ? folder : paths;
}

/** historyPaths at a commit, from its (memoised) listing of flags/. */
async function walkFor(
  git: GitRepo,
  commit: string,
  paths: readonly string[],
): Promise<readonly string[]> {
  const tree = await git.listTree(commit);
  return historyPaths(
    paths,
    tree.filter((e) => e.path.endsWith('.yaml')).map((e) => e.path),
  );
}

/**
 * Starts the work that soakClocks(git, commit, <flags at these paths>) will need (the indexed
 * snapshot, or the walk when the index is off), so git works on another core while the caller
 * parses flags. Failures surface later, from the call that awaits it.
 */
export function prefetchHistory(git: GitRepo, commit: string, paths: readonly string[]): void {
  if (paths.length === 0) return;
  clockIndexOf(git)
    .then(async (store): Promise<unknown> =>
      store && (await useIndex(store, paths.length))
        ? snapshotAt(git, commit, store)
        : walkFor(git, commit, paths).then((walk) => git.firstParentHistory(commit, walk)),
    )
    .catch(() => {});
}

/**
 * Whether the soak clocks of `count` flags come from the index in `store`. Not when it holds no
 * snapshot at all (a fresh clone, a CI cache miss) and the flags are few (a check, a promotion):
 * building it reads every version of every flag file in history, where the walk of those few
 * flags reads only theirs, as every run did before the index. The runs that need every flag's
 * clock (status, export, deploy) build it; the differential tests hold walk and index equal.
 */
async function useIndex(store: ClockIndexStore, count: number): Promise<boolean> {
  return count > COLD_WALK_LIMIT || (await store.commits()).size > 0;
}

export interface HistoryOptions {
  /** Only states are needed (the soak clock): skip parsing each version in full. */
  statesOnly?: boolean;
}

export async function flagHistories(
  git: GitRepo,
  head: string,
  targets: readonly HistoryTarget[],
  options: HistoryOptions = {},
): Promise<Map<string, FlagHistory>> {
  const result = new Map<string, FlagHistory>();
  if (targets.length === 0) return result;
  const walk = await walkFor(
    git,
    head,
    targets.map((t) => t.path),
  );
  const limited = walk[0] !== `${FLAGS_DIR}/`;
  const history = await git.firstParentHistory(head, walk);
  const byPath = indexByPath(history);
  const rank = new Map(history.map((c, i) => [c.sha, i]));

  const versions = new Map<string, Version[]>();
  for (const t of targets) {
    const list: Version[] = [];
    let path = t.path;
    let entries = byPath.get(path) ?? [];
    for (let i = 0; i < entries.length;) {
      const { commit, change } = entries[i]!;
      if (change.status === 'D' || !change.newBlob) break;
      list.push({ sha: commit.sha, time: commit.time, blob: change.newBlob, path });
      if (change.status !== 'A') {
        i++;
        continue;
      }
      // Added here: a move keeps the flag's history (the key is its identity), a creation ends it.
      const moved = await movedFrom(git, commit, t.key, path, limited, byPath, rank);
      if (!moved) break;
      path = moved.path;
      entries = moved.entries;
      i = 0;
    }
    versions.set(t.key, list.reverse());
  }

  const blobs = await git.readBlobs([...versions.values()].flat().map((v) => v.blob));
  for (const t of targets) {
    const list = versions.get(t.key) ?? [];
    result.set(
      t.key,
      historyOf(
        list.map((v) => {
          const text = blobs.get(v.blob)?.toString('utf8') ?? '';
          return {
            sha: v.sha,
            time: v.time,
            flag: options.statesOnly ? null : parseFlag(text, v.path).flag,
            state: stateOfText(text),
          };
        }),
      ),
    );
  }
  return result;
}

/** The versions of one flag, oldest first, to its state entries and org changes. */
export function historyOf(
  versions: readonly { sha: string; time: Date; flag: Flag | null; state: State | null }[],
): FlagHistory {
  const entries: StateEntry[] = [];
  const orgsChangedAt: Record<string, string> = {};
  let prev: { state: State; override: Flag['override'] | null; orgs: Set<string> } | null = null;
  for (const v of versions) {
    const state = v.flag?.state ?? v.state;
    if (!state) continue;
    const override = v.flag?.override ?? null;
    const orgs: Set<string> = v.flag
      ? new Set((v.flag.alpha_orgs ?? []).map((o) => o.org))
      : (prev?.orgs ?? new Set<string>());
    const at = isoTime(v.time);
    if (!prev || state !== prev.state) {
      entries.push({
        state,
        at,
        sha: v.sha,
        created: prev === null,
        freshOverride:
          override !== null && (prev === null || !isDeepStrictEqual(override, prev.override)),
        decisionMaker: override?.decision_maker ?? null,
      });
    }
    for (const org of new Set([...orgs, ...(prev?.orgs ?? [])])) {
      if (orgs.has(org) !== (prev?.orgs.has(org) ?? false)) orgsChangedAt[org] = at;
    }
    prev = { state, override, orgs };
  }
  const newest = versions.at(-1);
  return { entries, orgsChangedAt, lastChangedAt: newest ? isoTime(newest.time) : null };
}

/** Where a file added in `commit` came from, when the same key was deleted elsewhere (a move). */
async function movedFrom(
  git: GitRepo,
  commit: HistoryCommit,
  key: string,
  path: string,
  limited: boolean,
  byPath: Map<string, Entry[]>,
  rank: Map<string, number>,
): Promise<{ path: string; entries: Entry[] } | null> {
  const isPartner = (p: string): boolean =>
    p !== path && p.endsWith('.yaml') && keyFromPath(p) === key;
  const partner = deletionsOf(commit)
    .get(key)
    ?.find((ch) => isPartner(ch.path));
  if (partner) {
    const older = (byPath.get(partner.path) ?? []).filter(
      (e) => rank.get(e.commit.sha)! > rank.get(commit.sha)!,
    );
    return { path: partner.path, entries: older };
  }
  if (!limited) return null;
  // Path-limited history does not show the other half of a move: look in the parent's tree.
  const parent = await git.firstParent(commit.sha);
  if (!parent) return null;
  const origin = (await git.listTree(parent)).find((e) => isPartner(e.path));
  if (!origin) return null;
  const older = await git.firstParentHistory(parent, [origin.path]);
  return { path: origin.path, entries: indexByPath(older).get(origin.path) ?? [] };
}

const deletions = new WeakMap<HistoryCommit, Map<string, RawChange[]>>();

/** A commit's deleted flag files by key, built once: the first commit may add 10,000 files. */
function deletionsOf(commit: HistoryCommit): Map<string, RawChange[]> {
  let byKey = deletions.get(commit);
  if (!byKey) {
    byKey = new Map();
    for (const ch of commit.changes) {
      if (ch.status !== 'D') continue;
      const k = keyFromPath(ch.path);
      byKey.set(k, [...(byKey.get(k) ?? []), ch]);
    }
    deletions.set(commit, byKey);
  }
  return byKey;
}

function indexByPath(history: readonly HistoryCommit[]): Map<string, Entry[]> {
  const byPath = new Map<string, Entry[]>();
  for (const commit of history) {
    for (const change of commit.changes) {
      const list = byPath.get(change.path);
      if (list) list.push({ commit, change });
      else byPath.set(change.path, [{ commit, change }]);
    }
  }
  return byPath;
}

/**
 * Keys of flag files deleted on the first-parent history of `head`: flags the repository had.
 * From the soak-clock index when it is on (it keeps them), else by a walk of all of flags/.
 */
export async function removedFlagKeys(git: GitRepo, head: string): Promise<Set<string>> {
  const store = await clockIndexOf(git);
  if (store) return new Set((await snapshotAt(git, head, store)).removed);
  return removedFlagKeysByWalk(git, head);
}

/** removedFlagKeys by walking the first-parent history of flags/ (no index). */
export async function removedFlagKeysByWalk(git: GitRepo, head: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const commit of await git.firstParentHistory(head, [`${FLAGS_DIR}/`])) {
    for (const change of commit.changes) {
      if (change.status === 'D' && change.path.endsWith('.yaml'))
        keys.add(keyFromPath(change.path));
    }
  }
  return keys;
}

/**
 * The soak clock of each flag: when it entered its state at `commit` (the committer time of the
 * first-parent commit that last changed its `state`, or created it), or null if history has none.
 * Answered from the soak-clock index when it is on (see clock-index-store.ts), else by a walk.
 */
export async function soakClocks(
  git: GitRepo,
  commit: string,
  targets: readonly HistoryTarget[],
): Promise<Map<string, Date | null>> {
  if (targets.length === 0) return new Map();
  // The index follows a file by its name; a flag whose key differs from it is walked by key.
  const byName = targets.every((t) => keyFromPath(t.path) === t.key);
  const store = byName ? await clockIndexOf(git) : null;
  return store && (await useIndex(store, targets.length))
    ? soakClocksIndexed(git, commit, targets, store)
    : soakClocksByWalk(git, commit, targets);
}

/** soakClocks from the index in `store` (extended and saved by the run). */
export async function soakClocksIndexed(
  git: GitRepo,
  commit: string,
  targets: readonly HistoryTarget[],
  store: ClockIndexStore,
): Promise<Map<string, Date | null>> {
  const snapshot = await snapshotAt(git, commit, store);
  return new Map(
    targets.map((t) => {
      const at = snapshot.get(t.path)?.at;
      return [t.key, at === null || at === undefined ? null : new Date(at * 1000)];
    }),
  );
}

/** soakClocks by walking the flags' whole first-parent history (no index). */
export async function soakClocksByWalk(
  git: GitRepo,
  commit: string,
  targets: readonly HistoryTarget[],
): Promise<Map<string, Date | null>> {
  const histories = await flagHistories(git, commit, targets, { statesOnly: true });
  return new Map(
    targets.map((t) => {
      const entered = histories.get(t.key)?.entries.at(-1)?.at;
      return [t.key, entered ? new Date(entered) : null];
    }),
  );
}
