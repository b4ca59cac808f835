// The order of deploy steps: flags in dependency order, the `after` edges between steps
// (dependencies first on the way up, dependents first on the way down), refusals passed on to
// what waits for them, and one topological order of what will be applied.
import { STATES, type FlagFile } from '../model.ts';
import type { DeployStep, PlanContext, StepAction } from './model.ts';

/** Keys with their dependencies first (Kahn); members of a cycle last, by key. */
export function dependencyOrder(byKey: ReadonlyMap<string, FlagFile>): string[] {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [key, f] of byKey) {
    const deps = (f.flag.depends_on ?? []).filter((d) => byKey.has(d) && d !== key);
    pending.set(key, deps.length);
    for (const d of deps) dependents.set(d, dependents.get(d)?.concat(key) ?? [key]);
  }
  const ready = [...pending]
    .filter(([, n]) => n === 0)
    .map(([k]) => k)
    .sort();
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const key = ready[i]!;
    order.push(key);
    dependents.get(key)?.forEach((d) => {
      const n = pending.get(d)! - 1;
      pending.set(d, n);
      if (n === 0) ready.push(d);
    });
  }
  const seen = new Set(order);
  return [...order, ...[...byKey.keys()].filter((k) => !seen.has(k)).sort()];
}

/** The `after` edges: dependencies first on the way up, dependents first on the way down. */
export function linkSteps(ctx: PlanContext): void {
  const { steps } = ctx;
  const has = (id: string): boolean => steps.has(id);
  const platformDependents = new Map<string, string[]>();
  for (const a of ctx.facts.actual) {
    for (const d of a.depends_on)
      platformDependents.set(d, platformDependents.get(d)?.concat(a.key) ?? [a.key]);
  }
  const repoDependents = new Map<string, string[]>();
  for (const f of ctx.desiredByKey.values()) {
    f.flag.depends_on?.forEach((d) =>
      repoDependents.set(d, repoDependents.get(d)?.concat(f.flag.key) ?? [f.flag.key]),
    );
  }
  for (const s of steps.values()) {
    const deps = ctx.desiredByKey.get(s.flag)?.flag.depends_on ?? [];
    const after = new Set<string>();
    const need = (id: string): void => {
      if (has(id) && id !== s.id) after.add(id);
    };
    switch (s.action) {
      case 'register':
        for (const d of deps) need(`${d}:register`);
        break;
      case 'update':
        for (const d of deps) {
          need(`${d}:register`);
          need(`${d}:update`);
        }
        break;
      case 'promote': {
        need(`${s.flag}:register`);
        need(`${s.flag}:update`);
        // A catch-up goes one state at a time: alpha -> beta, then beta -> ga. (A promote step
        // always has from and to; were one null, `…:promote:null` would name no step.)
        need(`${s.flag}:promote:${s.from}`);
        for (const d of deps) need(`${d}:promote:${s.to}`);
        break;
      }
      case 'demote':
        for (const dependents of [repoDependents, platformDependents])
          dependents.get(s.flag)?.forEach((dependent) => {
            for (const st of STATES) need(`${dependent}:demote:${st}`);
          });
        break;
      case 'enable-org':
      case 'disable-org':
        need(`${s.flag}:register`);
        break;
      case 'archive':
        platformDependents.get(s.flag)?.forEach((dependent) => {
          need(`${dependent}:archive`);
          need(`${dependent}:update`);
        });
        break;
    }
    s.after = [...after].sort();
  }
}

/** An apply step waiting for a step that will not be applied cannot be applied either. */
export function propagateRefusals(ctx: PlanContext): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const s of ctx.steps.values()) {
      if (s.kind !== 'apply') continue;
      const blocker = s.after.map((id) => ctx.steps.get(id)!).find((b) => b.kind !== 'apply');
      if (!blocker) continue;
      if (s.action === 'demote') {
        // A revert is never blocked: it only waits for what will actually run.
        s.after = s.after.filter((id) => ctx.steps.get(id)!.kind === 'apply');
        continue;
      }
      // Waiting on a held step is waiting too, not a failure.
      s.kind = blocker.kind === 'held' ? 'held' : 'refused';
      s.rule = blocker.rule === 'drift' ? 'dependency-order' : (blocker.rule ?? 'dependency-order');
      s.reason = `waits for \`${blocker.id}\`, which is ${blocker.kind}: ${blocker.reason}`;
      s.allowedAt = blocker.allowedAt;
      changed = true;
    }
  }
}

// Demotions first: a revert is what on-call is waiting for, and it needs nothing else.
const PHASE: Record<StepAction, number> = {
  demote: 0,
  register: 1,
  update: 2,
  'disable-org': 3,
  promote: 4,
  'enable-org': 5,
  archive: 6,
};

/** Apply steps in a topological order of `after` (stable: phase, then flag); then the rest. */
export function orderSteps(ctx: PlanContext): DeployStep[] {
  const apply = [...ctx.steps.values()].filter((s) => s.kind === 'apply');
  const byId = new Map(apply.map((s) => [s.id, s]));
  const waiting = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const s of apply) {
    waiting.set(s.id, s.after.length);
    for (const id of s.after) next.set(id, next.get(id)?.concat(s.id) ?? [s.id]);
  }
  const compare = (x: DeployStep, y: DeployStep): number =>
    PHASE[x.action] - PHASE[y.action] ||
    (x.flag < y.flag ? -1 : x.flag > y.flag ? 1 : 0) ||
    (x.id < y.id ? -1 : 1);
  let ready = apply.filter((s) => s.after.length === 0).sort(compare);
  const ordered: DeployStep[] = [];
  while (ready.length > 0) {
    const freed: DeployStep[] = [];
    for (const s of ready) {
      ordered.push(s);
      next.get(s.id)?.forEach((id) => {
        const n = waiting.get(id)! - 1;
        waiting.set(id, n);
        if (n === 0) freed.push(byId.get(id)!);
      });
    }
    ready = freed.sort(compare);
  }
  // What never became ready waits on itself: a cycle the platform could not take either.
  const placed = new Set(ordered.map((s) => s.id));
  for (const s of apply) {
    if (placed.has(s.id)) continue;
    s.kind = 'refused';
    s.rule = 'dependency-cycle';
    s.reason = `its steps wait on each other (${s.after.join(', ')}): a dependency cycle`;
  }
  const rest = [...ctx.steps.values()].filter((s) => s.kind !== 'apply').sort(compare);
  return [
    ...ordered,
    ...rest.filter((s) => s.kind === 'refused'),
    ...rest.filter((s) => s.kind === 'held'),
    ...rest.filter((s) => s.kind === 'drift'),
  ];
}
