// Flags already parsed, kept between runs of one clone: a file's answer is decided by its path and
// its bytes (the blob id), so a blob the last run found clean is not read as YAML and checked
// against the schema again. Only clean answers are kept (a flag, no violation); anything else is
// parsed every time. The file sits in the clone's git directory only (`git rev-parse --git-path
// flags-parse-cache`), never in a folder CI restores: a fresh clone, and every CI run, parses all.
//
// It cannot serve an answer of other code or a damaged file: the header names a fingerprint of
// everything that decides a parse (the schema, the parser's sources, the locked dependencies) and
// a SHA-256 of the body; a file that fails either is ignored and replaced. A flag is kept only if
// it survives JSON unchanged. FLAGS_PARSE_CACHE=off turns it off.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Flag } from '../core/model.ts';
import { keyFromPath } from '../core/parse-flag.ts';
import type { GitRepo } from './git.ts';

const MAGIC = 'novavms-flags-parse-cache 1';
const FILE = 'flags.json';
/** Entries kept beyond the ones the run used: a few branches' worth, not all of history. */
const SPARE = 20_000;

/** What a parse depends on besides the file: from the package root (two levels above this). */
const INPUTS = [
  'schema/flag.schema.json',
  'scripts/core/parse-flag.ts',
  'scripts/core/quick-yaml.ts',
  'scripts/core/schema.ts',
  'scripts/core/flag-shape-validator.ts',
  'scripts/core/yaml-depth.ts',
  'scripts/core/model.ts',
  'package-lock.json',
];

/** The fingerprint of the parser whose sources are under `root`, or null when one is unreadable. */
export function fingerprintOf(root: URL): string | null {
  const hash = createHash('sha256');
  try {
    for (const input of INPUTS) {
      hash.update(`${input}\0`);
      hash.update(readFileSync(new URL(input, root)));
    }
  } catch {
    return null;
  }
  return hash.digest('hex');
}

let fingerprintMemo: string | null | undefined;

/** The fingerprint of the parser this process runs (once per process). */
export function parserFingerprint(): string | null {
  if (fingerprintMemo === undefined)
    fingerprintMemo = fingerprintOf(new URL('../../', import.meta.url));
  return fingerprintMemo;
}

/** `path\0blob` of a file to the clean flag it parsed to. */
export type KnownFlags = Map<string, Flag>;

export const knownKey = (path: string, blob: string): string => `${path}\0${blob}`;

export class ParseCacheStore {
  constructor(
    readonly dir: string,
    readonly fingerprint: string,
  ) {}

  /** The kept flags; empty when there are none or the file fails its checks. */
  async load(): Promise<KnownFlags> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.dir, FILE));
    } catch {
      return new Map();
    }
    return parseKnown(bytes, this.fingerprint) ?? new Map();
  }

  /** Keeps `used` (this run's clean flags) and up to SPARE of `old`; written aside, renamed. */
  async save(used: KnownFlags, old: KnownFlags): Promise<void> {
    const rows: [string, string, Flag][] = [];
    const add = (key: string, flag: Flag): void => {
      const cut = key.indexOf('\0');
      rows.push([key.slice(0, cut), key.slice(cut + 1), flag]);
    };
    for (const [key, flag] of used) add(key, flag);
    let spare = SPARE;
    for (const [key, flag] of old) {
      if (spare-- <= 0) break;
      if (!used.has(key)) add(key, flag);
    }
    try {
      await mkdir(this.dir, { recursive: true });
      const temp = join(this.dir, `${FILE}.${process.pid}.tmp`);
      await writeFile(temp, serializeKnown(rows, this.fingerprint));
      await rename(temp, join(this.dir, FILE));
    } catch {
      // A cache that cannot be written (read-only clone, full disk) only costs speed.
    }
  }
}

/** The file's bytes: a header naming the parser and the body's SHA-256, then the rows as JSON. */
export function serializeKnown(
  rows: readonly [string, string, Flag][],
  fingerprint: string,
): Buffer {
  // Encoded once: the bytes hashed are the bytes written.
  const body = Buffer.from(JSON.stringify(rows));
  return Buffer.concat([Buffer.from(`${MAGIC} ${fingerprint} ${sha256(body)}\n`), body]);
}

/** The flags a cache file holds, or null unless it is intact and of this very parser. */
export function parseKnown(bytes: Buffer, fingerprint: string): KnownFlags | null {
  const nl = bytes.indexOf(0x0a);
  if (nl === -1) return null;
  const body = bytes.subarray(nl + 1);
  if (bytes.toString('utf8', 0, nl) !== `${MAGIC} ${fingerprint} ${sha256(body)}`) return null;
  let rows: unknown;
  try {
    rows = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  const known: KnownFlags = new Map();
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 3) return null;
    const [path, blob, flag] = row as [unknown, unknown, unknown];
    if (typeof path !== 'string' || typeof blob !== 'string' || !/^[0-9a-f]{40,64}$/.test(blob))
      return null;
    if (!flag || typeof flag !== 'object' || (flag as Flag).key !== keyFromPath(path)) return null;
    known.set(knownKey(path, blob), flag as Flag);
  }
  return known;
}

/**
 * Whether `flag` is kept exactly by JSON: `JSON.parse(JSON.stringify(flag))` would be deeply and
 * strictly equal to it. Decided by walking the value, not by a round trip (a tenth of the time at
 * 10,000 flags): only null, booleans, strings, finite numbers other than -0, dense plain arrays and
 * plain objects with string keys survive; a value met again inside itself (a cycle) does not.
 */
export function survivesJson(flag: Flag): boolean {
  return jsonExact(flag, new Set());
}

function jsonExact(value: unknown, open: Set<object>): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false; // undefined, a function, a symbol, a bigint
  }
  if (open.has(value) || Object.getOwnPropertySymbols(value).length > 0) return false;
  const keys = Object.keys(value);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) {
    // A hole becomes null and a named property is dropped: every key must be an index.
    if (proto !== Array.prototype || keys.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!Object.hasOwn(value, i)) return false;
  } else if (proto !== Object.prototype) return false; // a Date, a Map, a class, no prototype
  open.add(value);
  for (const key of keys)
    if (!jsonExact((value as Record<string, unknown>)[key], open)) return false;
  open.delete(value);
  return true;
}

/**
 * The parse cache of the repository `git` reads, as `env` configures it (the process's by
 * default: this is the edge), or null when it is off or the parser's sources are not readable.
 */
export async function parseCacheOf(
  git: GitRepo,
  env: Record<string, string | undefined> = process.env,
): Promise<ParseCacheStore | null> {
  if (env.FLAGS_PARSE_CACHE === 'off') return null;
  const fingerprint = parserFingerprint();
  if (!fingerprint) return null;
  const path = await git.gitPath('flags-parse-cache');
  return new ParseCacheStore(isAbsolute(path) ? path : resolve(git.cwd, path), fingerprint);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
