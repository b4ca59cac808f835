// Which outside facts a plan needs (history, audit entries, removals), and how the repository's
// view of a flag compares with the platform's: reading nothing more than the differences need.
import { isDeepStrictEqual } from 'node:util';
import type { FlagFile, FlagSet } from '../model.ts';
import { keyFromPath } from '../parse-flag.ts';
import type { AuditEntry, FlagMetadata, PlatformFlag } from '../platform-model.ts';
import { AUDIT_ARCHIVED, isDeployActor, latest, type FactsNeeded } from './model.ts';

export function metaOf(f: FlagFile): FlagMetadata {
  return {
    description: f.flag.description,
    owner: f.flag.owner,
    depends_on: [...(f.flag.depends_on ?? [])],
  };
}

export function sameMeta(a: PlatformFlag, meta: FlagMetadata): boolean {
  return (
    a.description === meta.description &&
    a.owner === meta.owner &&
    isDeepStrictEqual([...a.depends_on], meta.depends_on)
  );
}

export function desiredOrgs(f: FlagFile): string[] {
  return [...new Set((f.flag.alpha_orgs ?? []).map((o) => o.org))].sort();
}

function orgsDiffer(f: FlagFile, a: PlatformFlag): boolean {
  return !isDeepStrictEqual(desiredOrgs(f), [...a.orgs_enabled].sort());
}

/** Which outside facts the plan needs: nothing at all when the platform already matches. */
export function factsNeeded(desired: FlagSet, actual: readonly PlatformFlag[]): FactsNeeded {
  const actualByKey = new Map(actual.map((a) => [a.key, a]));
  const historyKeys: string[] = [];
  const auditKeys: string[] = [];
  let since: string | null = null;
  let orgsToo = false;
  for (const f of desired.flags) {
    const a = actualByKey.get(f.flag.key);
    if (!a) {
      if (f.flag.state !== 'alpha') historyKeys.push(f.flag.key);
      // Was it archived by hand? Only the audit log says (archived flags are not listed).
      auditKeys.push(f.flag.key);
      orgsToo = true;
      continue;
    }
    const stateDiffers = a.state !== f.flag.state;
    const orgDiff = orgsDiffer(f, a);
    if (!stateDiffers && !orgDiff) continue;
    historyKeys.push(f.flag.key);
    auditKeys.push(f.flag.key);
    if (orgDiff) orgsToo = true;
    if (stateDiffers && (since === null || a.state_changed_at < since)) since = a.state_changed_at;
  }
  const desiredKeys = new Set(desired.flags.map((f) => f.flag.key));
  const broken = new Set(desired.brokenFiles.map(keyFromPath));
  const removalKeys = actual.map((a) => a.key).filter((k) => !desiredKeys.has(k) && !broken.has(k));
  return { historyKeys, auditKeys, auditSince: orgsToo ? null : since, removalKeys };
}

/** Flags not on the platform because someone else archived them: their history is needed too. */
export function archivedByOthers(
  desired: FlagSet,
  actual: readonly PlatformFlag[],
  audit: ReadonlyMap<string, readonly AuditEntry[]>,
): string[] {
  const listed = new Set(actual.map((a) => a.key));
  return desired.flags
    .map((f) => f.flag.key)
    .filter((key) => !listed.has(key))
    .filter((key) => {
      const archived = latest(audit.get(key), (e) => e.action === AUDIT_ARCHIVED);
      return archived !== undefined && !isDeployActor(archived.actor);
    });
}
