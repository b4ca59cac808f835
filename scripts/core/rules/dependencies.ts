// dependency-missing, dependency-cycle and dependency-order at one commit.
import { stateRank, type FlagFile, type FlagSet, type State, type Violation } from '../model.ts';
import { flagsByKey } from '../load.ts';
import { keyFromPath } from '../parse-flag.ts';
import { flagViolation } from './violation.ts';

/**
 * `base`, when known (check, and the engineer commands), tells a dependency the change lowers (a
 * revert) from one not yet promoted: the fix for the first is to revert the dependents too.
 */
export function dependencyRules(set: FlagSet, base?: FlagSet): Violation[] {
  const byKey = flagsByKey(set);
  const baseByKey = base ? flagsByKey(base) : undefined;
  // A dependency whose file is broken is reported there; calling it missing would mislead.
  const broken = new Set(set.brokenFiles.map(keyFromPath));
  const violations: Violation[] = [];
  for (const f of set.flags) {
    (f.flag.depends_on ?? []).forEach((dep, index) => {
      const target = byKey.get(dep);
      if (!target) {
        if (broken.has(dep)) return;
        violations.push(
          flagViolation(
            'dependency-missing',
            f,
            ['depends_on', index],
            `depends on \`${dep}\`, which is not a flag: fix the key or add flags/<team>/${dep}.yaml first`,
          ),
        );
        return;
      }
      if (dep === f.flag.key) return; // reported as a cycle
      if (stateRank(f.flag.state) > stateRank(target.flag.state)) {
        const before = baseByKey?.get(dep)?.flag.state;
        const reverted = before !== undefined && stateRank(before) > stateRank(target.flag.state);
        const promote = `\`${f.flag.key}\` is ${f.flag.state} but depends on \`${dep}\`, which is ${target.flag.state}: a dependency must be promoted first; promote \`${dep}\` to ${f.flag.state} before \`${f.flag.key}\``;
        // Without a base (validate on the working tree) a revert block is the only sign of a revert.
        const maybeReverted = !baseByKey && target.flag.revert !== undefined;
        const message = reverted
          ? revertDependentsMessage(f, target, before)
          : maybeReverted
            ? `${promote}; or, if \`${dep}\` is being reverted, revert \`${f.flag.key}\` too: \`${revertCommand(target)}\` lowers both`
            : promote;
        violations.push(flagViolation('dependency-order', f, ['state'], message));
      }
    });
  }
  for (const cycle of findCycles(byKey)) {
    const first = byKey.get(cycle[0]!)!;
    // The first flag of a cycle depends on the next one (on itself in a cycle of one).
    const index = first.flag.depends_on!.indexOf(cycle[1] ?? cycle[0]!);
    violations.push(
      flagViolation(
        'dependency-cycle',
        first,
        ['depends_on', Math.max(index, 0)],
        `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}: flags in a cycle can never be promoted one after the other; remove one of these dependencies`,
      ),
    );
  }
  return violations;
}

/**
 * A revert leaves a dependent above the reverted flag: on-call must lower the dependent too,
 * never re-promote the broken flag. The command reuses the revert block's reason and incident.
 */
function revertDependentsMessage(f: FlagFile, target: FlagFile, before: State): string {
  const dep = target.flag.key;
  const command = revertCommand(target);
  return `\`${f.flag.key}\` is ${f.flag.state} but depends on \`${dep}\`, which this change reverts from ${before} to ${target.flag.state}: a flag never stands above a dependency, so revert \`${f.flag.key}\` too; \`${command}\` lowers \`${dep}\` and every flag that depends on it in one change`;
}

/** `npx flags revert <key> ...` with the flag's own revert reason and incident when it has them. */
function revertCommand(target: FlagFile): string {
  const reason = target.flag.revert?.reason?.trim() || '...';
  const incident = target.flag.revert?.incident?.trim() || 'https://...';
  return `npx flags revert ${target.flag.key} --reason ${shellQuote(reason)} --incident ${shellQuote(incident)}`;
}

/** A word the shell passes through unchanged: single-quoted unless it needs no quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Every cycle of the graph once (per strongly connected component), starting at its smallest key. */
export function findCycles(byKey: ReadonlyMap<string, FlagFile>): string[][] {
  // Tarjan's algorithm, iterative so a 10,000-flag chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const adjacency = new Map<string, string[]>();
  for (const [key, f] of byKey)
    adjacency.set(
      key,
      (f.flag.depends_on ?? []).filter((d) => byKey.has(d)),
    );
  // Every key the walk meets is a flag (dependencies are filtered to flags above), so it has a list.
  const edges = (key: string): string[] => adjacency.get(key)!;

  for (const start of [...byKey.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { key: string; next: number }[] = [{ key: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const deps = edges(frame.key);
      if (frame.next < deps.length) {
        const dep = deps[frame.next++]!;
        if (!index.has(dep)) {
          index.set(dep, counter);
          low.set(dep, counter++);
          stack.push(dep);
          onStack.add(dep);
          work.push({ key: dep, next: 0 });
        } else if (onStack.has(dep)) {
          low.set(frame.key, Math.min(low.get(frame.key)!, index.get(dep)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.key, Math.min(low.get(parent.key)!, low.get(frame.key)!));
      if (low.get(frame.key) === index.get(frame.key)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.key);
        // One member is a cycle only when it depends on itself.
        if (component.length > 1 || edges(member).includes(member))
          cycles.push(cycleThrough(new Set(component), edges));
      }
    }
  }
  return cycles;
}

/** A concrete cycle inside a strongly connected component, from its smallest key. */
function cycleThrough(component: ReadonlySet<string>, edges: (key: string) => string[]): string[] {
  const start = [...component].sort()[0]!;
  // Breadth-first from start back to start gives the shortest cycle to name.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const key = queue.shift()!;
    for (const dep of edges(key)) {
      if (!component.has(dep)) continue;
      if (dep === start) {
        const path = [key];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(dep)) {
        previous.set(dep, key);
        queue.push(dep);
      }
    }
  }
  return [start];
}
