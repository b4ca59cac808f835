// The runbook's "Verify" after a deploy: the platform shows each applied step's result, and the
// platform's and each toggled org's audit logs record it.
import { AUDIT_STATE_CHANGED, type DeployStep } from '../core/deploy-plan.ts';
import type { State } from '../core/model.ts';
import type { PlatformFlag } from '../core/platform-model.ts';
import { mapLimit, type DeployApi } from './deploy-api.ts';

export interface VerifyProblem {
  id: string;
  flag: string;
  message: string;
}

export interface VerifyResult {
  /** Flags read back. */
  checked: number;
  problems: VerifyProblem[];
  /** Opt-in count per promoted flag (the runbook's "Verify": state and per-org opt-in count). */
  optIns: Record<string, number>;
}

/**
 * The runbook's "Verify", for what was applied: /platform/feature-flags shows the new state (and
 * the opt-in count), the platform audit log has the state change with its old and new states,
 * and each toggled org's own audit log has `feature_flag.enabled` (or `.disabled`); an enabled
 * org sees the flag in its list.
 */
export async function verifyApplied(
  api: DeployApi,
  applied: readonly DeployStep[],
  concurrency = 8,
): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  const optIns: Record<string, number> = {};
  if (applied.length === 0) return { checked: 0, problems, optIns };
  const platform = new Map((await api.listFlags()).map((f) => [f.key, f]));
  const flags = new Set(applied.map((s) => s.flag));
  const lastState = new Map<string, DeployStep>();
  for (const s of applied)
    if (s.action === 'promote' || s.action === 'demote') lastState.set(s.flag, s);

  for (const s of applied) {
    const p = platform.get(s.flag);
    const problem = (message: string): void =>
      void problems.push({ id: s.id, flag: s.flag, message });
    if (s.action === 'archive') {
      if (p) problem(`\`${s.flag}\` is still listed on the platform after archiving`);
      continue;
    }
    if (!p) {
      problem(`\`${s.flag}\` is not listed on the platform`);
      continue;
    }
    if ((s.action === 'register' || s.action === 'update') && s.meta) {
      const same =
        p.description === s.meta.description &&
        p.owner === s.meta.owner &&
        p.depends_on.join(',') === s.meta.depends_on.join(',');
      if (!same)
        problem(
          `the platform's description, owner or depends_on of \`${s.flag}\` differ from the repository's`,
        );
    }
    if ((s.action === 'promote' || s.action === 'demote') && lastState.get(s.flag) === s) {
      if (p.state !== s.to) problem(`the platform shows \`${s.flag}\` at ${p.state}, not ${s.to}`);
      if (s.action === 'promote') optIns[s.flag] = p.opt_in_count;
    }
    if (s.action === 'enable-org' && !p.orgs_enabled.includes(s.org!))
      problem(`\`${s.org}\` is not enabled for \`${s.flag}\``);
    if (s.action === 'disable-org' && p.orgs_enabled.includes(s.org!))
      problem(`\`${s.org}\` is still enabled for \`${s.flag}\``);
  }

  await verifyAudit(api, [...lastState.values()], platform, problems);
  await verifyOrgs(
    api,
    applied.filter((s) => s.action === 'enable-org' || s.action === 'disable-org'),
    platform,
    problems,
    concurrency,
  );
  return { checked: flags.size, problems, optIns };
}

async function verifyAudit(
  api: DeployApi,
  changes: readonly DeployStep[],
  platform: Map<string, PlatformFlag>,
  problems: VerifyProblem[],
): Promise<void> {
  const relevant = changes.filter((s) => platform.get(s.flag)?.state === s.to);
  if (relevant.length === 0) return;
  // The last state change of a flag is stamped with its state_changed_at: one bounded call.
  const since = relevant.map((s) => platform.get(s.flag)!.state_changed_at).sort()[0]!;
  const seen = new Set<string>();
  for (const e of await api.auditLog({ since })) {
    if (e.action === AUDIT_STATE_CHANGED && e.flag)
      seen.add(`${e.flag}\0${e.old_state}\0${e.new_state}`);
  }
  for (const s of relevant) {
    if (!seen.has(`${s.flag}\0${s.from}\0${s.to}`)) {
      problems.push({
        id: s.id,
        flag: s.flag,
        message: `the platform audit log has no ${AUDIT_STATE_CHANGED} ${s.from} -> ${s.to} for \`${s.flag}\``,
      });
    }
  }
}

async function verifyOrgs(
  api: DeployApi,
  toggles: readonly DeployStep[],
  platform: Map<string, PlatformFlag>,
  problems: VerifyProblem[],
  concurrency: number,
): Promise<void> {
  const byOrg = new Map<string, DeployStep[]>();
  for (const s of toggles) byOrg.set(s.org!, [...(byOrg.get(s.org!) ?? []), s]);
  await mapLimit([...byOrg], concurrency, async ([org, list]) => {
    const enabledAny = list.some((s) => s.action === 'enable-org');
    const [log, visible] = await Promise.all([
      api.orgAuditLog(org),
      enabledAny ? api.orgFlags(org) : Promise.resolve([]),
    ]);
    for (const s of list) {
      const enable = s.action === 'enable-org';
      const want = enable ? 'feature_flag.enabled' : 'feature_flag.disabled';
      const lastEntry = log
        .filter((e) => e.flag === s.flag && e.action.startsWith('feature_flag.'))
        .at(-1);
      if (lastEntry?.action !== want) {
        problems.push({
          id: s.id,
          flag: s.flag,
          message: `\`${org}\`'s audit log does not end with ${want} for \`${s.flag}\``,
        });
      }
      const state: State | undefined = platform.get(s.flag)?.state;
      if (enable && state !== undefined && !visible.includes(s.flag)) {
        problems.push({
          id: s.id,
          flag: s.flag,
          message: `\`${org}\` does not see \`${s.flag}\` in its flag list`,
        });
      }
    }
  });
}
