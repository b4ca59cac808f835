// `flags plan` and `flags deploy`, start to finish: read the deployed commit's flags (git
// objects, not the work tree), the platform's flags, and only then the few outside facts the
// plan needs (history of the flags that differ, the audit entries that say who changed them);
// plan; apply; read back and verify; report. The plan itself is pure (core/deploy-plan.ts).
import { announcementsFor, type Announcement } from '../core/announcements.ts';
import {
  archivedByOthers,
  DEPLOY_ACTOR,
  factsNeeded,
  planDeploy,
  type DeployPlan,
  type DeployStep,
  type FactsNeeded,
  type FlagHistory,
} from '../core/deploy-plan.ts';
import { EvaluationError, UsageError } from '../core/errors.ts';
import { flagsByKey } from '../core/load.ts';
import type { FlagSet, State, Violation } from '../core/model.ts';
import { PlatformError, type AuditEntry } from '../core/platform-model.ts';
import { isoTime } from '../core/time.ts';
import {
  applySteps,
  idempotencyKey,
  type DeployApi,
  mapLimit,
  verifyApplied,
  type StepResult,
  type VerifyResult,
} from './deploy-apply.ts';
import { requireBranchTip, type BranchCheck } from './deploy-branch.ts';
import { flagHistories, removedFlagKeys } from './flag-history.ts';
import { GitRepo } from './git.ts';
import { flagsAt } from './repo-at-commits.ts';
import { platformFromEnv } from './platform-client.ts';

export interface DeployOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  now: Date;
  dryRun: boolean;
  command: 'plan' | 'deploy';
  platformUrl?: string;
  /** A platform to use instead of one from the URL and token (benchmarks, tests). */
  api?: DeployApi;
  /** Steps in flight at once (default 8). */
  concurrency?: number;
  /** Retries of each platform request after the first try (default 6). */
  retries?: number;
  /** Progress lines for people (stderr). */
  progress?: (line: string) => void;
  /**
   * The branch HEAD must be the tip of on `origin` (fetched first), or null to deploy any
   * checkout (`npm start`'s embedded platform).
   */
  branch: string | null;
  /** --adopt: the repository's history is the witness for flags the platform does not have. */
  adopt?: boolean;
}

export type ReportOutcome =
  'planned' | 'applied' | 'skipped' | 'failed' | 'refused' | 'held' | 'drifted';

export interface ReportStep extends Omit<DeployStep, 'meta'> {
  outcome: ReportOutcome;
  /** What happened when applying (the platform's answer or refusal, a verify problem). */
  message: string | null;
  idempotencyKey: string | null;
}

export interface DeployCounts {
  /** Steps deploy would make (dry run) or attempted. */
  planned: number;
  applied: number;
  /** Not attempted because a step before them failed. */
  skipped: number;
  /** Failed after retries, refused by the gate, or not verified: any of these exits 1. */
  failed: number;
  /** The part of `failed` the gate refused. */
  refused: number;
  /** Waiting for the platform's clock (a soak there): not a failure; a later deploy applies. */
  held: number;
  drifted: number;
  /** Repository flags that already matched the platform. */
  inSync: number;
}

export interface FlagReport {
  flag: string;
  applied: string[];
  planned: string[];
  skipped: string[];
  failed: string[];
  held: string[];
  drifted: string[];
}

export interface DeployReport {
  ok: boolean;
  command: 'plan' | 'deploy';
  dryRun: boolean;
  platform: string;
  /** The deployed commit. */
  head: string;
  /** Whether HEAD was compared with the tip of its branch on origin (null: not asked to). */
  branch: BranchCheck | null;
  now: string;
  counts: DeployCounts;
  steps: ReportStep[];
  flags: FlagReport[];
  announcements: Announcement[];
  verify: VerifyResult | null;
  /** Flags the operator adopted (--adopt): promoted on the repository's history as witness. */
  adopted: string[];
  /** Error violations of the deployed tree (validate's rules, CODEOWNERS aside). */
  violations: Violation[];
  /** How many platform requests the run made, by kind. */
  requests: { reads: number; writes: number };
}

/** Beyond this many flags needing attribution, one audit-log call beats one per flag. */
const AUDIT_PER_FLAG_LIMIT = 25;

