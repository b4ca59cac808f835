// The soak clock: which flags need one, and the time it starts from.
import { isDeepStrictEqual } from 'node:util';
import type { PlatformFacts } from '../facts.ts';
import { flagsByKey } from '../load.ts';
import type { FlagSet } from '../model.ts';

/** The keys whose soak clock the gate needs: flags changed or removed by the change. */
export function keysNeedingClock(base: FlagSet, head: FlagSet): string[] {
  const headByKey = flagsByKey(head);
  const keys: string[] = [];
  for (const [key, b] of flagsByKey(base)) {
    const h = headByKey.get(key);
    if (!h || h.file !== b.file || !isDeepStrictEqual(h.flag, b.flag)) keys.push(key);
  }
  return keys;
}

/** The soak clock: the later of git's time and the platform's `state_changed_at`. */
export function soakSince(
  key: string,
  gitSince: Date | null | undefined,
  platform: PlatformFacts,
): Date | null {
  let since = gitSince ?? null;
  if (platform.status === 'ok') {
    const at = platform.data.get(key)?.state_changed_at;
    const platformSince = at ? new Date(at) : null;
    if (
      platformSince &&
      !Number.isNaN(platformSince.getTime()) &&
      (!since || platformSince > since)
    ) {
      since = platformSince;
    }
  }
  return since;
}
