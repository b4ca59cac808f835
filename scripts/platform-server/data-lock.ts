// One server per data file: an exclusive lock file next to it (`<data file>.lock`) holding the
// owner's pid, host and process start time. Two servers saving one file would each overwrite the
// other's acknowledged writes. The lock file is created whole in one step (written aside, then
// hard-linked into place, which fails if it exists), so a reader never sees half a lock. A lock
// whose process is gone (killed with SIGKILL, the machine restarted) is stale and taken over; a
// pid reused by another process is told apart by its start time.
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Another live process holds the data file. */
export class DataFileInUseError extends Error {
  override name = 'DataFileInUseError';
}

interface LockOwner {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux), or null where unknown. */
  started: string | null;
}

export interface DataLock {
  readonly path: string;
  /** Removes the lock file, if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
  /** The same, synchronously: for `process.on('exit')`. */
  releaseSync(): void;
}

/** Locks held by this process, released on exit however it exits (bar SIGKILL). */
const held = new Set<DataLock>();
let exitHook = false;

export function lockPathOf(dataFile: string): string {
  return `${dataFile}.lock`;
}

/** Field 22 of /proc/PID/stat: when the process started. Null off Linux or for a gone pid. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function alive(owner: LockOwner, path: string): boolean {
  // Our own pid: a server in this process, or a lock from before a restart that reused the pid
  // (a container's pid 1).
  if (owner.pid === process.pid) return [...held].some((lock) => lock.path === path);
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const started = processStartTime(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const doc = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(doc.pid) || typeof doc.host !== 'string') return null;
    return {
      pid: doc.pid as number,
      host: doc.host,
      started: typeof doc.started === 'string' ? doc.started : null,
    };
  } catch {
    return null;
  }
}

async function readOwner(path: string): Promise<{ text: string; owner: LockOwner | null } | null> {
  try {
    const text = await readFile(path, 'utf8');
    return { text, owner: parseOwner(text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function inUse(dataFile: string, path: string, owner: LockOwner | null): DataFileInUseError {
  const who =
    owner === null
      ? 'another process (its lock file cannot be read)'
      : owner.host === hostname()
        ? `process ${owner.pid}`
        : `process ${owner.pid} on host ${owner.host}`;
  return new DataFileInUseError(
    `data file ${dataFile} is in use by ${who} (lock ${path}); stop that server first, or use another --data file`,
  );
}

/**
 * Takes the lock of `dataFile` (whose directory must exist), or throws DataFileInUseError naming
 * the process that holds it.
 */
export async function acquireDataLock(dataFile: string): Promise<DataLock> {
  const path = lockPathOf(dataFile);
  const text = `${JSON.stringify({
    pid: process.pid,
    host: hostname(),
    started: processStartTime(process.pid),
  } satisfies LockOwner)}\n`;
  const aside = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}`);
  await writeFile(aside, text, { mode: 0o600 });
  try {
    // A few rounds: each either takes the lock, finds it held, or clears one stale lock.
    for (let round = 0; round < 5; round++) {
      try {
        await link(aside, path);
        return heldLock(path, text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const found = await readOwner(path);
      if (found === null) continue; // released meanwhile
      const { owner } = found;
      if (owner === null || owner.host !== hostname() || alive(owner, path)) {
        throw inUse(dataFile, path, owner);
      }
      await clearStale(path, found.text);
    }
    throw inUse(dataFile, path, (await readOwner(path))?.owner ?? null);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/**
 * Moves a stale lock aside and deletes it, unless what was moved is not the stale lock read
 * before (another server took over in between): that one is put back.
 */
async function clearStale(path: string, staleText: string): Promise<void> {
  const moved = `${path}.stale.${process.pid}`;
  try {
    await rename(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const text = await readFile(moved, 'utf8').catch(() => null);
  if (text !== null && text !== staleText) await link(moved, path).catch(() => undefined);
  await unlink(moved).catch(() => undefined);
}

function heldLock(path: string, text: string): DataLock {
  let released = false;
  const ours = (content: string | null): boolean => content === text;
  const lock: DataLock = {
    path,
    async release() {
      if (released) return;
      released = true;
      held.delete(lock);
      const content = await readFile(path, 'utf8').catch(() => null);
      if (ours(content)) await unlink(path).catch(() => undefined);
    },
    releaseSync() {
      if (released) return;
      released = true;
      held.delete(lock);
      try {
        if (ours(readFileSync(path, 'utf8'))) unlinkSync(path);
      } catch {
        // Nothing more can be done while exiting; the next start finds the pid gone.
      }
    },
  };
  held.add(lock);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const l of [...held]) l.releaseSync();
    });
  }
  return lock;
}
