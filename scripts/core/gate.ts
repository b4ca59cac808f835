// The promotion gate: from the flags at base and head, the soak clocks, platform and incident
// facts and a clock, the changes and every violation of CONTRACT section 2. Pure. Each judgement
// lives in scripts/core/gate/, named by the runbook's words; this file only walks the flags.
import { criteriaViolations } from './gate/exit-criteria.ts';
import type { GateInput, GateResult } from './gate/input.ts';
import { judgeRemoval } from './gate/removal.ts';
import { judgeNewFlag, judgeTransition } from './gate/transition.ts';
import { flagsByKey } from './load.ts';
import { staticRules } from './rules/static-rules.ts';

export type { GateInput, GateResult } from './gate/input.ts';
export { keysNeedingClock, soakSince } from './gate/soak-clock.ts';

export function evaluateGate(input: GateInput): GateResult {
  const { base, head } = input;
  const index = { baseByKey: flagsByKey(base), headByKey: flagsByKey(head) };
  const out: GateResult = {
    changes: [],
    violations: [...(input.staticViolations ?? staticRules(head, input.headCodeowners, base))],
    criteria: [],
    overrides: [],
  };
  for (const [key, h] of index.headByKey) {
    const b = index.baseByKey.get(key);
    if (b) judgeTransition(b, h, input, index, out);
    else judgeNewFlag(h, out);
  }
  for (const [key, b] of index.baseByKey) {
    if (index.headByKey.has(key)) continue;
    // A file that no longer parses is reported where it is; it is not a removal.
    if (head.brokenFiles.some((f) => f.endsWith(`/${key}.yaml`))) continue;
    judgeRemoval(b, head, input, out);
  }
  out.violations.push(...criteriaViolations(out.criteria, index.headByKey, input.strict));
  out.changes.sort((a, b) => a.flag.localeCompare(b.flag));
  return out;
}
