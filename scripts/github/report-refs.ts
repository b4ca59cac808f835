// Code references in the scheduled report. A ga flag past 7 days that code still reads gets an
// issue for its owner listing every reference (kept up to date, closed when none is left)
// instead of the removal pull request; once none is left, the removal pull request carries what
// was scanned, at which commits, as its evidence. Hooked into report.ts by runReport and main.
import type { GitHubRepo } from '../adapters/github.ts';
import type { FlagStatus } from '../core/model.ts';
import { referencesByKey, type RefsScan } from '../core/refs/model.ts';
import {
  REFS_ISSUE_LABEL,
  refsIssueBody,
  refsIssueMarker,
  refsIssueTitle,
  removalEvidence,
} from '../core/refs/report-text.ts';
import type { Env } from './entry.ts';

export interface ReportRefs {
  scan: RefsScan;
  /** Where links to references point, e.g. https://github.com. */
  serverUrl: string;
}

export interface ReferencesOutcome {
  key: string;
  count: number;
  issue: { result: string; number: number | null };
}

/** The scan for the report when the repository configures sources, else null. */
export async function loadReportRefs(repoDir: string, env: Env): Promise<ReportRefs | null> {
  const { evaluateRefs, refsConfigured } = await import('../adapters/code-refs.ts');
  if (!refsConfigured(repoDir)) return null;
  const { scan } = await evaluateRefs({ cwd: repoDir, out: { stderr: () => {}, isTTY: false } });
  return { scan, serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com' };
}

/**
 * One issue per removable flag (ga for 7 days or more), found by its hidden marker: opened while
 * code reads the flag, updated as references go, closed when none is left. A flag that never had
 * references gets no issue at all.
 */
export async function syncReferenceIssues(input: {
  github: GitHubRepo;
  flags: readonly FlagStatus[];
  refs: ReportRefs;
  now: Date;
  log: (line: string) => void;
}): Promise<Map<string, ReferencesOutcome>> {
  const { github, refs, log } = input;
  const removable = input.flags.filter((f) => f.removable);
  const byKey = referencesByKey(
    removable.map((f) => f.key),
    refs.scan,
  );
  const outcomes = new Map<string, ReferencesOutcome>();
  for (const flag of removable) {
    const references = byKey.get(flag.key) ?? [];
    const body = refsIssueBody({
      flag,
      references,
      sources: refs.scan.sources,
      serverUrl: refs.serverUrl,
      now: input.now,
    });
    const issue = await github.upsertIssue(
      refsIssueMarker(flag.key),
      refsIssueTitle(flag.key, references.length),
      body,
      [REFS_ISSUE_LABEL, `flag:${flag.key}`],
      { open: references.length > 0 },
    );
    // A team cannot be assigned: the body names it, which notifies it.
    const user = /^@([A-Za-z0-9-]+)$/.exec(flag.owner)?.[1];
    if (issue.result === 'created' && issue.number !== null && user) {
      const warning = await github.assignIssue(issue.number, [user]);
      if (warning) log(`#${issue.number}: ${warning}`);
    }
    if (issue.result !== 'none')
      log(
        `references of ${flag.key}: ${references.length}, issue ${issue.result} #${issue.number}`,
      );
    outcomes.set(flag.key, { key: flag.key, count: references.length, issue });
  }
  return outcomes;
}

/** The removal outcome of a flag that code still reads: no pull request, the issue instead. */
export function stillReferenced(outcome: ReferencesOutcome): {
  key: string;
  result: 'blocked';
  pr: null;
  note: string;
} {
  const n = outcome.count;
  return {
    key: outcome.key,
    result: 'blocked',
    pr: null,
    note: `${n} code reference${n === 1 ? '' : 's'} left${outcome.issue.number ? ` (#${outcome.issue.number})` : ''}: remove them first`,
  };
}

/** What a removal pull request's body adds when references were scanned. */
export function removalRefsSection(key: string, refs: ReportRefs | null | undefined): string {
  return refs ? `\n\n${removalEvidence(key, refs.scan.sources)}` : '';
}
