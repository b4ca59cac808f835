// Code references, the edge: reads .github/flag-refs.yaml and searches source trees. git's file
// list decides what is searched (`git ls-files`: tracked files only, so ignored files are
// skipped, and paths marked linguist-vendored or linguist-generated in .gitattributes); each file
// is then read once and its words looked up in one table holding every name of every flag, so
// the cost is one pass over the text however many flags there are. `git grep -F -f` would loop
// over its patterns for every line: minutes for 10,000 keys. Binary files (a NUL byte in the
// first 8000, git's test) are skipped. A folder that is not a git repository gets the file list
// `git grep --no-index --exclude-standard` searches, with its .gitignore files applied; it has
// no commit to cite.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EvaluationError, GitError } from '../core/errors.ts';
import {
  EMPTY_REFS_CONFIG,
  parseRefsConfig,
  REFS_CONFIG_PATH,
  type RefsConfig,
} from '../core/refs/config.ts';
import type { Violation } from '../core/model.ts';
import type { RefsScan, Reference, ScannedSource, UnknownReference } from '../core/refs/model.ts';
import { nameTable, namesInText, patternsInText, type NameTable } from '../core/refs/names.ts';
import { loadWorkingTree } from './fs-flags.ts';
import { gitStatus as git } from './git-process.ts';
import { startSpinner, type ProgressOutput } from './progress.ts';

/** One source tree ready to search. */
export interface SourceToScan {
  name: string;
  dir: string;
  repository: string | null;
  exclude: string[];
  names: NameTable;
  pattern: RegExp | null;
}

const OWN_FILES = ['flags/**', 'CODEOWNERS', REFS_CONFIG_PATH];

/** The config, or an empty one when the repository has none. */
export function readRefsConfig(root: string): RefsConfig {
  const file = join(root, REFS_CONFIG_PATH);
  return existsSync(file) ? parseRefsConfig(readFileSync(file, 'utf8')) : EMPTY_REFS_CONFIG;
}

/**
 * The sources to search: the `--source` folders when given (each takes the settings of the
 * configured source at the same folder, if any), else every configured one. Relative paths are
 * relative to `root`.
 */
export function sourcesToScan(
  root: string,
  config: RefsConfig,
  keys: readonly string[],
  given: readonly string[] = [],
): SourceToScan[] {
  const configured = config.sources.map((s) => ({ ...s, dir: resolve(root, s.path) }));
  const chosen =
    given.length === 0
      ? configured
      : given.map((path) => {
          const dir = resolve(root, path);
          return (
            configured.find((s) => s.dir === dir) ?? {
              name: path,
              path,
              dir,
              repository: null,
              exclude: [],
              aliases: {},
              pattern: null,
            }
          );
        });
  return chosen.map((s) => {
    if (!existsSync(s.dir) || !statSync(s.dir).isDirectory())
      throw new EvaluationError(`source ${s.name}: ${s.dir} is not a folder`);
    // The flags repository itself names every flag in its own files: those are no code paths.
    const own = s.dir === resolve(root) ? OWN_FILES : [];
    return {
      name: s.name,
      dir: s.dir,
      repository: s.repository,
      exclude: [...s.exclude, ...own],
      names: nameTable(keys, [config.aliases, s.aliases]),
      pattern: s.pattern,
    };
  });
}

export interface RefsOptions {
  cwd: string;
  /** `--source` folders; none means the configured sources. */
  sources?: readonly string[];
  /** Keys to search besides the flags of the working tree (archived flags, for the action). */
  extraKeys?: readonly string[];
  out: ProgressOutput;
}

/** Whether the repository configures sources, so status and the report should scan. */
export function refsConfigured(cwd: string): boolean {
  return readRefsConfig(cwd).sources.length > 0;
}

/** Scans the sources for every flag of the working tree; the keys searched come back too. */
export async function evaluateRefs(
  options: RefsOptions,
): Promise<{ keys: string[]; scan: RefsScan; violations: Violation[] }> {
  const set = loadWorkingTree(options.cwd);
  const config = readRefsConfig(options.cwd);
  if ((options.sources ?? []).length === 0 && config.sources.length === 0) {
    throw new EvaluationError(
      `no source to search: give --source DIR, or list sources in ${REFS_CONFIG_PATH}`,
    );
  }
  const keys = [...new Set([...set.flags.map((f) => f.flag.key), ...(options.extraKeys ?? [])])];
  const sources = sourcesToScan(options.cwd, config, keys, options.sources);
  const scan = await scanSources(sources, options.out);
  return { keys, scan, violations: set.violations };
}

/** Searches every source, one after the other, one file at a time: memory holds one file. */
export async function scanSources(
  sources: readonly SourceToScan[],
  out: ProgressOutput,
): Promise<RefsScan> {
  const scan: RefsScan = { sources: [], references: [], unknown: [] };
  const spinner = startSpinner(out, 'searching for flag references');
  try {
    for (const source of sources) {
      const scanned = await describeSource(source);
      scan.sources.push(scanned);
      spinner.update(`${source.name}: listing files`);
      await scanOne(source, scanned.mode, scan, (n, total) =>
        spinner.update(`${source.name}: ${n} of ${total} files`),
      );
    }
  } finally {
    spinner.stop();
  }
  return scan;
}

