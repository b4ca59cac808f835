// The judgement of one flag's transition from base to head: a new flag, a promotion, a revert or
// an edit, with the change record `check` reports.
import { isDeepStrictEqual } from 'node:util';
import { soakMs, stateRank, type Change, type FlagFile, type Violation } from '../model.ts';
import { flagViolation } from '../rules/violation.ts';
import { isoTime } from '../time.ts';
import { driftRule } from './drift.ts';
import { exitCriteria } from './exit-criteria.ts';
import type { GateInput, GateResult } from './input.ts';
import { judgeOverride } from './overrides.ts';
import { promotionDependencyRule, soakRule, transitionSkipRule } from './promotion.ts';
import { revertReasonRule } from './reverts.ts';
import { soakSince } from './soak-clock.ts';

export interface GateIndex {
  baseByKey: ReadonlyMap<string, FlagFile>;
  headByKey: ReadonlyMap<string, FlagFile>;
}

const iso = (d: Date | null): string | null => (d ? isoTime(d) : null);

export function judgeNewFlag(h: FlagFile, out: GateResult): void {
  out.changes.push({
    flag: h.flag.key,
    file: h.file,
    kind: 'create',
    from: null,
    to: h.flag.state,
    since: null,
    eligibleAt: null,
  });
  if (h.flag.state === 'alpha') return;
  out.violations.push(
    flagViolation(
      'new-flag-state',
      h,
      ['state'],
      `a new flag starts at alpha (internal orgs only), not ${h.flag.state}: set \`state: alpha\`, then promote one step at a time`,
    ),
  );
}

/** Judges a flag present on both sides; an unchanged one is not a change. */
export function judgeTransition(
  b: FlagFile,
  h: FlagFile,
  input: GateInput,
  index: GateIndex,
  out: GateResult,
): void {
  if (h.file === b.file && isDeepStrictEqual(h.flag, b.flag)) return;
  const key = h.flag.key;
  const from = b.flag.state;
  const to = h.flag.state;
  const since = soakSince(key, input.clocks.get(key), input.platform);
  const rise = stateRank(to) - stateRank(from);
  const kind = rise > 0 ? 'promote' : rise < 0 ? 'revert' : 'edit';
  const change: Change = {
    flag: key,
    file: h.file,
    kind,
    from,
    to,
    since: iso(since),
    eligibleAt: null,
  };
  out.changes.push(change);

  const violations: Violation[] = [...driftRule(h, from, input.platform)];
  const override = judgeOverride(b, h, input.decisionMakers);
  violations.push(...override.violations);
  if (kind === 'promote') {
    change.eligibleAt = iso(since ? new Date(since.getTime() + soakMs(from)) : null);
    violations.push(...transitionSkipRule(h, from, to));
    violations.push(...promotionDependencyRule(h, to, index.baseByKey, index.headByKey));
    const soak = soakRule(h, from, to, since, input.now, override.waiver);
    violations.push(...soak.violations);
    out.overrides.push(...soak.overrides);
    out.criteria.push(...exitCriteria(h, from, input, since));
  }
  if (kind === 'revert') violations.push(...revertReasonRule(b, h, from, to));
  out.violations.push(...violations);
}
