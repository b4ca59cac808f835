import { DEPLOY_OPTIONS, runDeployCommand } from './deploy.ts';
import type { Command } from './command.ts';

// plan is deploy's dry run, with its own options (no --dry-run: it never writes) and help.
const PLAN_OPTIONS = Object.fromEntries(
  Object.entries(DEPLOY_OPTIONS).filter(([name]) => name !== 'dry-run'),
);

export const command: Command = {
  name: 'plan',
  summary: "Show what 'deploy' would change on the platform (deploy's dry run)",
  usage: 'plan [--platform-url URL] [--branch NAME] [--adopt] [--now ISO] [--json]',
  help: `Reads the flags of the checked-out commit (HEAD, from git objects: uncommitted edits are not
planned) and the platform, writes nothing, and prints every step 'deploy' would take, grouped
by kind with counts, each with its reason: register new flags (at alpha), update metadata,
demote (first) and promote, enable and disable the orgs of 'alpha_orgs', archive deleted flags.
It also shows what the gate would refuse (with when it becomes allowed), the drift (flags
someone changed on the platform after the repository last changed them), and the promotions
HELD for the platform's own clock: a state the platform has not served is reached only after
the soak there (24 h alpha -> beta, 72 h beta -> ga from its state_changed_at), unless --adopt.
Read it before a deploy; 'npx flags deploy --help' says what deploy does.

Options:
  --platform-url URL  the platform API (default PLATFORM_API_URL; token in PLATFORM_API_TOKEN)
  --branch NAME       the branch being deployed (default main): HEAD must be its tip on
                      origin, fetched first; otherwise refused. Without an origin remote
                      there is nothing to compare with
  --adopt             plan as deploy --adopt would: the repository's history as the witness
                      for flags the platform does not have yet
  --now ISO           the time to judge soaks at (default: now), e.g. 2026-11-24T12:00:00Z
  --concurrency N     accepted for symmetry with deploy; plan makes no writes
  --retries N         retries of each platform request after the first try (default 6)
  --json              one JSON document: {ok, dryRun: true, counts, steps: [...], flags, ...}

Exit status: 0 the deploy would succeed, 1 a step would be refused by the gate or HEAD is not
the tip of --branch on origin, 2 could not evaluate (no platform URL, the platform unreachable,
not a git repository, shallow history).`,
  options: PLAN_OPTIONS,
  run: (values, _positionals, ctx) => runDeployCommand(values, ctx, 'plan'),
};
