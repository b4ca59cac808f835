import { writeDeploySummary, renderReport } from '../adapters/deploy-render.ts';
import { NotBranchTipError, validBranchName } from '../adapters/deploy-branch.ts';
import { runDeploy, type DeployReport } from '../adapters/deploy-run.ts';
import { colourEnabled, style } from '../adapters/terminal.ts';
import { UsageError } from '../core/errors.ts';
import { parseInstant } from '../core/time.ts';
import type { Command, CommandContext, OptionValues } from './command.ts';

export const DEPLOY_OPTIONS = {
  'platform-url': { type: 'string' },
  'dry-run': { type: 'boolean' },
  branch: { type: 'string' },
  adopt: { type: 'boolean' },
  now: { type: 'string' },
  concurrency: { type: 'string' },
  retries: { type: 'string' },
} as const;

export const DEPLOY_HELP_OPTIONS = `Options:
  --platform-url URL  the platform API (default PLATFORM_API_URL; token in PLATFORM_API_TOKEN)
  --dry-run           plan only: read everything, write nothing (what 'flags plan' does)
  --branch NAME       the branch being deployed (default main): HEAD must be its tip on
                      origin, fetched first; otherwise refused, nothing applied. Without an
                      origin remote there is nothing to compare with
  --adopt             take the repository's history as the witness for flags the platform
                      does not have yet (bootstrapping a fresh platform): they go to their
                      state in this run if that history passed the gate. The operator's
                      decision: printed, and audited as X-Actor 'flags-deploy --adopt'
  --json              one JSON document: {ok, dryRun, counts: {applied, skipped, failed,
                      drifted, ...}, steps: [...], flags, announcements, verify, ...}
  --now ISO           the time to judge soaks at (default: now), e.g. 2026-11-24T12:00:00Z
  --concurrency N     independent steps in flight at once (default 8)
  --retries N         retries of each platform request after the first try (default 6)`;

export const DEPLOY_HELP_BODY = `Deploys the flags of the checked-out commit (HEAD, read from git objects: uncommitted edits are
not deployed). Steps: register new flags (at alpha) and update their metadata; promote and
demote states (dependencies before dependents on the way up, dependents first on the way
down); staff enable and disable the orgs of 'alpha_orgs'; archive flags deleted from the
repository. Independent steps run in parallel. Every write carries 'X-Actor: flags-deploy' and
an Idempotency-Key derived from the commit and the step, so retries and re-runs never apply a
change twice. Afterwards the result is read back and verified (state, opt-in count, audit logs).

The platform is the witness: a state the platform has not served is reached only on the
platform's own clock. A flag the platform does not know is registered at alpha; each further
step waits for the soak there (24 h alpha -> beta, 72 h beta -> ga, from the platform's
state_changed_at; a fresh override of exactly that transition waives it for a flag the platform
has). Such a step is HELD and reported with the time it is allowed from: not a failure, not
drift; the next deploy (a scheduled run too) applies it. So commits with forged, backdated dates
cannot move a flag faster than the platform has watched it. --adopt is the exception, for
flags the platform does not have yet.

The gate runs again on what is about to be applied, with the platform as the base: a promotion
that skips a state, that the repository's own history made too early, or that outruns a
dependency is refused (exit 1) and reported with its rule and, where waiting helps, when it
becomes allowed.

A flag whose state someone else changed on the platform after the repository last changed it
(an on-call revert) is drift: reported, never overwritten, until the repository changes that
flag's state again. See the README, "Ownership".

Announcements for each promotion (beta: summary, opt-in path, manual; GA: with the revert
path) are printed, and with the plan and result tables written to the job summary when
GITHUB_STEP_SUMMARY is set.`;

function positiveInt(values: OptionValues, name: string, max: number): number | undefined {
  const text = values[name];
  if (typeof text !== 'string') return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= (name === 'retries' ? 0 : 1) && n <= max))
    throw new UsageError(`--${name} '${text}' must be a whole number up to ${max}`);
  return n;
}

function nowOf(values: OptionValues, ctx: CommandContext): Date {
  if (typeof values.now !== 'string') return ctx.clock();
  const date = parseInstant(values.now);
  if (!date)
    throw new UsageError(
      `--now '${values.now}' is not an ISO 8601 time with a zone, e.g. 2026-11-24T12:00:00Z`,
    );
  return date;
}

export interface DeployCommandOptions {
  /** Compare HEAD with the tip of --branch on origin (false: `npm start`'s embedded deploy). */
  branchCheck: boolean;
}

/** plan and deploy: run, print (text or JSON), write the job summary; 1 when anything failed. */
export async function runDeployCommand(
  values: OptionValues,
  ctx: CommandContext,
  command: 'plan' | 'deploy',
  options: DeployCommandOptions = { branchCheck: true },
): Promise<number> {
  const branch = validBranchName(typeof values.branch === 'string' ? values.branch : 'main');
  let report: DeployReport;
  try {
    report = await runDeployReport(values, ctx, command, options.branchCheck ? branch : null);
  } catch (error) {
    if (!(error instanceof NotBranchTipError)) throw error;
    // A refusal, not a fault: one line, and for --json one document that says which commits.
    ctx.stderr(`flags ${command}: ${error.message}\n`);
    if (values.json) {
      const { branch: name, head, tip } = error;
      const refusal = { code: 'not-branch-tip', message: error.message, branch: name, head, tip };
      ctx.stdout(JSON.stringify({ ok: false, command, error: refusal }) + '\n');
    }
    return 1;
  }
  if (values.json) ctx.stdout(JSON.stringify(report, null, 2) + '\n');
  else ctx.stdout(renderReport(report, style(colourEnabled(ctx.env, ctx.isTTY))));
  await writeDeploySummary(report, ctx.env);
  return report.ok ? 0 : 1;
}

function runDeployReport(
  values: OptionValues,
  ctx: CommandContext,
  command: 'plan' | 'deploy',
  branch: string | null,
): Promise<DeployReport> {
  return runDeploy({
    cwd: ctx.cwd,
    env: ctx.env,
    now: nowOf(values, ctx),
    dryRun: command === 'plan' || Boolean(values['dry-run']),
    command,
    platformUrl: typeof values['platform-url'] === 'string' ? values['platform-url'] : undefined,
    concurrency: positiveInt(values, 'concurrency', 64),
    retries: positiveInt(values, 'retries', 20),
    progress: ctx.isTTY && !values.json ? (line) => ctx.stderr(`${line}...\n`) : undefined,
    branch,
    adopt: Boolean(values.adopt),
  });
}

export const command: Command = {
  name: 'deploy',
  summary: "Sync the repository's flags to the platform, in order, safely (on merge)",
  usage: 'deploy [--platform-url URL] [--dry-run] [--branch NAME] [--adopt] [--json]',
  help: `${DEPLOY_HELP_BODY}

${DEPLOY_HELP_OPTIONS}

Exit status: 0 every step applied and verified (held steps and drift are reported, not
errors), 1 a step
failed after retries, was refused by the gate or did not verify, or HEAD is not the tip of
--branch on origin (nothing applied), 2 could not evaluate (no
platform URL, the platform unreachable, not a git repository, shallow history).`,
  options: DEPLOY_OPTIONS,
  run: (values, _positionals, ctx) => runDeployCommand(values, ctx, 'deploy'),
};
