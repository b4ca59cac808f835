// The scheduled drift and stale-flag report: one issue kept up to date (found by its hidden
// marker, never a second one) listing flags whose platform state differs from main and ga flags
// past 14 days; and for each ga flag past 7 days one removal pull request for its owner, opened
// once: a branch `flags/remove-<key>` that ever had a pull request (open, closed or merged) gets
// no other. The branch is made through the REST API, so the job needs no push credentials.
//
// Run by .github/workflows/flags-report.yml: `npx tsx scripts/github/report.ts`.
import { pathToFileURL } from 'node:url';
import type { GitHubRepo, PullRequestInfo } from '../adapters/github.ts';
import type { platformFromEnv as PlatformFromEnvFn } from '../adapters/platform-client.ts';
import { text, when } from '../core/gate-report.ts';
import {
  BODY_MAX_CHARS,
  REMOVAL_PRS_PER_RUN,
  count,
  fitParts,
  type FitPart,
} from '../core/github-limits.ts';
import { DAY_MS, type FlagStatus, type State, type StatusResult } from '../core/model.ts';
import type { PlatformFlag } from '../core/platform-model.ts';
import {
  entryLog,
  entryNow,
  repoDirOf,
  requireGithub,
  type EntryOptions,
  type Env,
} from './entry.ts';
import {
  loadReportRefs,
  removalRefsSection,
  stillReferenced,
  syncReferenceIssues,
  type ReferencesOutcome,
  type ReportRefs,
} from './report-refs.ts';

type PlatformFromEnv = typeof PlatformFromEnvFn;

export const REPORT_MARKER = 'flags-report';
export const REPORT_LABEL = 'flags-report';
export const REPORT_TITLE = 'Feature flags: drift and stale GA flags';
export const REMOVAL_LABEL = 'flag-removal';

export interface DriftEntry {
  key: string;
  /** The state on main, or null when main has no such flag. */
  main: State | null;
  /** The state on the platform, or null when the platform has no such flag. */
  platform: State | null;
  note: string;
}

/** What the platform said: its flags, or why there are none. */
export type PlatformView = { flags: PlatformFlag[] } | { unavailable: string };

export interface RemovalOutcome {
  key: string;
  /** `deferred`: over this run's share of GitHub's content-creation limits; the next run opens it. */
  result: 'opened' | 'exists' | 'blocked' | 'failed' | 'deferred';
  pr: Pick<PullRequestInfo, 'number' | 'url' | 'state' | 'merged'> | null;
  note: string;
}

export interface ReportDeps {
  github: GitHubRepo;
  now: Date;
  status: StatusResult;
  platform: PlatformView;
  /** For each key, the flags on main that depend on it (a removal would break them). */
  dependents: ReadonlyMap<string, readonly string[]>;
  /** The protected branch removal pull requests target. */
  base: string;
  /** The workflow run, linked where the issue cannot hold everything. */
  runUrl?: string | null;
  /** Removal pull requests opened at most per run (GitHub's content-creation limits). */
  maxNewRemovals?: number;
  log: (line: string) => void;
  /** Code references, when sources are configured: a flag code still reads gets an issue. */
  refs?: ReportRefs | null;
}

export interface ReportOutcome {
  drift: DriftEntry[] | null;
  stale: string[];
  removals: RemovalOutcome[];
  issue: { result: string; number: number | null };
}

