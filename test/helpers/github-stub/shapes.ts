// The JSON the stand-in answers, shaped from GitHub's own documented examples (@octokit/openapi's
// component examples) with the fields the stand-in knows put in: numbers, SHAs, bodies, logins,
// states, dates. Every answer is then held to the documented response schema (server.ts), so an
// adapter meets objects as full as GitHub's, not the few fields we thought it reads.
import { componentExample } from '../github-openapi.ts';
import type { StubState } from './state.ts';
import {
  BOT,
  sha,
  type StubComment,
  type StubIssue,
  type StubPull,
  type StubReview,
  type StubStatus,
  type StubUser,
} from './types.ts';

const API = 'https://api.github.com';
const WEB = 'https://github.com';

/** A stable numeric id for a name (GitHub ids are positive integers). */
function idOf(seed: string): number {
  return parseInt(sha(seed).slice(0, 8), 16) % 1_000_000_000;
}

export function userJson(user: StubUser) {
  return {
    ...componentExample('simple-user'),
    login: user.login,
    id: idOf(`user:${user.login}`),
    node_id: `U_${idOf(`user:${user.login}`)}`,
    url: `${API}/users/${user.login}`,
    html_url: `${WEB}/${user.login}`,
    type: user.type,
  };
}

export function labelJson(stub: StubState, name: string) {
  return {
    ...componentExample('label'),
    id: idOf(`label:${name}`),
    node_id: `LA_${idOf(`label:${name}`)}`,
    url: `${API}/repos/${stub.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    default: false,
  };
}

export function commentJson(stub: StubState, c: StubComment) {
  return {
    ...componentExample('issue-comment'),
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${API}/repos/${stub.fullName}/issues/comments/${c.id}`,
    html_url: `${WEB}/${stub.fullName}/issues/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${API}/repos/${stub.fullName}/issues/${c.issue}`,
    body: c.body,
    user: userJson(c.user),
    created_at: c.createdAt,
    updated_at: c.createdAt,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'COLLABORATOR',
  };
}

