// The platform's data, the read-only views of it (CONTRACT section 4) and the one function that
// changes it: applyChange, in place, at a cost independent of the platform's size. No I/O, no
// clock; `now` comes in as a parameter.
import { DAY_MS, INTERNAL_ORGS } from '../core/model.ts';
import type { AuditEntry, PlatformFlag } from '../core/platform-model.ts';
import { auditPage, trimAuditLog, type AuditPage, type AuditPageQuery } from './audit-pages.ts';
import { IdempotencyRecords, type IdempotencyRecord } from './idempotency.ts';

/** What the platform remembers about one flag, including what the API does not show. */
export interface StoredFlag extends Pick<
  PlatformFlag,
  'key' | 'description' | 'owner' | 'state' | 'depends_on' | 'state_changed_at' | 'orgs_enabled'
> {
  /** Archived flags stay for the audit trail but are invisible to the API. */
  archived_at: string | null;
  /** Customer orgs that opted in, sorted. */
  opted_in: string[];
  /** Customer orgs that explicitly opted out: they stay off even at GA, sorted. */
  opted_out: string[];
  /** Errors reported for the flag, pruned to the last 24 h on every write. */
  error_events: ErrorEvent[];
}

export interface ErrorEvent {
  at: string;
  count: number;
}

export interface PlatformState {
  flags: Record<string, StoredFlag>;
  platform_audit: AuditEntry[];
  /** Entries written to orgs' own audit logs (`feature_flag.enabled`, ...), each with its org. */
  org_audit: AuditEntry[];
  next_audit_id: number;
  /** Oldest first; bounded (see idempotency.ts). Saved as an array. */
  idempotency: IdempotencyRecords;
}

export function emptyPlatformState(): PlatformState {
  return {
    flags: {},
    platform_audit: [],
    org_audit: [],
    next_audit_id: 1,
    idempotency: new IdempotencyRecords(),
  };
}

/**
 * What one write changes. Its parts are never mutated afterwards, so the same change can be
 * applied to two copies of the state (the store's pending and durable ones).
 */
export interface StateChange {
  /** The flag's new record, stored under its key. */
  flag?: StoredFlag;
  /** Entries appended to each log, numbered from `next_audit_id` on (platform log first). */
  platform_audit?: AuditEntry[];
  org_audit?: AuditEntry[];
  /** The write's first answer, kept for its Idempotency-Key. */
  idempotency?: IdempotencyRecord;
}

/** Applies `change` to `state` in place: no copy of what is stored. */
export function applyChange(state: PlatformState, change: StateChange): void {
  // Keys match KEY_PATTERN (validation.ts), so never `__proto__`.
  if (change.flag) state.flags[change.flag.key] = change.flag;
  for (const log of ['platform_audit', 'org_audit'] as const) {
    for (const entry of change[log] ?? []) {
      state[log].push(entry);
      state.next_audit_id++;
    }
    trimAuditLog(state[log]);
  }
  if (change.idempotency) state.idempotency.remember(change.idempotency);
}

/** A copy that changes independently; the flags, entries and records themselves are shared. */
export function cloneState(state: PlatformState): PlatformState {
  return {
    flags: { ...state.flags },
    platform_audit: [...state.platform_audit],
    org_audit: [...state.org_audit],
    next_audit_id: state.next_audit_id,
    idempotency: new IdempotencyRecords(state.idempotency.records()),
  };
}

/** A flag the API can see: registered and not archived. */
export function liveFlag(state: PlatformState, key: string): StoredFlag | undefined {
  const flag = Object.hasOwn(state.flags, key) ? state.flags[key] : undefined;
  return flag && flag.archived_at === null ? flag : undefined;
}

export function liveFlags(state: PlatformState): StoredFlag[] {
  return Object.values(state.flags)
    .filter((f) => f.archived_at === null)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Errors in the 24 h before `now` (events stamped in the future do not count yet). */
export function errorCount24h(flag: StoredFlag, now: Date): number {
  const end = now.getTime();
  const start = end - DAY_MS;
  let total = 0;
  for (const event of flag.error_events) {
    const at = Date.parse(event.at);
    if (at > start && at <= end) total += event.count;
  }
  return total;
}

export function toPlatformFlag(flag: StoredFlag, now: Date): PlatformFlag {
  return {
    key: flag.key,
    description: flag.description,
    owner: flag.owner,
    state: flag.state,
    depends_on: [...flag.depends_on],
    state_changed_at: flag.state_changed_at,
    opt_in_count: flag.opted_in.length,
    orgs_enabled: [...flag.orgs_enabled],
    error_count_24h: errorCount24h(flag, now),
  };
}

/**
 * Whether a flag is on for an org, by the runbook's meaning of each state: alpha is the internal
 * orgs plus the orgs staff enabled; beta adds the customer orgs that opted in; ga is every org
 * "that has not explicitly opted out". In beta and ga a customer's opt-out wins over a staff
 * enable: it is the customer's UI.
 */
export function isOnForOrg(flag: StoredFlag, org: string): boolean {
  const internal = (INTERNAL_ORGS as readonly string[]).includes(org);
  switch (flag.state) {
    case 'alpha':
      return internal || flag.orgs_enabled.includes(org);
    case 'beta':
      return (
        !flag.opted_out.includes(org) &&
        (internal || flag.orgs_enabled.includes(org) || flag.opted_in.includes(org))
      );
    case 'ga':
      return !flag.opted_out.includes(org);
  }
}

/** Each live flag's customer choices, which no Flag field lists (opt_in_count only counts them). */
export function orgChoices(
  state: PlatformState,
): { key: string; opted_in: string[]; opted_out: string[] }[] {
  return liveFlags(state).map((f) => ({
    key: f.key,
    opted_in: [...f.opted_in],
    opted_out: [...f.opted_out],
  }));
}

export function orgFlags(state: PlatformState, org: string): string[] {
  return liveFlags(state)
    .filter((f) => isOnForOrg(f, org))
    .map((f) => f.key);
}

/** One page of the platform audit log (oldest first). */
export function platformAuditLog(state: PlatformState, query: AuditPageQuery = {}): AuditPage {
  return auditPage(state.platform_audit, query);
}

/** One page of an org's audit log (oldest first). */
export function orgAuditLog(
  state: PlatformState,
  org: string,
  query: Omit<AuditPageQuery, 'flag' | 'since'> = {},
): AuditPage {
  return auditPage(state.org_audit, query, (e) => e.org === org);
}
