// Issues: open incidents of a flag, and one issue kept up to date by its hidden marker.
import type { GitHubClient } from './client.ts';
import { GitHubApiError, hiddenMarker, type IssueInfo, type UpsertIssueResult } from './types.ts';

type IssueWithBody = IssueInfo & { body: string };

/** Open issues labelled both `incident` and `flag:<key>` (pull requests excluded). */
export async function openIncidents(gh: GitHubClient, flagKey: string): Promise<IssueInfo[]> {
  return listIssues(gh, `list incidents of ${flagKey}`, {
    state: 'open',
    labels: `incident,flag:${flagKey}`,
  });
}

/**
 * Keeps one issue, found by its hidden marker among issues carrying `labels[0]` (or all issues
 * when there is no label), up to date: created when needed and `open`, edited in place, closed
 * when `open` is false. Nothing is created just to be closed.
 */
export async function upsertIssue(
  gh: GitHubClient,
  marker: string,
  title: string,
  body: string,
  labels: string[],
  options: { open?: boolean } = {},
): Promise<UpsertIssueResult> {
  const open = options.open ?? true;
  const tag = hiddenMarker(marker);
  const text = body.includes(tag) ? body : `${tag}\n${body}`;
  const candidates = await listIssues(gh, `find issue ${marker}`, {
    state: 'all',
    ...(labels[0] ? { labels: labels[0] } : {}),
  });
  const withMarker = await issuesWithMarker(gh, candidates, tag, labels[0]);
  const existing = withMarker.find((i) => i.state === 'open') ?? withMarker[0];
  const state = open ? 'open' : 'closed';
  if (!existing) {
    if (!open) return { result: 'none', number: null, url: null };
    const { data } = await gh.call('create issue', () =>
      gh.octokit.rest.issues.create({ ...gh.where, title, body: text, labels }),
    );
    return { result: 'created', number: data.number, url: data.html_url };
  }
  if (existing.body === text && existing.title === title && existing.state === state) {
    return { result: 'unchanged', number: existing.number, url: existing.url };
  }
  await gh.call(`update issue #${existing.number}`, () =>
    gh.octokit.rest.issues.update({
      ...gh.where,
      issue_number: existing.number,
      title,
      body: text,
      state,
    }),
  );
  return { result: 'updated', number: existing.number, url: existing.url };
}

/** Assigns an issue. Logins GitHub refuses (not collaborators) come back as a warning. */
export async function assignIssue(
  gh: GitHubClient,
  issue: number,
  assignees: string[],
): Promise<string | null> {
  try {
    await gh.call(`assign #${issue}`, () =>
      gh.octokit.rest.issues.addAssignees({ ...gh.where, issue_number: issue, assignees }),
    );
    return null;
  } catch (error) {
    if (!(error instanceof GitHubApiError) || error.status < 400 || error.status >= 500)
      throw error;
    return error.message;
  }
}

async function listIssues(
  gh: GitHubClient,
  operation: string,
  query: { state: 'open' | 'closed' | 'all'; labels?: string },
): Promise<IssueWithBody[]> {
  const issues = await gh.call(operation, () =>
    gh.octokit.paginate(gh.octokit.rest.issues.listForRepo, {
      ...gh.where,
      ...query,
      per_page: 100,
    }),
  );
  return issues
    .filter((i) => !i.pull_request)
    .map((i) => ({
      number: i.number,
      url: i.html_url,
      title: i.title,
      state: i.state === 'closed' ? 'closed' : 'open',
      labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
      body: i.body ?? '',
    }));
}

async function issuesWithMarker(
  gh: GitHubClient,
  candidates: IssueWithBody[],
  tag: string,
  label: string | undefined,
): Promise<IssueWithBody[]> {
  const found = candidates.filter((i) => i.body.includes(tag));
  if (found.length > 0 || !label) return found;
  // The label was taken off by hand: look among open issues before creating a second one.
  const open = await listIssues(gh, 'find issue by marker', { state: 'open' });
  return open.filter((i) => i.body.includes(tag));
}
