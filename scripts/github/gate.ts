// The gate in a pull request or a merge group: judge the change, hold the decision-maker of an
// override to an approval of the current head, and publish the verdict: annotations, job
// summary, outputs, the sticky comment (or, on a fork, the summary alone) and the `flags/soak`
// commit status. Exit 0 may merge (or waits only for the soak, which the status holds), 1 blocked,
// 2 could not judge.
//
// Run by .github/workflows/flags-gate.yml: `npx tsx scripts/github/gate.ts`, with the change
// checked out in FLAGS_REPO_DIR (default: the working directory).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Annotation, JobSummary } from '../adapters/actions.ts';
import type {
  GitHubRepo,
  RefusedApproval,
  StickyCommentResult,
  WriteResult,
} from '../adapters/github.ts';
import {
  GATE_MARKER,
  SOAK_CONTEXT,
  changesTable,
  gateStatus,
  headline,
  renderComment,
  renderDetails,
  type GateStatus,
} from '../core/gate-report.ts';
import { reviewerSections } from '../core/edit-diff.ts';
import type { Change, CheckResult, Violation } from '../core/model.ts';
import { entryLog, githubOf, repoDirOf, type EntryOptions, type Env } from './entry.ts';

/** What the gate is asked to judge, read once from the workflow's environment and event. */
export interface GateInputs {
  /** Where the change is checked out, with its whole history. */
  repoDir: string;
  event: 'pull_request' | 'merge_group';
  /** The pull request (for a merge group: the one its head ref names), or null. */
  pr: number | null;
  /** The protected branch's commit: the event's base SHA. */
  base: string;
  /** The change: the pull request's head, or the merge group's head. The status goes here. */
  head: string;
  /** For a pull request: the merge commit the checkout made, used when head is behind base. */
  mergeCommit: string | null;
  /** The head lives in a fork: the token cannot comment or set statuses. */
  fork: boolean;
  /** Who opened the pull request (from the event), when known: never their own decision-maker. */
  author?: string | null;
  strict: boolean;
  /** Soak-only blocks are carried by the `flags/soak` status (true) or fail the job (false). */
  soakViaStatus: boolean;
  runUrl: string | null;
}

/** How the gate judges a change: `evaluateCheck` of scripts/commands/check.ts. */
export type Evaluate = (options: {
  cwd: string;
  base: string;
  head?: string;
  now: Date;
  strict?: boolean;
  env: Env;
  platformUrl?: string;
}) => Promise<CheckResult>;

/** The few git questions the gate asks (scripts/adapters/git.ts answers them). */
export interface GateGit {
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  firstParent(commit: string): Promise<string | null>;
  readFileAt(commit: string, path: string): Promise<string | null>;
}

/** Where the verdict goes in the workflow (scripts/adapters/actions.ts). */
export interface GateReporter {
  annotate(annotations: readonly Annotation[]): Promise<void>;
  writeJobSummary(summary: JobSummary): Promise<boolean>;
  setOutputs(outputs: Record<string, unknown>): Promise<void>;
}

export interface GateDeps {
  github: GitHubRepo | null;
  evaluate: Evaluate;
  git: GateGit;
  reporter: GateReporter;
  now: Date;
  env: Env;
  log: (line: string) => void;
}

export interface GateOutcome {
  exitCode: 0 | 1 | 2;
  result: CheckResult | null;
  status: GateStatus | null;
  comment: StickyCommentResult['result'] | 'failed';
  commitStatus: WriteResult['result'] | 'skipped' | 'failed';
}

// ---- inputs -----------------------------------------------------------------------------

