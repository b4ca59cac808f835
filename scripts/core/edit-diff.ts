// What an edit of a flag changes, field by field, for a reviewer: orgs added to or removed from
// alpha with their preview agreement, dependencies, owner, revertible, migration. Some need a
// reviewer's attention (a customer org sees an alpha feature; a flag stops being revertible).
// And the dependency graph around the changed flags, as Mermaid, which GitHub renders. Pure.
import type { Flag, State } from './model.ts';

export interface FieldChange {
  field: 'alpha_orgs' | 'depends_on' | 'owner' | 'revertible' | 'migration' | 'state';
  /** One line a person reads, e.g. `+ org acme (preview agreement https://...)`. */
  text: string;
  /** Why a reviewer must look, or null when the change is routine. */
  attention: string | null;
}

export interface EditDiff {
  key: string;
  changes: FieldChange[];
}

/** The field-by-field difference of one flag between base and head (either may be absent). */
export function editDiff(before: Flag | null, after: Flag | null): EditDiff | null {
  if (!before || !after) return null;
  const changes: FieldChange[] = [];
  const orgs = (f: Flag) => new Map((f.alpha_orgs ?? []).map((o) => [o.org, o]));
  const was = orgs(before);
  const now = orgs(after);
  for (const [org, entry] of now) {
    if (was.has(org)) continue;
    const agreement = entry.preview_agreement;
    changes.push({
      field: 'alpha_orgs',
      text: `+ org ${org} (${agreement ? `preview agreement ${agreement}` : 'no preview agreement'})`,
      attention: agreement
        ? `customer org ${org} will see an alpha feature: check its preview agreement`
        : `customer org ${org} has no preview agreement`,
    });
  }
  for (const org of was.keys()) {
    if (!now.has(org)) changes.push({ field: 'alpha_orgs', text: `- org ${org}`, attention: null });
  }
  const deps = (f: Flag) => new Set(f.depends_on ?? []);
  const depsBefore = deps(before);
  const depsAfter = deps(after);
  for (const d of depsAfter) {
    if (!depsBefore.has(d)) {
      changes.push({
        field: 'depends_on',
        text: `+ depends on ${d}`,
        attention: `a new dependency: ${after.key} can only move ahead of ${d}'s state by the rules`,
      });
    }
  }
  for (const d of depsBefore) {
    if (!depsAfter.has(d)) {
      changes.push({ field: 'depends_on', text: `- depends on ${d}`, attention: null });
    }
  }
  if (before.owner !== after.owner) {
    changes.push({
      field: 'owner',
      text: `owner ${before.owner} → ${after.owner}`,
      attention: `ownership moves: ${after.owner} must agree (CODEOWNERS review)`,
    });
  }
  if (before.revertible !== after.revertible) {
    changes.push({
      field: 'revertible',
      text: `revertible ${String(before.revertible)} → ${String(after.revertible)}`,
      attention: after.revertible ? null : 'the flag can no longer be reverted in an incident',
    });
  }
  const migration = (f: Flag) => (f.migration ? JSON.stringify(f.migration) : null);
  if (migration(before) !== migration(after)) {
    const m = after.migration;
    changes.push({
      field: 'migration',
      text: m
        ? `migration: ${m.description} (idempotent forward ${String(m.idempotent_forward)}, backward ${String(m.idempotent_backward)})`
        : 'migration removed',
      attention: 'the data migration changed: check it runs both ways',
    });
  }
  return changes.length > 0 ? { key: after.key, changes } : null;
}

/** For a terminal: one line per field change, `!` in front of those needing attention. */
export function renderEditDiffText(diffs: readonly EditDiff[]): string[] {
  return diffs.flatMap((d) =>
    d.changes.map(
      (c) =>
        `  ${c.attention ? '!' : ' '} ${d.key}: ${c.text}${c.attention ? `  (${c.attention})` : ''}`,
    ),
  );
}

/** For the pull request comment: a section per flag, ⚠️ on what needs a reviewer. */
export function renderEditDiffMarkdown(diffs: readonly EditDiff[]): string | null {
  if (diffs.length === 0) return null;
  const blocks = diffs.map((d) =>
    [
      `**\`${d.key}\`**`,
      ...d.changes.map(
        (c) =>
          `- ${c.attention ? '⚠️ ' : ''}${markdownText(c.text)}${c.attention ? ` — _${markdownText(c.attention)}_` : ''}`,
      ),
    ].join('\n'),
  );
  return ['#### What the edits change', ...blocks].join('\n\n');
}

