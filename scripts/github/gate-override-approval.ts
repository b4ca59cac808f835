// The override-approval rule of the runbook: an override that skips the soak counts only when
// its decision-maker (not the author) approved the pull request on its current head. Only GitHub
// knows the reviews, so the rule is applied here, after `flags check` has judged the change.
import type { GitHubRepo, RefusedApproval } from '../adapters/github.ts';
import type { CheckResult, Violation } from '../core/model.ts';
import type { GateInputs } from './gate-inputs.ts';

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

/** The approvals that decide the overrides, read from the pull request (or the merge group's). */
export interface ReviewFacts {
  approvals: string[];
  refused: RefusedApproval[];
  author: string | null;
  headSha: string;
  scope: Set<string> | null;
  note?: string;
}

export async function reviewFacts(
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
