// The soak-clock index: for one commit, every flag file's state and the first-parent commit where
// it entered that state. A commit is immutable, so what its history says never changes: an index
// kept by commit SHA is never invalidated, only extended. A run starts from the newest indexed
// ancestor and replays the commits after it (`advance`), with the same rules as the full walk in
// flag-history.ts: only changes of `state` move the clock, a move between folders (a delete and an
// add of the same key in one commit) keeps it, anything else added starts a new clock.
import { createHash } from 'node:crypto';
import { FLAGS_DIR } from './load.ts';
import { STATES, type State } from './model.ts';
import { keyFromPath } from './parse-flag.ts';

export interface ClockEntry {
  /** The newest state the file's versions had (null while none had one). */
  state: State | null;
  /** The first-parent commit that entered it, and its committer time in seconds. */
  sha: string | null;
  at: number | null;
}

/** Every flag file (path under flags/, `.yaml`) at one commit, with its clock. */
export class ClockSnapshot extends Map<string, ClockEntry> {
  /**
   * The keys of flag files deleted on the first-parent history up to the commit (moves too): the
   * flags the repository once had, which a deploy may archive.
   */
  readonly removed = new Set<string>();
}

/** What advance needs of a commit: the shape of git.ts's HistoryCommit, oldest first. */
export interface ReplayCommit {
  sha: string;
  time: Date;
  changes: readonly { status: string; path: string; newBlob: string | null }[];
}

const NONE: ClockEntry = { state: null, sha: null, at: null };

const isFlagPath = (path: string): boolean =>
  path.startsWith(`${FLAGS_DIR}/`) && path.endsWith('.yaml');

/**
 * The snapshot after `commits` (oldest first, each the first-parent child of the one before, the
 * first a child of the snapshot's commit). `stateOf` answers the state of a blob (null if none).
 * Changes the snapshot it is given.
 */
export function advance(
  snapshot: ClockSnapshot,
  commits: readonly ReplayCommit[],
  stateOf: (blob: string) => State | null,
): ClockSnapshot {
  for (const commit of commits) {
    // A deleted file's clock before this commit: an add of the same key may be its move.
    const deleted = new Map<string, { path: string; entry: ClockEntry | undefined }[]>();
    for (const ch of commit.changes) {
      if (ch.status !== 'D' || !isFlagPath(ch.path)) continue;
      const key = keyFromPath(ch.path);
      snapshot.removed.add(key);
      const list = deleted.get(key) ?? [];
      list.push({ path: ch.path, entry: snapshot.get(ch.path) });
      deleted.set(key, list);
    }
    const at = Math.floor(commit.time.getTime() / 1000);
    for (const ch of commit.changes) {
      if (!isFlagPath(ch.path)) continue;
      if (ch.status === 'D' || !ch.newBlob) {
        snapshot.delete(ch.path);
        continue;
      }
      const before =
        ch.status === 'A'
          ? deleted.get(keyFromPath(ch.path))?.find((d) => d.path !== ch.path)?.entry
          : snapshot.get(ch.path);
      const state = stateOf(ch.newBlob);
      snapshot.set(
        ch.path,
        state !== null && state !== before?.state
          ? { state, sha: commit.sha, at }
          : (before ?? NONE),
      );
    }
  }
  return snapshot;
}

/** Bumped whenever what a snapshot means (or how a state is read) changes: old files are rebuilt. */
export const CLOCK_INDEX_VERSION = 2;
const MAGIC = 'novavms-flags-clock-index';

/**
 * A snapshot as one file: a header line (magic, version, commit, SHA-256 of the body), the body
 * (`{"files": [[path, state, sha, at], ...], "removed": [key, ...]}`).
 */
export function serializeSnapshot(commit: string, snapshot: ClockSnapshot): string {
  const files = [...snapshot].map(([path, e]) => [path, e.state, e.sha, e.at]);
  const body = JSON.stringify({ files, removed: [...snapshot.removed] });
  return `${MAGIC} ${CLOCK_INDEX_VERSION} ${commit} ${sha256(body)}\n${body}`;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const states: ReadonlySet<unknown> = new Set(STATES);

/**
 * The snapshot a file holds for `commit`, or null when the file is not exactly one written by
 * this version for this commit (truncated, edited, another version's or another commit's).
 */
export function parseSnapshot(commit: string, text: string): ClockSnapshot | null {
  const nl = text.indexOf('\n');
  if (nl === -1) return null;
  const [magic, version, forCommit, sum, ...rest] = text.slice(0, nl).split(' ');
  const body = text.slice(nl + 1);
  if (
    magic !== MAGIC ||
    version !== String(CLOCK_INDEX_VERSION) ||
    forCommit !== commit ||
    rest.length > 0 ||
    sum !== sha256(body)
  )
    return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const { files: rows, removed } = (parsed ?? {}) as { files?: unknown; removed?: unknown };
  if (!Array.isArray(rows) || !Array.isArray(removed)) return null;
  const snapshot = new ClockSnapshot();
  for (const key of removed) {
    if (typeof key !== 'string') return null;
    snapshot.removed.add(key);
  }
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 4) return null;
    const [path, state, sha, at] = row as unknown[];
    const entry = { state, sha, at };
    if (typeof path !== 'string' || !isFlagPath(path) || !validEntry(entry)) return null;
    snapshot.set(path, entry);
  }
  return snapshot;
}

function validEntry(e: { state: unknown; sha: unknown; at: unknown }): e is ClockEntry {
  if (e.state === null) return e.sha === null && e.at === null;
  return (
    states.has(e.state) &&
    typeof e.sha === 'string' &&
    SHA.test(e.sha) &&
    typeof e.at === 'number' &&
    Number.isSafeInteger(e.at)
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