/** Reads the inputs from the workflow environment and the event payload (GITHUB_EVENT_PATH). */
export function gateInputsFrom(env: Env, event: unknown, cwd: string): GateInputs {
  const name = env['GITHUB_EVENT_NAME'] ?? '';
  const payload = (event ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const common = {
    repoDir: repoDirOf(env, cwd),
    strict: env['FLAGS_STRICT'] !== 'false',
    soakViaStatus: env['FLAGS_SOAK_VIA_STATUS'] !== 'false',
    runUrl: runUrl(env),
  };
  if (name === 'pull_request' || name === 'pull_request_review') {
    const pr = payload['pull_request'] as PullRequestPayload | undefined;
    if (!pr?.number || !pr.base?.sha || !pr.head?.sha) {
      throw new Error(`the ${name} event has no pull request with base and head SHAs`);
    }
    const headRepo = pr.head.repo?.full_name ?? null;
    const baseRepo = pr.base.repo?.full_name ?? env['GITHUB_REPOSITORY'] ?? '';
    return {
      ...common,
      event: 'pull_request',
      pr: pr.number,
      base: pr.base.sha,
      head: pr.head.sha,
      // Both events check out refs/pull/N/merge at GITHUB_SHA.
      mergeCommit: env['GITHUB_SHA'] ?? null,
      author: pr.user?.login ?? null,
      fork: headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
    };
  }
  if (name === 'merge_group') {
    const group = payload['merge_group'] as
      { base_sha?: string; head_sha?: string; head_ref?: string } | undefined;
    if (!group?.base_sha || !group.head_sha) {
      throw new Error('the merge_group event has no base and head SHAs');
    }
    const pr = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.head_ref ?? '');
    return {
      ...common,
      event: 'merge_group',
      pr: pr ? Number(pr[1]) : null,
      base: group.base_sha,
      head: group.head_sha,
      mergeCommit: null,
      fork: false,
    };
  }
  throw new Error(
    `the gate runs on pull_request, pull_request_review and merge_group, not '${name || 'unknown'}'`,
  );
}

interface PullRequestPayload {
  number?: number;
  user?: { login?: string } | null;
  base?: { sha?: string; repo?: { full_name?: string } | null };
  head?: { sha?: string; repo?: { full_name?: string } | null };
}

function runUrl(env: Env): string | null {
  const server = env['GITHUB_SERVER_URL'];
  const repo = env['GITHUB_REPOSITORY'];
  const id = env['GITHUB_RUN_ID'];
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : null;
}

// ---- the override-approval rule ---------------------------------------------------------

/**
 * Under --strict an override counts only when its decision-maker approved the pull request on
 * its current head: anything else is an `override-invalid` error (a warning without --strict).
 * Only the pull request knows its reviews, so the rule lives here, not in `flags check`.
 * `scope`: in a merge group, the files of the pull request whose approvals were read; overrides
 * of other flags came with earlier pull requests of the group, each gated on its own.
 */
export function applyOverrideApprovals(
  result: CheckResult,
  approvals: readonly string[],
  options: {
    strict: boolean;
    headSha: string;
    scope?: ReadonlySet<string> | null;
    note?: string;
    /** The pull request's author: never the decision-maker of its own override. */
    author?: string | null;
    /** Approvals that do not count (no write access), to say why. */
    refused?: readonly RefusedApproval[];
  },
): CheckResult {
  const approved = new Set(approvals.map(login));
  const author = options.author ? login(options.author) : null;
  const added: Violation[] = [];
  for (const o of result.overrides) {
    const change = result.changes.find((c) => c.flag === o.flag);
    const file = change?.file ?? null;
    if (options.scope && file && !options.scope.has(file)) continue;
    const decider = login(o.decision_maker);
    const own = decider === author;
    if (approved.has(decider) && !own) continue;
    const refused = options.refused?.find((r) => login(r.login) === decider);
    const why = own
      ? `names ${o.decision_maker}, the author of this pull request, as decision-maker: an author cannot be the decision-maker of their own override; name someone else, who must approve`
      : refused
        ? `names ${o.decision_maker} as decision-maker, whose approval does not count: the account has ${refused.permission} access to the repository, and only an account with write access can decide; name a maintainer`
        : `names ${o.decision_maker} as decision-maker, who has not approved this pull request on its current head (${options.headSha.slice(0, 12)}): the decision-maker must approve the change that skips the soak; ask ${o.decision_maker} to review it`;
    const at = result.violations.find((v) => v.flag === o.flag && v.rule === 'soak-override');
    added.push({
      rule: 'override-invalid',
      severity: options.strict ? 'error' : 'warning',
      flag: o.flag,
      file,
      line: at?.line ?? null,
      message: `the override of \`${o.flag}\` ${why}` + (options.note ? ` (${options.note})` : ''),
    });
  }
  if (added.length === 0) return result;
  const violations = [...result.violations, ...added];
  return { ...result, violations, ok: !violations.some((v) => v.severity === 'error') };
}