export interface GraphNode {
  key: string;
  before: State | null;
  after: State | null;
  /** When it entered its state before the change (the soak clock), ISO, or null. */
  since: string | null;
  dependsOn: readonly string[];
}

/**
 * The dependency graph around the changed flags: each changed flag, what it depends on and what
 * depends on it (one step each way), as a Mermaid flowchart. An arrow points from a flag to its
 * dependency; a changed flag is drawn with a thick border.
 */
export function dependencyGraph(
  nodes: readonly GraphNode[],
  changed: ReadonlySet<string>,
  options: { maxNodes?: number } = {},
): string | null {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const shown = new Set<string>();
  for (const key of changed) {
    shown.add(key);
    for (const d of byKey.get(key)?.dependsOn ?? []) shown.add(d);
    for (const n of nodes) if (n.dependsOn.includes(key)) shown.add(n.key);
  }
  const limit = options.maxNodes ?? 60;
  // A dependency that is not a flag has no node to draw, and is not counted as one left out.
  const drawable = [...shown].filter((k) => byKey.has(k)).sort();
  // Nothing to draw (a result without the reviewer's view): no empty diagram in the comment.
  if (drawable.length === 0) return null;
  const keys = drawable.slice(0, limit);
  const id = (k: string) => `f_${k.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const lines = ['```mermaid', 'flowchart LR'];
  for (const k of keys) {
    const n = byKey.get(k) as GraphNode;
    const state =
      n.before === n.after ? (n.after ?? '—') : `${n.before ?? 'new'} → ${n.after ?? 'removed'}`;
    const soak = n.since ? `<br/>since ${n.since.slice(0, 16).replace('T', ' ')} UTC` : '';
    const label = `${k}<br/>${state}${soak}`.replace(/"/g, "'");
    lines.push(`  ${id(k)}["${label}"]`);
  }
  const inGraph = new Set(keys);
  for (const k of keys) {
    for (const d of byKey.get(k)?.dependsOn ?? []) {
      if (inGraph.has(d)) lines.push(`  ${id(k)} --> ${id(d)}`);
    }
  }
  const bold = keys.filter((k) => changed.has(k)).map(id);
  if (bold.length > 0) {
    lines.push('  classDef changed stroke-width:3px', `  class ${bold.join(',')} changed`);
  }
  lines.push('```');
  const cut = drawable.length - keys.length;
  const note = cut > 0 ? `\n\n_${keys.length} of ${drawable.length} flags drawn._` : '';
  return `#### Dependencies around the change\n\n${lines.join('\n')}${note}`;
}

function markdownText(value: string): string {
  return value
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\s*\n\s*/g, ' ');
}

/** What a reviewer sees of a change beyond its states: the edits and the graph around them. */
export interface ReviewerView {
  edits: EditDiff[];
  graph: GraphNode[];
}

/**
 * The reviewer's view of base..head: each changed flag's field changes, and the graph nodes of
 * the changed flags with their dependencies and dependents (one step each way).
 */
export function reviewerView(
  before: ReadonlyMap<string, { flag: Flag }>,
  after: ReadonlyMap<string, { flag: Flag }>,
  changes: readonly { flag: string; since: string | null }[],
): ReviewerView {
  const edits = changes
    .map((c) => editDiff(before.get(c.flag)?.flag ?? null, after.get(c.flag)?.flag ?? null))
    .filter((d): d is EditDiff => d !== null);
  const changed = new Set(changes.map((c) => c.flag));
  const keys = new Set(changed);
  for (const key of changed) {
    for (const d of after.get(key)?.flag.depends_on ?? before.get(key)?.flag.depends_on ?? []) {
      keys.add(d);
    }
  }
  for (const [key, f] of after) {
    if ((f.flag.depends_on ?? []).some((d) => changed.has(d))) keys.add(key);
  }
  const since = new Map(changes.map((c) => [c.flag, c.since]));
  const graph = [...keys].map((key) => ({
    key,
    before: before.get(key)?.flag.state ?? null,
    after: after.get(key)?.flag.state ?? null,
    since: since.get(key) ?? null,
    dependsOn: after.get(key)?.flag.depends_on ?? before.get(key)?.flag.depends_on ?? [],
  }));
  return { edits, graph };
}

/** The comment's reviewer sections for a result that carries a reviewer's view (check's). */
export function reviewerSections(
  result: { changes: readonly { flag: string }[] } & Partial<ReviewerView>,
): string[] {
  const changed = new Set(result.changes.map((c) => c.flag));
  return [
    renderEditDiffMarkdown(result.edits ?? []),
    dependencyGraph(result.graph ?? [], changed),
  ].filter((s): s is string => s !== null);
}
