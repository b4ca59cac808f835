// codeowners: the owners GitHub will ask to review a flag file must include the flag's owner.
import { ownersOf, sameOwner, type Codeowners } from '../codeowners.ts';
import type { FlagSet, Violation } from '../model.ts';
import { flagViolation } from './violation.ts';

const FIX = 'run `npx flags codeowners --write` to regenerate the flag rules';

export function codeownersRule(set: FlagSet, codeowners: Codeowners | null): Violation[] {
  const violations: Violation[] = [];
  for (const f of set.flags) {
    if (!codeowners) {
      violations.push(
        flagViolation(
          'codeowners',
          f,
          ['owner'],
          `no CODEOWNERS file, so nobody must review changes to this flag: ${FIX}`,
        ),
      );
      continue;
    }
    const rule = ownersOf(codeowners, f.file);
    if (!rule) {
      violations.push(
        flagViolation(
          'codeowners',
          f,
          ['owner'],
          `no rule in ${codeowners.file} matches ${f.file}, so ${f.flag.owner} is not asked to review it: ${FIX}`,
        ),
      );
    } else if (!rule.owners.some((o) => sameOwner(o, f.flag.owner))) {
      const who = rule.owners.length ? rule.owners.join(' ') : 'nobody';
      violations.push(
        flagViolation(
          'codeowners',
          f,
          ['owner'],
          `owner is ${f.flag.owner} but the last matching rule of ${codeowners.file} (line ${rule.line}: \`${rule.pattern}\`) names ${who}: ${FIX}`,
        ),
      );
    }
  }
  return violations;
}
