// `--open-pr`: the change on a branch of its own, committed (only the files the command wrote),
// pushed to origin and proposed as a pull request with the runbook checklist, labels and the
// owner team as reviewers. What cannot be done here (no remote, no token, a refused push) is left
// as the exact commands to run; the local branch and commit stay either way. The token is never
// printed: git and GitHub messages are stripped of credentials before they are shown.
import { simpleGit, type SimpleGit } from 'simple-git';
import {
  branchName,
  changeTitle,
  commitMessage,
  pullRequestBody,
  pullRequestLabels,
  reviewersForOwners,
  type ChangeRequest,
} from '../core/change-request.ts';
import { flagsByKey } from '../core/load.ts';
import { loadWorkingTree } from './fs-flags.ts';
import { handSteps, shellQuote } from './open-pr-by-hand.ts';
import { EvaluationError } from '../core/errors.ts';
import type { Style } from './terminal.ts';
import { withSpinner, type ProgressOutput } from './progress.ts';

const REMOTE = 'origin';

export interface OpenPrContext {
  cwd: string;
  env: Record<string, string | undefined>;
  progress: ProgressOutput;
}

/** What `--open-pr` did, for the terminal and for `--json` (`pr`). */
export interface OpenPrResult {
  /** false when a step failed (push refused, GitHub error); the next steps say what to run. */
  ok: boolean;
  branch: string;
  base: string;
  commit: string | null;
  pushed: boolean;
  pr: { number: number; url: string } | null;
  labels: string[];
  reviewers: string[];
  warnings: string[];
  /** Commands for what is left to do, in order. */
  nextSteps: string[];
  error?: string;
}

export interface Preflight {
  git: SimpleGit;
  /** The branch the change starts from, and the pull request's base. */
  base: string;
  hasRemote: boolean;
}

// simple-git drops the caller's GIT_* variables, so that a GIT_DIR set by a hook cannot redirect
// these commands; the ones a person's commit and push rely on are let through.
const ALLOWED_ENV = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_TERMINAL_PROMPT',
];

function gitFor(cwd: string): SimpleGit {
  return simpleGit({ baseDir: cwd, trimmed: true, allowEnvironment: ALLOWED_ENV });
}

/**
 * Checks, before anything is written, that a branch and commit can be made here: a git
 * repository, on a branch, with a committer identity.
 */
export async function preflightOpenPr(cwd: string): Promise<Preflight> {
  const git = gitFor(cwd);
  // simple-git resolves a failure that prints nothing (a detached HEAD) with empty output.
  const base = await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).then(
    (out) => out.trim(),
    () => '',
  );
  if (!base) {
    throw new EvaluationError(
      '--open-pr needs a branch to start from, but HEAD is detached (or this is not a git repository): switch to the protected branch first (git switch main)',
    );
  }
  try {
    await git.raw(['var', 'GIT_COMMITTER_IDENT']);
  } catch {
    throw new EvaluationError(
      '--open-pr makes a commit, but git does not know who you are: run git config user.name "Your Name" and git config user.email you@example.com',
    );
  }
  const remotes = await git.getRemotes();
  const hasRemote = remotes.some((r) => r.name === REMOTE);
  if (hasRemote) await requireBaseOnRemote(git, base);
  return { git, base, hasRemote };
}

/**
 * The pull request goes into the branch the change starts from; GitHub can only open it into a
 * branch that exists on the remote. An unreachable remote is left for the push to report.
 */
async function requireBaseOnRemote(git: SimpleGit, base: string): Promise<void> {
  let heads: string;
  try {
    heads = await git.raw(['ls-remote', '--heads', REMOTE, `refs/heads/${base}`]);
  } catch {
    return;
  }
  if (heads.split('\n').some((line) => line.split('\t')[1] === `refs/heads/${base}`)) return;
  throw new EvaluationError(
    `--open-pr would open the pull request into ${base}, the branch you are on, but ${REMOTE} has no branch ${base}: switch to the protected branch (git switch main) and run this again, or push ${base} first (git push -u ${REMOTE} ${base}) if the pull request should go into it`,
  );
}

