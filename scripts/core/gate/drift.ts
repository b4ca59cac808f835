// drift: the platform moved a changed flag away from the base without the repository.
import type { PlatformFacts } from '../facts.ts';
import type { FlagFile, State, Violation } from '../model.ts';
import { flagViolation } from '../rules/violation.ts';

export function driftRule(h: FlagFile, baseState: State, platform: PlatformFacts): Violation[] {
  if (platform.status !== 'ok') return [];
  const actual = platform.data.get(h.flag.key);
  // A change that brings the repository in line with the platform (the PR after an on-call
  // revert) resolves the drift rather than adding to it.
  if (!actual || actual.state === baseState || actual.state === h.flag.state) return [];
  return [
    flagViolation(
      'drift',
      h,
      ['state'],
      `the platform has \`${h.flag.key}\` at ${actual.state} (since ${actual.state_changed_at}) but the base says ${baseState}: someone changed it on the platform (an on-call revert?); bring the repository in line with the platform first (e.g. \`flags revert\`), then make this change`,
    ),
  ];
}
