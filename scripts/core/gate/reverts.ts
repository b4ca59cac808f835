// revert-reason: a change that lowers a state carries a fresh, complete `revert` block.
import { isDeepStrictEqual } from 'node:util';
import type { FlagFile, State, Violation } from '../model.ts';
import { revertProblems } from '../rules/blocks.ts';
import { flagViolation } from '../rules/violation.ts';

export function revertReasonRule(b: FlagFile, h: FlagFile, from: State, to: State): Violation[] {
  const key = h.flag.key;
  const fresh = h.flag.revert !== undefined && !isDeepStrictEqual(h.flag.revert, b.flag.revert);
  const problems = fresh ? revertProblems(h.flag.revert!) : [];
  if (fresh && problems.length === 0) return [];
  return [
    flagViolation(
      'revert-reason',
      h,
      h.flag.revert ? ['revert'] : ['state'],
      fresh
        ? `the \`revert\` block ${problems.join(' and ')}: a revert needs a reason and the https link to its incident thread`
        : `${from} to ${to} lowers the state without a fresh \`revert\` block: add \`revert: {reason: "...", incident: "https://..."}\` for this revert (or use \`npx flags revert ${key} --reason ... --incident URL\`)`,
    ),
  ];
}