/** Branch, commit, push, pull request: as far as the set-up allows. */
export async function openPullRequestFor(
  ctx: OpenPrContext,
  preflight: Preflight,
  request: ChangeRequest,
): Promise<OpenPrResult> {
  const { git, base, hasRemote } = preflight;
  const owners = request.owners ?? ownersOf(ctx.cwd, request);
  const review = reviewersForOwners(owners);
  const proposal: Proposal = {
    title: changeTitle(request),
    body: pullRequestBody({ ...request, owners }),
    labels: pullRequestLabels(request),
    review,
  };
  const result: OpenPrResult = {
    ok: true,
    branch: await freeBranch(git, branchName(request), hasRemote),
    base,
    commit: null,
    pushed: false,
    pr: null,
    labels: proposal.labels,
    reviewers: [...review.reviewers.map((r) => `@${r}`), ...review.teams],
    warnings: [],
    nextSteps: [],
  };

  const failed = await commitOnBranch(git, request, result, proposal.title);
  if (failed) return failed;
  const openByHand = () =>
    handSteps(ctx, git, result, { title: proposal.title, body: proposal.body, remote: REMOTE });
  if (!hasRemote) {
    result.nextSteps = [
      `git remote add ${REMOTE} <the repository's URL>`,
      `git push -u ${REMOTE} ${result.branch}`,
      ...(await openByHand()),
    ];
    return result;
  }
  try {
    // No spinner here: git may ask for credentials on the terminal, and must be seen doing so.
    await git.raw(['push', '-q', '-u', REMOTE, result.branch]);
    result.pushed = true;
  } catch (error) {
    return fail(result, `git push was refused: ${clean(error)}`, [
      `git push -u ${REMOTE} ${result.branch}`,
      ...(await openByHand()),
    ]);
  }
  return openOnGitHub(ctx, result, proposal, openByHand);
}

/** What the pull request says and asks for, from the change request. */
interface Proposal {
  title: string;
  body: string;
  labels: string[];
  review: ReturnType<typeof reviewersForOwners>;
}

/**
 * The change on its own branch, committed with only the files the command wrote (`--only`, so
 * whatever else is staged stays out). A failed result with the commands left to run, or null.
 */
async function commitOnBranch(
  git: SimpleGit,
  request: ChangeRequest,
  result: OpenPrResult,
  title: string,
): Promise<OpenPrResult | null> {
  const quotedFiles = request.files.map(shellQuote).join(' ');
  try {
    await git.raw(['checkout', '-q', '-b', result.branch]);
  } catch (error) {
    return fail(result, `cannot create branch ${result.branch}: ${clean(error)}`, [
      `git checkout -b ${result.branch}`,
      `git add -- ${quotedFiles}`,
      `git commit -m ${shellQuote(title)} -- ${quotedFiles}`,
    ]);
  }
  try {
    await git.raw(['add', '--', ...request.files]);
    const [subject, ...rest] = commitMessage(request).split('\n\n');
    await git.raw([
      'commit',
      '-q',
      '-m',
      subject!,
      '-m',
      rest.join('\n\n').trim(),
      '--only',
      '--',
      ...request.files,
    ]);
    result.commit = (await git.raw(['rev-parse', 'HEAD'])).trim();
  } catch (error) {
    return fail(result, `cannot commit on ${result.branch}: ${clean(error)}`, [
      `git add -- ${quotedFiles}`,
      `git commit -m ${shellQuote(title)} -- ${quotedFiles}`,
      `git push -u ${REMOTE} ${result.branch}`,
    ]);
  }
  return null;
}

/** The pushed branch proposed on GitHub; without a token, the steps to open it by hand. */
async function openOnGitHub(
  ctx: OpenPrContext,
  result: OpenPrResult,
  proposal: Proposal,
  openByHand: () => Promise<string[]>,
): Promise<OpenPrResult> {
  const { githubFromEnv } = await import('./github.ts');
  // Three writes for one person's change: no need to pace them as a bulk writer would.
  const github = githubFromEnv(ctx.env, { retries: 2, paceWrites: false });
  if (!github) {
    result.nextSteps = await openByHand();
    return result;
  }
  try {
    const { pr, warnings } = await withSpinner(ctx.progress, 'opening the pull request', () =>
      github.openPullRequest({
        head: result.branch,
        base: result.base,
        title: proposal.title,
        body: proposal.body,
        labels: proposal.labels,
        reviewers: proposal.review.reviewers,
        teamReviewers: proposal.review.teamReviewers,
      }),
    );
    result.pr = { number: pr.number, url: pr.url };
    result.warnings.push(...warnings.map(scrub));
  } catch (error) {
    return fail(
      result,
      `GitHub did not open the pull request: ${clean(error)}`,
      await openByHand(),
    );
  }
  return result;
}