function login(name: string): string {
  return name.replace(/^@/, '').toLowerCase();
}

// ---- the gate ---------------------------------------------------------------------------

export async function runGate(inputs: GateInputs, deps: GateDeps): Promise<GateOutcome> {
  const { github, reporter, log } = deps;
  let judged: Judged;
  try {
    judged = await judge(inputs, deps);
  } catch (error) {
    return couldNotJudge(inputs, deps, error);
  }
  const { result, approvals, refused, author } = judged;

  const status = gateStatus(result, { mergeGroup: inputs.event === 'merge_group' });
  const owners = await ownersOf(result, deps.git);
  const context = {
    approvals,
    refused,
    author,
    owners,
    strict: inputs.strict,
    runUrl: inputs.runUrl,
  };

  await reporter.annotate(result.violations.map(toAnnotation));
  // Publishing is best effort: the verdict stands (and the exit code with it) if GitHub fails.
  let comment: GateOutcome['comment'] = 'skipped';
  if (github && inputs.pr !== null && inputs.event === 'pull_request') {
    const pr = inputs.pr;
    comment = await bestEffort(log, `comment on #${pr}`, async () => {
      // A pull request that touches no flag gets no comment, unless it had one before.
      const create = result.changes.length > 0 || result.violations.length > 0;
      const posted = await github.upsertStickyComment(
        pr,
        GATE_MARKER,
        renderComment(result, context, { extra: reviewerSections(result) }),
        {
          create,
        },
      );
      if (posted.result === 'forbidden') {
        log(
          `cannot comment on #${pr} (${posted.status}: a fork's token is read-only); see the job summary`,
        );
      }
      return posted.result;
    });
  }
  let commitStatus: GateOutcome['commitStatus'] = 'skipped';
  if (github) {
    commitStatus = await bestEffort(log, `status ${SOAK_CONTEXT}`, async () => {
      const written = await github.setCommitStatus(
        inputs.head,
        status.state,
        SOAK_CONTEXT,
        status.description,
        inputs.runUrl ?? undefined,
      );
      if (written.result === 'forbidden') {
        log(`cannot set ${SOAK_CONTEXT} (${written.status}); the scheduled re-check will`);
      }
      return written.result;
    });
  }
  const fallback =
    comment === 'forbidden'
      ? [
          '> The token of this run may not comment on the pull request (a fork): this summary and the annotations carry the report.',
        ]
      : [];
  await reporter.writeJobSummary({
    heading: 'Flags gate',
    intro: [...fallback, ...headline(result, context)],
    table: changesTable(result),
    sections: renderDetails(result, context),
  });
  const exitCode = exitCodeFor(result, status, inputs);
  await reporter.setOutputs({
    ok: String(exitCode === 0),
    state: status.state,
    description: status.description,
    'eligible-at': status.eligibleAt ?? '',
    errors: String(result.violations.filter((v) => v.severity === 'error').length),
    warnings: String(result.violations.filter((v) => v.severity === 'warning').length),
    'promotions-to-ga': result.changes
      .filter((c) => c.kind === 'promote' && c.to === 'ga')
      .map((c) => c.flag)
      .join(','),
    comment,
    // The workflow's last step sets a terminal status in a merge group unless this says it is done.
    'soak-status-set': String(commitStatus === 'written'),
    result,
  });
  log(`${status.state}: ${status.description}`);
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

interface ReviewFacts {
  approvals: string[];
  refused: RefusedApproval[];
  author: string | null;
  headSha: string;
  scope: Set<string> | null;
  note?: string;
}

async function reviewFacts(
  inputs: GateInputs,
  github: GitHubRepo | null,
  result: CheckResult,
): Promise<ReviewFacts> {
  const none = {
    approvals: [],
    refused: [],
    author: inputs.author ?? null,
    headSha: inputs.head,
    scope: null,
  };
  if (result.overrides.length === 0 && inputs.event === 'merge_group') return none;
  if (!github) return { ...none, note: 'GITHUB_TOKEN is not set, so reviews cannot be read' };
  if (inputs.pr === null) return { ...none, note: 'no pull request is known for this change' };
  if (inputs.event === 'pull_request') {
    return {
      ...none,
      ...(await github.trustedApprovals(inputs.pr, inputs.head)),
    };
  }
  const pr = await github.pullRequest(inputs.pr);
  return {
    ...(await github.trustedApprovals(pr.number, pr.headSha)),
    author: pr.author,
    headSha: pr.headSha,
    scope: await filesInScope(github, pr.number),
  };
}

/**
 * The files of the pull request, or null (every override in scope) when GitHub's list may be
 * cut: it lists at most 3,000 files, and an override among the rest must not escape its check.
 */
async function filesInScope(github: GitHubRepo, pr: number): Promise<Set<string> | null> {
  const files = await github.pullRequestFiles(pr);
  return files.length >= 3000 ? null : new Set(files);
}

/** Each changed flag's owner, read from the judged head (the base for a removal). */
export async function ownersOf(result: CheckResult, git: GateGit): Promise<Record<string, string>> {
  const owners: Record<string, string> = {};
  for (const change of result.changes) {
    const owner =
      (await ownerAt(git, result.head, change)) ?? (await ownerAt(git, result.base, change));
    if (owner) owners[change.flag] = owner;
  }
  return owners;
}

async function ownerAt(git: GateGit, commit: string, change: Change): Promise<string | null> {
  try {
    const text = await git.readFileAt(commit, change.file);
    const owner = text === null ? null : (parseYaml(text) as { owner?: unknown } | null)?.owner;
    return typeof owner === 'string' ? owner : null;
  } catch {
    return null;
  }
}

async function bestEffort<T>(
  log: (line: string) => void,
  what: string,
  work: () => Promise<T>,
): Promise<T | 'failed'> {
  try {
    return await work();
  } catch (error) {
    log(`${what} failed: ${(error as Error).message}`);
    return 'failed';
  }
}

function toAnnotation(v: Violation): Annotation {
  return {
    level: v.severity === 'error' ? 'error' : 'warning',
    message: v.message,
    title: v.rule,
    file: v.file,
    line: v.line,
  };
}

async function couldNotJudge(
  inputs: GateInputs,
  deps: GateDeps,
  error: unknown,
): Promise<GateOutcome> {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  deps.log(`could not judge the change: ${message}`);
  await deps.reporter.annotate([
    { level: 'error', title: 'flags gate', message: `could not judge the change: ${message}` },
  ]);
  const body = [
    `<!-- ${GATE_MARKER} -->`,
    '### ⚠️ Flags gate: could not judge the change',
    message,
    inputs.runUrl ? `See the [run](${inputs.runUrl}).` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  let comment: GateOutcome['comment'] = 'skipped';
  let commitStatus: GateOutcome['commitStatus'] = 'skipped';
  if (deps.github) {
    try {
      if (inputs.pr !== null && inputs.event === 'pull_request') {
        comment = (await deps.github.upsertStickyComment(inputs.pr, GATE_MARKER, body)).result;
      }
      commitStatus = (
        await deps.github.setCommitStatus(
          inputs.head,
          'error',
          SOAK_CONTEXT,
          `Could not judge: ${message}`.slice(0, 140),
          inputs.runUrl ?? undefined,
        )
      ).result;
    } catch (publishError) {
      deps.log(`could not publish to GitHub either: ${(publishError as Error).message}`);
    }
  }
  await deps.reporter.writeJobSummary({
    heading: 'Flags gate',
    intro: ['Could not judge the change.', message],
  });
  await deps.reporter.setOutputs({
    ok: 'false',
    state: 'error',
    description: message,
    'soak-status-set': String(commitStatus === 'written'),
  });
  return { exitCode: 2, result: null, status: null, comment, commitStatus };
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
    now: new Date(),
    env,
    log,
  });
  return outcome.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
