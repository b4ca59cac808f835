// Files under flags/ (from the working tree or a git tree) to a FlagSet. Pure: the adapters list
// the entries and read the contents; this decides what is a flag file and parses it.
import {
  KEY_MAX_LENGTH,
  KEY_PATTERN,
  MAX_FLAG_FILE_BYTES,
  type FlagFile,
  type FlagSet,
  type Violation,
} from './model.ts';
import { keyFromPath, parseFlag, type ParsedFlag } from './parse-flag.ts';

export const FLAGS_DIR = 'flags';

export interface RawEntry {
  /** Repo-relative path with forward slashes. */
  path: string;
  kind: 'file' | 'symlink' | 'other';
  size: number;
  /** The bytes, for regular files of at most MAX_FLAG_FILE_BYTES. */
  content?: Uint8Array;
  /** The git blob id, when read from a commit: identical blobs are parsed once. */
  blob?: string;
}

/** Parsed files by path and blob, shared between the base and head of one check. */
export type ParseCache = Map<string, ParsedFlag | Violation>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why an entry cannot be a flag file, or null when it can (content still to be parsed). */
export function fileProblem(entry: RawEntry): string | null {
  const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  if (entry.kind === 'symlink') {
    return 'is a symbolic link: flag files must be regular files; replace the link with the file it points to';
  }
  if (entry.kind === 'other')
    return 'is not a regular file: only <key>.yaml files belong under flags/';
  if (!base.endsWith('.yaml')) {
    const stem = base.replace(/\.[^.]*$/, '');
    const hint = /\.(yml|json)$/.test(base)
      ? `rename it to ${stem}.yaml (YAML, one flag per file)`
      : 'move it out of flags/ (only <key>.yaml flag files belong here)';
    return `is not a flag file (flag files are named <key>.yaml): ${hint}`;
  }
  const key = keyFromPath(entry.path);
  if (!KEY_PATTERN.test(key) || key.length > KEY_MAX_LENGTH) {
    return `has a name that is not a valid key: keys are lowercase letters and digits in words joined by single hyphens, starting with a letter, at most ${KEY_MAX_LENGTH} characters (e.g. live-view-v2.yaml)`;
  }
  if (entry.size > MAX_FLAG_FILE_BYTES) {
    return `is ${entry.size} bytes; a flag file may hold at most ${MAX_FLAG_FILE_BYTES} bytes (64 KiB): move long text to the plan document`;
  }
  return null;
}

/** A flag file's text once it passed the file checks, or the file violation it got instead. */
export type Prepared =
  { entry: RawEntry; text: string } | { entry: RawEntry; violation: Violation };

/** The file checks (name, kind, size, UTF-8) of one entry. */
export function prepareEntry(entry: RawEntry): Prepared {
  const fileViolation = (message: string): Prepared => ({
    entry,
    violation: {
      rule: 'file',
      severity: 'error',
      flag: entry.path.endsWith('.yaml') ? keyFromPath(entry.path) : null,
      file: entry.path,
      line: null,
      message: `${entry.path} ${message}`,
    },
  });
  const problem = fileProblem(entry);
  if (problem) return fileViolation(problem);
  try {
    return { entry, text: utf8.decode(entry.content ?? new Uint8Array()) };
  } catch {
    return fileViolation('is not valid UTF-8 text: save it as UTF-8');
  }
}

export function sortEntries(entries: readonly RawEntry[]): RawEntry[] {
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Adds one parsed file to a set being built. */
export function addParsed(set: FlagSet, file: string, parsed: ParsedFlag): void {
  set.violations.push(...parsed.violations);
  if (parsed.flag && parsed.violations.length === 0) {
    set.flags.push({ file, flag: parsed.flag, lineOf: parsed.lineOf });
  } else {
    set.brokenFiles.push(file);
  }
}

/** One entry parsed (or its file violation), through the cache when it came from git. */
export function parseEntry(entry: RawEntry, cache?: ParseCache): ParsedFlag | Violation {
  const cacheKey = entry.blob ? `${entry.path}\0${entry.blob}` : undefined;
  let parsed = cacheKey ? cache?.get(cacheKey) : undefined;
  if (!parsed) {
    const prepared = prepareEntry(entry);
    parsed = 'violation' in prepared ? prepared.violation : parseFlag(prepared.text, entry.path);
    if (cacheKey) cache?.set(cacheKey, parsed);
  }
  return parsed;
}

export function buildFlagSet(entries: readonly RawEntry[], cache?: ParseCache): FlagSet {
  const set: FlagSet = { flags: [], violations: [], brokenFiles: [] };
  for (const entry of sortEntries(entries)) {
    const parsed = parseEntry(entry, cache);
    if ('rule' in parsed) {
      set.brokenFiles.push(entry.path);
      set.violations.push(parsed);
    } else {
      addParsed(set, entry.path, parsed);
    }
  }
  return withDuplicateKeys(set);
}

/** Completes a set: keys held by several files. */
export function withDuplicateKeys(set: FlagSet): FlagSet {
  set.violations.push(...duplicateKeys(set.flags));
  return set;
}

function duplicateKeys(flags: readonly FlagFile[]): Violation[] {
  const byKey = new Map<string, FlagFile[]>();
  for (const f of flags) {
    const files = byKey.get(f.flag.key);
    if (files) files.push(f);
    else byKey.set(f.flag.key, [f]);
  }
  const violations: Violation[] = [];
  for (const [key, files] of byKey) {
    if (files.length < 2) continue;
    for (const f of files) {
      const others = files.filter((o) => o !== f).map((o) => o.file);
      violations.push({
        rule: 'duplicate-key',
        severity: 'error',
        flag: key,
        file: f.file,
        line: f.lineOf(['key']),
        message: `key \`${key}\` is also used by ${others.join(', ')}: a key names one flag across the whole tree; rename one of them`,
      });
    }
  }
  return violations;
}

/** The flags by key, first file winning (duplicates are reported separately). */
export function flagsByKey(set: FlagSet): Map<string, FlagFile> {
  const map = new Map<string, FlagFile>();
  for (const f of set.flags) if (!map.has(f.flag.key)) map.set(f.flag.key, f);
  return map;
}
