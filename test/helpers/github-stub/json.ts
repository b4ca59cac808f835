// The JSON the stand-in answers for its records.
import type { StubState } from './state.ts';
import type { StubComment, StubIssue, StubPull, StubStatus } from './types.ts';

export function commentJson(stub: StubState, c: StubComment) {
  return {
    id: c.id,
    body: c.body,
    user: c.user,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    html_url: `https://github.com/${stub.fullName}/issues/${c.issue}#issuecomment-${c.id}`,
  };
}

export function issueJson(stub: StubState, i: StubIssue) {
  return {
    id: i.number + 100_000,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    assignees: i.assignees.map((login) => ({ login })),
    user: i.user,
    created_at: i.createdAt,
    html_url: `https://github.com/${stub.fullName}/${i.isPull ? 'pull' : 'issues'}/${i.number}`,
    ...(i.isPull ? { pull_request: { url: '' } } : {}),
  };
}

export function pullJson(stub: StubState, p: StubPull) {
  return {
    id: p.number + 200_000,
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    draft: p.draft,
    merged_at: p.merged ? '2026-11-20T10:00:00Z' : null,
    user: p.user,
    html_url: `https://github.com/${stub.fullName}/pull/${p.number}`,
    head: {
      sha: p.headSha,
      ref: p.headRef,
      label: `${p.headRepo.split('/')[0]}:${p.headRef}`,
      repo: { full_name: p.headRepo },
    },
    base: { sha: p.baseSha, ref: p.baseRef, repo: { full_name: stub.fullName } },
    requested_reviewers: p.requestedReviewers.map((login) => ({ login })),
    requested_teams: p.requestedTeams.map((slug) => ({ slug })),
  };
}

export function statusJson(s: StubStatus) {
  return {
    id: s.id,
    state: s.state,
    context: s.context,
    description: s.description,
    target_url: s.targetUrl,
    created_at: s.createdAt,
    updated_at: s.createdAt,
  };
}
