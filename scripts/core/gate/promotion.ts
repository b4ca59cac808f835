// The judgement of one promotion: one step at a time, dependencies first, and the soak.
import type { FlagFile, State, Violation } from '../model.ts';
import { HOUR_MS, soakMs, stateRank } from '../model.ts';
import { flagViolation } from '../rules/violation.ts';
import { formatDuration, formatTime, formatWhen } from '../time.ts';
import type { OverrideUse } from './input.ts';

const STEP_AFTER: Record<State, State> = { alpha: 'beta', beta: 'ga', ga: 'ga' };

export function transitionSkipRule(h: FlagFile, from: State, to: State): Violation[] {
  if (stateRank(to) - stateRank(from) <= 1) return [];
  return [
    flagViolation(
      'transition-skip',
      h,
      ['state'],
      `${from} to ${to} skips a state: rollout is one state at a time (alpha -> beta -> ga); promote to ${STEP_AFTER[from]} first`,
    ),
  ];
}

/** dependency-order on the change: a dependency must have reached the new state on the base. */
export function promotionDependencyRule(
  h: FlagFile,
  to: State,
  baseByKey: ReadonlyMap<string, FlagFile>,
  headByKey: ReadonlyMap<string, FlagFile>,
): Violation[] {
  const key = h.flag.key;
  const violations: Violation[] = [];
  (h.flag.depends_on ?? []).forEach((dep, index) => {
    const depBase = baseByKey.get(dep);
    const depHead = headByKey.get(dep);
    if (!depHead || (depBase && stateRank(depBase.flag.state) >= stateRank(to))) return;
    if (depBase === undefined || stateRank(depHead.flag.state) >= stateRank(to)) {
      violations.push(
        flagViolation(
          'dependency-order',
          h,
          ['depends_on', index],
          `\`${key}\` goes to ${to} but its dependency \`${dep}\` was ${depBase ? depBase.flag.state : 'not there'} on the base: promote \`${dep}\` first, in its own change, and promote \`${key}\` after it has merged`,
        ),
      );
    }
  });
  return violations;
}

export interface SoakJudgement {
  violations: Violation[];
  overrides: OverrideUse[];
}

/** soak, or soak-override when a fresh, complete override waives a promotion that is too early. */
export function soakRule(
  h: FlagFile,
  from: State,
  to: State,
  since: Date | null,
  now: Date,
  waiver: { note: string } | null,
): SoakJudgement {
  const key = h.flag.key;
  const hours = soakMs(from) / HOUR_MS;
  if (!since) {
    const message = `no time is known for when \`${key}\` entered ${from}, so its ${hours} h soak cannot be verified`;
    return { violations: [flagViolation('soak', h, ['state'], message)], overrides: [] };
  }
  const eligible = new Date(since.getTime() + soakMs(from));
  if (eligible <= now) return { violations: [], overrides: [] };
  if (!waiver) {
    const message = `${from} to ${to} comes too early: \`${key}\` has been in ${from} since ${formatTime(since)}, ${formatDuration(now.getTime() - since.getTime())} of the ${hours} h soak; allowed from ${formatWhen(eligible, now)}`;
    return { violations: [flagViolation('soak', h, ['state'], message)], overrides: [] };
  }
  const o = h.flag.override!;
  const message = `soak waived by ${o.decision_maker} (${o.incident}): ${from} to ${to} would otherwise be allowed from ${formatTime(eligible)}; reason: ${o.reason}${waiver.note}`;
  return {
    violations: [flagViolation('soak-override', h, ['override'], message, 'warning')],
    overrides: [
      { flag: key, decision_maker: o.decision_maker, incident: o.incident, reason: o.reason },
    ],
  };
}
