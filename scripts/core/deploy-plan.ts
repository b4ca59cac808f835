// The deploy plan: from the repository's flags (HEAD), the platform's flags, who last changed
// what on the platform (its audit log), when the repository last changed what (first-parent
// history) and a clock, the ordered steps that bring the platform to the repository's state.
// Each step carries its reason; a step the gate would block is `refused`, a change someone else
// made on the platform after the repository last decided is `drift`. Pure: no I/O.
import { isDeepStrictEqual } from 'node:util';
import { flagsByKey } from './load.ts';
import {
  HOUR_MS,
  soakMs,
  STATES,
  stateRank,
  type FlagFile,
  type FlagSet,
  type RuleId,
  type State,
  type Violation,
} from './model.ts';
import { keyFromPath } from './parse-flag.ts';
import type { AuditEntry, FlagMetadata, PlatformFlag } from './platform-model.ts';
import { removalBlocks } from './rules/removal.ts';
import { staticRules } from './rules/static-rules.ts';
import { formatDuration, formatTime, isoTime } from './time.ts';

/** The X-Actor of every write deploy makes: the audit log's `actor` tells its writes apart. */
export const DEPLOY_ACTOR = 'flags-deploy';

export const AUDIT_STATE_CHANGED = 'platform.feature_flag_state_changed';
export const AUDIT_ORG_ENABLED = 'platform.feature_flag_enabled';
export const AUDIT_ORG_DISABLED = 'platform.feature_flag_disabled';
export const AUDIT_ARCHIVED = 'platform.feature_flag_archived';

export type StepAction =
  'register' | 'update' | 'promote' | 'demote' | 'enable-org' | 'disable-org' | 'archive';

/** apply: deploy makes it; refused: the gate blocks it; drift: someone else owns it for now. */
export type StepKind = 'apply' | 'refused' | 'drift';

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
  /** refused: the gate's rule id; drift: `drift`. */
  rule: RuleId | null;
  /** refused: when waiting makes it allowed (a soak), or null when only a new change helps. */
  allowedAt: string | null;
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
  /** Apply steps in an order that respects `after`, then refused, then drift. */
  steps: DeployStep[];
  /** Flags of the repository already as the platform has them. */
  inSync: string[];
  /** The history-free rules' errors that refused steps (validate's rules, CODEOWNERS aside). */
  violations: Violation[];
}

function metaOf(f: FlagFile): FlagMetadata {
  return {
    description: f.flag.description,
    owner: f.flag.owner,
    depends_on: [...(f.flag.depends_on ?? [])],
  };
}

function sameMeta(a: PlatformFlag, meta: FlagMetadata): boolean {
  return (
    a.description === meta.description &&
    a.owner === meta.owner &&
    isDeepStrictEqual([...a.depends_on], meta.depends_on)
  );
}

function desiredOrgs(f: FlagFile): string[] {
  return [...new Set((f.flag.alpha_orgs ?? []).map((o) => o.org))].sort();
}

function orgsDiffer(f: FlagFile, a: PlatformFlag): boolean {
  return !isDeepStrictEqual(desiredOrgs(f), [...a.orgs_enabled].sort());
}

/** Which outside facts the plan needs: nothing at all when the platform already matches. */
export function factsNeeded(desired: FlagSet, actual: readonly PlatformFlag[]): FactsNeeded {
  const actualByKey = new Map(actual.map((a) => [a.key, a]));
  const historyKeys: string[] = [];
  const auditKeys: string[] = [];
  let since: string | null = null;
  let orgsToo = false;
  for (const f of desired.flags) {
    const a = actualByKey.get(f.flag.key);
    if (!a) {
      if (f.flag.state !== 'alpha') historyKeys.push(f.flag.key);
      // Was it archived by hand? Only the audit log says (archived flags are not listed).
      auditKeys.push(f.flag.key);
      orgsToo = true;
      continue;
    }
    const stateDiffers = a.state !== f.flag.state;
    const orgDiff = orgsDiffer(f, a);
    if (!stateDiffers && !orgDiff) continue;
    historyKeys.push(f.flag.key);
    auditKeys.push(f.flag.key);
    if (orgDiff) orgsToo = true;
    if (stateDiffers && (since === null || a.state_changed_at < since)) since = a.state_changed_at;
  }
  const desiredKeys = new Set(desired.flags.map((f) => f.flag.key));
  const broken = new Set(desired.brokenFiles.map(keyFromPath));
  const removalKeys = actual.map((a) => a.key).filter((k) => !desiredKeys.has(k) && !broken.has(k));
  return { historyKeys, auditKeys, auditSince: orgsToo ? null : since, removalKeys };
}