/** The flags whose state on the platform differs from main, both ways. Pure. */
export function findDrift(
  flags: readonly FlagStatus[],
  platform: readonly PlatformFlag[],
): DriftEntry[] {
  const onPlatform = new Map(platform.map((p) => [p.key, p]));
  const drift: DriftEntry[] = [];
  for (const f of flags) {
    const p = onPlatform.get(f.key);
    if (!p) {
      drift.push({
        key: f.key,
        main: f.state,
        platform: null,
        note: 'not on the platform: the deploy registers it',
      });
    } else if (p.state !== f.state) {
      drift.push({
        key: f.key,
        main: f.state,
        platform: p.state,
        note: `changed on the platform at ${when(p.state_changed_at)}: an on-call revert? bring main in line (\`flags revert\`) or deploy`,
      });
    }
  }
  const onMain = new Set(flags.map((f) => f.key));
  for (const p of platform) {
    if (!onMain.has(p.key)) {
      drift.push({
        key: p.key,
        main: null,
        platform: p.state,
        note: 'not on main: the deploy archives it',
      });
    }
  }
  return drift.sort((a, b) => a.key.localeCompare(b.key));
}

export function removalBranch(key: string): string {
  return `flags/remove-${key}`;
}

/** Who reviews a removal: a team of this organisation, or a user (also assigned). */
export function ownerReview(
  owner: string,
  org: string,
): { reviewers: string[]; teamReviewers: string[]; assignees: string[] } {
  const team = /^@([^/\s]+)\/([^/\s]+)$/.exec(owner);
  if (team) {
    const sameOrg = team[1]?.toLowerCase() === org.toLowerCase();
    return { reviewers: [], teamReviewers: sameOrg && team[2] ? [team[2]] : [], assignees: [] };
  }
  const user = /^@([A-Za-z0-9-]+)$/.exec(owner)?.[1];
  return user
    ? { reviewers: [user], teamReviewers: [], assignees: [user] }
    : { reviewers: [], teamReviewers: [], assignees: [] };
}

export async function runReport(deps: ReportDeps): Promise<ReportOutcome> {
  const { github, status, log } = deps;
  const drift = 'flags' in deps.platform ? findDrift(status.flags, deps.platform.flags) : null;
  const stale = status.flags.filter((f) => f.stale);
  const removals: RemovalOutcome[] = [];
  const referenced = deps.refs
    ? await syncReferenceIssues({
        github,
        flags: status.flags,
        refs: deps.refs,
        now: deps.now,
        log,
      })
    : new Map<string, ReferencesOutcome>();
  const budget = deps.maxNewRemovals ?? REMOVAL_PRS_PER_RUN;
  for (const flag of status.flags.filter((f) => f.removable)) {
    const left = referenced.get(flag.key);
    if (left && left.count > 0) {
      removals.push(stillReferenced(left));
      continue;
    }
    if (removals.filter((r) => r.result === 'opened').length >= budget) {
      removals.push({
        key: flag.key,
        result: 'deferred',
        pr: null,
        note: `${count(budget)} removal pull requests are opened per run (GitHub's content-creation limits): the next run proposes this one`,
      });
      continue;
    }
    removals.push(await ensureRemovalPullRequest(flag, deps));
  }
  const body = renderReport({
    runUrl: deps.runUrl ?? null,
    now: deps.now,
    head: status.head,
    drift,
    platformNote: 'unavailable' in deps.platform ? deps.platform.unavailable : null,
    stale,
    removals,
  });
  const open = (drift?.length ?? 0) > 0 || stale.length > 0;
  const issue = await github.upsertIssue(REPORT_MARKER, REPORT_TITLE, body, [REPORT_LABEL], {
    open,
  });
  log(
    `issue ${issue.result}${issue.number ? ` #${issue.number}` : ''}: ${drift?.length ?? '?'} drifted, ${stale.length} stale, ${removals.length} removable`,
  );
  return { drift, stale: stale.map((f) => f.key), removals, issue };
}

