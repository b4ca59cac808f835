// A flag's own steps: its registration or metadata update, its state transition (a revert, or a
// promotion judged by the gate), and its alpha orgs; or nothing, when someone else archived it.
import { isDeepStrictEqual } from 'node:util';
import {
  STATES,
  stateRank,
  type FlagFile,
  type RuleId,
  type State,
  type Violation,
} from '../model.ts';
import type { AuditEntry, PlatformFlag } from '../platform-model.ts';
import { isoTime } from '../time.ts';
import { planAlphaOrgs } from './alpha-org-steps.ts';
import { metaOf, sameMeta } from './facts-needed.ts';
import {
  AUDIT_ARCHIVED,
  AUDIT_STATE_CHANGED,
  isDeployActor,
  latest,
  step,
  when,
  type DeployStep,
  type FlagHistory,
  type PlanContext,
  type StepAction,
  type StepKind,
} from './model.ts';
import {
  dependenciesReached,
  judgePromotion,
  type PromotionJudgement,
} from './promotion-judgement.ts';

type Add = (s: DeployStep) => void;
type Refusal = { kind: StepKind; rule: RuleId; reason: string };

interface FlagInput {
  ctx: PlanContext;
  f: FlagFile;
  a: PlatformFlag | undefined;
  history: FlagHistory | undefined;
  audit: readonly AuditEntry[] | undefined;
  /** The file's own error, which refuses everything but a revert. */
  refused: Refusal | null;
}

export function planFlag(
  ctx: PlanContext,
  f: FlagFile,
  blocked: Violation | null,
  finalState: Map<string, State | null>,
  add: Add,
): void {
  const key = f.flag.key;
  const input: FlagInput = {
    ctx,
    f,
    a: ctx.actualByKey.get(key),
    history: ctx.facts.history.get(key),
    audit: ctx.facts.audit.get(key),
    refused: blocked
      ? {
          kind: 'refused',
          rule: blocked.rule,
          reason: `${blocked.file ?? key}${blocked.line ? `:${blocked.line}` : ''}: ${blocked.message}`,
        }
      : null,
  };
  if (archivedByOther(input, add)) {
    finalState.set(key, null);
    return;
  }
  planMetadata(input, add);
  finalState.set(key, planState(input, finalState, add));
  planAlphaOrgs(input, add);
}

/** Archived by someone else after the repository last changed the flag: theirs, for now. */
function archivedByOther({ f, a, history, audit }: FlagInput, add: Add): boolean {
  const key = f.flag.key;
  const archived = a ? undefined : latest(audit, (e) => e.action === AUDIT_ARCHIVED);
  if (!archived || isDeployActor(archived.actor)) return false;
  const repoAt = history?.lastChangedAt ?? null;
  if (repoAt !== null && Date.parse(repoAt) > Date.parse(archived.at)) return false;
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
  return true;
}

/** The repository owns description, owner and dependencies. */
function planMetadata({ f, a, refused }: FlagInput, add: Add): void {
  const key = f.flag.key;
  const meta = metaOf(f);
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
        ...(refused ?? {}),
      }),
    );
    return;
  }
  if (sameMeta(a, meta)) return;
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
      ...(refused ?? {}),
    }),
  );
}

/** The state transition; returns the state the flag will have on the platform afterwards. */
function planState(
  input: FlagInput,
  finalState: Map<string, State | null>,
  add: Add,
): State | null {
  const { f, a, history, audit, refused } = input;
  const key = f.flag.key;
  const registered = a !== undefined;
  const platformState: State = a?.state ?? 'alpha';
  const target = f.flag.state;
  const unchanged: State | null = refused && !a ? null : platformState;
  if (target === platformState) return unchanged;

  const lastChange = latest(audit, (e) => e.action === AUDIT_STATE_CHANGED);
  const repoEntry = history?.entries.at(-1);
  const repoAt = repoEntry && repoEntry.state === target ? repoEntry.at : null;
  const up = stateRank(target) > stateRank(platformState);
  const action: StepAction = up ? 'promote' : 'demote';
  const base = { flag: key, action, from: platformState, to: target };
  const someoneElse =
    registered &&
    lastChange !== undefined &&
    !isDeployActor(lastChange.actor) &&
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
    return unchanged;
  }
  if (!up) {
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
    return target;
  }
  if (refused) {
    add(step({ ...base, id: `${key}:promote:${target}`, ...refused }));
    return unchanged;
  }
  return planPromotion(input, finalState, add);
}

/** A promotion, judged with the platform as the witness; returns the state it reaches now. */
function planPromotion(
  input: FlagInput,
  finalState: Map<string, State | null>,
  add: Add,
): State | null {
  const { ctx, f, a, history } = input;
  const { facts } = ctx;
  const key = f.flag.key;
  const registered = a !== undefined;
  const platformState: State = a?.state ?? 'alpha';
  const target = f.flag.state;
  const unchanged: State | null = platformState;
  const base = { flag: key, action: 'promote' as const, from: platformState, to: target };
  const judged = judgePromotion({
    key,
    from: platformState,
    to: target,
    platformSince: a ? new Date(a.state_changed_at) : facts.now,
    registered,
    history,
    now: facts.now,
    adopt: facts.adopt,
  });
  const wait = (b: Extract<PromotionJudgement, { ok: false }>): State | null => {
    const to = b.held ? b.to : target;
    add(
      step({
        ...base,
        id: `${key}:promote:${to}`,
        to,
        kind: b.held ? 'held' : 'refused',
        rule: b.rule,
        allowedAt: b.allowedAt ? isoTime(b.allowedAt) : null,
        reason: b.message,
      }),
    );
    return unchanged;
  };
  if (!judged.ok) return wait(judged);
  const dependency = dependenciesReached(ctx, f, judged.reach, finalState);
  if (dependency) return wait(dependency);
  let from = platformState;
  for (const s of STATES.slice(stateRank(platformState) + 1, stateRank(judged.reach) + 1)) {
    add(
      step({
        flag: key,
        action: 'promote',
        id: `${key}:promote:${s}`,
        kind: 'apply',
        from,
        to: s,
        reason: judged.why,
        adopted: judged.adopted,
      }),
    );
    from = s;
  }
  if (judged.then) {
    const { to, allowedAt, message } = judged.then;
    add(
      step({
        ...base,
        id: `${key}:promote:${to}`,
        from: judged.reach,
        to,
        kind: 'held',
        rule: 'soak',
        allowedAt: isoTime(allowedAt),
        reason: message,
      }),
    );
  }
  return judged.reach;
}
