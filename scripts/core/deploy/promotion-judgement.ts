// The judgement of a transition at deploy time: the gate, re-run on a promotion the plan would
// make, with the platform as the base, and the dependency order the platform itself enforces.
import {
  HOUR_MS,
  soakMs,
  STATES,
  stateRank,
  type FlagFile,
  type RuleId,
  type State,
} from '../model.ts';
import { formatDuration, formatTime } from '../time.ts';
import { short, when, type FlagHistory, type PlanContext } from './model.ts';

export type Judgement =
  { ok: true; why: string } | { ok: false; rule: RuleId; message: string; allowedAt: Date | null };

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

export interface PromotionInput {
  key: string;
  /** The platform's state (alpha for a flag it does not have yet: it is registered there). */
  from: State;
  /** The repository's state. */
  to: State;
  /** Since when the platform has served `from` (now for a flag it does not have yet). */
  platformSince: Date;
  registered: boolean;
  history: FlagHistory | undefined;
  now: Date;
  /** The operator takes the repository's history as the witness for unregistered flags. */
  adopt?: boolean;
}

/** A promotion the platform's clock does not allow yet. */
export interface Hold {
  to: State;
  allowedAt: Date;
  message: string;
}

export type PromotionJudgement =
  | {
      ok: true;
      why: string;
      /** The state the plan takes the flag to now (one state at a time, up to `to`). */
      reach: State;
      /** The repository's history stood witness (--adopt), not the platform's clock. */
      adopted: boolean;
      /** The step after `reach`, waiting for the platform to serve `reach` for its soak. */
      then: Hold | null;
    }
  | ({ ok: false; held: true; rule: RuleId } & Hold)
  | { ok: false; held: false; rule: RuleId; message: string; allowedAt: Date | null };

const nextState = (s: State): State => STATES[Math.min(stateRank(s) + 1, STATES.length - 1)]!;

/**
 * The gate, re-run on a promotion the plan would make, with the platform as the witness: a state
 * the platform has not served is reached only on the platform's own clock, one state at a time,
 * each after its soak from the platform's `state_changed_at` (or with a fresh override of exactly
 * that transition, for a flag the platform has). What waiting will allow is held (not a failure)
 * when the repository's own history passed the gate, and refused when it did not. `adopt` lets
 * the repository's history stand witness for a flag the platform does not have yet.
 */
export function judgePromotion(input: PromotionInput): PromotionJudgement {
  const { key, from, to, platformSince, registered, history, now } = input;
  const last = history?.entries.at(-1);
  const repoAt = last && last.state === to ? new Date(last.at) : null;
  const repo = history ? justifiedByHistory(key, history, from) : null;
  if (!registered && input.adopt && history) {
    const adopted = justifiedByHistory(key, history, 'alpha');
    if (adopted.ok) {
      return {
        ok: true,
        reach: to,
        adopted: true,
        then: null,
        why: `adopted (--adopt): the repository has it at ${to}${repoAt ? ` since ${formatTime(repoAt)}` : ''} and its history passed the gate; the operator took that history as the witness`,
      };
    }
  }
  const also = repo && !repo.ok ? ` (${repo.message})` : '';
  if (stateRank(to) - stateRank(from) > 1 && repo?.ok !== true) {
    return {
      ok: false,
      held: false,
      rule: 'transition-skip',
      message: `the platform has \`${key}\` at ${from}; going to ${to} skips a state: rollout is one state at a time${also}`,
      allowedAt: null,
    };
  }
  const next = nextState(from);
  const soak = soakMs(from);
  const eligible = new Date(platformSince.getTime() + soak);
  let why: string | null = null;
  if (eligible <= now) {
    why = `${soak / HOUR_MS} h soak in ${from} met on the platform (since ${formatTime(platformSince)})`;
  } else {
    const prev = history?.entries.at(-2);
    const waived = registered && next === to && repoAt && !last!.created && last!.freshOverride;
    if (waived && prev?.state === from)
      why = `soak waived by ${last!.decisionMaker ?? 'an override'} (override in commit ${short(last!.sha)})`;
  }
  if (why === null) {
    const onPlatform = registered
      ? `\`${key}\` has been ${from} on the platform only since ${formatTime(platformSince)} (${formatDuration(now.getTime() - platformSince.getTime())})`
      : `\`${key}\` is new on the platform, where it starts at alpha now`;
    const message = `${onPlatform}; ${from} to ${next} needs ${soak / HOUR_MS} h there`;
    if (repo?.ok !== false)
      return { ok: false, held: true, rule: 'soak', to: next, allowedAt: eligible, message };
    return {
      ok: false,
      held: false,
      rule: repo.rule === 'new-flag-state' ? 'new-flag-state' : 'soak',
      message: `${message}${also}`,
      allowedAt: eligible,
    };
  }
  if (next === to) return { ok: true, why, reach: to, adopted: false, then: null };
  // The platform enters `next` now: the step after it waits for that state's soak there.
  const after = nextState(next);
  return {
    ok: true,
    why,
    reach: next,
    adopted: false,
    then: {
      to: after,
      allowedAt: new Date(now.getTime() + soakMs(next)),
      message: `\`${key}\` enters ${next} on the platform with this deploy; ${next} to ${after} needs ${soakMs(next) / HOUR_MS} h there`,
    },
  };
}

/**
 * dependency-order on the platform: every dependency at the new state once this plan is done.
 * A dependency that is held makes its dependent wait with it, until the later of the two.
 */
export function dependenciesReached(
  ctx: PlanContext,
  f: FlagFile,
  to: State,
  finalState: Map<string, State | null>,
): Extract<PromotionJudgement, { ok: false }> | null {
  for (const dep of f.flag.depends_on ?? []) {
    const depState = finalState.has(dep)
      ? finalState.get(dep)!
      : (ctx.actualByKey.get(dep)?.state ?? null);
    if (depState !== null && stateRank(depState) >= stateRank(to)) continue;
    const depStep = [...ctx.steps.values()].find(
      (s) =>
        s.flag === dep && s.kind !== 'apply' && (s.action === 'promote' || s.action === 'register'),
    );
    if (depStep?.kind === 'held' && depStep.allowedAt) {
      return {
        ok: false,
        held: true,
        rule: 'dependency-order',
        to,
        allowedAt: new Date(depStep.allowedAt),
        message: `\`${f.flag.key}\` goes to ${to} after its dependency \`${dep}\`, which is held: ${depStep.reason}`,
      };
    }
    const why = depStep
      ? ` (its own change is ${depStep.kind === 'drift' ? 'drift' : `refused: ${depStep.rule}`})`
      : '';
    return {
      ok: false,
      held: false,
      rule: 'dependency-order',
      message: `\`${f.flag.key}\` goes to ${to} but its dependency \`${dep}\` ${depState ? `stays at ${depState}` : 'is not'} on the platform${why}: the platform would refuse it (409 FLAG_DEPENDENCY); promote \`${dep}\` first`,
      allowedAt: null,
    };
  }
  return null;
}
