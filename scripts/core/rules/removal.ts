// removal: what stands in the way of deleting a flag. Shared by the gate (the repository's
// clock) and deploy's archival (the platform's clock).
import { GA_REMOVABLE_MS, type State } from '../model.ts';
import { formatTime, formatWhen } from '../time.ts';

export interface RemovalFacts {
  key: string;
  state: State;
  /** When the flag entered `state`, or null when unknown. */
  since: Date | null;
  /** Flags that still depend on it. */
  dependents: readonly string[];
  now: Date;
}

export interface RemovalBlock {
  message: string;
  /** When waiting makes the removal allowed (7 days at ga), or null when waiting will not. */
  allowedAt: Date | null;
}

/** When a ga flag may be removed: 7 days after it got there. */
export function removableAt(state: State, since: Date | null): Date | null {
  return state === 'ga' && since ? new Date(since.getTime() + GA_REMOVABLE_MS) : null;
}

export function removalBlocks(f: RemovalFacts): RemovalBlock[] {
  const blocks: RemovalBlock[] = [];
  const key = `\`${f.key}\``;
  if (f.dependents.length > 0) {
    const who = f.dependents.map((d) => `\`${d}\``).join(', ');
    blocks.push({
      message: `${key} is deleted while ${who} depend${f.dependents.length === 1 ? 's' : ''} on it: remove the dependency first`,
      allowedAt: null,
    });
  }
  if (f.state === 'beta') {
    blocks.push({
      message: `${key} is deleted while at beta: customer orgs may have opted in; revert it to alpha first, or promote it to ga and remove it after 7 days`,
      allowedAt: null,
    });
  }
  const removable = removableAt(f.state, f.since);
  if (f.state === 'ga' && !removable) {
    blocks.push({
      message: `${key} is at ga but when it got there is unknown, so its 7 days at ga cannot be verified`,
      allowedAt: null,
    });
  } else if (removable && removable > f.now) {
    blocks.push({
      message: `${key} has been at ga only since ${formatTime(f.since!)}: a flag is removed after a successful soak at ga of at least 7 days; allowed from ${formatWhen(removable, f.now)}`,
      allowedAt: removable,
    });
  }
  return blocks;
}