/** Flags not on the platform because someone else archived them: their history is needed too. */
export function archivedByOthers(
  desired: FlagSet,
  actual: readonly PlatformFlag[],
  audit: ReadonlyMap<string, readonly AuditEntry[]>,
): string[] {
  const listed = new Set(actual.map((a) => a.key));
  return desired.flags
    .map((f) => f.flag.key)
    .filter((key) => !listed.has(key))
    .filter((key) => {
      const archived = latest(audit.get(key), (e) => e.action === AUDIT_ARCHIVED);
      return archived !== undefined && archived.actor !== DEPLOY_ACTOR;
    });
}

/**
 * The history-free rules a deploy holds the merged state to: the same as `validate`, except
 * CODEOWNERS (who reviews is GitHub's business, not the platform's).
 */
function deployViolations(set: FlagSet): Violation[] {
  return staticRules(set, null).filter((v) => v.severity === 'error' && v.rule !== 'codeowners');
}

type Judgement =
  { ok: true; why: string } | { ok: false; rule: RuleId; message: string; allowedAt: Date | null };

interface Ctx {
  facts: DeployFacts;
  desiredByKey: Map<string, FlagFile>;
  actualByKey: Map<string, PlatformFlag>;
  steps: Map<string, DeployStep>;
}

function step(
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
    changedBy: null,
    ...partial,
  };
}

const when = (iso: string): string => formatTime(new Date(iso));
const short = (sha: string): string => sha.slice(0, 12);

/** The latest entry matching `pred` (entries oldest first; ties by id). */
function latest(
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

/**
 * Whether the repository's own history brought the flag from `floor` up to its HEAD state by
 * the rules: created at alpha, one state at a time, each promotion after the soak of the state
 * before it (or with a fresh override in the same commit). Used when the platform is catching up
 * on decisions the repository made before the platform entered its current state.
 */
export function justifiedByHistory(key: string, history: FlagHistory, floor: State): Judgement {
  const entries = history.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (stateRank(e.state) <= stateRank(floor)) break;
    const prev = entries[i - 1];
    if (e.created || !prev) {
      return {
        ok: false,
        rule: 'new-flag-state',
        message: `the repository created \`${key}\` at ${e.state} (commit ${short(e.sha)}, ${when(e.at)}): a new flag starts at alpha`,
        allowedAt: null,
      };
    }
    // Reached by a revert: the higher state before it must itself have been reached by the rules.
    if (stateRank(e.state) < stateRank(prev.state)) continue;
    if (stateRank(e.state) - stateRank(prev.state) > 1) {
      return {
        ok: false,
        rule: 'transition-skip',
        message: `the repository moved \`${key}\` from ${prev.state} to ${e.state} in one change (commit ${short(e.sha)}): rollout is one state at a time`,
        allowedAt: null,
      };
    }
    const soak = soakMs(prev.state);
    const held = Date.parse(e.at) - Date.parse(prev.at);
    if (held < soak && !e.freshOverride) {
      return {
        ok: false,
        rule: 'soak',
        message: `the repository promoted \`${key}\` to ${e.state} ${formatDuration(held)} after it entered ${prev.state} (commit ${short(e.sha)}, ${when(e.at)}); ${prev.state} needs ${soak / HOUR_MS} h`,
        allowedAt: null,
      };
    }
  }
  return { ok: true, why: 'catch-up' };
}

/**
 * The gate, re-run on a promotion the plan would make, with the platform as the base: one state
 * at a time, and the soak measured from the platform's `state_changed_at`, unless a fresh
 * override came with the repository's change. A platform that is catching up (the repository
 * decided before the platform entered its current state, e.g. a fresh platform or a deploy that
 * failed half-way) is judged by the repository's history instead, as CI judged it.
 */
