// The judgement of a transition at deploy time: the gate, re-run on a promotion the plan would
// make, with the platform as the base, and the dependency order the platform itself enforces.
import { HOUR_MS, soakMs, stateRank, type FlagFile, type RuleId, type State } from '../model.ts';
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

/** dependency-order on the platform: every dependency at the new state once this plan is done. */
export function dependenciesReached(
  ctx: PlanContext,
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
