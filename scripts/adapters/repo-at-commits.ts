// The flags, CODEOWNERS and soak clocks of commits, read from git objects (never the work tree),
// so the gate works on any two commits.
import { CODEOWNERS_LOCATIONS, parseCodeowners, type Codeowners } from '../core/codeowners.ts';
import { EvaluationError } from '../core/errors.ts';
import { buildFlagSet, parseEntry, type ParseCache, type RawEntry } from '../core/load.ts';
import type { FlagSet } from '../core/model.ts';
import { prefetchHistory } from './flag-history.ts';
import { GitRepo, type TreeEntry } from './git.ts';

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

/**
 * The flags of listed trees (a file shared by several parsed once). Each flag is parsed as its
 * blob arrives, while git is still reading the others.
 */
export async function readFlagSets(
  git: GitRepo,
  trees: readonly TreeEntry[][],
): Promise<{ entries: RawEntry[][]; sets: FlagSet[] }> {
  const cache: ParseCache = new Map();
  const entries = await git.entriesOf(trees, (entry) => {
    if (entry.path.endsWith('.yaml')) parseEntry(entry, cache);
  });
  return { entries, sets: entries.map((list) => buildFlagSet(list, cache)) };
}

/** The flags at one commit. */
export async function flagsAt(
  git: GitRepo,
  commit: string,
): Promise<{ entries: RawEntry[]; set: FlagSet }> {
  const { entries, sets } = await readFlagSets(git, [await git.listTree(commit)]);
  return { entries: entries[0]!, set: sets[0]! };
}
