// The rules that need no history: they judge the flags at one commit (or the working tree).
import type { Codeowners } from '../codeowners.ts';
import type { FlagSet, Violation } from '../model.ts';
import { overrideProblems } from './blocks.ts';
import { codeownersRule } from './codeowners-rule.ts';
import { dependencyRules } from './dependencies.ts';
import { alphaOrgRule, revertibleRule } from './flag-rules.ts';

/** `base`: the flags the change starts from, when there is one (see dependencyRules). */
export function staticRules(
  set: FlagSet,
  codeowners: Codeowners | null,
  base?: FlagSet,
): Violation[] {
  return [
    ...set.violations,
    ...dependencyRules(set, base),
    ...revertibleRule(set),
    ...alphaOrgRule(set),
    ...codeownersRule(set, codeowners),
    ...set.flags.flatMap(overrideProblems),
  ];
}

/** Violations in a stable order: by file, then line, then rule. */
export function sortViolations(violations: Violation[]): Violation[] {
  return violations.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
}