export async function runDeploy(options: DeployOptions): Promise<DeployReport> {
  const say = options.progress ?? (() => {});
  const { api: rawApi, url } = openPlatform(options);
  const counter = { reads: 0, writes: 0 };
  const api = counting(rawApi, counter);

  const git = new GitRepo(options.cwd);
  const head = await git.resolveCommit('HEAD');
  // Before anything is read from the platform: an old commit must not even plan against it.
  const branch =
    options.branch === null
      ? null
      : await requireBranchTip(options.cwd, options.branch, head, options.env);
  const { set: desired } = await flagsAt(git, head);

  say(`reading the platform at ${url}`);
  const actual = await platformRead(url, () => api.listFlags());
  const needed = factsNeeded(desired, actual);
  const audit = await readAudit(url, api, needed, options.concurrency ?? 8);
  const historyKeys = [
    ...new Set([...needed.historyKeys, ...archivedByOthers(desired, actual, audit)]),
  ];
  const history = await readHistory(git, head, desired, historyKeys);
  const removedKeys =
    needed.removalKeys.length > 0 ? await removedFlagKeys(git, head) : new Set<string>();
  const plan = planDeploy({
    desired,
    actual,
    history,
    audit,
    removedKeys,
    now: options.now,
    adopt: options.adopt ?? false,
  });

  const apply = plan.steps.filter((s) => s.kind === 'apply');
  let results = new Map<string, StepResult>();
  let verify: VerifyResult | null = null;
  if (!options.dryRun && apply.length > 0) {
    say(`applying ${apply.length} step${apply.length === 1 ? '' : 's'}`);
    results = await applySteps({
      api,
      steps: apply,
      head,
      actor: DEPLOY_ACTOR,
      concurrency: options.concurrency,
    });
    const applied = apply.filter((s) => results.get(s.id)?.outcome === 'applied');
    say('reading back and verifying');
    try {
      verify = await verifyApplied(api, applied, options.concurrency);
    } catch (error) {
      verify = {
        checked: 0,
        problems: [
          { id: '', flag: '', message: `could not read back: ${(error as Error).message}` },
        ],
        optIns: {},
      };
    }
  }
  return buildReport({
    options,
    url,
    head,
    branch,
    desired,
    plan,
    results,
    verify,
    requests: counter,
  });
}

function openPlatform(options: DeployOptions): { api: DeployApi; url: string } {
  if (options.api) return { api: options.api, url: options.platformUrl ?? 'in-process platform' };
  const platform = platformFromEnv(options.env, options.platformUrl, {
    retries: options.retries ?? 6,
    minDelayMs: 100,
    maxDelayMs: 2_000,
    timeoutMs: 15_000,
    actor: DEPLOY_ACTOR,
  });
  if (!platform) {
    throw new UsageError(
      `no platform to ${options.command === 'plan' ? 'plan against' : 'deploy to'}: pass --platform-url URL or set PLATFORM_API_URL (and PLATFORM_API_TOKEN)`,
    );
  }
  return { api: platform.client, url: platform.url };
}

/** A read the deploy cannot go without: failing, it could not evaluate (exit 2). */
async function platformRead<T>(url: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PlatformError) {
      throw new EvaluationError(
        `the platform at ${url} answered ${error.status} ${error.code}: ${error.message}`,
      );
    }
    throw error;
  }
}

async function readHistory(
  git: GitRepo,
  head: string,
  desired: FlagSet,
  keys: readonly string[],
): Promise<Map<string, FlagHistory>> {
  if (keys.length === 0) return new Map();
  await git.requireFullHistory('when the repository changed each flag');
  const byKey = flagsByKey(desired);
  return flagHistories(
    git,
    head,
    keys.map((key) => ({ key, path: byKey.get(key)!.file })),
  );
}

/** Who last changed the flags that differ: per flag when few, else one bounded call. */
async function readAudit(
  url: string,
  api: DeployApi,
  needed: FactsNeeded,
  concurrency: number,
): Promise<Map<string, AuditEntry[]>> {
  const byFlag = new Map<string, AuditEntry[]>();
  if (needed.auditKeys.length === 0) return byFlag;
  const keep = (entries: readonly AuditEntry[]): void => {
    for (const e of entries) {
      if (e.flag === null) continue;
      const list = byFlag.get(e.flag);
      if (list) list.push(e);
      else byFlag.set(e.flag, [e]);
    }
  };
  if (needed.auditKeys.length <= AUDIT_PER_FLAG_LIMIT) {
    const lists = await mapLimit(needed.auditKeys, concurrency, (flag) =>
      platformRead(url, () => api.auditLog({ flag })),
    );
    lists.forEach(keep);
  } else {
    const wanted = new Set(needed.auditKeys);
    const entries = await platformRead(url, () =>
      api.auditLog(needed.auditSince ? { since: needed.auditSince } : {}),
    );
    keep(entries.filter((e) => e.flag !== null && wanted.has(e.flag)));
  }
  return byFlag;
}