async function ensureRemovalPullRequest(
  flag: FlagStatus,
  deps: ReportDeps,
): Promise<RemovalOutcome> {
  const { github, log } = deps;
  const key = flag.key;
  const dependents = deps.dependents.get(key) ?? [];
  if (dependents.length > 0) {
    return {
      key,
      result: 'blocked',
      pr: null,
      note: `${dependents.map((d) => `\`${d}\``).join(', ')} depend${dependents.length === 1 ? 's' : ''} on it: remove the dependency first`,
    };
  }
  const branch = removalBranch(key);
  try {
    const existing = await github.findPullRequestByHead(branch);
    if (existing) {
      return { key, result: 'exists', pr: existing, note: `already proposed from \`${branch}\`` };
    }
    // A branch without a pull request is what an interrupted run leaves: open it from there.
    if (!(await github.branchSha(branch))) {
      await github.createBranchWithChanges({
        branch,
        base: deps.base,
        message: `Remove flag ${key}: at ga since ${when(flag.since)}\n\nDead flags are technical debt (runbook: remove the flag after a successful soak at ga).`,
        files: [{ path: flag.file, content: null }],
      });
    }
    const review = ownerReview(flag.owner, github.owner);
    const { pr, warnings } = await github.openPullRequest({
      head: branch,
      base: deps.base,
      title: `Remove flag ${key} (at ga since ${when(flag.since).slice(0, 10)})`,
      body: removalBody(flag, deps.now) + removalRefsSection(key, deps.refs),
      labels: [`flag:${key}`, REMOVAL_LABEL],
      ...review,
    });
    for (const warning of warnings) log(`#${pr.number}: ${warning}`);
    return { key, result: 'opened', pr, note: `opened for ${flag.owner}` };
  } catch (error) {
    log(`removal of ${key}: ${(error as Error).message}`);
    return { key, result: 'failed', pr: null, note: text((error as Error).message) };
  }
}

function removalBody(flag: FlagStatus, now: Date): string {
  const days = flag.since ? Math.floor((now.getTime() - Date.parse(flag.since)) / DAY_MS) : null;
  return [
    `\`${flag.key}\` has been at ga since ${when(flag.since)}${days !== null ? ` (${days} days)` : ''}. The runbook: _after a successful soak (typically 7–14 days at GA), remove the flag from the codebase in a follow-up PR. Dead flags are technical debt._`,
    `This pull request deletes \`${flag.file}\`; once merged, the deploy archives the flag on the platform.`,
    '### Before merging',
    [
      `- [ ] ${flag.owner}: the code no longer reads the flag (every check of \`${flag.key}\` removed, the feature simply on)`,
      '- [ ] no open incident is tagged to the flag',
      '- [ ] nothing else depends on it (the gate checks `depends_on`)',
    ].join('\n'),
    'Opened once by the scheduled flags report; closing it is an answer: no other will be opened for this flag.',
  ].join('\n\n');
}

/** The report issue's body. Pure. */
export function renderReport(input: {
  now: Date;
  head: string | null;
  drift: readonly DriftEntry[] | null;
  platformNote: string | null;
  stale: readonly FlagStatus[];
  removals: readonly RemovalOutcome[];
  runUrl?: string | null;
  maxChars?: number;
}): string {
  const seeRun = input.runUrl ? `: the [run](${input.runUrl}) lists them all` : '';
  const parts: FitPart[] = [
    `<!-- ${REPORT_MARKER} -->`,
    `Updated ${when(input.now.toISOString())}${input.head ? ` from main at \`${input.head.slice(0, 12)}\`` : ''} by the scheduled flags report. This issue is kept up to date and closes itself when there is nothing to report.`,
    '### Drift: the platform differs from main',
  ];
  if (input.drift === null) {
    parts.push(`Not checked: ${text(input.platformNote ?? 'the platform is not configured')}.`);
  } else if (input.drift.length === 0) {
    parts.push('None: the platform matches main.');
  } else {
    parts.push(
      tableList(
        ['flag', 'main', 'platform', 'what to do'],
        input.drift.map((d) => [`\`${d.key}\``, d.main ?? '—', d.platform ?? '—', d.note]),
        (shown, total) => `_${count(shown)} of ${count(total)} drifted flags shown here${seeRun}._`,
      ),
    );
  }
  parts.push('### Stale GA flags (at ga for 14 days or more)');
  const prFor = new Map(input.removals.map((r) => [r.key, r]));
  if (input.stale.length === 0) {
    parts.push('None.');
  } else {
    parts.push(
      tableList(
        ['flag', 'owner', 'at ga since', 'removal'],
        input.stale.map((f) => [
          `\`${f.key}\``,
          f.owner,
          when(f.since),
          removalCell(prFor.get(f.key)),
        ]),
        (shown, total) => `_${count(shown)} of ${count(total)} stale flags shown here${seeRun}._`,
      ),
    );
  }
  parts.push('### Removal pull requests (at ga for 7 days or more)');
  if (input.removals.length === 0) {
    parts.push('None due.');
  } else {
    parts.push({
      items: input.removals.map((r) => `- \`${r.key}\`: ${removalCell(r)}`),
      more: (shown, total) => `_${count(shown)} of ${count(total)} removals shown here${seeRun}._`,
    });
  }
  const body = fitParts(parts, (input.maxChars ?? BODY_MAX_CHARS) - 1, {
    overflow: `_The rest does not fit in an issue${seeRun}._`,
  });
  return body + '\n';
}

