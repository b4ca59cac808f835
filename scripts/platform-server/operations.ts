// The platform's writes as pure functions: (state, input, {now, actor}) -> the answer, the audit
// entries written and the change to make, which applyChange (state.ts) makes in place, at a cost
// independent of the platform's size. A refused write throws PlatformError and changes nothing.
import { DAY_MS, stateRank, type State } from '../core/model.ts';
import {
  PlatformError,
  type ArchiveResult,
  type AuditEntry,
  type ErrorReportResult,
  type FlagMetadata,
  type OrgToggleResult,
  type PlatformFlag,
  type StateChangeResult,
} from '../core/platform-model.ts';
import {
  liveFlag,
  toPlatformFlag,
  type PlatformState,
  type StateChange,
  type StoredFlag,
} from './state.ts';

export interface WriteContext {
  now: Date;
  /** Who acts: the `X-Actor` header, `api` when absent. */
  actor: string;
}

export interface Applied<T> {
  status: number;
  body: T;
  /** What the write changes (see applyChange); null when it changes nothing. */
  change: StateChange | null;
  /** The audit entries this write added (platform and org logs). */
  audit: AuditEntry[];
}

/** Error events kept per flag: enough for any 24 h count a test or a report needs. */
const MAX_ERROR_EVENTS = 1000;

type NewEntry = Omit<AuditEntry, 'id' | 'at' | 'actor'> & { log: 'platform' | 'org' };

/** A write that stores `flag` and adds `entries`, numbered from the state's next audit id. */
function writing<T>(
  state: PlatformState,
  ctx: WriteContext,
  flag: StoredFlag,
  entries: NewEntry[],
  status: number,
  body: T,
): Applied<T> {
  let id = state.next_audit_id;
  const platform: AuditEntry[] = [];
  const org: AuditEntry[] = [];
  for (const { log, ...rest } of entries) {
    const entry: AuditEntry = { id: id++, at: ctx.now.toISOString(), ...rest, actor: ctx.actor };
    (log === 'platform' ? platform : org).push(entry);
  }
  return {
    status,
    body,
    change: { flag, platform_audit: platform, org_audit: org },
    audit: [...platform, ...org],
  };
}

