// The scheduled re-check: judges every open pull request to main again at the current time and
// sets its `flags/soak` commit status. A change blocked only by the soak is `pending` ("allowed
// from ..."); once its time has come the status turns `success` and the pull request is mergeable
// by itself. Runs started by GITHUB_TOKEN trigger no workflows, so a re-run of the gate could not
// do this; a commit status can. Changes are only written when the status differs.
//
// Run by .github/workflows/flags-recheck.yml: `npx tsx scripts/github/recheck.ts`.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type {
  CommitState,
  EtagEntry,
  EtagStore,
  GitHubRepo,
  PullRequestInfo,
  RefusedApproval,
  StickyCommentResult,
} from '../adapters/github.ts';
import {
  GATE_MARKER,
  SOAK_CONTEXT,
  statusDescription,
  gateStatus,
  renderComment,
} from '../core/gate-report.ts';
import { reviewerSections } from '../core/edit-diff.ts';
import type { CheckResult } from '../core/model.ts';
import { gitAuthEnv } from '../adapters/git-auth.ts';
import {
  entryLog,
  entryNow,
  repoDirOf,
  requireGithub,
  type EntryOptions,
  type Env,
} from './entry.ts';
import { applyOverrideApprovals, type Evaluate, type GateGit } from './gate.ts';

export interface RecheckDeps {
  github: GitHubRepo;
  /** Judges a pull request's change at `now` (the entry fetches its head and runs the check). */
  judge: (pr: PullRequestInfo, now: Date) => Promise<CheckResult>;
  /** Each changed flag's owner, for the refreshed comment. */
  owners?: (result: CheckResult) => Promise<Record<string, string>>;
  now: Date;
  strict: boolean;
  /** Only pull requests into this branch. */
  base: string;
  runUrl: string | null;
  log: (line: string) => void;
}

export interface RecheckOutcome {
  pr: number;
  headSha: string;
  state: CommitState;
  description: string;
  /** The status was written (it differed from the one on the commit). */
  written: boolean;
  /** The sticky comment was refreshed too. */
  comment: StickyCommentResult['result'];
}

/** Re-judges each open pull request into `deps.base`; one failing pull request stops no other. */
export async function recheckPullRequests(deps: RecheckDeps): Promise<RecheckOutcome[]> {
  const pulls = await deps.github.openPullRequests(deps.base);
  const outcomes: RecheckOutcome[] = [];
  for (const pr of pulls) {
    try {
      outcomes.push(await recheckOne(pr, deps));
    } catch (error) {
      // GitHub failed for this one (after its retries): the next run tries again.
      const description = statusDescription((error as Error).message);
      deps.log(`#${pr.number}: ${description}`);
      outcomes.push({
        pr: pr.number,
        headSha: pr.headSha,
        state: 'error',
        description,
        written: false,
        comment: 'skipped',
      });
    }
  }
  return outcomes;
}

