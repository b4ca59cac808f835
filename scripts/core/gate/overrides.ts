// Overrides: whether the block in head was written for this change, and whether it may waive.
import { isDeepStrictEqual } from 'node:util';
import type { FlagFile, Violation } from '../model.ts';
import { overrideProblems } from '../rules/blocks.ts';
import { flagViolation } from '../rules/violation.ts';

export interface OverrideJudgement {
  /** The override was written for this change and is complete: it may waive the soak. */
  waives: boolean;
  violations: Violation[];
}

export function judgeOverride(b: FlagFile, h: FlagFile): OverrideJudgement {
  const fresh =
    h.flag.override !== undefined && !isDeepStrictEqual(h.flag.override, b.flag.override);
  const violations: Violation[] = [];
  if (h.flag.override && !fresh) {
    violations.push(
      flagViolation(
        'override-invalid',
        h,
        ['override'],
        `this \`override\` is unchanged from the base, so it was used for an earlier change and is stale: an override waives the soak of the change made with it only; remove the block (and ask for a new decision if this change needs one)`,
      ),
    );
  }
  // An incomplete override is reported by the static rules; here it simply waives nothing.
  const complete = fresh && overrideProblems(h).length === 0;
  return { waives: complete, violations };
}