function removalCell(r: RemovalOutcome | undefined): string {
  if (!r) return '—';
  if (r.pr) {
    const state = r.pr.merged ? 'merged' : r.pr.state;
    return `#${r.pr.number} (${r.result === 'opened' ? 'opened now' : state})`;
  }
  return `${r.result}: ${r.note}`;
}

function tableList(
  header: string[],
  rows: string[][],
  more: (shown: number, total: number) => string,
): FitPart {
  const line = (cells: string[]) =>
    `| ${cells.map((c) => text(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return {
    head: [line(header), line(header.map(() => '---'))].join('\n'),
    items: rows.map(line),
    more,
  };
}

// ---- entry ------------------------------------------------------------------------------

export async function main(
  env: Env = process.env,
  cwd = process.cwd(),
  options: EntryOptions = {},
): Promise<number> {
  const log = entryLog('report', options);
  const [{ evaluateStatus }, github, { platformFromEnv }, { loadWorkingTree }] = await Promise.all([
    import('../commands/status.ts'),
    requireGithub(env, options, log),
    import('../adapters/platform-client.ts'),
    import('../adapters/fs-flags.ts'),
  ]);
  if (!github) return 2;
  const repoDir = repoDirOf(env, cwd);
  const now = entryNow(options);
  try {
    const status = await evaluateStatus({ cwd: repoDir, now, env });
    const platform = await platformView(env, platformFromEnv);
    const refs = await loadReportRefs(repoDir, env);
    const dependents = new Map<string, string[]>();
    for (const f of loadWorkingTree(repoDir).flags) {
      for (const dep of f.flag.depends_on ?? []) {
        dependents.set(dep, [...(dependents.get(dep) ?? []), f.flag.key]);
      }
    }
    const outcome = await runReport({
      github,
      now,
      status,
      platform,
      dependents,
      base: env['FLAGS_BASE_BRANCH'] || 'main',
      runUrl:
        env['GITHUB_SERVER_URL'] && env['GITHUB_RUN_ID']
          ? `${env['GITHUB_SERVER_URL']}/${github.fullName}/actions/runs/${env['GITHUB_RUN_ID']}`
          : null,
      log,
      refs,
    });
    return outcome.removals.some((r) => r.result === 'failed') ? 1 : 0;
  } catch (error) {
    log((error as Error).message);
    return 2;
  }
}

async function platformView(env: Env, platformFromEnv: PlatformFromEnv): Promise<PlatformView> {
  const platform = platformFromEnv(env);
  if (!platform) return { unavailable: 'the platform is not configured (PLATFORM_API_URL)' };
  try {
    return { flags: await platform.client.listFlags() };
  } catch (error) {
    return {
      unavailable: `the platform at ${platform.url} did not answer: ${(error as Error).message}`,
    };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
