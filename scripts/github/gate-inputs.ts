// The gate's inputs, read once from the workflow's environment and event payload: which change,
// against which base, for which pull request, and whether its token may write (a fork's may not).
import { repoDirOf, type Env } from './entry.ts';

/** What the gate is asked to judge, read once from the workflow's environment and event. */
export interface GateInputs {
  /** Where the change is checked out, with its whole history. */
  repoDir: string;
  event: 'pull_request' | 'merge_group';
  /** The pull request (for a merge group: the one its head ref names), or null. */
  pr: number | null;
  /** The protected branch's commit: the event's base SHA. */
  base: string;
  /** The change: the pull request's head, or the merge group's head. The status goes here. */
  head: string;
  /** For a pull request: the merge commit the checkout made, used when head is behind base. */
  mergeCommit: string | null;
  /** The head lives in a fork: the token cannot comment or set statuses. */
  fork: boolean;
  /** Who opened the pull request (from the event), when known: never their own decision-maker. */
  author?: string | null;
  strict: boolean;
  /** Soak-only blocks are carried by the `flags/soak` status (true) or fail the job (false). */
  soakViaStatus: boolean;
  runUrl: string | null;
}

/** Reads the inputs from the workflow environment and the event payload (GITHUB_EVENT_PATH). */
export function gateInputsFrom(env: Env, event: unknown, cwd: string): GateInputs {
  const name = env['GITHUB_EVENT_NAME'] ?? '';
  const payload = (event ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const common = {
    repoDir: repoDirOf(env, cwd),
    strict: env['FLAGS_STRICT'] !== 'false',
    soakViaStatus: env['FLAGS_SOAK_VIA_STATUS'] !== 'false',
    runUrl: runUrl(env),
  };
  if (name === 'pull_request' || name === 'pull_request_review') {
    const pr = payload['pull_request'] as PullRequestPayload | undefined;
    if (!pr?.number || !pr.base?.sha || !pr.head?.sha) {
      throw new Error(`the ${name} event has no pull request with base and head SHAs`);
    }
    const headRepo = pr.head.repo?.full_name ?? null;
    const baseRepo = pr.base.repo?.full_name ?? env['GITHUB_REPOSITORY'] ?? '';
    return {
      ...common,
      event: 'pull_request',
      pr: pr.number,
      base: pr.base.sha,
      head: pr.head.sha,
      // Both events check out refs/pull/N/merge at GITHUB_SHA.
      mergeCommit: env['GITHUB_SHA'] ?? null,
      author: pr.user?.login ?? null,
      fork: headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
    };
  }
  if (name === 'merge_group') {
    const group = payload['merge_group'] as
      { base_sha?: string; head_sha?: string; head_ref?: string } | undefined;
    if (!group?.base_sha || !group.head_sha) {
      throw new Error('the merge_group event has no base and head SHAs');
    }
    const pr = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.head_ref ?? '');
    return {
      ...common,
      event: 'merge_group',
      pr: pr ? Number(pr[1]) : null,
      base: group.base_sha,
      head: group.head_sha,
      mergeCommit: null,
      fork: false,
    };
  }
  throw new Error(
    `the gate runs on pull_request, pull_request_review and merge_group, not '${name || 'unknown'}'`,
  );
}

interface PullRequestPayload {
  number?: number;
  user?: { login?: string } | null;
  base?: { sha?: string; repo?: { full_name?: string } | null };
  head?: { sha?: string; repo?: { full_name?: string } | null };
}

function runUrl(env: Env): string | null {
  const server = env['GITHUB_SERVER_URL'];
  const repo = env['GITHUB_REPOSITORY'];
  const id = env['GITHUB_RUN_ID'];
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : null;
}
