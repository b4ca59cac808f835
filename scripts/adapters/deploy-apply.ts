// Applies a deploy plan's steps through the platform API and reads the result back. Steps run
// as soon as every step they wait for has succeeded, a few at a time; each write names its actor
// (X-Actor) and carries an Idempotency-Key derived from the commit and the step, so a retried
// request or a re-run deploy can never apply a change twice. A failed step's dependents are not
// attempted; once the platform stops answering, nothing more is started. Demotions (reverts) go
// first, and nothing else starts until each has succeeded or failed: a revert is never held
// behind unrelated steps, and a platform that stops answering midway has already taken it.
import { createHash } from 'node:crypto';
import {
  ADOPT_ACTOR,
  AUDIT_STATE_CHANGED,
  DEPLOY_ACTOR,
  type DeployStep,
} from '../core/deploy-plan.ts';
import type { State } from '../core/model.ts';
import {
  PlatformError,
  type PlatformApi,
  type PlatformFlag,
  type WriteOptions,
} from '../core/platform-model.ts';
import { PlatformUnreachableError } from './platform-client.ts';

/** The platform calls a deploy makes: PlatformApi's, whatever the org toggle answers. */
export type DeployApi = Omit<PlatformApi, 'setOrgEnabled' | 'setOptIn'> & {
  setOrgEnabled(org: string, key: string, enabled: boolean, opts?: WriteOptions): Promise<unknown>;
};

export type StepOutcome = 'applied' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  outcome: StepOutcome;
  /** Why it failed or was skipped; what the platform said for an applied step. */
  message: string | null;
  /** Whether the platform changed anything (false: it already was so). */
  changed: boolean | null;
  idempotencyKey: string;
}

export interface ApplyOptions {
  api: DeployApi;
  /** Apply steps in plan order; `after` refers to steps of this list. */
  steps: readonly DeployStep[];
  /** The deployed commit. */
  head: string;
  actor?: string;
  /** Steps in flight at once (default 8). */
  concurrency?: number;
  onResult?: (step: DeployStep, result: StepResult) => void;
}

/** Same commit, same step, same platform starting point: same key, whoever runs it. */
export function idempotencyKey(head: string, s: DeployStep): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([head, s.id, s.action, s.from, s.to, s.org, s.meta]))
    .digest('base64url')
    .slice(0, 32);
  return `flags-deploy-${head.slice(0, 12)}-${digest}`;
}

export async function applySteps(options: ApplyOptions): Promise<Map<string, StepResult>> {
  const { api, steps, head } = options;
  const actor = options.actor ?? DEPLOY_ACTOR;
  const limit = Math.max(1, options.concurrency ?? 8);
  const results = new Map<string, StepResult>();
  const ids = new Set(steps.map((s) => s.id));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, DeployStep[]>();
  for (const s of steps) {
    const after = s.after.filter((id) => ids.has(id));
    waiting.set(s.id, after.length);
    for (const id of after) dependents.set(id, [...(dependents.get(id) ?? []), s]);
  }
  const ready = new ReadySteps(steps);
  for (const s of steps) if (waiting.get(s.id) === 0) ready.add(s);
  let stopped = null as string | null;
  const record = (s: DeployStep, result: StepResult): void => {
    results.set(s.id, result);
    ready.finished(s);
    options.onResult?.(s, result);
  };
  const skipDependents = (s: DeployStep, why: string): void => {
    for (const d of dependents.get(s.id) ?? []) {
      if (results.has(d.id)) continue;
      record(d, {
        id: d.id,
        outcome: 'skipped',
        message: why,
        changed: null,
        idempotencyKey: idempotencyKey(head, d),
      });
      skipDependents(d, why);
    }
  };

  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = (): void => {
      while (running < limit && stopped === null) {
        const s = ready.take();
        if (!s) break;
        if (results.has(s.id)) continue;
        running++;
        void runStep(api, s, head, actor).then((result) => {
          running--;
          record(s, result);
          if (result.outcome === 'applied') {
            for (const d of dependents.get(s.id) ?? []) {
              const n = waiting.get(d.id)! - 1;
              waiting.set(d.id, n);
              if (n === 0) ready.add(d);
            }
          } else {
            if (result.unreachable) stopped = result.message;
            skipDependents(s, `not attempted: \`${s.id}\` failed`);
          }
          pump();
        });
      }
      if (running === 0) resolve();
    };
    pump();
  });

  for (const s of steps) {
    if (results.has(s.id)) continue;
    record(s, {
      id: s.id,
      outcome: 'skipped',
      message: stopped
        ? `not attempted: the platform stopped answering (${stopped})`
        : 'not attempted',
      changed: null,
      idempotencyKey: idempotencyKey(head, s),
    });
  }
  return results;
}

