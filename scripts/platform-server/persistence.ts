// The data file: one JSON document, replaced atomically (temp file in the same directory, fsync,
// rename, fsync the directory) so a crash at any moment leaves either the old or the new state,
// never a torn file. A file that is not ours refuses to load: wiping it would lose the platform.
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { STATES } from '../core/model.ts';
import { IdempotencyRecords, type IdempotencyRecord } from './idempotency.ts';
import { emptyPlatformState, type PlatformState } from './state.ts';

export const DATA_FORMAT = 'novavms-platform/1';

/** The data file exists but cannot be read as platform state. */
export class PlatformDataError extends Error {
  override name = 'PlatformDataError';
}

export function serializeState(state: PlatformState): string {
  return JSON.stringify({ format: DATA_FORMAT, ...state }) + '\n';
}

export function parseState(text: string, file: string): PlatformState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(doc) || doc.format !== DATA_FORMAT) {
    throw corrupt(file, `not a platform data file (expected "format": "${DATA_FORMAT}")`);
  }
  const problem = shapeProblem(doc);
  if (problem) throw corrupt(file, problem);
  delete doc.format;
  doc.idempotency = new IdempotencyRecords(doc.idempotency as IdempotencyRecord[]);
  return doc as unknown as PlatformState;
}

function corrupt(file: string, why: string): PlatformDataError {
  return new PlatformDataError(
    `platform data file ${file} is ${why}; refusing to start so its state is not lost (fix it, or move it away to start empty)`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

/** Enough of a shape check that a hand-edited file cannot crash a handler later. */
function shapeProblem(doc: Record<string, unknown>): string | null {
  if (!isRecord(doc.flags)) return 'missing "flags"';
  for (const [key, flag] of Object.entries(doc.flags)) {
    const ok =
      isRecord(flag) &&
      flag.key === key &&
      isString(flag.description) &&
      isString(flag.owner) &&
      (STATES as readonly unknown[]).includes(flag.state) &&
      isStringArray(flag.depends_on) &&
      isString(flag.state_changed_at) &&
      (flag.archived_at === null || isString(flag.archived_at)) &&
      isStringArray(flag.orgs_enabled) &&
      isStringArray(flag.opted_in) &&
      isStringArray(flag.opted_out) &&
      Array.isArray(flag.error_events) &&
      flag.error_events.every((e) => isRecord(e) && isString(e.at) && typeof e.count === 'number');
    if (!ok) return `damaged at flag '${key}'`;
  }
  for (const log of ['platform_audit', 'org_audit'] as const) {
    const entries = doc[log];
    if (!Array.isArray(entries) || !entries.every((e) => isRecord(e) && isString(e.action))) {
      return `damaged at "${log}"`;
    }
  }
  if (!Number.isSafeInteger(doc.next_audit_id)) return 'damaged at "next_audit_id"';
  const records = doc.idempotency;
  if (
    !Array.isArray(records) ||
    !records.every(
      (r) =>
        isRecord(r) &&
        isString(r.scope) &&
        isString(r.fingerprint) &&
        typeof r.status === 'number' &&
        isString(r.at),
    )
  ) {
    return 'damaged at "idempotency"';
  }
  return null;
}

/** Reads the state; a missing file is an empty platform. */
export async function loadState(file: string): Promise<PlatformState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyPlatformState();
    throw new PlatformDataError(
      `cannot read platform data file ${file}: ${(error as Error).message}`,
    );
  }
  return parseState(text, file);
}

let tempCounter = 0;

function tempPrefix(file: string): string {
  return `.${basename(file)}.`;
}

/**
 * Replaces the file with `state` as it is at the call (it is serialized before anything is
 * awaited, so the caller may go on changing it); resolves only once the new content is durable.
 */
export async function saveState(file: string, state: PlatformState): Promise<void> {
  const text = serializeState(state);
  const dir = dirname(file);
  const temp = join(dir, `${tempPrefix(file)}${process.pid}.${++tempCounter}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // The rename is only durable once the directory entry is.
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** Creates the data directory and removes temp files a crash left behind. */
export async function prepareDataDir(file: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const prefix = tempPrefix(file);
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}
