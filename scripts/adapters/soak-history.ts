// History facts for the gate: when each flag entered its state on the base, read from the
// base's first-parent history. Only changes of `state` count (an edit of the description does
// not restart the clock); the key is the identity, so a move between folders keeps the clock.
import type { State } from '../core/model.ts';
import { keyFromPath } from '../core/parse-flag.ts';
import { stateOfText } from '../core/state-of.ts';
import { FLAGS_DIR } from '../core/load.ts';
import type { GitRepo, HistoryCommit, RawChange } from './git.ts';

export interface ClockTarget {
  key: string;
  /** The file's path at the base. */
  path: string;
  /** The flag's state at the base. */
  state: State;
}

interface Entry {
  commit: HistoryCommit;
  change: RawChange;
}

interface Cursor extends ClockTarget {
  entries: Entry[];
  pos: number;
  /** For a move found in path-limited history: the old path's history before the move. */
  origin?: Entry[];
}

/**
 * For each target, the committer time of the newest first-parent commit of `base` that brought
 * it into its base state (its creation, or the change of `state`), or null if history ends first.
 * With few targets, git walks only their paths (fast with changed-path Bloom filters); with many,
 * one walk over flags/ serves them all. Rounds of blob reads go through one cat-file each.
 */
export async function soakClocks(
  git: GitRepo,
  base: string,
  targets: readonly ClockTarget[],
): Promise<Map<string, Date | null>> {
  const result = new Map<string, Date | null>();
  if (targets.length === 0) return result;
  const limited = targets.length <= 64;
  const history = await git.firstParentHistory(
    base,
    limited ? targets.map((t) => t.path) : [`${FLAGS_DIR}/`],
  );
  const byPath = indexByPath(history);
  // Position in first-parent order (newest first), to take a moved file's older history.
  const rank = new Map(history.map((commit, index) => [commit.sha, index]));
  const cursors: Cursor[] = targets.map((t) => ({
    ...t,
    entries: byPath.get(t.path) ?? [],
    pos: 0,
  }));
  const states = new Map<string, State | null>();

  const stateOf = (blob: string | null): State | null => (blob ? (states.get(blob) ?? null) : null);

  let active = cursors;
  while (active.length > 0) {
    // Moves seen in path-limited history: find where the file lived before (rare).
    for (const c of active) {
      const entry = c.entries[c.pos];
      if (!limited || !entry || entry.change.status !== 'A' || partner(entry.commit, c)) continue;
      await attachOrigin(git, c, entry.commit);
    }
    const blobs = new Set<string>();
    for (const c of active) {
      const entry = c.entries[c.pos];
      if (!entry) continue;
      for (const b of [
        entry.change.oldBlob,
        entry.change.newBlob,
        partner(entry.commit, c)?.oldBlob ?? null,
      ]) {
        if (b && !states.has(b)) blobs.add(b);
      }
    }
    for (const [sha, content] of await git.readBlobs([...blobs]))
      states.set(sha, stateOfText(content.toString('utf8')));

    const next: Cursor[] = [];
    for (const c of active) {
      const entry = c.entries[c.pos];
      if (!entry) {
        result.set(c.key, null);
        continue;
      }
      const { commit, change } = entry;
      const before = change.status === 'A' ? (partner(commit, c)?.oldBlob ?? null) : change.oldBlob;
      const movedFrom = change.status === 'A' ? partner(commit, c) : undefined;
      if (stateOf(before) !== stateOf(change.newBlob) || (change.status === 'A' && !movedFrom)) {
        result.set(c.key, commit.time);
        continue;
      }
      if (movedFrom) {
        // Same state on both sides of a move: follow the file to its old path, further back.
        const older =
          c.origin ??
          (byPath.get(movedFrom.path) ?? []).filter(
            (e) => rank.get(e.commit.sha)! > rank.get(commit.sha)!,
          );
        c.path = movedFrom.path;
        c.entries = older;
        c.pos = 0;
        c.origin = undefined;
      } else {
        c.pos++;
      }
      next.push(c);
    }
    active = next;
  }
  return result;

  async function attachOrigin(gitRepo: GitRepo, c: Cursor, commit: HistoryCommit): Promise<void> {
    const parent = await gitRepo.firstParent(commit.sha);
    if (!parent) return;
    const tree = await gitRepo.listTree(parent);
    const origin = tree.find((e) => keyFromPath(e.path) === c.key && e.path.endsWith('.yaml'));
    if (!origin) return;
    // Record the other half of the move, as a whole-tree walk would have seen it.
    commit.changes.push({ status: 'D', path: origin.path, oldBlob: origin.blob, newBlob: null });
    const older = await gitRepo.firstParentHistory(parent, [origin.path]);
    c.origin = indexByPath(older).get(origin.path) ?? [];
  }
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

/** In a commit that adds the cursor's file, the deletion of the same key elsewhere (a move). */
function partner(commit: HistoryCommit, c: Cursor): RawChange | undefined {
  return commit.changes.find(
    (ch) =>
      ch.status === 'D' &&
      ch.path !== c.path &&
      keyFromPath(ch.path) === c.key &&
      ch.path.endsWith('.yaml'),
  );
}
