// The fingerprint of what `.build/` was bundled from (the TypeScript in scripts/, the flag schema
// compiled into it, the locked dependencies bundled with it), so the `flags` bin can tell in a few
// milliseconds whether the built JavaScript is still the code of the working tree.
// Sizes and modification times decide quickly; a file whose time moved (a checkout, a touch) is
// hashed, so only a real change of content makes the build stale.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Where the compiled JavaScript goes, relative to the package root (ignored by git). */
export const BUILD_DIR = '.build';
export const STAMP_FILE = 'stamp.json';

/** @typedef {{ size: number, mtimeMs: number, sha256: string }} SourceEntry */
/** @typedef {{ version: 1, files: Record<string, SourceEntry> }} Stamp */

/** Inputs of the build besides scripts/**.ts. */
const OTHER_INPUTS = ['schema/flag.schema.json', 'package-lock.json'];

/** @param {string} root @returns {string[]} repo-relative paths of every input of the build */
export function sourceFiles(root) {
  const dir = join(root, 'scripts');
  const scripts = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.ts'))
    .map((p) => relative(root, join(dir, p)));
  return [...scripts, ...OTHER_INPUTS.filter((p) => existsSync(join(root, p)))].sort();
}

/** @param {string} path */
function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** @param {string} root @returns {Stamp} the fingerprint of the sources as they are now */
export function currentStamp(root) {
  /** @type {Record<string, SourceEntry>} */
  const files = {};
  for (const path of sourceFiles(root)) {
    const abs = join(root, path);
    const { size, mtimeMs } = statSync(abs);
    files[path] = { size, mtimeMs, sha256: sha256(abs) };
  }
  return { version: 1, files };
}

/**
 * Whether the stamp written by the build still describes every source file: the same set of
 * files, each with the same content.
 * @param {string} root
 * @param {Stamp} stamp
 */
export function stampMatches(root, stamp) {
  if (stamp.version !== 1) return false;
  const paths = sourceFiles(root);
  if (paths.length !== Object.keys(stamp.files).length) return false;
  for (const path of paths) {
    const entry = stamp.files[path];
    if (!entry) return false;
    const abs = join(root, path);
    const { size, mtimeMs } = statSync(abs);
    if (size !== entry.size) return false;
    if (mtimeMs !== entry.mtimeMs && sha256(abs) !== entry.sha256) return false;
  }
  return true;
}

/**
 * The stamp of a complete build, or null when there is none (never built, a build under way or
 * interrupted, an unreadable file).
 * @param {string} root
 * @returns {Stamp | null}
 */
export function readStamp(root) {
  try {
    /** @type {unknown} */
    const stamp = JSON.parse(readFileSync(join(root, BUILD_DIR, STAMP_FILE), 'utf8'));
    return /** @type {Stamp} */ (stamp);
  } catch {
    return null;
  }
}
