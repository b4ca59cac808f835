// The gate run locally on a change not yet committed: base = the flags at HEAD (git objects),
// head = the same tree with the edited files in place. The same pure `evaluateGate` that CI runs
// judges it, so `flags promote` refuses exactly what `flags check` would block.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvaluationError, UsageError } from '../core/errors.ts';
import { nearestNames } from '../core/did-you-mean.ts';
import type { Codeowners } from '../core/codeowners.ts';
import type { DecisionMakers } from '../core/decision-makers.ts';
import { evaluateGate, type GateResult } from '../core/gate.ts';
import type { IncidentFacts, PlatformFacts } from '../core/facts.ts';
import { buildFlagSet, flagsByKey, type RawEntry } from '../core/load.ts';
import type { FlagFile, FlagSet, Violation } from '../core/model.ts';
import { keyFromPath } from '../core/parse-flag.ts';
import { sortViolations } from '../core/rules/static-rules.ts';
import { loadIncidentFacts, loadPlatformFacts } from './facts-sources.ts';
import { loadWorkingTree } from './fs-flags.ts';
import { GitRepo } from './git.ts';
import { abbrevRef, mergeBase, resolveNames } from './git-process.ts';
import { withSpinner, type ProgressOutput } from './progress.ts';
import { flagsAt, openHistory, readCodeownersAt } from './repo-at-commits.ts';
import { soakClocks } from './flag-history.ts';
import { readDecisionMakersAt } from './decision-makers.ts';

export interface EditedFile {
  /** Repo-relative path with forward slashes. */
  path: string;
  text: string;
}

export interface LocalContextOptions {
  cwd: string;
  /** The flags the change will touch (their soak clocks and facts are read). */
  keys: readonly string[];
  now: Date;
  env: Record<string, string | undefined>;
  /** Read soak clocks and the platform and incident facts (a promotion); a revert needs none. */
  promotion: boolean;
  platformUrl?: string;
  progress: ProgressOutput;
  /**
   * Judge against this commit instead of HEAD: where a feature branch left the protected branch,
   * which is what CI compares the pull request with. The change is then everything HEAD adds to
   * it, plus the edits.
   */
  against?: string;
}

/** What the gate needs besides the edited files, read once. */
export interface LocalContext {
  /** The commit the change is judged against (HEAD, or `against`). */
  head: string;
  /** The files of HEAD, which the edits replace. */
  entries: RawEntry[];
  /** The flags the change is judged against. */
  base: FlagSet;
  /** The flags committed at HEAD: where the working tree's change starts. */
  committed: FlagSet;
  headCodeowners: Codeowners | null;
  clocks: Map<string, Date | null>;
  platform: PlatformFacts;
  incidents: IncidentFacts;
  /** Who may skip a soak, as committed (the base of the local change). */
  decisionMakers: DecisionMakers;
  now: Date;
}

export interface LocalChange {
  next: FlagSet;
  gate: GateResult;
  /** Violations about the flags the change touches: these decide. */
  relevant: Violation[];
  /** Errors elsewhere in the tree, there before the change. */
  unrelated: Violation[];
}

/**
 * The commit HEAD names, or a clear error when there is none yet. With `history` (the soak clock
 * is needed), a shallow clone is refused as `flags check` refuses it; a revert reads no history.
 */
export async function headCommit(
  cwd: string,
  history = true,
): Promise<{ git: GitRepo; head: string }> {
  try {
    if (history) return await openHistory(cwd, 'HEAD', 'HEAD');
    const git = new GitRepo(cwd);
    return { git, head: await git.resolveCommit('HEAD') };
  } catch (error) {
    if (error instanceof EvaluationError && /unknown ref 'HEAD'/.test(error.message)) {
      throw new EvaluationError(
        `${cwd} has no commit yet (or is not a git repository): a change is judged against the last commit, so commit the flags first`,
      );
    }
    throw error;
  }
}