async function recheckOne(pr: PullRequestInfo, deps: RecheckDeps): Promise<RecheckOutcome> {
  const { github, log } = deps;
  let state: CommitState;
  let description: string;
  let result: CheckResult | null = null;
  let approvals: string[] = [];
  let refused: RefusedApproval[] = [];
  try {
    const judged = await deps.judge(pr, deps.now);
    // Reviews matter only to overrides: a change without one costs no review or permission read.
    if (judged.overrides.length > 0) {
      const trusted = await github.trustedApprovals(pr.number, pr.headSha);
      approvals = trusted.approvals;
      refused = trusted.refused;
    }
    result = applyOverrideApprovals(judged, approvals, {
      strict: deps.strict,
      headSha: pr.headSha,
      author: pr.author,
      refused,
    });
    ({ state, description } = gateStatus(result));
  } catch (error) {
    state = 'error';
    // As the adapter writes it, so that the comparison below sees the same text.
    description = statusDescription(
      `Could not judge: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const current = await github.commitStatus(pr.headSha, SOAK_CONTEXT);
  const same = current?.state === state && current.description === description;
  let written = false;
  if (!same) {
    const set = await github.setCommitStatus(
      pr.headSha,
      state,
      SOAK_CONTEXT,
      description,
      deps.runUrl ?? undefined,
    );
    written = set.result === 'written';
  }
  let comment: RecheckOutcome['comment'] = 'skipped';
  // The gate's comment follows a change of verdict (say, pending to success); none is created.
  if (written && result && current && current.state !== state) {
    if (result.overrides.length === 0) {
      approvals = (await github.trustedApprovals(pr.number, pr.headSha)).approvals;
    }
    const owners = deps.owners ? await deps.owners(result) : {};
    const posted = await github.upsertStickyComment(
      pr.number,
      GATE_MARKER,
      renderComment(
        result,
        {
          approvals,
          refused,
          author: pr.author,
          owners,
          strict: deps.strict,
          runUrl: deps.runUrl,
        },
        { extra: reviewerSections(result) },
      ),
      { create: false },
    );
    comment = posted.result;
  }
  log(
    `#${pr.number} ${pr.headSha.slice(0, 12)}: ${state}: ${description}${written ? '' : ' (unchanged)'}`,
  );
  return { pr: pr.number, headSha: pr.headSha, state, description, written, comment };
}

// ---- entry ------------------------------------------------------------------------------

const run = promisify(execFile);

/**
 * Judges a pull request the way the gate does: the base branch's tip against the pull request's
 * head, or, when the head is behind, the merge of the two against the tip. The merge is made here
 * (`git merge-tree`), not read from `refs/pull/N/merge`, which GitHub computes lazily and does not
 * have for a conflicting pull request; a conflict is that pull request's answer, not the run's.
 */
export function pullRequestJudge(options: {
  cwd: string;
  env: Env;
  strict: boolean;
  evaluate: Evaluate;
  git: GateGit & { resolveCommit(ref: string): Promise<string> };
  fetch?: (refspecs: string[]) => Promise<void>;
}): (pr: PullRequestInfo, now: Date) => Promise<CheckResult> {
  const fetch =
    options.fetch ??
    (async (refspecs: string[]) => {
      await run('git', ['fetch', '--no-tags', '--quiet', 'origin', ...refspecs], {
        cwd: options.cwd,
        env: gitAuthEnv(options.env),
      });
    });
  return async (pr, now) => {
    const local = `refs/flags-recheck/pr/${pr.number}`;
    await fetch([`+refs/pull/${pr.number}/head:${local}/head`]);
    const base = await options.git.resolveCommit('HEAD');
    let range = { base, head: pr.headSha };
    if (!(await options.git.isAncestor(base, pr.headSha))) {
      range = { base, head: await mergeCommit(options.cwd, base, pr.headSha, now) };
    }
    return options.evaluate({
      cwd: options.cwd,
      base: range.base,
      head: range.head,
      now,
      strict: options.strict,
      env: options.env,
    });
  };
}

/** The merge of `head` into `base`, as a commit of this clone; throws on a conflict. */
export async function mergeCommit(
  cwd: string,
  base: string,
  head: string,
  now: Date,
): Promise<string> {
  const merged = await run('git', ['merge-tree', '--write-tree', '--name-only', base, head], {
    cwd,
  }).catch((error: { code?: number; stdout?: string }) => {
    if (error.code !== 1) throw error;
    const files = (error.stdout ?? '').split('\n').slice(1).filter(Boolean);
    throw new Error(
      `conflicts with the base${files.length ? ` in ${files.slice(0, 3).join(', ')}` : ''}: resolve them and push`,
    );
  });
  const tree = merged.stdout.split('\n')[0]?.trim() ?? '';
  const stamp = `${Math.floor(now.getTime() / 1000)} +0000`;
  const commit = await run(
    'git',
    ['commit-tree', tree, '-p', base, '-p', head, '-m', 'flags re-check: merge with the base'],
    {
      cwd,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'flags re-check',
        GIT_AUTHOR_EMAIL: 'flags@localhost',
        GIT_COMMITTER_NAME: 'flags re-check',
        GIT_COMMITTER_EMAIL: 'flags@localhost',
        GIT_AUTHOR_DATE: stamp,
        GIT_COMMITTER_DATE: stamp,
      },
    },
  );
  return commit.stdout.trim();
}

export async function main(
  env: Env = process.env,
  cwd = process.cwd(),
  options: EntryOptions = {},
): Promise<number> {
  const log = entryLog('recheck', options);
  const repoDir = repoDirOf(env, cwd);
  const etagFile = join(repoDir, '.git', 'flags-github-etags.json');
  const etags = await loadEtags(etagFile);
  const [{ evaluateCheck }, { GitRepo }, github] = await Promise.all([
    import('../commands/check.ts'),
    import('../adapters/git.ts'),
    requireGithub(env, { ...options, client: { etags, ...options.client } }, log),
  ]);
  if (!github) return 2;
  const strict = env['FLAGS_STRICT'] !== 'false';
  const git = new GitRepo(repoDir);
  const { ownersOf } = await import('./gate.ts');
  const server = env['GITHUB_SERVER_URL'];
  const runId = env['GITHUB_RUN_ID'];
  try {
    const outcomes = await recheckPullRequests({
      github,
      judge: pullRequestJudge({ cwd: repoDir, env, strict, evaluate: evaluateCheck, git }),
      owners: (result) => ownersOf(result, git),
      now: entryNow(options),
      strict,
      base: env['FLAGS_BASE_BRANCH'] || 'main',
      runUrl: server && runId ? `${server}/${github.fullName}/actions/runs/${runId}` : null,
      log,
    });
    // A pull request that could not be judged shows `error` on itself; the run stays green, or
    // one bad pull request would turn every run red.
    await writeFile(etagFile, JSON.stringify([...etags])).catch(() => {});
    const failed = outcomes.filter((o) => o.state === 'error');
    if (failed.length > 0)
      log(`${failed.length} of ${outcomes.length} could not be judged: see their statuses`);
    return 0;
  } catch (error) {
    log((error as Error).message);
    return 2;
  }
}

/**
 * The answers kept from earlier runs for conditional requests (the workflow restores the file
 * with the Actions cache). A missing or unreadable file is an empty store: never trusted blindly,
 * since GitHub re-sends any answer whose ETag no longer matches.
 */
async function loadEtags(file: string): Promise<EtagStore> {
  try {
    const entries = JSON.parse(await readFile(file, 'utf8')) as [string, EtagEntry][];
    return new Map(entries.filter((e) => Array.isArray(e) && typeof e[1]?.etag === 'string'));
  } catch {
    return new Map();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
