// Publishing the verdict: annotations, the sticky comment on the pull request, the `flags/soak`
// commit status, the job summary and the step outputs. Best effort towards GitHub: the verdict
// (and the exit code with it) stands when GitHub refuses or fails.
import { parse as parseYaml } from 'yaml';
import type { Annotation } from '../adapters/actions.ts';
import { reviewerSections } from '../core/edit-diff.ts';
import {
  GATE_MARKER,
  changesTable,
  headline,
  renderComment,
  renderDetails,
  type GateReportContext,
} from '../core/gate-report.ts';
import { SOAK_CONTEXT, type GateStatus } from '../core/gate-status.ts';
import type { Change, CheckResult, Violation } from '../core/model.ts';
import type { GateDeps, GateGit, GateOutcome, GateReporter } from './gate-deps.ts';
import type { GateInputs } from './gate-inputs.ts';

/** The sticky comment on a pull request (not in a merge group, which has none). */
export async function publishComment(
  inputs: GateInputs,
  deps: Pick<GateDeps, 'github' | 'log'>,
  result: CheckResult,
  context: GateReportContext,
): Promise<GateOutcome['comment']> {
  const { github, log } = deps;
  const pr = inputs.pr;
  if (!github || pr === null || inputs.event !== 'pull_request') return 'skipped';
  return bestEffort(log, `comment on #${pr}`, async () => {
    // A pull request that touches no flag gets no comment, unless it had one before.
    const create = result.changes.length > 0 || result.violations.length > 0;
    const body = renderComment(result, context, { extra: reviewerSections(result) });
    const posted = await github.upsertStickyComment(pr, GATE_MARKER, body, { create });
    if (posted.result === 'forbidden') {
      log(
        `cannot comment on #${pr} (${posted.status}: a fork's token is read-only); see the job summary`,
      );
    }
    return posted.result;
  });
}

/** The `flags/soak` status on the head: what branch protection waits for. */
export async function publishSoakStatus(
  inputs: GateInputs,
  deps: Pick<GateDeps, 'github' | 'log'>,
  status: GateStatus,
): Promise<GateOutcome['commitStatus']> {
  const { github, log } = deps;
  if (!github) return 'skipped';
  return bestEffort(log, `status ${SOAK_CONTEXT}`, async () => {
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

/** The job summary: the whole report, and on a fork the only place it can go. */
export async function writeGateSummary(
  reporter: GateReporter,
  result: CheckResult,
  context: GateReportContext,
  comment: GateOutcome['comment'],
): Promise<void> {
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
}

/** The step outputs later steps of the workflow read. */
export async function setGateOutputs(
  reporter: GateReporter,
  outcome: GateOutcome & { result: CheckResult; status: GateStatus },
): Promise<void> {
  const { exitCode, result, status, comment, commitStatus } = outcome;
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

export function toAnnotation(v: Violation): Annotation {
  return {
    level: v.severity === 'error' ? 'error' : 'warning',
    message: v.message,
    title: v.rule,
    file: v.file,
    line: v.line,
  };
}

/** When the change cannot be judged: exit 2, said everywhere the verdict would have gone. */
export async function couldNotJudge(
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
          `Could not judge: ${message}`, // cut to GitHub's 140 by the adapter
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
