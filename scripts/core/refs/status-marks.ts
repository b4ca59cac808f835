// The REFS column of `flags status`: how many places read each flag, and the two marks the
// runbook's "dead flags are technical debt" asks for. Pure.
import type { FlagStatus } from '../model.ts';

/** `dead code`: ga for 14 days or more and still read; `unused`: read nowhere at all. */
export type RefsMark = 'dead code' | 'unused';

export interface RefsCell {
  count: number;
  mark: RefsMark | null;
}

export function refsMarks(
  flags: readonly Pick<FlagStatus, 'key' | 'stale'>[],
  references: ReadonlyMap<string, readonly unknown[]>,
): Map<string, RefsCell> {
  const cells = new Map<string, RefsCell>();
  for (const flag of flags) {
    const count = references.get(flag.key)?.length ?? 0;
    const mark = count === 0 ? 'unused' : flag.stale ? 'dead code' : null;
    cells.set(flag.key, { count, mark });
  }
  return cells;
}

export function refsCellText(cell: RefsCell | undefined): string {
  if (!cell) return '-';
  return cell.mark ? `${cell.count} (${cell.mark})` : String(cell.count);
}
