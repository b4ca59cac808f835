// The data the rules work on. Everything here is plain data: no I/O, no clock.

export const STATES = ['alpha', 'beta', 'ga'] as const;
export type State = (typeof STATES)[number];

/** The orgs that always see a flag in alpha (runbook, "Rollout stages"). */
export const INTERNAL_ORGS = ['novalien-internal', 'novalien-internal-staging'] as const;

export const KEY_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const KEY_MAX_LENGTH = 63;
export const MAX_FLAG_FILE_BYTES = 64 * 1024;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Minimum time in a state before the next promotion: alpha to beta 24 h, beta to ga 72 h. */
export const SOAK_MS: Record<Exclude<State, 'ga'>, number> = {
  alpha: 24 * HOUR_MS,
  beta: 72 * HOUR_MS,
};
/** A ga flag may be deleted after 7 days; after 14 it is reported as dead (technical debt). */
export const GA_REMOVABLE_MS = 7 * DAY_MS;
export const GA_STALE_MS = 14 * DAY_MS;
/** Beta exit criterion: at least this many customer orgs opted in. */
export const MIN_BETA_OPT_INS = 10;

/** How long a flag must stay in `state` before its next promotion (ga has none: 0). */
export function soakMs(state: State): number {
  return state === 'ga' ? 0 : SOAK_MS[state];
}

export function stateRank(state: State): number {
  return STATES.indexOf(state);
}

export function nextState(state: State): State | undefined {
  return STATES[stateRank(state) + 1];
}

export interface Migration {
  description: string;
  idempotent_forward: boolean;
  idempotent_backward: boolean;
}

export interface AlphaOrg {
  org: string;
  preview_agreement?: string;
  reason?: string;
}

export interface Override {
  decision_maker: string;
  incident: string;
  reason: string;
}

export interface Revert {
  reason: string;
  incident: string;
}

/** A flag file's content once it has passed the schema. */
export interface Flag {
  key: string;
  description: string;
  owner: string;
  state: State;
  revertible: boolean;
  depends_on?: string[];
  migration?: Migration;
  alpha_orgs?: AlphaOrg[];
  override?: Override;
  revert?: Revert;
  manual?: string;
  plan?: string;
}

/** Where things are in a flag file: 1-based line of a field path such as `['depends_on', 1]`. */
export type LineOf = (path?: readonly (string | number)[]) => number;

/** A flag as read from one file, with its source location. */
export interface FlagFile {
  /** Repo-relative path with forward slashes, e.g. `flags/video/live-view.yaml`. */
  file: string;
  flag: Flag;
  lineOf: LineOf;
}

export type RuleId =
  | 'parse'
  | 'file'
  | 'schema'
  | 'key-mismatch'
  | 'duplicate-key'
  | 'dependency-missing'
  | 'dependency-cycle'
  | 'dependency-order'
  | 'new-flag-state'
  | 'transition-skip'
  | 'soak'
  | 'soak-override'
  | 'override-invalid'
  | 'revert-reason'
  | 'revertible'
  | 'removal'
  | 'alpha-org'
  | 'codeowners'
  | 'exit-criteria'
  | 'exit-criteria-unverified'
  | 'drift';

export type Severity = 'error' | 'warning';

/** One finding. Rules create these; adapters render them (terminal, JSON, annotations). */
export interface Violation {
  rule: RuleId;
  severity: Severity;
  flag: string | null;
  file: string | null;
  line: number | null;
  message: string;
}

export type ChangeKind = 'create' | 'promote' | 'revert' | 'remove' | 'edit';

export interface Change {
  flag: string;
  file: string;
  kind: ChangeKind;
  from: State | null;
  to: State | null;
  /** When the flag entered `from` on the base (the soak clock), ISO, or null. */
  since: string | null;
  /** When this change is (or was) allowed by the soak, ISO, or null when no soak applies. */
  eligibleAt: string | null;
}

/** Result of loading every file under `flags/` at one commit or in the working tree. */
export interface FlagSet {
  flags: FlagFile[];
  /** Problems found while loading (parse, file, schema, key-mismatch). */
  violations: Violation[];
  /** Files that failed to load, so later rules do not call their flags missing. */
  brokenFiles: string[];
}

export function hasErrors(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.severity === 'error');
}

/** One runbook exit criterion for one promotion, with what the data says. */
export interface CriterionResult {
  flag: string;
  criterion:
    'no-platform-errors-24h' | 'owner-sign-off' | 'opt-ins' | 'stable-72h' | 'no-open-incident';
  /** met / unmet by data; unverified when the source is not configured or did not answer;
   *  manual when only a person can confirm it (a sign-off in #novavms-releases). */
  status: 'met' | 'unmet' | 'unverified' | 'manual';
  /** What the runbook asks, in its words. */
  label: string;
  /** What the data says, e.g. "12 orgs opted in", "platform not configured". */
  detail: string;
}

/** What `flags check` computes: the JSON document of CONTRACT section 3, plus details. */
export interface CheckResult {
  ok: boolean;
  base: string;
  head: string;
  now: string;
  changes: Change[];
  violations: Violation[];
  /** Exit criteria per promotion (for the PR comment and the job summary). */
  criteria: CriterionResult[];
  /** Fresh overrides used by this change: the flag and its decision-maker. */
  overrides: { flag: string; decision_maker: string; incident: string; reason: string }[];
}

/** One flag as `flags status` reports it. */
export interface FlagStatus {
  key: string;
  file: string;
  owner: string;
  state: State;
  /** When the flag entered its state (the soak clock), ISO, or null when unknown. */
  since: string | null;
  /** Milliseconds of soak still to go before the next promotion (0 when done or none). */
  soakLeftMs: number;
  /** The next state, or null at ga. */
  next: State | null;
  /** When the next promotion is allowed by the soak, ISO, or null at ga. */
  eligibleAt: string | null;
  /** What else stands in the way of the next promotion, in words (dependencies, criteria). */
  blockedBy: string[];
  /** At ga for at least 7 days: the flag may be removed. */
  removable: boolean;
  /** At ga for at least 14 days: dead flag, technical debt. */
  stale: boolean;
}

export interface StatusResult {
  ok: boolean;
  now: string;
  head: string | null;
  flags: FlagStatus[];
  /** Keys of ga flags past 14 days ("dead flags are technical debt"). */
  stale: string[];
  violations: Violation[];
}