/**
 * Steps ready to start, in plan order: demotions first, and nothing else until every demotion
 * has an outcome (applied, failed or skipped).
 */
class ReadySteps {
  private readonly urgent: DeployStep[] = [];
  private readonly rest: DeployStep[] = [];
  private nextUrgent = 0;
  private nextRest = 0;
  private demotionsLeft: number;

  constructor(steps: readonly DeployStep[]) {
    this.demotionsLeft = steps.filter((s) => s.action === 'demote').length;
  }

  add(s: DeployStep): void {
    (s.action === 'demote' ? this.urgent : this.rest).push(s);
  }

  finished(s: DeployStep): void {
    if (s.action === 'demote') this.demotionsLeft--;
  }

  take(): DeployStep | undefined {
    if (this.nextUrgent < this.urgent.length) return this.urgent[this.nextUrgent++];
    if (this.demotionsLeft > 0 || this.nextRest >= this.rest.length) return undefined;
    return this.rest[this.nextRest++];
  }
}

async function runStep(
  api: DeployApi,
  s: DeployStep,
  head: string,
  actor: string,
): Promise<StepResult & { unreachable?: boolean }> {
  const key = idempotencyKey(head, s);
  // An adopted promotion is the operator's decision: the audit log says so.
  const write = { actor: s.adopted ? ADOPT_ACTOR : actor, idempotencyKey: key };
  const ok = (changed: boolean | null, message: string | null = null): StepResult => ({
    id: s.id,
    outcome: 'applied',
    message,
    changed,
    idempotencyKey: key,
  });
  try {
    switch (s.action) {
      case 'register':
      case 'update': {
        const { created } = await api.putFlag(s.flag, s.meta!, write);
        return ok(
          s.action === 'register' ? created : true,
          created ? 'registered at alpha (201)' : null,
        );
      }
      case 'promote':
      case 'demote': {
        const r = await api.setState(s.flag, s.to!, write);
        return ok(
          r.changed,
          r.changed ? `${r.previous_state} -> ${r.state}` : `already ${r.state}`,
        );
      }
      case 'enable-org':
      case 'disable-org':
        await api.setOrgEnabled(s.org!, s.flag, s.action === 'enable-org', write);
        return ok(null);
      case 'archive':
        await api.archiveFlag(s.flag, write);
        return ok(true, 'archived');
    }
  } catch (error) {
    return {
      id: s.id,
      outcome: 'failed',
      message: explainFailure(s, error),
      changed: null,
      idempotencyKey: key,
      unreachable: error instanceof PlatformUnreachableError,
    };
  }
}

/** The platform's refusal in words, with what to do (runbook, "If this didn't work"). */
export function explainFailure(s: DeployStep, error: unknown): string {
  if (!(error instanceof PlatformError)) return (error as Error).message;
  const said =
    error.status >= 500
      ? `the platform failed (${error.status} ${error.code}): ${error.message}`
      : `the platform refused (${error.status} ${error.code}): ${error.message}`;
  switch (error.code) {
    case 'FLAG_DEPENDENCY':
      return `${said}. \`${s.flag}\` depends on a flag that is still below ${s.to ?? 'the new state'} on the platform: promote the dependency first (a dependency must reach a state before its dependents). Not retried: repeating the request cannot succeed until the dependency moves`;
    case 'UNKNOWN_DEPENDENCY':
      return `${said}. A dependency of \`${s.flag}\` is not registered on the platform: its own registration must succeed first`;
    case 'HAS_DEPENDENTS':
      return `${said}. Flags on the platform still depend on \`${s.flag}\`: they must drop the dependency (or be archived) first`;
    case 'DEPENDENCY_CYCLE':
      return `${said}. The platform's dependencies and the repository's would form a cycle`;
    default:
      return said;
  }
}

export interface VerifyProblem {
  id: string;
  flag: string;
  message: string;
}

export interface VerifyResult {
  /** Flags read back. */
  checked: number;
  problems: VerifyProblem[];
  /** Opt-in count per promoted flag (the runbook's "Verify": state and per-org opt-in count). */
  optIns: Record<string, number>;
}

/**
 * The runbook's "Verify", for what was applied: /platform/feature-flags shows the new state (and
 * the opt-in count), the platform audit log has the state change with its old and new states,
 * and each toggled org's own audit log has `feature_flag.enabled` (or `.disabled`); an enabled
 * org sees the flag in its list.
 */
