// The deploy plan's vocabulary: a step, the facts a plan is made from, and the plan itself.
import type { FlagFile, FlagSet, RuleId, State, Violation } from '../model.ts';
import type { AuditEntry, FlagMetadata, PlatformFlag } from '../platform-model.ts';
import { formatTime } from '../time.ts';

/** The X-Actor of every write deploy makes: the audit log's `actor` tells its writes apart. */
export const DEPLOY_ACTOR = 'flags-deploy';
/** The X-Actor of a promotion the operator adopted (--adopt): audited as their decision. */
export const ADOPT_ACTOR = 'flags-deploy --adopt';

/** Whether a platform change was deploy's own (adopted or not). */
export function isDeployActor(actor: string): boolean {
  return actor === DEPLOY_ACTOR || actor === ADOPT_ACTOR;
}

export const AUDIT_STATE_CHANGED = 'platform.feature_flag_state_changed';
export const AUDIT_ORG_ENABLED = 'platform.feature_flag_enabled';
export const AUDIT_ORG_DISABLED = 'platform.feature_flag_disabled';
export const AUDIT_ARCHIVED = 'platform.feature_flag_archived';

export type StepAction =
  'register' | 'update' | 'promote' | 'demote' | 'enable-org' | 'disable-org' | 'archive';

/**
 * apply: deploy makes it; refused: the gate blocks it; held: waits for the platform's clock (a
 * soak there), not a failure, a later deploy makes it; drift: someone else owns it for now.
 */
export type StepKind = 'apply' | 'refused' | 'held' | 'drift';

export interface DeployStep {
  /** Unique in a plan: `flag:action[:state or org]`. */
  id: string;
  flag: string;
  action: StepAction;
  kind: StepKind;
  /** Platform state before and the state the step sets (state steps), else the flag's state. */
  from: State | null;
  to: State | null;
  /** The org of enable-org / disable-org. */
  org: string | null;
  /** Why, in words. */
  reason: string;
  /** Ids of steps that must have succeeded before this one starts. */
  after: string[];
  /** What register and update send. */
  meta: FlagMetadata | null;
  /** refused and held: the gate's rule id; drift: `drift`. */
  rule: RuleId | null;
  /** held and refused: when waiting makes it allowed (a soak), or null when only a new change helps. */
  allowedAt: string | null;
  /** A promotion the operator adopted (--adopt): the repository's history was the witness. */
  adopted: boolean;
  /** drift: who changed it on the platform, and when. */
  changedBy: { actor: string; at: string } | null;
}

/** One change of `state` in the repository's first-parent history (or the creation). */
export interface StateEntry {
  state: State;
  /** Committer time of the first-parent commit, ISO. */
  at: string;
  sha: string;
  /** The commit created the file (this is the flag's first state). */
  created: boolean;
  /** The commit also brought a new `override` block: it waives this change's soak. */
  freshOverride: boolean;
  decisionMaker: string | null;
}

/** What the repository's history says about one flag, oldest first. */
export interface FlagHistory {
  /** The creation and every change of `state`, oldest first; the last is HEAD's state. */
  entries: StateEntry[];
  /** When each org last entered or left `alpha_orgs`, ISO. */
  orgsChangedAt: Record<string, string>;
  /** When the repository last changed the flag's file at all, ISO. */
  lastChangedAt: string | null;
}

export interface DeployFacts {
  /** The flags at the commit being deployed. */
  desired: FlagSet;
  /** The platform's flags (one list call). */
  actual: readonly PlatformFlag[];
  /** History of the flags `factsNeeded` named (others may be absent). */
  history: ReadonlyMap<string, FlagHistory>;
  /** Platform audit entries of the flags `factsNeeded` named, oldest first. */
  audit: ReadonlyMap<string, readonly AuditEntry[]>;
  /** Keys the repository once had and deleted (first-parent history). */
  removedKeys: ReadonlySet<string>;
  now: Date;
  /** --adopt: the repository's history is the witness for flags the platform does not have. */
  adopt?: boolean;
}

export interface FactsNeeded {
  /** Flags whose repository history the plan needs. */
  historyKeys: string[];
  /** Flags whose platform audit entries the plan needs. */
  auditKeys: string[];
  /**
   * When only state attribution is needed: the audit entries at or after this time suffice (the
   * latest state change of a flag is at its `state_changed_at`). Null: org toggles need more.
   */
  auditSince: string | null;
  /** Platform flags not in the repository: whether the repository once had them is needed. */
  removalKeys: string[];
}

export interface DeployPlan {
  /** Apply steps in an order that respects `after`, then refused, held, drift. */
  steps: DeployStep[];
  /** Flags of the repository already as the platform has them. */
  inSync: string[];
  /** The history-free rules' errors that refused steps (validate's rules, CODEOWNERS aside). */
  violations: Violation[];
}

/** What the planning of one flag reads and adds to. */
export interface PlanContext {
  facts: DeployFacts;
  desiredByKey: Map<string, FlagFile>;
  actualByKey: Map<string, PlatformFlag>;
  steps: Map<string, DeployStep>;
}

export function step(
  partial: Partial<DeployStep> & Pick<DeployStep, 'id' | 'flag' | 'action' | 'kind' | 'reason'>,
): DeployStep {
  return {
    from: null,
    to: null,
    org: null,
    after: [],
    meta: null,
    rule: null,
    allowedAt: null,
    adopted: false,
    changedBy: null,
    ...partial,
  };
}

export const when = (iso: string): string => formatTime(new Date(iso));
export const short = (sha: string): string => sha.slice(0, 12);

/** The latest entry matching `pred` (entries oldest first; ties by id). */
export function latest(
  entries: readonly AuditEntry[] | undefined,
  pred: (e: AuditEntry) => boolean,
): AuditEntry | undefined {
  let found: AuditEntry | undefined;
  for (const e of entries ?? []) {
    if (!pred(e)) continue;
    if (!found || Date.parse(e.at) >= Date.parse(found.at)) found = e;
  }
  return found;
}
