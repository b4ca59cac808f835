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
  type FlagSet,
  type FlagStatus,
} from './model.ts';
import { soakSince } from './gate.ts';
import { isoTime } from './time.ts';

export function flagStatuses(
  set: FlagSet,
  clocks: ReadonlyMap<string, Date | null>,
  platform: PlatformFacts,
  now: Date,
): FlagStatus[] {
  const byKey = flagsByKey(set);
  const statuses: FlagStatus[] = [];
  for (const [key, f] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
    const state = f.flag.state;
    const since = soakSince(key, clocks.get(key), platform);
    const next = nextState(state) ?? null;
    const soak = soakMs(state);
    const eligible = next && since ? new Date(since.getTime() + soak) : null;
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
      if (platform.status === 'ok') {
        const p = platform.data.get(key);
        if (!p) blockedBy.push('not on the platform yet (deploy registers it)');
        else {
          if (p.state !== state) blockedBy.push(`drift: the platform has it at ${p.state}`);
          if (state === 'alpha' && p.error_count_24h > 0)
            blockedBy.push(`${p.error_count_24h} platform errors in the last 24 h`);
          if (state === 'beta' && p.opt_in_count < MIN_BETA_OPT_INS)
            blockedBy.push(`${p.opt_in_count} of ${MIN_BETA_OPT_INS} orgs opted in`);
        }
      }
      if (state === 'ga' && !f.flag.revertible) blockedBy.push('not revertible');
    }
    statuses.push({
      key,
      file: f.file,
      owner: f.flag.owner,
      state,
      since: since ? isoTime(since) : null,
      soakLeftMs: eligible ? Math.max(0, eligible.getTime() - now.getTime()) : 0,
      next,
      eligibleAt: eligible ? isoTime(eligible) : null,
      blockedBy,
      removable: state === 'ga' && since !== null && atGaFor >= GA_REMOVABLE_MS,
      stale: state === 'ga' && since !== null && atGaFor >= GA_STALE_MS,
    });
  }
  return statuses;
}
