// The gate in a pull request or a merge group: judge the change, hold the decision-maker of an
// override to an approval of the current head, and publish the verdict: annotations, job
// summary, outputs, the sticky comment (or, on a fork, the summary alone) and the `flags/soak`
// commit status. Exit 0 may merge (or waits only for the soak, which the status holds), 1 blocked,
// 2 could not judge.
//
// Run by .github/workflows/flags-gate.yml: `npx tsx scripts/github/gate.ts`, with the change
// checked out in FLAGS_REPO_DIR (default: the working directory).
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RefusedApproval } from '../adapters/github.ts';
import type { GateReportContext } from '../core/gate-report.ts';
import { gateStatus, type GateStatus } from '../core/gate-status.ts';
import type { CheckResult } from '../core/model.ts';
import type { GateDeps, GateGit, GateOutcome } from './gate-deps.ts';
import { gateInputsFrom, type GateInputs } from './gate-inputs.ts';
import { applyOverrideApprovals, reviewFacts } from './gate-override-approval.ts';
import {
  couldNotJudge,
  ownersOf,
  publishComment,
  publishSoakStatus,
  setGateOutputs,
  toAnnotation,
  writeGateSummary,
} from './gate-publish.ts';
import { entryLog, entryNow, githubOf, type EntryOptions, type Env } from './entry.ts';

// The gate's parts, importable from the entry as before.
export type { Evaluate, GateDeps, GateGit, GateOutcome, GateReporter } from './gate-deps.ts';
export { gateInputsFrom, type GateInputs } from './gate-inputs.ts';
export { applyOverrideApprovals } from './gate-override-approval.ts';
export { ownersOf } from './gate-publish.ts';

// ---- the gate ---------------------------------------------------------------------------

/** Judge, then publish: annotations, comment, soak status, summary, outputs. */
export async function runGate(inputs: GateInputs, deps: GateDeps): Promise<GateOutcome> {
  let judged: Judged;
  try {
    judged = await judge(inputs, deps);
  } catch (error) {
    return couldNotJudge(inputs, deps, error);
  }
  const { result, approvals, refused, author } = judged;
  const status = gateStatus(result, { mergeGroup: inputs.event === 'merge_group' });
  const context: GateReportContext = {
    approvals,
    refused,
    author,
    owners: await ownersOf(result, deps.git),
    strict: inputs.strict,
    runUrl: inputs.runUrl,
  };
  await deps.reporter.annotate(result.violations.map(toAnnotation));
  // Publishing is best effort: the verdict stands (and the exit code with it) if GitHub fails.
  const comment = await publishComment(inputs, deps, result, context);
  const commitStatus = await publishSoakStatus(inputs, deps, status);
  await writeGateSummary(deps.reporter, result, context, comment);
  const exitCode = exitCodeFor(result, status, inputs);
  await setGateOutputs(deps.reporter, { exitCode, result, status, comment, commitStatus });
  deps.log(`${status.state}: ${status.description}`);
  return { exitCode, result, status, comment, commitStatus };
}

interface Judged {
  result: CheckResult;
  approvals: string[];
  refused: RefusedApproval[];
  author: string | null;
}

/** Evaluates the change and applies the override-approval rule. */
async function judge(inputs: GateInputs, deps: GateDeps): Promise<Judged> {
  const range = await rangeToJudge(inputs, deps.git);
  await discardPlantableIndex(inputs.repoDir, range, deps);
  if (range.head !== inputs.head) {
    deps.log(
      `head ${inputs.head.slice(0, 12)} is behind the base: judging the merge commit instead`,
    );
  }
  const evaluated = await deps.evaluate({
    cwd: inputs.repoDir,
    base: range.base,
    head: range.head,
    now: deps.now,
    strict: inputs.strict,
    env: deps.env,
  });
  const review = await reviewFacts(inputs, deps.github, evaluated);
  const result = applyOverrideApprovals(evaluated, review.approvals, {
    strict: inputs.strict,
    headSha: review.headSha,
    scope: review.scope,
    note: review.note,
    author: review.author,
    refused: review.refused,
  });
  const { approvals, refused, author } = review;
  return { result, approvals, refused, author };
}

/**
 * Throws away the restored soak-clock index when the change touches .github/. The Actions cache a
 * pull request's run restores from is first its own scope, which only workflows of that pull
 * request can write, and those come from the change itself: a change to .github/ could have
 * planted an index that dates its own promotion back. The run then reads the clocks from the
 * history (slower, and right); a change that leaves .github/ alone cannot write to that scope.
 */
async function discardPlantableIndex(
  repoDir: string,
  range: { base: string; head: string },
  deps: Pick<GateDeps, 'git' | 'env' | 'log'>,
): Promise<void> {
  const dir = deps.env['FLAGS_CLOCK_INDEX_DIR'];
  if (!dir) return;
  const touched = await deps.git.changedPaths(range.base, range.head, '.github');
  if (touched.length === 0) return;
  await rm(resolve(repoDir, dir), { recursive: true, force: true });
  const more = touched.length > 1 ? ` and ${touched.length - 1} more` : '';
  deps.log(
    `the change touches .github/ (${touched[0]}${more}): the restored soak-clock index is not used, since a workflow of this change could have written it; the clocks come from the history`,
  );
}

/**
 * 1 when the change is blocked. A change blocked only by the soak is not: the `flags/soak`
 * status holds it (pending) and turns green by itself, which a failed job could not.
 */
export function exitCodeFor(
  result: CheckResult,
  status: GateStatus,
  inputs: Pick<GateInputs, 'soakViaStatus'>,
): 0 | 1 {
  if (status.state === 'failure') return 1;
  if (status.state === 'pending' && !inputs.soakViaStatus) return 1;
  return result.violations.some((v) => v.severity === 'error' && v.rule !== 'soak') ? 1 : 0;
}

/**
 * The event's base and the pull request's head; when the head does not contain the base (the
 * branch is behind), the merge commit of the checkout, judged against its first parent.
 */
async function rangeToJudge(
  inputs: GateInputs,
  git: GateGit,
): Promise<{ base: string; head: string }> {
  if (!inputs.mergeCommit || (await git.isAncestor(inputs.base, inputs.head))) {
    return { base: inputs.base, head: inputs.head };
  }
  const parent = await git.firstParent(inputs.mergeCommit);
  return { base: parent ?? inputs.base, head: inputs.mergeCommit };
}

// ---- entry ------------------------------------------------------------------------------

export async function main(
  env: Env = process.env,
  cwd = process.cwd(),
  options: EntryOptions = {},
): Promise<number> {
  const log = entryLog('gate', options);
  let inputs: GateInputs;
  try {
    const eventPath = env['GITHUB_EVENT_PATH'];
    const event: unknown = eventPath ? JSON.parse(await readFile(eventPath, 'utf8')) : {};
    inputs = gateInputsFrom(env, event, cwd);
  } catch (error) {
    log((error as Error).message);
    return 2;
  }
  const [{ evaluateCheck }, { GitRepo }, github, reporter] = await Promise.all([
    import('../commands/check.ts'),
    import('../adapters/git.ts'),
    githubOf(env, options, log),
    import('../adapters/actions.ts'),
  ]);
  const outcome = await runGate(inputs, {
    github,
    evaluate: evaluateCheck,
    git: new GitRepo(inputs.repoDir),
    reporter,
    now: entryNow(options),
    env,
    log,
  });
  return outcome.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