/** Counts requests, so a no-op deploy can show it made one. */
function counting(api: DeployApi, counter: { reads: number; writes: number }): DeployApi {
  const read =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      counter.reads++;
      return f(...args);
    };
  const write =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      counter.writes++;
      return f(...args);
    };
  return {
    listFlags: read(() => api.listFlags()),
    getFlag: read((key: string) => api.getFlag(key)),
    orgFlags: read((org: string) => api.orgFlags(org)),
    auditLog: read((query?: { flag?: string; since?: string }) => api.auditLog(query)),
    orgAuditLog: read((org: string) => api.orgAuditLog(org)),
    putFlag: write((...args: Parameters<DeployApi['putFlag']>) => api.putFlag(...args)),
    setState: write((...args: Parameters<DeployApi['setState']>) => api.setState(...args)),
    archiveFlag: write((...args: Parameters<DeployApi['archiveFlag']>) => api.archiveFlag(...args)),
    setOrgEnabled: write((...args: Parameters<DeployApi['setOrgEnabled']>) =>
      api.setOrgEnabled(...args),
    ),
  };
}

interface ReportInput {
  options: DeployOptions;
  url: string;
  head: string;
  branch: BranchCheck | null;
  desired: FlagSet;
  plan: DeployPlan;
  results: Map<string, StepResult>;
  verify: VerifyResult | null;
  requests: { reads: number; writes: number };
}

export function buildReport(input: ReportInput): DeployReport {
  const { options, plan, results, verify } = input;
  const dryRun = options.dryRun;
  const verifyProblems = new Map<string, string[]>();
  for (const p of verify?.problems ?? [])
    verifyProblems.set(p.id, [...(verifyProblems.get(p.id) ?? []), p.message]);

  const steps: ReportStep[] = plan.steps.map((s) => {
    const { meta, ...rest } = s;
    void meta; // what register and update send; the report shows the step, not the payload
    let outcome: ReportOutcome;
    let message: string | null = null;
    if (s.kind === 'refused') outcome = 'refused';
    else if (s.kind === 'held') outcome = 'held';
    else if (s.kind === 'drift') outcome = 'drifted';
    else if (dryRun) outcome = 'planned';
    else {
      const r = results.get(s.id);
      outcome = r?.outcome ?? 'skipped';
      message = r?.message ?? null;
      const problems = verifyProblems.get(s.id);
      if (outcome === 'applied' && problems) {
        outcome = 'failed';
        message = `verify: ${problems.join('; ')}`;
      }
    }
    return {
      ...rest,
      outcome,
      message,
      idempotencyKey: s.kind === 'apply' ? idempotencyKey(input.head, s) : null,
    };
  });
  const count = (o: ReportOutcome): number => steps.filter((s) => s.outcome === o).length;
  const unattributed = (verify?.problems ?? []).filter((p) => p.id === '').length;
  const counts: DeployCounts = {
    planned: steps.filter((s) => s.kind === 'apply').length,
    applied: count('applied'),
    skipped: count('skipped'),
    failed: count('failed') + count('refused') + unattributed,
    refused: count('refused'),
    held: count('held'),
    drifted: count('drifted'),
    inSync: plan.inSync.length,
  };

  const desiredByKey = flagsByKey(input.desired);
  const promoted = steps.filter(
    (s) => s.action === 'promote' && s.outcome === (dryRun ? 'planned' : 'applied'),
  );
  const announcements = announcementsFor(
    promoted.flatMap((s) => {
      const f = desiredByKey.get(s.flag);
      return f && s.to ? [{ flag: f.flag, to: s.to satisfies State }] : [];
    }),
  );
  return {
    // A skipped step is one not applied: never a success, whatever made it so.
    ok: counts.failed === 0 && counts.skipped === 0,
    command: options.command,
    dryRun,
    platform: input.url,
    head: input.head,
    branch: input.branch,
    now: isoTime(options.now),
    counts,
    steps,
    flags: flagReports(steps),
    announcements,
    verify,
    adopted: [...new Set(plan.steps.filter((s) => s.adopted).map((s) => s.flag))].sort(),
    violations: plan.violations,
    requests: input.requests,
  };
}

/** Per flag, the ids of its steps by outcome (refused ones with the failed). */
function flagReports(steps: readonly ReportStep[]): FlagReport[] {
  const byFlag = new Map<string, FlagReport>();
  for (const s of steps) {
    const r = byFlag.get(s.flag) ?? {
      flag: s.flag,
      applied: [],
      planned: [],
      skipped: [],
      failed: [],
      held: [],
      drifted: [],
    };
    byFlag.set(s.flag, r);
    if (s.outcome === 'refused' || s.outcome === 'failed') r.failed.push(s.id);
    else r[s.outcome].push(s.id);
  }
  return [...byFlag.values()].sort((a, b) => (a.flag < b.flag ? -1 : 1));
}
