// Applies a deploy plan's steps through the platform API; deploy-verify.ts reads the result
// back. Steps run as soon as every step they wait for has succeeded, a few at a time; each write
// names its actor (X-Actor) and carries an Idempotency-Key derived from the commit and the step,
// so a retried request or a re-run deploy can never apply a change twice. A failed step's
// dependents are not attempted; once the platform stops answering, nothing more is started.
// Demotions (reverts) go first, and nothing else starts until each has succeeded or failed: a
// revert is never held behind unrelated steps, and a platform that stops answering midway has
// already taken it.
import { createHash } from 'node:crypto';
import { ADOPT_ACTOR, DEPLOY_ACTOR, type DeployStep } from '../core/deploy-plan.ts';
import { PlatformError } from '../core/platform-model.ts';
import { PlatformUnreachableError } from './platform-client.ts';
import type { DeployApi } from './deploy-api.ts';

// Verifying the applied steps has its own file; these names stay importable from here.
export { mapLimit, type DeployApi } from './deploy-api.ts';
export { verifyApplied, type VerifyProblem, type VerifyResult } from './deploy-verify.ts';

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
