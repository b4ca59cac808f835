// The flags, CODEOWNERS and soak clocks of commits, read from git objects (never the work tree),
// so the gate works on any two commits.
import { CODEOWNERS_LOCATIONS, parseCodeowners, type Codeowners } from '../core/codeowners.ts';
import { EvaluationError } from '../core/errors.ts';
import { buildFlagSet, parseEntry, type ParseCache, type RawEntry } from '../core/load.ts';
import type { Flag, FlagSet } from '../core/model.ts';
import { knownParse } from '../core/parse-flag.ts';
import { prefetchHistory } from './flag-history.ts';
import { GitRepo, type TreeEntry } from './git.ts';
import {
  knownKey,
  parseCacheOf,
  survivesJson,
  type KnownFlags,
  type ParseCacheStore,
} from './parse-cache.ts';

export interface CommitPair {
  git: GitRepo;
  base: string;
  head: string;
  baseSet: FlagSet;
  headSet: FlagSet;
  headCodeowners: Codeowners | null;
}

/** Refuses histories the soak clock cannot trust: shallow clones and unrelated commits. */
export async function openHistory(
  cwd: string,
  baseRef: string,
  headRef: string,
): Promise<{ git: GitRepo; base: string; head: string }> {
  const git = new GitRepo(cwd);
  // Asked at once, answered in a fixed order: a shallow clone is the first thing to fix.
  const full = git.requireFullHistory('the soak clock');
  const refs = [git.resolveCommit(baseRef), git.resolveCommit(headRef)];
  for (const ref of refs) ref.catch(() => {}); // awaited below, in order
  await full;
  const base = await refs[0]!;
  const head = await refs[1]!;
  if (!(await git.isAncestor(base, head))) {
    throw new EvaluationError(
      `base ${baseRef} (${base.slice(0, 12)}) is not an ancestor of head ${headRef} (${head.slice(0, 12)}): the change must start from the base; merge or rebase it onto ${baseRef}, or pass the right --base`,
    );
  }
  return { git, base, head };
}

export async function readCodeownersAt(git: GitRepo, commit: string): Promise<Codeowners | null> {
  for (const location of CODEOWNERS_LOCATIONS) {
    const text = await git.readFileAt(commit, location);
    if (text !== null) return parseCodeowners(text, location);
  }
  return null;
}

export async function readPair(cwd: string, baseRef: string, headRef: string): Promise<CommitPair> {
  const { git, base, head } = await openHistory(cwd, baseRef, headRef);
  const trees = await Promise.all([git.listTree(base), git.listTree(head)]);
  // The files the change touches are known from the trees alone: start their history walk now,
  // so git reads it on another core while the flags are parsed here.
  const headBlobs = new Map(trees[1].map((e) => [e.path, e.blob]));
  const touched = trees[0]
    .filter((e) => e.path.endsWith('.yaml') && headBlobs.get(e.path) !== e.blob)
    .map((e) => e.path);
  prefetchHistory(git, base, touched);
  const headCodeowners = readCodeownersAt(git, head);
  headCodeowners.catch(() => {}); // awaited below, after parsing
  const [baseSet, headSet] = (await readFlagSets(git, trees)).sets as [FlagSet, FlagSet];
  return { git, base, head, baseSet, headSet, headCodeowners: await headCodeowners };
}

export interface ReadOptions {
  /**
   * Every file entry carries its bytes, kept parses included: for a caller that parses the
   * entries again (the local gate puts edited files among them).
   */
  contents?: boolean;
}

/**
 * The flags of listed trees (a file shared by several parsed once). A file parsed clean before
 * (same path, same bytes: the blob id) is not read at all: its flag is the kept one, and its bytes
 * are read only if a rule asks for one of its lines. Every other flag is parsed as its blob
 * arrives, while git is still reading the others.
 */