export async function verifyApplied(
  api: DeployApi,
  applied: readonly DeployStep[],
  concurrency = 8,
): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  const optIns: Record<string, number> = {};
  if (applied.length === 0) return { checked: 0, problems, optIns };
  const platform = new Map((await api.listFlags()).map((f) => [f.key, f]));
  const flags = new Set(applied.map((s) => s.flag));
  const lastState = new Map<string, DeployStep>();
  for (const s of applied)
    if (s.action === 'promote' || s.action === 'demote') lastState.set(s.flag, s);

  for (const s of applied) {
    const p = platform.get(s.flag);
    const problem = (message: string): void =>
      void problems.push({ id: s.id, flag: s.flag, message });
    if (s.action === 'archive') {
      if (p) problem(`\`${s.flag}\` is still listed on the platform after archiving`);
      continue;
    }
    if (!p) {
      problem(`\`${s.flag}\` is not listed on the platform`);
      continue;
    }
    if ((s.action === 'register' || s.action === 'update') && s.meta) {
      const same =
        p.description === s.meta.description &&
        p.owner === s.meta.owner &&
        p.depends_on.join(',') === s.meta.depends_on.join(',');
      if (!same)
        problem(
          `the platform's description, owner or depends_on of \`${s.flag}\` differ from the repository's`,
        );
    }
    if ((s.action === 'promote' || s.action === 'demote') && lastState.get(s.flag) === s) {
      if (p.state !== s.to) problem(`the platform shows \`${s.flag}\` at ${p.state}, not ${s.to}`);
      if (s.action === 'promote') optIns[s.flag] = p.opt_in_count;
    }
    if (s.action === 'enable-org' && !p.orgs_enabled.includes(s.org!))
      problem(`\`${s.org}\` is not enabled for \`${s.flag}\``);
    if (s.action === 'disable-org' && p.orgs_enabled.includes(s.org!))
      problem(`\`${s.org}\` is still enabled for \`${s.flag}\``);
  }

  await verifyAudit(api, [...lastState.values()], platform, problems);
  await verifyOrgs(
    api,
    applied.filter((s) => s.action === 'enable-org' || s.action === 'disable-org'),
    platform,
    problems,
    concurrency,
  );
  return { checked: flags.size, problems, optIns };
}

async function verifyAudit(
  api: DeployApi,
  changes: readonly DeployStep[],
  platform: Map<string, PlatformFlag>,
  problems: VerifyProblem[],
): Promise<void> {
  const relevant = changes.filter((s) => platform.get(s.flag)?.state === s.to);
  if (relevant.length === 0) return;
  // The last state change of a flag is stamped with its state_changed_at: one bounded call.
  const since = relevant.map((s) => platform.get(s.flag)!.state_changed_at).sort()[0]!;
  const seen = new Set<string>();
  for (const e of await api.auditLog({ since })) {
    if (e.action === AUDIT_STATE_CHANGED && e.flag)
      seen.add(`${e.flag}\0${e.old_state}\0${e.new_state}`);
  }
  for (const s of relevant) {
    if (!seen.has(`${s.flag}\0${s.from}\0${s.to}`)) {
      problems.push({
        id: s.id,
        flag: s.flag,
        message: `the platform audit log has no ${AUDIT_STATE_CHANGED} ${s.from} -> ${s.to} for \`${s.flag}\``,
      });
    }
  }
}

async function verifyOrgs(
  api: DeployApi,
  toggles: readonly DeployStep[],
  platform: Map<string, PlatformFlag>,
  problems: VerifyProblem[],
  concurrency: number,
): Promise<void> {
  const byOrg = new Map<string, DeployStep[]>();
  for (const s of toggles) byOrg.set(s.org!, [...(byOrg.get(s.org!) ?? []), s]);
  await mapLimit([...byOrg], concurrency, async ([org, list]) => {
    const enabledAny = list.some((s) => s.action === 'enable-org');
    const [log, visible] = await Promise.all([
      api.orgAuditLog(org),
      enabledAny ? api.orgFlags(org) : Promise.resolve([]),
    ]);
    for (const s of list) {
      const enable = s.action === 'enable-org';
      const want = enable ? 'feature_flag.enabled' : 'feature_flag.disabled';
      const lastEntry = log
        .filter((e) => e.flag === s.flag && e.action.startsWith('feature_flag.'))
        .at(-1);
      if (lastEntry?.action !== want) {
        problems.push({
          id: s.id,
          flag: s.flag,
          message: `\`${org}\`'s audit log does not end with ${want} for \`${s.flag}\``,
        });
      }
      const state: State | undefined = platform.get(s.flag)?.state;
      if (enable && state !== undefined && !visible.includes(s.flag)) {
        problems.push({
          id: s.id,
          flag: s.flag,
          message: `\`${org}\` does not see \`${s.flag}\` in its flag list`,
        });
      }
    }
  });
}

/** Runs `work` over `items`, at most `limit` at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
