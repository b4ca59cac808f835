// Where each flag stands: since when, soak left, the next step and what blocks it. Pure.
import type { PlatformFacts } from './facts.ts';
import { flagsByKey } from './load.ts';
import {
  GA_REMOVABLE_MS,
  GA_STALE_MS,
  MIN_BETA_OPT_INS,
  soakMs,
  nextState,
  stateRank,
  type FlagFile,
  type FlagSet,
  type FlagStatus,
  type State,
} from './model.ts';
import { soakSince } from './gate.ts';
import { isoTime } from './time.ts';

/** The protected branch a feature branch will merge into, and its flags at the merge base. */
export interface ProtectedBase {
  /** e.g. `origin/main`. */
  ref: string;
  set: FlagSet;
}

export interface StatusRow extends FlagStatus {
  /**
   * Set when the branch being read changes this flag's state and has not merged yet: the state
   * on the protected branch (null for a flag the branch adds). Such a change is the branch's
   * own, not drift; CI judges it against `ref`.
   */
  unmerged: { ref: string; state: State | null } | null;
}

export function flagStatuses(
  set: FlagSet,
  clocks: ReadonlyMap<string, Date | null>,
  platform: PlatformFacts,
  now: Date,
  base: ProtectedBase | null = null,
): StatusRow[] {
  const byKey = flagsByKey(set);
  const baseByKey = base ? flagsByKey(base.set) : null;
  return [...byKey]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, f]) => {
      const b = baseByKey?.get(key);
      const unmerged =
        base && b?.flag.state !== f.flag.state
          ? { ref: base.ref, state: b?.flag.state ?? null }
          : null;
      return unmerged
        ? unmergedStatus(f, unmerged, platform)
        : flagStatus(f, byKey, clocks.get(key) ?? null, platform, now);
    });
}

function flagStatus(
  f: FlagFile,
  byKey: ReadonlyMap<string, FlagFile>,
  gitSince: Date | null,
  platform: PlatformFacts,
  now: Date,
): StatusRow {
  const key = f.flag.key;
  const state = f.flag.state;
  const onPlatform = platform.status === 'ok' ? platform.data.get(key) : undefined;
  // The platform's state_changed_at is when the platform entered *its* state: after an on-call
  // revert there that is the revert's time, not when the flag entered the repository's state.
  const since =
    onPlatform && onPlatform.state !== state ? gitSince : soakSince(key, gitSince, platform);
  const next = nextState(state) ?? null;
  const eligible = next && since ? new Date(since.getTime() + soakMs(state)) : null;
  // 0 unless the flag is at ga with a known clock: only then can it be removable or stale.
  const atGaFor = state === 'ga' && since ? now.getTime() - since.getTime() : 0;
  const blockedBy: string[] = [];
  if (next) {
    for (const dep of f.flag.depends_on ?? []) {
      const d = byKey.get(dep);
      if (!d) blockedBy.push(`dependency \`${dep}\` does not exist`);
      else if (stateRank(d.flag.state) < stateRank(next))
        blockedBy.push(`dependency \`${dep}\` is ${d.flag.state}; promote it to ${next} first`);
    }
    if (!since) blockedBy.push('when it entered its state is unknown');
    blockedBy.push(...platformBlockers(f, state, platform));
  }
  return {
    key,
    file: f.file,
    owner: f.flag.owner,
    state,
    since: since ? isoTime(since) : null,
    soakLeftMs: eligible ? Math.max(0, eligible.getTime() - now.getTime()) : 0,
    next,
    eligibleAt: eligible ? isoTime(eligible) : null,
    blockedBy,
    removable: atGaFor >= GA_REMOVABLE_MS,
    stale: atGaFor >= GA_STALE_MS,
    unmerged: null,
  };
}

function platformBlockers(f: FlagFile, state: State, platform: PlatformFacts): string[] {
  if (platform.status !== 'ok') return [];
  const p = platform.data.get(f.flag.key);
  if (!p) return ['not on the platform yet (deploy registers it)'];
  const blockers: string[] = [];
  if (p.state !== state) blockers.push(`drift: the platform has it at ${p.state}`);
  if (state === 'alpha' && p.error_count_24h > 0)
    blockers.push(`${p.error_count_24h} platform errors in the last 24 h`);
  if (state === 'beta' && p.opt_in_count < MIN_BETA_OPT_INS)
    blockers.push(`${p.opt_in_count} of ${MIN_BETA_OPT_INS} orgs opted in`);
  return blockers;
}

/** A flag whose state this branch changes: nothing has happened yet, the merge decides. */
function unmergedStatus(
  f: FlagFile,
  unmerged: { ref: string; state: State | null },
  platform: PlatformFacts,
): StatusRow {
  const blockedBy = [
    `this branch changes it ${unmerged.state ? `from ${unmerged.state} (${unmerged.ref})` : `(new; not on ${unmerged.ref})`}; CI judges the change: npx flags check --base ${unmerged.ref}`,
  ];
  const p = platform.status === 'ok' ? platform.data.get(f.flag.key) : undefined;
  if (p && unmerged.state && p.state !== unmerged.state)
    blockedBy.push(
      `drift: the platform has it at ${p.state}, ${unmerged.ref} at ${unmerged.state}`,
    );
  return {
    key: f.flag.key,
    file: f.file,
    owner: f.flag.owner,
    state: f.flag.state,
    since: null,
    soakLeftMs: 0,
    next: null,
    eligibleAt: null,
    blockedBy,
    removable: false,
    stale: false,
    unmerged,
  };
}