export async function readFlagSets(
  git: GitRepo,
  trees: readonly TreeEntry[][],
  options: ReadOptions = {},
): Promise<{ entries: RawEntry[][]; sets: FlagSet[] }> {
  const cache: ParseCache = new Map();
  const { store, known: flags } = await keptParses(git);
  const parse = (entry: RawEntry): void => {
    const key = entry.blob ? knownKey(entry.path, entry.blob) : undefined;
    const flag = key ? flags.get(key) : undefined;
    if (!key || !flag || cache.has(key)) return void parseEntry(entry, cache);
    // The same path and bytes parsed clean before: the flag without reading YAML again.
    const content = entry.content ?? new Uint8Array();
    cache.set(
      key,
      knownParse(flag, () => Buffer.from(content).toString('utf8'), entry.path),
    );
  };
  const skipped = options.contents ? null : new SkippedBlobs(git);
  // Files that differ between the trees (a check's change) are read anyway: the gate's rules ask
  // for their lines, and they are few.
  const inAll = new Map<string, number>();
  if (trees.length > 1)
    for (const e of trees.flat()) {
      const key = knownKey(e.path, e.blob);
      inAll.set(key, (inAll.get(key) ?? 0) + 1);
    }
  const unchanged = (key: string): boolean =>
    trees.length === 1 || (inAll.get(key) ?? 0) >= trees.length;
  const skip =
    skipped &&
    ((e: TreeEntry): boolean => {
      const key = knownKey(e.path, e.blob);
      const flag = flags.get(key);
      if (!flag || !e.path.endsWith('.yaml') || !unchanged(key)) return false;
      if (!cache.has(key)) {
        skipped.add(e.blob);
        cache.set(
          key,
          knownParse(flag, () => skipped.text(e.blob), e.path),
        );
      }
      return true;
    });
  const entries = await git.entriesOf(
    trees,
    (entry) => {
      if (entry.path.endsWith('.yaml')) parse(entry);
    },
    skip ?? undefined,
  );
  const sets = entries.map((list) => buildFlagSet(list, cache));
  if (store) await saveKnown(store, cache, flags);
  return { entries, sets };
}

/**
 * The blobs of files whose parse was kept, read only when a rule asks for a line of one: each of
 * the first asks reads its own blob, a later one every skipped blob at once, so a report with
 * many lines costs at most SINGLE_ASKS + 1 git processes, not one a file.
 */
const SINGLE_ASKS = 8;

class SkippedBlobs {
  private readonly shas = new Set<string>();
  private asked = 0;

  constructor(private readonly git: GitRepo) {}

  add(sha: string): void {
    this.shas.add(sha);
  }

  text(sha: string): string {
    const wanted = ++this.asked <= SINGLE_ASKS ? [sha] : [...this.shas];
    return this.git.readBlobsSync(wanted).get(sha)!.toString('utf8');
  }
}

async function keptParses(
  git: GitRepo,
): Promise<{ store: ParseCacheStore | null; known: KnownFlags }> {
  const store = await parseCacheOf(git).catch(() => null); // without it, every file is parsed
  return { store, known: store ? await store.load() : new Map<string, Flag>() };
}

/** Keeps this run's clean parses for the next run, when it found any the cache lacked. */
async function saveKnown(
  store: ParseCacheStore,
  cache: ParseCache,
  old: KnownFlags,
): Promise<void> {
  const used: KnownFlags = new Map();
  let fresh = false;
  for (const [key, parsed] of cache) {
    if ('rule' in parsed || !parsed.flag || parsed.violations.length > 0) continue;
    if (!old.has(key)) {
      if (!survivesJson(parsed.flag)) continue;
      fresh = true;
    }
    used.set(key, parsed.flag);
  }
  if (fresh) await store.save(used, old);
}

/** The flags at one commit. */
export async function flagsAt(
  git: GitRepo,
  commit: string,
  options: ReadOptions = {},
): Promise<{ entries: RawEntry[]; set: FlagSet }> {
  const { entries, sets } = await readFlagSets(git, [await git.listTree(commit)], options);
  return { entries: entries[0]!, set: sets[0]! };
}