export async function loadLocalContext(options: LocalContextOptions): Promise<LocalContext> {
  const { git, head: tip } = await headCommit(options.cwd, options.promotion);
  const { entries, set: committed } = await flagsAt(git, tip, { contents: true });
  const head = options.against ?? tip;
  const base = options.against ? (await flagsAt(git, options.against)).set : committed;
  const headCodeowners = await readCodeownersAt(git, tip);
  const context: LocalContext = {
    head,
    entries,
    base,
    committed,
    headCodeowners,
    clocks: new Map(),
    platform: { status: 'unconfigured', reason: 'not needed for a revert' },
    incidents: { status: 'ok', data: new Map() },
    decisionMakers: await readDecisionMakersAt(git, head),
    now: options.now,
  };
  if (!options.promotion) return context;
  const baseByKey = flagsByKey(base);
  const targets = options.keys.flatMap((key) => {
    const f = baseByKey.get(key);
    return f ? [{ key, path: f.file, state: f.flag.state }] : [];
  });
  context.clocks = await withSpinner(
    options.progress,
    'reading the soak clock from git history',
    () => soakClocks(git, head, targets),
  );
  const toGa = targets.filter((t) => t.state === 'beta').map((t) => t.key);
  [context.platform, context.incidents] = await withSpinner(
    options.progress,
    'asking the platform and GitHub about the exit criteria',
    () =>
      Promise.all([
        loadPlatformFacts(options.env, options.platformUrl),
        loadIncidentFacts(options.env, toGa),
      ]),
  );
  return context;
}

/** The gate on HEAD versus HEAD with `edits` in place. Pure once the context is read. */
export function judgeEdits(context: LocalContext, edits: readonly EditedFile[]): LocalChange {
  const editedKeys = new Set(edits.map((e) => keyFromPath(e.path)));
  // An edited flag replaces its committed file, wherever that lived (a move keeps the key).
  const kept = context.entries.filter(
    (e) => !(e.path.endsWith('.yaml') && editedKeys.has(keyFromPath(e.path))),
  );
  const edited = edits.map((e): RawEntry => {
    const content = Buffer.from(e.text, 'utf8');
    return { path: e.path, kind: 'file', size: content.length, content };
  });
  const next = buildFlagSet([...kept, ...edited]);
  const gate = evaluateGate({
    base: context.base,
    head: next,
    headCodeowners: context.headCodeowners,
    clocks: context.clocks,
    platform: context.platform,
    incidents: context.incidents,
    decisionMakers: context.decisionMakers,
    now: context.now,
    strict: false,
  });
  const touched = new Set([...editedKeys, ...gate.changes.map((c) => c.flag)]);
  const relevant = sortViolations(
    gate.violations.filter((v) => v.flag !== null && touched.has(v.flag)),
  );
  const unrelated = gate.violations.filter((v) => !relevant.includes(v) && v.severity === 'error');
  return { next, gate, relevant, unrelated };
}

/** A flag of the working tree and its text, or an error that names the nearest keys. */
export function findWorkingFlag(
  cwd: string,
  key: string,
): { set: FlagSet; file: FlagFile; text: string } {
  const set = loadWorkingTree(cwd);
  const file = flagsByKey(set).get(key);
  if (file) return { set, file, text: readFileSync(join(cwd, file.file), 'utf8') };
  const broken = set.brokenFiles.find((path) => keyFromPath(path) === key);
  if (broken) {
    throw new EvaluationError(
      `${broken} does not load as a flag: fix it first (npx flags validate shows why)`,
    );
  }
  const near = nearestKeys(
    key,
    set.flags.map((f) => f.flag.key),
  );
  throw new UsageError(
    `no flag \`${key}\` under flags/${near.length ? `: did you mean ${near.map((k) => `\`${k}\``).join(' or ')}?` : ''} (npx flags status lists them)`,
  );
}

/** Up to three keys close to `key`: containing it, or a few edits away. */
export function nearestKeys(key: string, keys: readonly string[]): string[] {
  return nearestNames(key, keys);
}

/** The text of a flag file in the working tree. */
export function readFlagText(cwd: string, file: FlagFile): string {
  return readFileSync(join(cwd, file.file), 'utf8');
}

/** Where the protected branch is, in the order a clone usually has it. */
const PROTECTED_REFS = ['origin/HEAD', 'origin/main', 'main'];

/**
 * The protected branch this checkout would merge into, and the commit where `head` left it, or
 * null when `head` is on it (nothing unmerged) or there is none to compare with.
 */
export async function protectedMergeBase(
  cwd: string,
  headRef: string,
): Promise<{ ref: string; commit: string } | null> {
  // One git process resolves the head and every candidate, not one process each.
  const [head, ...tips] = await resolveNames(cwd, [
    headRef,
    ...PROTECTED_REFS.map((ref) => `${ref}^{commit}`),
  ]);
  if (!head) return null;
  for (const [i, ref] of PROTECTED_REFS.entries()) {
    const tip = tips[i];
    if (!tip) continue;
    const base = await mergeBase(cwd, head, tip);
    if (!base || base === head) return null;
    // origin/HEAD reads better as the branch it points at.
    const name = ref === 'origin/HEAD' ? await abbrevRef(cwd, 'origin/HEAD') : ref;
    return { ref: name || ref, commit: base };
  }
  return null;
}