export function judgePromotion(
  key: string,
  from: State,
  to: State,
  platformSince: Date,
  registered: boolean,
  history: FlagHistory | undefined,
  now: Date,
): Judgement {
  const last = history?.entries.at(-1);
  const repoAt = last && last.state === to ? new Date(last.at) : null;
  const catchUp = !registered || (repoAt !== null && repoAt < platformSince);
  // A catch-up the history does not justify is judged by the platform's clock instead: once
  // the platform has run the flag for the soak, waiting has made it allowed.
  let historyProblem: { rule: RuleId; message: string } | null = null;
  if (catchUp && history) {
    const judged = justifiedByHistory(key, history, from);
    if (judged.ok) {
      const since = repoAt ? ` since ${formatTime(repoAt)}` : '';
      return {
        ok: true,
        why: registered
          ? `the repository has it at ${to}${since}, decided before the platform entered ${from}: the platform catches up`
          : `the repository has it at ${to}${since}; its history passed the gate`,
      };
    }
    historyProblem = { rule: judged.rule, message: judged.message };
  }
  const also = historyProblem ? ` (${historyProblem.message})` : '';
  if (stateRank(to) - stateRank(from) > 1) {
    return {
      ok: false,
      rule: 'transition-skip',
      message: `the platform has \`${key}\` at ${from}; going to ${to} skips a state: rollout is one state at a time${also}`,
      allowedAt: null,
    };
  }
  const soak = soakMs(from);
  const eligible = new Date(platformSince.getTime() + soak);
  if (eligible <= now) {
    return {
      ok: true,
      why: `${soak / HOUR_MS} h soak in ${from} met on the platform (since ${formatTime(platformSince)})`,
    };
  }
  const prev = history?.entries.at(-2);
  if (last && repoAt && !last.created && last.freshOverride && prev?.state === from) {
    return {
      ok: true,
      why: `soak waived by ${last.decisionMaker ?? 'an override'} (override in commit ${short(last.sha)})`,
    };
  }
  const onPlatform = registered
    ? `\`${key}\` has been ${from} on the platform only since ${formatTime(platformSince)} (${formatDuration(now.getTime() - platformSince.getTime())})`
    : `\`${key}\` is new on the platform, where it starts at alpha now`;
  return {
    ok: false,
    rule: historyProblem?.rule === 'new-flag-state' ? 'new-flag-state' : 'soak',
    message: `${onPlatform}; ${from} to ${to} needs ${soak / HOUR_MS} h there${also}`,
    allowedAt: eligible,
  };
}

