// removal, as a change: a flag file of the base that head no longer has.
import type { FlagFile, FlagSet } from '../model.ts';
import { removableAt, removalBlocks } from '../rules/removal.ts';
import { isoTime } from '../time.ts';
import type { GateInput, GateResult } from './input.ts';
import { soakSince } from './soak-clock.ts';

export function judgeRemoval(b: FlagFile, head: FlagSet, input: GateInput, out: GateResult): void {
  const key = b.flag.key;
  const since = soakSince(key, input.clocks.get(key), input.platform);
  const removable = removableAt(b.flag.state, since);
  out.changes.push({
    flag: key,
    file: b.file,
    kind: 'remove',
    from: b.flag.state,
    to: null,
    since: since ? isoTime(since) : null,
    eligibleAt: removable ? isoTime(removable) : null,
  });
  const dependents = head.flags.filter((f) => f.flag.depends_on?.includes(key));
  for (const block of removalBlocks({
    key,
    state: b.flag.state,
    since,
    dependents: dependents.map((f) => f.flag.key),
    now: input.now,
  })) {
    out.violations.push({
      rule: 'removal',
      severity: 'error',
      flag: key,
      file: b.file,
      line: null,
      message: block.message,
    });
  }
}