export function issueJson(stub: StubState, i: StubIssue) {
  const url = `${API}/repos/${stub.fullName}/issues/${i.number}`;
  const issue: Record<string, unknown> = {
    ...componentExample('issue'),
    id: i.number + 100_000,
    node_id: `I_${i.number}`,
    url,
    repository_url: `${API}/repos/${stub.fullName}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${WEB}/${stub.fullName}/${i.isPull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state === 'closed' ? 'completed' : null,
    user: userJson(i.user),
    labels: i.labels.map((name) => labelJson(stub, name)),
    assignee: i.assignees[0] ? userJson({ login: i.assignees[0], type: 'User' }) : null,
    assignees: i.assignees.map((login) => userJson({ login, type: 'User' })),
    comments: stub.commentsOn(i.number).length,
    created_at: i.createdAt,
    updated_at: i.createdAt,
    closed_at: i.state === 'closed' ? i.createdAt : null,
    closed_by: i.state === 'closed' ? userJson(BOT) : null,
  };
  if (i.isPull) {
    const pullUrl = `${WEB}/${stub.fullName}/pull/${i.number}`;
    issue['pull_request'] = {
      url: `${API}/repos/${stub.fullName}/pulls/${i.number}`,
      html_url: pullUrl,
      diff_url: `${pullUrl}.diff`,
      patch_url: `${pullUrl}.patch`,
      merged_at: stub.pulls.get(i.number)?.merged ? i.createdAt : null,
    };
  } else {
    // The example is a pull request's issue; a plain issue has no `pull_request` at all.
    delete issue['pull_request'];
  }
  return issue;
}

/** A repository as a pull request's head or base names it (`owner/name`). */
function repoJson(stub: StubState, fullName: string, base: Record<string, unknown>) {
  const [owner = '', name = ''] = fullName.split('/');
  return {
    ...base,
    id: idOf(`repo:${fullName}`),
    node_id: `R_${idOf(`repo:${fullName}`)}`,
    name,
    full_name: fullName,
    owner: userJson({ login: owner, type: 'User' }),
    html_url: `${WEB}/${fullName}`,
    url: `${API}/repos/${fullName}`,
    fork: fullName !== stub.fullName,
  };
}

/**
 * A pull request: `full` for one read or created (`pull-request`), otherwise as a list or a
 * review request gives it (`pull-request-simple`).
 */
export function pullJson(stub: StubState, p: StubPull, full = true) {
  const example = componentExample(full ? 'pull-request' : 'pull-request-simple-items');
  const side = (which: 'head' | 'base', repo: string, ref: string, commit: string) => {
    const part = example[which] as Record<string, unknown>;
    const owner = repo.split('/')[0] ?? '';
    return {
      ...part,
      label: `${owner}:${ref}`,
      ref,
      sha: commit,
      user: userJson({ login: owner, type: 'User' }),
      repo: repoJson(stub, repo, part['repo'] as Record<string, unknown>),
    };
  };
  const url = `${API}/repos/${stub.fullName}/pulls/${p.number}`;
  const html = `${WEB}/${stub.fullName}/pull/${p.number}`;
  const labels = stub.issues.get(p.number)?.labels ?? [];
  const pull: Record<string, unknown> = {
    ...example,
    url,
    id: p.number + 200_000,
    node_id: `PR_${p.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${API}/repos/${stub.fullName}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    user: userJson(p.user),
    labels: labels.map((name) => labelJson(stub, name)),
    milestone: null,
    created_at: stub.issues.get(p.number)?.createdAt ?? '2026-11-20T09:00:00Z',
    updated_at: stub.issues.get(p.number)?.createdAt ?? '2026-11-20T09:00:00Z',
    closed_at: p.state === 'closed' ? '2026-11-20T10:00:00Z' : null,
    merged_at: p.merged ? '2026-11-20T10:00:00Z' : null,
    assignee: null,
    assignees: [],
    requested_reviewers: p.requestedReviewers.map((login) => userJson({ login, type: 'User' })),
    requested_teams: p.requestedTeams.map((slug) => teamJson(stub, slug)),
    head: side('head', p.headRepo, p.headRef, p.headSha),
    base: side('base', stub.fullName, p.baseRef, p.baseSha),
    draft: p.draft,
  };
  if (full) {
    pull['merged'] = p.merged;
    pull['merged_by'] = p.merged ? userJson(BOT) : null;
    pull['changed_files'] = p.files.length;
  }
  return pull;
}

function teamJson(stub: StubState, slug: string) {
  return {
    ...componentExample('team-simple-items'),
    id: idOf(`team:${slug}`),
    node_id: `T_${idOf(`team:${slug}`)}`,
    url: `${API}/orgs/${stub.owner}/teams/${slug}`,
    html_url: `${WEB}/orgs/${stub.owner}/teams/${slug}`,
    name: slug,
    slug,
    // The example predates `type`, which the schema requires; a list's `team` needs `parent`.
    type: 'organization',
    parent: null,
  };
}

export function fileJson(stub: StubState, filename: string) {
  const file: Record<string, unknown> = {
    ...componentExample('diff-entry-items'),
    sha: sha(`file:${filename}`),
    filename,
    status: 'modified',
    additions: 1,
    deletions: 1,
    changes: 2,
    blob_url: `${WEB}/${stub.fullName}/blob/HEAD/${filename}`,
    raw_url: `${WEB}/${stub.fullName}/raw/HEAD/${filename}`,
    contents_url: `${API}/repos/${stub.fullName}/contents/${filename}`,
  };
  // The example's patch is of another file; GitHub leaves `patch` out when it has none.
  delete file['patch'];
  return file;
}

export function reviewJson(stub: StubState, r: StubReview) {
  return {
    ...componentExample('pull-request-review'),
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userJson({ login: r.login, type: 'User' }),
    body: '',
    state: r.state,
    html_url: `${WEB}/${stub.fullName}/pull/${r.pr}#pullrequestreview-${r.id}`,
    pull_request_url: `${API}/repos/${stub.fullName}/pulls/${r.pr}`,
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: r.association ?? 'COLLABORATOR',
  };
}

export function permissionJson(login: string, permission: string) {
  const example = componentExample(
    'repository-collaborator-permission-response-if-user-has-admin-permissions',
  );
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(permission);
  // The example's user lacks the `role_name` and `permissions` GitHub's schema requires of it.
  const user = {
    ...(example['user'] as Record<string, unknown>),
    ...userJson({ login, type: 'User' }),
    role_name: permission,
    permissions: {
      pull: rank >= 1,
      triage: rank >= 2,
      push: rank >= 3,
      maintain: rank >= 4,
      admin: rank >= 5,
    },
  };
  return { ...example, permission, role_name: permission, user };
}

export function statusJson(stub: StubState, s: StubStatus) {
  return {
    ...componentExample('status'),
    url: `${API}/repos/${stub.fullName}/statuses/${s.sha}`,
    id: s.id,
    node_id: `SC_${s.id}`,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: userJson(BOT),
  };
}

export function refJson(stub: StubState, ref: string, commit: string) {
  return {
    ...componentExample('git-ref'),
    ref: `refs/${ref}`,
    node_id: `REF_${idOf(`ref:${ref}`)}`,
    url: `${API}/repos/${stub.fullName}/git/refs/${ref}`,
    object: {
      type: 'commit',
      sha: commit,
      url: `${API}/repos/${stub.fullName}/git/commits/${commit}`,
    },
  };
}

export function gitCommitJson(
  stub: StubState,
  commitSha: string,
  commit: { tree: string; parents: string[]; message: string },
) {
  const repo = `${API}/repos/${stub.fullName}`;
  return {
    ...componentExample('git-commit'),
    sha: commitSha,
    node_id: `C_${commitSha}`,
    url: `${repo}/git/commits/${commitSha}`,
    html_url: `${WEB}/${stub.fullName}/commit/${commitSha}`,
    message: commit.message,
    tree: { sha: commit.tree, url: `${repo}/git/trees/${commit.tree}` },
    parents: commit.parents.map((p) => ({
      sha: p,
      url: `${repo}/git/commits/${p}`,
      html_url: `${WEB}/${stub.fullName}/commit/${p}`,
    })),
  };
}

export function treeJson(stub: StubState, treeSha: string, entries: Map<string, string>) {
  const example = componentExample('git-tree');
  const item = (example['tree'] as Record<string, unknown>[])[0] ?? {};
  const repo = `${API}/repos/${stub.fullName}`;
  return {
    ...example,
    sha: treeSha,
    url: `${repo}/git/trees/${treeSha}`,
    tree: [...entries].sort().map(([path, blob]) => ({
      ...item,
      path,
      mode: '100644',
      type: 'blob',
      sha: blob,
      size: Buffer.byteLength(stub.blobs.get(blob) ?? ''),
      url: `${repo}/git/blobs/${blob}`,
    })),
    truncated: false,
  };
}

export function blobJson(stub: StubState, blob: string) {
  return {
    ...componentExample('short-blob'),
    url: `${API}/repos/${stub.fullName}/git/blobs/${blob}`,
    sha: blob,
  };
}

/** GitHub's error body: a message and where its documentation is. */
export function errorJson(message: string, errors?: Record<string, unknown>[]) {
  return {
    message,
    documentation_url: 'https://docs.github.com/rest',
    ...(errors ? { errors } : {}),
  };
}