export function planDeploy(facts: DeployFacts): DeployPlan {
  const { desired } = facts;
  const ctx: Ctx = {
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

  // Files that do not load: their flags keep what the platform has, loudly.
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

  for (const a of facts.actual) {
    if (ctx.desiredByKey.has(a.key) || brokenKeys.has(a.key)) continue;
    planRemoval(ctx, a, add);
  }

  linkSteps(ctx);
  propagateRefusals(ctx);
  const ordered = orderSteps(ctx);
  return { steps: ordered, inSync: inSync.sort(), violations };
}

function planFlag(
  ctx: Ctx,
  f: FlagFile,
  blocked: Violation | null,
  finalState: Map<string, State | null>,
  add: (s: DeployStep) => void,
): void {
  const { facts } = ctx;
  const key = f.flag.key;
  const a = ctx.actualByKey.get(key);
  const meta = metaOf(f);
  const history = facts.history.get(key);
  const audit = facts.audit.get(key);
  const refusedBy = (v: Violation): { kind: StepKind; rule: RuleId; reason: string } => ({
    kind: 'refused',
    rule: v.rule,
    reason: `${v.file ?? key}${v.line ? `:${v.line}` : ''}: ${v.message}`,
  });

  // Archived by someone else after the repository last changed the flag: theirs, for now.
  const archived = a ? undefined : latest(audit, (e) => e.action === AUDIT_ARCHIVED);
  if (archived && archived.actor !== DEPLOY_ACTOR) {
    const repoAt = history?.lastChangedAt ?? null;
    if (repoAt === null || Date.parse(repoAt) <= Date.parse(archived.at)) {
      add(
        step({
          id: `${key}:register`,
          flag: key,
          action: 'register',
          kind: 'drift',
          rule: 'drift',
          changedBy: { actor: archived.actor, at: archived.at },
          reason: `\`${key}\` was archived on the platform by \`${archived.actor}\` at ${when(archived.at)}, after the repository last changed it${repoAt ? ` (${when(repoAt)})` : ''}: left alone. Change the flag in the repository to bring it back, or delete its file`,
        }),
      );
      finalState.set(key, null);
      return;
    }
  }

  // Metadata: the repository owns description, owner and dependencies.
  if (!a) {
    add(
      step({
        id: `${key}:register`,
        flag: key,
        action: 'register',
        kind: 'apply',
        to: 'alpha',
        meta,
        reason: `new in the repository (${f.file}); registered at alpha`,
        ...(blocked ? refusedBy(blocked) : {}),
      }),
    );
  } else if (!sameMeta(a, meta)) {
    const fields = [
      a.description !== meta.description ? 'description' : null,
      a.owner !== meta.owner ? 'owner' : null,
      !isDeepStrictEqual(a.depends_on, meta.depends_on) ? 'depends_on' : null,
    ].filter((x) => x !== null);
    add(
      step({
        id: `${key}:update`,
        flag: key,
        action: 'update',
        kind: 'apply',
        from: a.state,
        to: a.state,
        meta,
        reason: `${fields.join(', ')} changed in the repository`,
        ...(blocked ? refusedBy(blocked) : {}),
      }),
    );
  }
  const registered = a !== undefined;
  const platformState: State = a?.state ?? 'alpha';
  const target = f.flag.state;
  let final: State | null = blocked && !a ? null : platformState;

  if (target !== platformState) {
    const lastChange = latest(audit, (e) => e.action === AUDIT_STATE_CHANGED);
    const repoEntry = history?.entries.at(-1);
    const repoAt = repoEntry && repoEntry.state === target ? repoEntry.at : null;
    const up = stateRank(target) > stateRank(platformState);
    const action: StepAction = up ? 'promote' : 'demote';
    const base = { flag: key, action, from: platformState, to: target };
    const someoneElse =
      registered &&
      lastChange !== undefined &&
      lastChange.actor !== DEPLOY_ACTOR &&
      (repoAt === null || Date.parse(repoAt) <= Date.parse(lastChange.at));
    if (someoneElse) {
      add(
        step({
          ...base,
          id: `${key}:${action}:${target}`,
          kind: 'drift',
          rule: 'drift',
          changedBy: { actor: lastChange.actor, at: lastChange.at },
          reason: `the platform has \`${key}\` at ${platformState}, set by \`${lastChange.actor}\` at ${when(lastChange.at)}${lastChange.old_state ? ` (from ${lastChange.old_state})` : ''}, after the repository last changed its state${repoAt ? ` (${when(repoAt)}, to ${target})` : ''}: left alone, not overwritten. Bring the repository in line (e.g. \`flags revert ${key}\`), or change its state in the repository again to take it back`,
        }),
      );
    } else if (!up) {
      add(
        step({
          ...base,
          id: `${key}:demote:${target}`,
          kind: 'apply',
          reason: repoAt
            ? `reverted in the repository (${when(repoAt)}); demotions need no soak`
            : 'lower in the repository; demotions need no soak',
        }),
      );
      final = target;
    } else if (blocked) {
      add(step({ ...base, id: `${key}:promote:${target}`, ...refusedBy(blocked) }));
    } else {
      const since = a ? new Date(a.state_changed_at) : facts.now;
      let judged = judgePromotion(
        key,
        platformState,
        target,
        since,
        registered,
        history,
        facts.now,
      );
      if (judged.ok) judged = dependenciesReached(ctx, f, target, finalState) ?? judged;
      if (judged.ok) {
        let from = platformState;
        for (const s of STATES.slice(stateRank(platformState) + 1, stateRank(target) + 1)) {
          add(
            step({
              flag: key,
              action: 'promote',
              id: `${key}:promote:${s}`,
              kind: 'apply',
              from,
              to: s,
              reason: judged.why,
            }),
          );
          from = s;
        }
        final = target;
      } else {
        add(
          step({
            ...base,
            id: `${key}:promote:${target}`,
            kind: 'refused',
            rule: judged.rule,
            allowedAt: judged.allowedAt ? isoTime(judged.allowedAt) : null,
            reason: judged.message,
          }),
        );
      }
    }
  }
  finalState.set(key, final);

  // Staff enables for alpha_orgs: an org the repository removed is disabled; one that someone
  // else toggled after the repository last listed or removed it is drift.
  const wanted = desiredOrgs(f);
  const have = new Set(a?.orgs_enabled ?? []);
  const orgChangedAt = (org: string): string | null => history?.orgsChangedAt[org] ?? null;
  const lastToggle = (org: string): AuditEntry | undefined =>
    latest(
      audit,
      (e) => e.org === org && (e.action === AUDIT_ORG_ENABLED || e.action === AUDIT_ORG_DISABLED),
    );
  const toggleDrift = (org: string, enable: boolean): DeployStep | null => {
    const t = lastToggle(org);
    const repoAt = orgChangedAt(org);
    const byOther = t !== undefined && t.actor !== DEPLOY_ACTOR;
    if (enable) {
      // In the file, off on the platform: drift only if someone else disabled it after the
      // repository listed it.
      if (!byOther || t.action !== AUDIT_ORG_DISABLED) return null;
      if (repoAt !== null && Date.parse(repoAt) > Date.parse(t.at)) return null;
    } else {
      // On for the platform, not in the file: deploy turns off what it (or the file) turned on.
      if (t && !byOther) return null;
      if (repoAt !== null && (!t || Date.parse(repoAt) > Date.parse(t.at))) return null;
    }
    const id = `${key}:${enable ? 'enable-org' : 'disable-org'}:${org}`;
    return step({
      id,
      flag: key,
      action: enable ? 'enable-org' : 'disable-org',
      kind: 'drift',
      org,
      from: platformState,
      to: platformState,
      rule: 'drift',
      changedBy: t ? { actor: t.actor, at: t.at } : null,
      reason: t
        ? `\`${org}\` was ${enable ? 'disabled' : 'enabled'} for \`${key}\` by \`${t.actor}\` at ${when(t.at)}, after the repository last ${enable ? 'listed' : 'changed'} it: left alone. Change \`alpha_orgs\` in the repository to take it back`
        : `\`${org}\` is enabled for \`${key}\` on the platform but was never in its \`alpha_orgs\`: left alone`,
    });
  };
  for (const org of wanted) {
    if (have.has(org)) continue;
    const drift = registered ? toggleDrift(org, true) : null;
    add(
      drift ??
        step({
          id: `${key}:enable-org:${org}`,
          flag: key,
          action: 'enable-org',
          kind: 'apply',
          org,
          from: platformState,
          to: platformState,
          reason: `listed in \`alpha_orgs\` (staff enable)`,
          ...(blocked ? refusedBy(blocked) : {}),
        }),
    );
  }
  for (const org of [...have].sort()) {
    if (wanted.includes(org)) continue;
    add(
      toggleDrift(org, false) ??
        step({
          id: `${key}:disable-org:${org}`,
          flag: key,
          action: 'disable-org',
          kind: 'apply',
          org,
          from: platformState,
          to: platformState,
          reason: `no longer in \`alpha_orgs\``,
        }),
    );
  }
}

/** dependency-order on the platform: every dependency at the new state once this plan is done. */
function dependenciesReached(
  ctx: Ctx,
  f: FlagFile,
  to: State,
  finalState: Map<string, State | null>,
): Judgement | null {
  for (const dep of f.flag.depends_on ?? []) {
    const depState = finalState.has(dep)
      ? finalState.get(dep)!
      : (ctx.actualByKey.get(dep)?.state ?? null);
    if (depState !== null && stateRank(depState) >= stateRank(to)) continue;
    const depStep = [...ctx.steps.values()].find(
      (s) =>
        s.flag === dep && s.kind !== 'apply' && (s.action === 'promote' || s.action === 'register'),
    );
    const why = depStep
      ? ` (its own change is ${depStep.kind === 'drift' ? 'drift' : `refused: ${depStep.rule}`})`
      : '';
    return {
      ok: false,
      rule: 'dependency-order',
      message: `\`${f.flag.key}\` goes to ${to} but its dependency \`${dep}\` ${depState ? `stays at ${depState}` : 'is not'} on the platform${why}: the platform would refuse it (409 FLAG_DEPENDENCY); promote \`${dep}\` first`,
      allowedAt: null,
    };
  }
  return null;
}

function planRemoval(ctx: Ctx, a: PlatformFlag, add: (s: DeployStep) => void): void {
  const { facts } = ctx;
  const base = {
    id: `${a.key}:archive`,
    flag: a.key,
    action: 'archive' as const,
    from: a.state,
    to: null,
  };
  if (!facts.removedKeys.has(a.key)) {
    add(
      step({
        ...base,
        kind: 'drift',
        rule: 'drift',
        reason: `\`${a.key}\` is on the platform but was never in this repository (registered by hand?): left alone`,
      }),
    );
    return;
  }
  const dependents = [...ctx.desiredByKey.values()]
    .filter((f) => f.flag.depends_on?.includes(a.key))
    .map((f) => f.flag.key);
  const refuse = (message: string, allowedAt: Date | null = null): void =>
    add(
      step({
        ...base,
        kind: 'refused',
        rule: 'removal',
        reason: message,
        allowedAt: allowedAt ? isoTime(allowedAt) : null,
      }),
    );
  // Judged by the platform's clock: it is the platform's ga that has to have lasted 7 days.
  const [block] = removalBlocks({
    key: a.key,
    state: a.state,
    since: new Date(a.state_changed_at),
    dependents,
    now: facts.now,
  });
  if (block) return refuse(`on the platform: ${block.message}`, block.allowedAt);
  add(
    step({
      ...base,
      kind: 'apply',
      reason: 'deleted from the repository; archived on the platform',
    }),
  );
}

/** Keys with their dependencies first (Kahn); members of a cycle last, by key. */
function dependencyOrder(byKey: ReadonlyMap<string, FlagFile>): string[] {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [key, f] of byKey) {
    const deps = (f.flag.depends_on ?? []).filter((d) => byKey.has(d) && d !== key);
    pending.set(key, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), key]);
  }
  const ready = [...pending]
    .filter(([, n]) => n === 0)
    .map(([k]) => k)
    .sort();
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const key = ready[i]!;
    order.push(key);
    for (const d of dependents.get(key) ?? []) {
      const n = pending.get(d)! - 1;
      pending.set(d, n);
      if (n === 0) ready.push(d);
    }
  }
  const seen = new Set(order);
  return [...order, ...[...byKey.keys()].filter((k) => !seen.has(k)).sort()];
}

