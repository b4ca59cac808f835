// Overrides: whether the block in head was written for this change (an override covers exactly
// one transition), whether its decision-maker is on the reviewed list, and so whether it waives.
import type { DecisionMakers } from '../decision-makers.ts';
import { isDecisionMaker } from '../decision-makers.ts';
import type { FlagFile, Override, Violation } from '../model.ts';
import { overrideProblems } from '../rules/blocks.ts';
import { flagViolation } from '../rules/violation.ts';

export interface OverrideJudgement {
  /** Set when the override may waive this change's soak: what the warning adds about the list. */
  waiver: { note: string } | null;
  violations: Violation[];
}

const NONE: OverrideJudgement = { waiver: null, violations: [] };

/**
 * One incident thread, one decision: the link compared without the differences a copy makes
 * (host case, trailing slashes, surrounding blanks), so a reworded carry-over is still caught.
 */
export function incidentIdentity(link: string | undefined): string {
  const text = (link ?? '').trim();
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}${url.hash}`;
  } catch {
    return text.replace(/\/+$/, '');
  }
}

/** The base's override, when head's block is a carry-over of it (the same incident link). */
function carriedOver(b: FlagFile, o: Override): Override | null {
  const before = b.flag.override;
  if (!before) return null;
  return incidentIdentity(before.incident) === incidentIdentity(o.incident) ? before : null;
}

export function judgeOverride(
  b: FlagFile,
  h: FlagFile,
  decisionMakers: DecisionMakers,
): OverrideJudgement {
  const o = h.flag.override;
  if (!o) return NONE;
  const before = carriedOver(b, o);
  if (before) {
    const how =
      before.reason === o.reason && before.decision_maker === o.decision_maker
        ? 'is unchanged from the base'
        : `names the same incident as the base's override (${o.incident}), however reworded`;
    const message = `this \`override\` ${how}, so it was used for an earlier change and is stale: an override covers exactly one transition; remove the block (and ask for a new decision, in its own incident thread, if this change needs one)`;
    return {
      waiver: null,
      violations: [flagViolation('override-invalid', h, ['override'], message)],
    };
  }
  // An incomplete override is reported by the static rules; here it simply waives nothing.
  if (overrideProblems(h).length > 0) return NONE;
  const list = decisionMakers;
  if (list.status === 'broken') {
    const message = `the decision-maker list ${list.file} on the base does not load (${list.reason}), so no override can waive a soak: fix the list in its own pull request, reviewed by the release managers`;
    return {
      waiver: null,
      violations: [flagViolation('override-invalid', h, ['override', 'decision_maker'], message)],
    };
  }
  if (!isDecisionMaker(list, o.decision_maker)) {
    const message = `${o.decision_maker} is not a decision-maker: only the people named in ${list.file} (as on the base) may decide to skip a soak; ask one of them, or add the person to ${list.file} in its own pull request, reviewed by the release managers`;
    return {
      waiver: null,
      violations: [flagViolation('override-invalid', h, ['override', 'decision_maker'], message)],
    };
  }
  const note =
    list.status === 'none'
      ? `; no decision-maker list is configured (${list.file}), so any named decision-maker is accepted`
      : '';
  return { waiver: { note }, violations: [] };
}
