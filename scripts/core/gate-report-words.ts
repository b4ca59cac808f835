// The runbook's words in the gate's report: the exit criteria it asks of each promotion and how
// to fix a violation of each rule, one sentence each. Pure data.
import type { CriterionResult, RuleId } from './model.ts';

/** The exit criteria the runbook asks for each promotion, in its words. */
export const RUNBOOK_CRITERIA: Record<
  'beta' | 'ga',
  { criterion: CriterionResult['criterion']; label: string }[]
> = {
  beta: [
    {
      criterion: 'no-platform-errors-24h',
      label: 'no flag-related errors on the platform in the last 24 h',
    },
    { criterion: 'owner-sign-off', label: 'the owning team signed off in #novavms-releases' },
  ],
  ga: [
    { criterion: 'opt-ins', label: 'at least 10 customer orgs opted in' },
    { criterion: 'stable-72h', label: 'at least 72 h of stable running in beta' },
    { criterion: 'no-open-incident', label: 'no open incident tagged to the flag' },
  ],
};

const FIX: Partial<Record<RuleId, string>> = {
  parse: 'make the file one valid YAML document (no duplicate keys, no anchors).',
  file: 'keep only `flags/**/<key>.yaml` files of at most 64 KiB of UTF-8 under `flags/`.',
  schema: 'fix the field as `schema/flag.schema.json` describes it (`npx flags validate`).',
  'key-mismatch': 'make `key` equal the file name, or rename the file.',
  'duplicate-key': 'keep one file per key.',
  'dependency-missing': 'add the missing flag first, or drop it from `depends_on`.',
  'dependency-cycle': 'break the cycle in `depends_on`.',
  'dependency-order': 'promote the dependency first, in its own pull request.',
  'new-flag-state': 'start a new flag at `state: alpha`.',
  'transition-skip': 'promote one state at a time: alpha to beta, soak, then beta to ga.',
  soak: 'wait: this pull request becomes mergeable by itself when the soak ends (the scheduled re-check sets `flags/soak`). Skipping it needs a fresh `override` with a named decision-maker and an incident link, and that person must approve.',
  'soak-override': 'the named decision-maker must approve this pull request.',
  'override-invalid':
    'give `override` a `decision_maker`, an https `incident` and a `reason` for this change only, and have the decision-maker approve the current head.',
  'revert-reason':
    'add a fresh `revert: {reason, incident}` block (`npx flags revert <key> --reason "..." --incident <URL>`).',
  revertible: 'a ga flag must be `revertible: true`, with a migration idempotent both ways.',
  removal:
    'remove dependents first; revert a beta flag to alpha instead; remove a ga flag after 7 days at ga.',
  'alpha-org': "add the org's `preview_agreement`, or drop the org.",
  codeowners: "make the last matching CODEOWNERS rule for the file include the flag's `owner`.",
  'exit-criteria': "wait until the data meets the runbook's exit criteria.",
  'exit-criteria-unverified':
    'configure the data source (PLATFORM_API_URL and the read-only token, GITHUB_TOKEN) or re-run when it answers.',
  drift:
    'bring the repository in line with the platform first (e.g. `flags revert`), then make this change.',
};

/** How to fix a violation of `rule`, in one sentence. */
export function fixHint(rule: RuleId): string {
  return FIX[rule] ?? 'see the message.';
}