/** The owners of every flag the change writes (a revert may demote several teams' flags). */
function ownersOf(cwd: string, request: ChangeRequest): string[] {
  const byKey = flagsByKey(loadWorkingTree(cwd));
  const owners = request.rows.map((r) => byKey.get(r.flag)?.flag.owner);
  return [...new Set([request.owner, ...owners.filter((o): o is string => o !== undefined)])];
}

function fail(result: OpenPrResult, error: string, nextSteps: string[]): OpenPrResult {
  return { ...result, ok: false, error, nextSteps };
}

/** `flags/promote-x`, or `flags/promote-x-2`, ... when a local or remote branch has the name. */
async function freeBranch(git: SimpleGit, wanted: string, hasRemote: boolean): Promise<string> {
  const taken = new Set<string>();
  const refs = await git.raw([
    'for-each-ref',
    '--format=%(refname)',
    'refs/heads/flags/',
    `refs/remotes/${REMOTE}/flags/`,
  ]);
  for (const ref of refs.split('\n')) {
    if (ref)
      taken.add(
        ref.replace(/^refs\/heads\//, '').replace(new RegExp(`^refs/remotes/${REMOTE}/`), ''),
      );
  }
  if (hasRemote) {
    try {
      const remote = await git.raw(['ls-remote', '--heads', REMOTE, `refs/heads/${wanted}*`]);
      for (const line of remote.split('\n')) {
        const ref = line.split('\t')[1];
        if (ref) taken.add(ref.replace(/^refs\/heads\//, ''));
      }
    } catch {
      // Unreachable remote: the push will say so.
    }
  }
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!taken.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
}

/** The first line of an error, without credentials in URLs or tokens. */
function clean(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line =
    message
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? message;
  return scrub(line.trim().replace(/^(fatal|error): /, ''));
}

function scrub(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/\b(gh[pousr]_[A-Za-z0-9]{10,}|github_pat_[A-Za-z0-9_]{10,})\b/g, '***');
}

/** The result for people: what was done, warnings, and the commands left to run. */
export function renderOpenPr(result: OpenPrResult, s: Style): string {
  const lines: string[] = [];
  if (result.commit) {
    lines.push(
      `${s.green('✓')} committed ${result.commit.slice(0, 12)} on branch ${s.bold(result.branch)} (from ${result.base})`,
    );
    lines.push(`  the pull request goes into ${s.bold(result.base)}`);
  }
  if (result.pushed) lines.push(`${s.green('✓')} pushed ${result.branch} to ${REMOTE}`);
  if (result.pr) {
    lines.push(`${s.green('✓')} opened pull request #${result.pr.number}: ${result.pr.url}`);
    lines.push(
      `  labels ${result.labels.join(', ')}; review requested from ${result.reviewers.join(', ') || 'nobody'}`,
    );
  }
  for (const w of result.warnings) lines.push(`${s.yellow('!')} ${w}`);
  if (result.error) lines.push(`${s.red('✗')} ${result.error}`);
  if (result.nextSteps.length > 0) {
    const why = result.error
      ? 'To finish, run:'
      : !result.pushed
        ? `No remote named ${REMOTE}: the branch and commit are here; to open the pull request, run:`
        : 'No GitHub token (GITHUB_TOKEN and GITHUB_REPOSITORY): the branch is pushed; open the pull request with:';
    lines.push(why, ...result.nextSteps.map((step) => `  ${step}`));
  }
  if (result.commit)
    lines.push(s.dim(`You are on ${result.branch}; git switch ${result.base} takes you back.`));
  return lines.join('\n') + '\n';
}