/** The `after` edges: dependencies first on the way up, dependents first on the way down. */
function linkSteps(ctx: Ctx): void {
  const { steps } = ctx;
  const has = (id: string): boolean => steps.has(id);
  const platformDependents = new Map<string, string[]>();
  for (const a of ctx.facts.actual) {
    for (const d of a.depends_on)
      platformDependents.set(d, [...(platformDependents.get(d) ?? []), a.key]);
  }
  const repoDependents = new Map<string, string[]>();
  for (const f of ctx.desiredByKey.values()) {
    for (const d of f.flag.depends_on ?? [])
      repoDependents.set(d, [...(repoDependents.get(d) ?? []), f.flag.key]);
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
        // A catch-up goes one state at a time: alpha -> beta, then beta -> ga.
        if (s.from) need(`${s.flag}:promote:${s.from}`);
        if (s.to) for (const d of deps) need(`${d}:promote:${s.to}`);
        break;
      }
      case 'demote':
        for (const dependent of new Set([
          ...(repoDependents.get(s.flag) ?? []),
          ...(platformDependents.get(s.flag) ?? []),
        ])) {
          for (const st of STATES) need(`${dependent}:demote:${st}`);
        }
        break;
      case 'enable-org':
      case 'disable-org':
        need(`${s.flag}:register`);
        break;
      case 'archive':
        for (const dependent of platformDependents.get(s.flag) ?? []) {
          need(`${dependent}:archive`);
          need(`${dependent}:update`);
        }
        break;
    }
    s.after = [...after].sort();
  }
}

