// Staff enables for `alpha_orgs` (the runbook's "Per-org opt-in for alpha"): an org listed in
// the file is enabled, an org the repository removed is disabled, and one that someone else
// toggled on the platform after the repository last listed or removed it is drift.
import type { FlagFile, State } from '../model.ts';
import type { AuditEntry, PlatformFlag } from '../platform-model.ts';
import { desiredOrgs } from './facts-needed.ts';
import {
  AUDIT_ORG_DISABLED,
  AUDIT_ORG_ENABLED,
  isDeployActor,
  latest,
  step,
  when,
  type DeployStep,
  type FlagHistory,
} from './model.ts';

export interface OrgPlanInput {
  f: FlagFile;
  /** The platform's flag, absent when it is new there. */
  a: PlatformFlag | undefined;
  history: FlagHistory | undefined;
  audit: readonly AuditEntry[] | undefined;
  /** What refuses an enable (the file's own error), if anything. */
  refused: Pick<DeployStep, 'kind' | 'rule' | 'reason'> | null;
}

function orgDrift(input: OrgPlanInput, org: string, enable: boolean): DeployStep | null {
  const { f, a, history, audit } = input;
  const key = f.flag.key;
  const t = latest(
    audit,
    (e) => e.org === org && (e.action === AUDIT_ORG_ENABLED || e.action === AUDIT_ORG_DISABLED),
  );
  const repoAt = history?.orgsChangedAt[org] ?? null;
  const byOther = t !== undefined && !isDeployActor(t.actor);
  if (enable) {
    // In the file, off on the platform: drift only if someone else disabled it after the
    // repository listed it.
    if (!byOther || t.action !== AUDIT_ORG_DISABLED) return null;
    if (repoAt !== null && Date.parse(repoAt) > Date.parse(t.at)) return null;
  } else {
    // On for the platform, not in the file: deploy turns off what it (or the file) turned on.
    if (t && !byOther) return null;
    if (repoAt !== null && (!t || Date.parse(repoAt) > Date.parse(t.at))) return null;
  }
  const platformState: State = a?.state ?? 'alpha';
  return step({
    id: `${key}:${enable ? 'enable-org' : 'disable-org'}:${org}`,
    flag: key,
    action: enable ? 'enable-org' : 'disable-org',
    kind: 'drift',
    org,
    from: platformState,
    to: platformState,
    rule: 'drift',
    changedBy: t ? { actor: t.actor, at: t.at } : null,
    reason: t
      ? `\`${org}\` was ${enable ? 'disabled' : 'enabled'} for \`${key}\` by \`${t.actor}\` at ${when(t.at)}, after the repository last ${enable ? 'listed' : 'changed'} it: left alone. Change \`alpha_orgs\` in the repository to take it back`
      : `\`${org}\` is enabled for \`${key}\` on the platform but was never in its \`alpha_orgs\`: left alone`,
  });
}

export function planAlphaOrgs(input: OrgPlanInput, add: (s: DeployStep) => void): void {
  const { f, a } = input;
  const key = f.flag.key;
  const platformState: State = a?.state ?? 'alpha';
  const wanted = desiredOrgs(f);
  const have = new Set(a?.orgs_enabled ?? []);
  for (const org of wanted) {
    if (have.has(org)) continue;
    const drift = a ? orgDrift(input, org, true) : null;
    add(
      drift ??
        step({
          id: `${key}:enable-org:${org}`,
          flag: key,
          action: 'enable-org',
          kind: 'apply',
          org,
          from: platformState,
          to: platformState,
          reason: `listed in \`alpha_orgs\` (staff enable)`,
          ...(input.refused ?? {}),
        }),
    );
  }
  for (const org of [...have].sort()) {
    if (wanted.includes(org)) continue;
    add(
      orgDrift(input, org, false) ??
        step({
          id: `${key}:disable-org:${org}`,
          flag: key,
          action: 'disable-org',
          kind: 'apply',
          org,
          from: platformState,
          to: platformState,
          reason: `no longer in \`alpha_orgs\``,
        }),
    );
  }
}
