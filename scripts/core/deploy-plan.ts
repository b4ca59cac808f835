// The deploy plan: from the repository's flags (HEAD), the platform's flags, who last changed
// what on the platform (its audit log), when the repository last changed what (first-parent
// history) and a clock, the ordered steps that bring the platform to the repository's state.
// Each step carries its reason; a step the gate would block is `refused`, a change someone else
// made on the platform after the repository last decided is `drift`. Pure: no I/O.
//
// The rooms, by the runbook's words: deploy/model.ts (steps and facts), facts-needed.ts (what
// to read), flag-steps.ts (a flag's own steps), promotion-judgement.ts (the judgement of a
// transition), alpha-org-steps.ts (per-org enables), archival.ts (removal), step-order.ts (the
// order of steps).
import { flagsByKey } from './load.ts';
import type { FlagSet, State, Violation } from './model.ts';
import { keyFromPath } from './parse-flag.ts';
import { staticRules } from './rules/static-rules.ts';
import { planRemoval } from './deploy/archival.ts';
import { planFlag } from './deploy/flag-steps.ts';
import {
  step,
  type DeployFacts,
  type DeployPlan,
  type DeployStep,
  type PlanContext,
} from './deploy/model.ts';
import { dependencyOrder, linkSteps, orderSteps, propagateRefusals } from './deploy/step-order.ts';

export * from './deploy/model.ts';
export { archivedByOthers, factsNeeded } from './deploy/facts-needed.ts';
export { judgePromotion, justifiedByHistory } from './deploy/promotion-judgement.ts';

/**
 * The history-free rules a deploy holds the merged state to: the same as `validate`, except
 * CODEOWNERS (who reviews is GitHub's business, not the platform's).
 */
function deployViolations(set: FlagSet): Violation[] {
  return staticRules(set, null).filter((v) => v.severity === 'error' && v.rule !== 'codeowners');
}

export function planDeploy(facts: DeployFacts): DeployPlan {
  const { desired } = facts;
  const ctx: PlanContext = {
    facts,
    desiredByKey: flagsByKey(desired),
    actualByKey: new Map(facts.actual.map((a) => [a.key, a])),
    steps: new Map(),
  };
  const violations = deployViolations(desired);
  const blocking = new Map<string, Violation>();
  for (const v of violations) if (v.flag !== null && !blocking.has(v.flag)) blocking.set(v.flag, v);
  const add = (s: DeployStep): void => void ctx.steps.set(s.id, s);
  const inSync: string[] = [];

  // Flags in dependency order, so a flag's dependencies have their final state decided first.
  const finalState = new Map<string, State | null>();
  for (const key of dependencyOrder(ctx.desiredByKey)) {
    const f = ctx.desiredByKey.get(key)!;
    const before = ctx.steps.size;
    planFlag(ctx, f, blocking.get(key) ?? null, finalState, add);
    if (ctx.steps.size === before) inSync.push(key);
  }

  const brokenKeys = planBrokenFiles(ctx, add);
  for (const a of facts.actual) {
    if (ctx.desiredByKey.has(a.key) || brokenKeys.has(a.key)) continue;
    planRemoval(ctx, a, add);
  }

  linkSteps(ctx);
  propagateRefusals(ctx);
  const ordered = orderSteps(ctx);
  return { steps: ordered, inSync: inSync.sort(), violations };
}

/** Files that do not load: their flags keep what the platform has, loudly. */
function planBrokenFiles(ctx: PlanContext, add: (s: DeployStep) => void): Set<string> {
  const { desired } = ctx.facts;
  const brokenKeys = new Set<string>();
  for (const file of desired.brokenFiles) {
    const key = keyFromPath(file);
    if (brokenKeys.has(key) || ctx.desiredByKey.has(key)) continue;
    brokenKeys.add(key);
    const v = desired.violations.find((x) => x.file === file);
    const a = ctx.actualByKey.get(key);
    add(
      step({
        id: `${key}:${a ? 'update' : 'register'}`,
        flag: key,
        action: a ? 'update' : 'register',
        kind: 'refused',
        from: a?.state ?? null,
        to: a?.state ?? null,
        rule: v?.rule ?? 'file',
        reason: `${file} cannot be read${v ? `: ${v.message}` : ''}; the platform keeps what it has`,
      }),
    );
  }
  return brokenKeys;
}