/** An apply step waiting for a step that will not be applied cannot be applied either. */
function propagateRefusals(ctx: Ctx): void {
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
      s.kind = 'refused';
      s.rule = blocker.rule === 'drift' ? 'dependency-order' : (blocker.rule ?? 'dependency-order');
      s.reason = `waits for \`${blocker.id}\`, which is ${blocker.kind === 'drift' ? 'drift' : 'refused'}: ${blocker.reason}`;
      s.allowedAt = blocker.allowedAt;
      changed = true;
    }
  }
}

const PHASE: Record<StepAction, number> = {
  register: 0,
  update: 1,
  'disable-org': 2,
  demote: 3,
  promote: 4,
  'enable-org': 5,
  archive: 6,
};

/** Apply steps in a topological order of `after` (stable: phase, then flag); then the rest. */
function orderSteps(ctx: Ctx): DeployStep[] {
  const apply = [...ctx.steps.values()].filter((s) => s.kind === 'apply');
  const byId = new Map(apply.map((s) => [s.id, s]));
  const waiting = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const s of apply) {
    waiting.set(s.id, s.after.length);
    for (const id of s.after) next.set(id, [...(next.get(id) ?? []), s.id]);
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
      for (const id of next.get(s.id) ?? []) {
        const n = waiting.get(id)! - 1;
        waiting.set(id, n);
        if (n === 0) freed.push(byId.get(id)!);
      }
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
    ...rest.filter((s) => s.kind === 'drift'),
  ];
}
