// The audit logs as pages (`limit`, `cursor`) and their retention bound. An answer is never the
// whole log: a client follows `next_cursor` until it is null. A cursor is the id of the last
// entry of the page before (opaque to clients), so paging is stable while entries are appended.
import type { AuditEntry } from '../core/platform-model.ts';

/** Entries kept per log: the newest ones; older entries are dropped as new ones are written. */
export const AUDIT_RETENTION = 100_000;
/** Dropping waits until this many are over the bound, so a write's cost stays independent of it. */
const AUDIT_TRIM_SLACK = 1_000;

export const DEFAULT_AUDIT_PAGE = 1000;
export const MAX_AUDIT_PAGE = 1000;

export interface AuditPageQuery {
  flag?: string;
  /** Entries at or after this time. */
  since?: Date;
  /** Entries after the one with this id (a `next_cursor`). */
  after?: number;
  /** At most this many entries (default DEFAULT_AUDIT_PAGE). */
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Where the next page starts; null when this page holds the last matching entry. */
  next_cursor: string | null;
}

/** Drops the oldest entries of `log` (in place) once it is past the retention bound. */
export function trimAuditLog(log: AuditEntry[], retention = AUDIT_RETENTION): void {
  if (log.length > retention + AUDIT_TRIM_SLACK) log.splice(0, log.length - retention);
}

/** Index of the first entry whose id is above `after`; ids grow along the log. */
function firstAfter(log: readonly AuditEntry[], after: number): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (Number(log[mid]?.id) <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** One page of `log` (oldest first) for `query`, with the cursor of the next. */
export function auditPage(
  log: readonly AuditEntry[],
  query: AuditPageQuery,
  include: (entry: AuditEntry) => boolean = () => true,
): AuditPage {
  const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
  const since = query.since?.getTime();
  const entries: AuditEntry[] = [];
  for (let i = query.after === undefined ? 0 : firstAfter(log, query.after); i < log.length; i++) {
    const entry = log[i] as AuditEntry;
    const matches =
      include(entry) &&
      (query.flag === undefined || entry.flag === query.flag) &&
      (since === undefined || Date.parse(entry.at) >= since);
    if (!matches) continue;
    if (entries.length === limit) {
      return { entries, next_cursor: String(entries[entries.length - 1]?.id) };
    }
    entries.push(entry);
  }
  return { entries, next_cursor: null };
}
