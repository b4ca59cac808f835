// Code references, the edge: reads .github/flag-refs.yaml and searches source trees with
// `git grep`, one process per source for every name of every flag at once (a fixed-string
// multi-pattern search), so git's own file list decides what is searched: ignored files are
// skipped, binary files too (-I), and paths marked linguist-vendored or linguist-generated in
// .gitattributes. A folder that is not a git repository is searched with `git grep --no-index
// --exclude-standard`, which applies its .gitignore files; it has no commit to cite.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EvaluationError, GitError } from '../core/errors.ts';
import {
  EMPTY_REFS_CONFIG,
  parseRefsConfig,
  REFS_CONFIG_PATH,
  type RefsConfig,
} from '../core/refs/config.ts';
import type { Violation } from '../core/model.ts';
import type { RefsScan, Reference, ScannedSource, UnknownReference } from '../core/refs/model.ts';
import { nameTable, namesInLine, patternCaptures, type NameTable } from '../core/refs/names.ts';
import { loadWorkingTree } from './fs-flags.ts';
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

/** Searches every source, one after the other (git grep already uses every core). */
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
      const label = (n: number) => `${source.name}: ${n} lines that name a flag`;
      spinner.update(label(0));
      await scanOne(source, scanned.mode, scan, (n) => spinner.update(label(n)));
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

async function scanOne(
  source: SourceToScan,
  mode: 'git' | 'plain',
  scan: RefsScan,
  progress: (lines: number) => void,
): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'flag-refs-'));
  try {
    const patterns = join(temp, 'names');
    writeFileSync(patterns, [...source.names.keys()].join('\n') + '\n');
    const seen = new Set<string>();
    let lines = 0;
    const add = (path: string, line: number, name: string, keys: readonly string[]): void => {
      for (const key of keys) {
        const id = `${key}\0${path}\0${line}`;
        if (seen.has(id)) continue;
        seen.add(id);
        scan.references.push({ key, source: source.name, path, line, name } satisfies Reference);
      }
    };
    const count = () => {
      if (++lines % 1000 === 0) progress(lines);
    };
    if (source.names.size > 0) {
      await grep(source, mode, ['-F', '-f', patterns], (path, line, text) => {
        count();
        for (const found of namesInLine(text, source.names))
          add(path, line, found.name, found.keys);
      });
    }
    const pattern = source.pattern;
    if (pattern) {
      // The pattern is handed to git as an extended regular expression to find the lines, and
      // read again here (JavaScript) for its capture: write it in the syntax both share.
      await grep(source, mode, ['-E', '-e', pattern.source], (path, line, text) => {
        count();
        for (const name of patternCaptures(text, pattern)) {
          const keys = source.names.get(name);
          if (keys) add(path, line, name, keys);
          else
            scan.unknown.push({ source: source.name, path, line, name } satisfies UnknownReference);
        }
      });
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

const SKIP_ATTRIBUTES = [':(exclude,attr:linguist-vendored)', ':(exclude,attr:linguist-generated)'];

/** Streams `git grep` matches line by line: memory stays bounded by one line, not the tree. */
function grep(
  source: SourceToScan,
  mode: 'git' | 'plain',
  search: string[],
  onLine: (path: string, line: number, text: string) => void,
): Promise<void> {
  const args = [
    '-c',
    'grep.lineNumber=false',
    '-c',
    'grep.fullName=false',
    'grep',
    ...(mode === 'plain' ? ['--no-index', '--exclude-standard'] : []),
    '-n',
    '-I',
    '--null',
    '--no-color',
    ...search,
    '--',
    '.',
    ...(mode === 'git' ? SKIP_ATTRIBUTES : []),
    ...source.exclude.map((glob) => `:(exclude,glob)${glob}`),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd: source.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const reader = createInterface({ input: child.stdout, crlfDelay: Infinity });
    reader.on('line', (raw) => {
      const first = raw.indexOf('\0');
      const second = raw.indexOf('\0', first + 1);
      if (first < 0 || second < 0) return;
      onLine(raw.slice(0, first), Number(raw.slice(first + 1, second)), raw.slice(second + 1));
    });
    child.on('error', (error) =>
      reject(new GitError(`git grep in ${source.dir}: ${error.message}`)),
    );
    // Done when git has exited and its last line has been read, in whichever order they come.
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const read = new Promise<void>((done) => reader.on('close', done));
    void Promise.all([exited, read]).then(([code]) => {
      // 1 is "nothing found", which is an answer.
      if (code === 0 || code === 1) resolvePromise();
      else
        reject(
          new GitError(
            `git grep in ${source.dir} failed: ${stderr.trim().split('\n')[0] || `exit ${code}`}`,
          ),
        );
    });
  });
}

function git(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout }));
  });
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