async function describeSource(source: SourceToScan): Promise<ScannedSource> {
  const inside = await git(source.dir, ['rev-parse', '--is-inside-work-tree']);
  const mode = inside.code === 0 && inside.stdout.trim() === 'true' ? 'git' : 'plain';
  const head =
    mode === 'git' ? await git(source.dir, ['rev-parse', '--verify', '-q', 'HEAD']) : null;
  const prefix = mode === 'git' ? await git(source.dir, ['rev-parse', '--show-prefix']) : null;
  return {
    name: source.name,
    dir: source.dir,
    commit: head && head.code === 0 ? head.stdout.trim() : null,
    prefix: prefix?.stdout.trim() ?? '',
    mode,
    repository: source.repository,
  };
}

/** Files over this size are not read (minified bundles, data dumps): memory stays bounded. */
export const MAX_SCANNED_BYTES = 16 * 1024 * 1024;
/** git's own test for a binary file: a NUL byte among the first 8000. */
const BINARY_PROBE_BYTES = 8000;

async function scanOne(
  source: SourceToScan,
  mode: 'git' | 'plain',
  scan: RefsScan,
  progress: (files: number, total: number) => void,
): Promise<void> {
  const files = await listFiles(source, mode);
  const seen = new Set<string>();
  const add = (path: string, line: number, name: string, keys: readonly string[]): void => {
    for (const key of keys) {
      const id = `${key}\0${path}\0${line}`;
      if (seen.has(id)) continue;
      seen.add(id);
      scan.references.push({ key, source: source.name, path, line, name } satisfies Reference);
    }
  };
  for (let i = 0; i < files.length; i++) {
    const path = files[i]!;
    // Let the spinner's timers run between batches of synchronous reads.
    if (i % 500 === 0) {
      progress(i, files.length);
      await new Promise((done) => setImmediate(done));
    }
    const text = readText(join(source.dir, path));
    if (text === null) continue;
    for (const found of namesInText(text, source.names))
      add(path, found.line, found.name, found.keys);
    if (source.pattern) {
      for (const found of patternsInText(text, source.pattern)) {
        const keys = source.names.get(found.name);
        if (keys) add(path, found.line, found.name, keys);
        else
          scan.unknown.push({
            source: source.name,
            path,
            line: found.line,
            name: found.name,
          } satisfies UnknownReference);
      }
    }
  }
}

/**
 * A file's text, or null for what git would not search as text: missing, too large, binary.
 * Read as latin1: names are ASCII, and every byte stays one character for the line count.
 */
function readText(abs: string): string | null {
  let buffer: Buffer;
  try {
    const stats = statSync(abs);
    if (!stats.isFile() || stats.size > MAX_SCANNED_BYTES) return null;
    buffer = readFileSync(abs);
  } catch {
    return null;
  }
  if (buffer.subarray(0, BINARY_PROBE_BYTES).includes(0)) return null;
  return buffer.toString('latin1');
}

const SKIP_ATTRIBUTES = [':(exclude,attr:linguist-vendored)', ':(exclude,attr:linguist-generated)'];

/**
 * git's file list: tracked regular files (no symlinks, no submodules) in a repository; in a plain
 * folder, the text files `git grep --no-index --exclude-standard` would search (its .gitignore
 * files applied).
 */
async function listFiles(source: SourceToScan, mode: 'git' | 'plain'): Promise<string[]> {
  const excludes = source.exclude.map((glob) => `:(exclude,glob)${glob}`);
  if (mode === 'git') {
    const listed = await git(source.dir, [
      'ls-files',
      '-z',
      '-s',
      '--',
      '.',
      ...SKIP_ATTRIBUTES,
      ...excludes,
    ]);
    if (listed.code !== 0) throw new GitError(`git ls-files in ${source.dir} failed`);
    const files: string[] = [];
    for (const entry of listed.stdout.split('\0')) {
      const tab = entry.indexOf('\t');
      // Mode 120000 is a symlink, 160000 a submodule: neither is a file of this repository.
      if (tab > 0 && entry.startsWith('100')) files.push(entry.slice(tab + 1));
    }
    return [...new Set(files)];
  }
  const listed = await git(source.dir, [
    'grep',
    '--no-index',
    '--exclude-standard',
    '-z',
    '-l',
    '-I',
    '-e',
    '^',
    '--',
    '.',
    ...excludes,
  ]);
  if (listed.code !== 0 && listed.code !== 1)
    throw new GitError(`cannot list the files of ${source.dir}`);
  return listed.stdout.split('\0').filter((p) => p !== '');
}

/** Keys of flags whose files were deleted from flags/ in the history of HEAD (archived). */
export async function archivedFlagKeys(root: string): Promise<Set<string>> {
  const log = await git(root, [
    'log',
    '--diff-filter=D',
    '--name-only',
    '--format=',
    '-z',
    'HEAD',
    '--',
    'flags/',
  ]);
  if (log.code !== 0) throw new GitError(`cannot read the flags history in ${root}`);
  const keys = new Set<string>();
  for (const path of log.stdout.split('\0')) {
    const match = /([^/]+)\.yaml$/.exec(path.trim());
    if (match?.[1]) keys.add(match[1]);
  }
  return keys;
}

/** Files a change touches (`base...HEAD`, repository paths), or null when git cannot tell. */
export async function changedFiles(dir: string, base: string): Promise<Set<string> | null> {
  const diff = await git(dir, ['diff', '--name-only', '-z', `${base}...HEAD`, '--']);
  if (diff.code !== 0) return null;
  return new Set(diff.stdout.split('\0').filter((p) => p !== ''));
}