function requireFlag(state: PlatformState, key: string): StoredFlag {
  const flag = liveFlag(state, key);
  if (!flag) throw new PlatformError(404, 'FLAG_NOT_FOUND', `flag '${key}' is not registered`);
  return flag;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A path from one of `dependsOn` back to `target`: giving `target` these edges closes a cycle. */
function cycleThrough(
  state: PlatformState,
  target: string,
  dependsOn: readonly string[],
): string[] | null {
  const seen = new Set<string>();
  const walk = (key: string, path: string[]): string[] | null => {
    if (key === target) return path;
    if (seen.has(key)) return null;
    seen.add(key);
    for (const next of liveFlag(state, key)?.depends_on ?? []) {
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return null;
  };
  for (const dep of dependsOn) {
    const found = walk(dep, [dep]);
    if (found) return found;
  }
  return null;
}

function checkDependencies(state: PlatformState, key: string, dependsOn: readonly string[]): void {
  if (dependsOn.includes(key)) {
    throw new PlatformError(422, 'DEPENDENCY_CYCLE', `flag '${key}' cannot depend on itself`);
  }
  const unknown = dependsOn.filter((d) => !liveFlag(state, d));
  if (unknown.length > 0) {
    const names = unknown.map((d) => `'${d}'`).join(', ');
    throw new PlatformError(
      422,
      'UNKNOWN_DEPENDENCY',
      `flag '${key}' depends on ${names}, which ${unknown.length === 1 ? 'is' : 'are'} not registered; register ${unknown.length === 1 ? 'it' : 'them'} first`,
    );
  }
  const cycle = cycleThrough(state, key, dependsOn);
  if (cycle) {
    throw new PlatformError(
      422,
      'DEPENDENCY_CYCLE',
      `flag '${key}' cannot depend on ${[key, ...cycle].join(' -> ')}: that is a cycle`,
    );
  }
}

/**
 * PUT: registers a flag at alpha (201), or updates the metadata of a registered one (200) without
 * touching its state. An archived flag put again is registered afresh, at alpha with no org
 * enables or opt-ins: archiving ended its rollout.
 */
export function putFlag(
  state: PlatformState,
  key: string,
  meta: FlagMetadata,
  ctx: WriteContext,
): Applied<PlatformFlag> {
  const dependsOn = [...meta.depends_on];
  checkDependencies(state, key, dependsOn);
  const existing = liveFlag(state, key);
  if (existing) {
    const unchanged =
      existing.description === meta.description &&
      existing.owner === meta.owner &&
      sameList(existing.depends_on, dependsOn);
    if (unchanged) {
      return { status: 200, body: toPlatformFlag(existing, ctx.now), change: null, audit: [] };
    }
    const updated: StoredFlag = {
      ...existing,
      description: meta.description,
      owner: meta.owner,
      depends_on: dependsOn,
    };
    const entries = [entry('platform', 'platform.feature_flag_updated', key, null, null, null)];
    return writing(state, ctx, updated, entries, 200, toPlatformFlag(updated, ctx.now));
  }
  const created: StoredFlag = {
    key,
    description: meta.description,
    owner: meta.owner,
    state: 'alpha',
    depends_on: dependsOn,
    state_changed_at: ctx.now.toISOString(),
    archived_at: null,
    orgs_enabled: [],
    opted_in: [],
    opted_out: [],
    error_events: [],
  };
  const entries = [entry('platform', 'platform.feature_flag_created', key, null, null, 'alpha')];
  return writing(state, ctx, created, entries, 201, toPlatformFlag(created, ctx.now));
}

/**
 * POST state. A promotion needs every dependency at the new state or above (409
 * FLAG_DEPENDENCY); a demotion always succeeds, since a revert must never be blocked. Asking for
 * the current state changes nothing: no audit entry, the soak clock keeps running.
 */
export function applyStateChange(
  state: PlatformState,
  key: string,
  newState: State,
  ctx: WriteContext,
): Applied<StateChangeResult> {
  const flag = requireFlag(state, key);
  const previous = flag.state;
  if (previous === newState) {
    const body = { key, state: newState, previous_state: previous, changed: false };
    return { status: 200, body, change: null, audit: [] };
  }
  if (stateRank(newState) > stateRank(previous)) {
    for (const dep of flag.depends_on) {
      const depFlag = requireDependency(state, key, dep);
      if (stateRank(depFlag.state) < stateRank(newState)) {
        throw new PlatformError(
          409,
          'FLAG_DEPENDENCY',
          `cannot move '${key}' to ${newState}: it depends on '${dep}', which is still ${depFlag.state}; promote '${dep}' first`,
        );
      }
    }
  }
  const changed: StoredFlag = {
    ...flag,
    state: newState,
    state_changed_at: ctx.now.toISOString(),
  };
  const entries = [
    entry('platform', 'platform.feature_flag_state_changed', key, null, previous, newState),
  ];
  const body = { key, state: newState, previous_state: previous, changed: true };
  return writing(state, ctx, changed, entries, 200, body);
}

function requireDependency(state: PlatformState, key: string, dep: string): StoredFlag {
  const flag = liveFlag(state, dep);
  // Archiving refuses while dependents exist, so this only guards a hand-edited data file.
  if (!flag) {
    throw new PlatformError(
      409,
      'FLAG_DEPENDENCY',
      `cannot promote '${key}': its dependency '${dep}' is not registered`,
    );
  }
  return flag;
}

/** DELETE: archives a flag no live flag depends on (409 HAS_DEPENDENTS otherwise). */
export function archiveFlag(
  state: PlatformState,
  key: string,
  ctx: WriteContext,
): Applied<ArchiveResult> {
  const flag = requireFlag(state, key);
  const dependents = Object.values(state.flags)
    .filter((f) => f.archived_at === null && f.depends_on.includes(key))
    .map((f) => f.key)
    .sort();
  if (dependents.length > 0) {
    throw new PlatformError(
      409,
      'HAS_DEPENDENTS',
      `cannot archive '${key}': ${dependents.map((d) => `'${d}'`).join(', ')} ${dependents.length === 1 ? 'depends' : 'depend'} on it`,
    );
  }
  const archived: StoredFlag = { ...flag, archived_at: ctx.now.toISOString() };
  const entries = [
    entry('platform', 'platform.feature_flag_archived', key, null, flag.state, null),
  ];
  return writing(state, ctx, archived, entries, 200, { key, archived: true as const });
}

function toggled(list: readonly string[], org: string, on: boolean): string[] {
  const without = list.filter((o) => o !== org);
  return on ? [...without, org].sort() : without;
}

/**
 * An org switched on or off: nothing to write (no audit entry) when it already was, else the
 * updated flag with the two audit entries of a toggle.
 */
function toggling(
  state: PlatformState,
  ctx: WriteContext,
  toggle: { key: string; org: string; enabled: boolean; already: boolean },
  updated: () => StoredFlag,
): Applied<OrgToggleResult> {
  const { key, org, enabled, already } = toggle;
  if (already) {
    return { status: 200, body: { key, org, enabled, changed: false }, change: null, audit: [] };
  }
  const body = { key, org, enabled, changed: true };
  return writing(state, ctx, updated(), toggleEntries(key, org, enabled), 200, body);
}

function toggleEntries(key: string, org: string, enabled: boolean): NewEntry[] {
  return [
    entry(
      'platform',
      enabled ? 'platform.feature_flag_enabled' : 'platform.feature_flag_disabled',
      key,
      org,
      null,
      null,
    ),
    entry('org', enabled ? 'feature_flag.enabled' : 'feature_flag.disabled', key, org, null, null),
  ];
}

/**
 * Staff enable or disable for one org, in any state. Enabling an org already enabled (or
 * disabling one that is not) changes nothing and writes no audit entry.
 */
export function setOrgEnabled(
  state: PlatformState,
  org: string,
  key: string,
  enabled: boolean,
  ctx: WriteContext,
): Applied<OrgToggleResult> {
  const flag = requireFlag(state, key);
  const already = flag.orgs_enabled.includes(org) === enabled;
  return toggling(state, ctx, { key, org, enabled, already }, () => ({
    ...flag,
    orgs_enabled: toggled(flag.orgs_enabled, org, enabled),
  }));
}

/**
 * A customer org opts in (or out). Refused while alpha: the flag is not offered yet. An opt-out
 * is remembered, so the org stays off when the flag reaches GA. Repeating the current choice
 * changes nothing and writes no audit entry.
 */
export function setOptIn(
  state: PlatformState,
  org: string,
  key: string,
  enabled: boolean,
  ctx: WriteContext,
): Applied<OrgToggleResult> {
  const flag = requireFlag(state, key);
  if (flag.state === 'alpha') {
    throw new PlatformError(
      403,
      'FLAG_NOT_AVAILABLE',
      `flag '${key}' is in alpha: customer orgs can opt in once it is in beta`,
    );
  }
  const already = enabled ? flag.opted_in.includes(org) : flag.opted_out.includes(org);
  return toggling(state, ctx, { key, org, enabled, already }, () => ({
    ...flag,
    opted_in: toggled(flag.opted_in, org, enabled),
    opted_out: toggled(flag.opted_out, org, !enabled),
  }));
}

/**
 * Extension: records errors the platform saw for a flag (what `error_count_24h` counts). Not
 * audited: errors are telemetry, not a change anyone made.
 */
export function recordErrors(
  state: PlatformState,
  key: string,
  count: number,
  at: Date,
  ctx: WriteContext,
): Applied<ErrorReportResult> {
  const flag = requireFlag(state, key);
  const horizon = ctx.now.getTime() - DAY_MS;
  const events = [...flag.error_events, { at: at.toISOString(), count }]
    .filter((e) => Date.parse(e.at) > horizon)
    .slice(-MAX_ERROR_EVENTS);
  const updated = { ...flag, error_events: events };
  const body = { key, error_count_24h: toPlatformFlag(updated, ctx.now).error_count_24h };
  return writing(state, ctx, updated, [], 200, body);
}

function entry(
  log: 'platform' | 'org',
  action: string,
  flag: string,
  org: string | null,
  oldState: State | null,
  newState: State | null,
): NewEntry {
  return { log, action, flag, org, old_state: oldState, new_state: newState };
}
