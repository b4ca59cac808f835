// Issues and their comments, labels and assignees.
import { commentJson, issueJson, labelJson } from './shapes.ts';
import type { StubState } from './state.ts';
import { BOT, str, type Answer, type RouteRequest } from './types.ts';

export function routeIssues(
  stub: StubState,
  { route, query, body, page }: RouteRequest,
): Answer | null {
  let m: RegExpMatchArray | null;
  // comments
  if ((m = route.match(/^GET \/issues\/(\d+)\/comments$/))) {
    return page(stub.commentsOn(Number(m[1])).map((c) => commentJson(stub, c)));
  }
  if ((m = route.match(/^POST \/issues\/(\d+)\/comments$/))) {
    if (!stub.issues.has(Number(m[1]))) return null;
    const comment = stub.addComment(Number(m[1]), str(body['body']), BOT);
    return { status: 201, data: commentJson(stub, comment) };
  }
  if ((m = route.match(/^PATCH \/issues\/comments\/(\d+)$/))) {
    const comment = stub.comments.find((c) => c.id === Number(m?.[1]));
    if (!comment) return null;
    comment.body = str(body['body']);
    return { status: 200, data: commentJson(stub, comment) };
  }

  // issues
  if (route === 'GET /issues') {
    const state = query['state'] ?? 'open';
    const labels = (query['labels'] ?? '').split(',').filter(Boolean);
    const issues = [...stub.issues.values()]
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => labels.every((l) => i.labels.includes(l)))
      .sort((a, b) => b.number - a.number);
    return page(issues.map((i) => issueJson(stub, i)));
  }
  if (route === 'POST /issues') {
    const issue = stub.addIssue({
      title: str(body['title']),
      body: str(body['body'], ''),
      labels: (body['labels'] as string[] | undefined) ?? [],
      user: BOT,
    });
    return { status: 201, data: issueJson(stub, issue) };
  }
  return routeIssueEdits(stub, route, body);
}

function routeIssueEdits(
  stub: StubState,
  route: string,
  body: Record<string, unknown>,
): Answer | null {
  let m: RegExpMatchArray | null;
  if ((m = route.match(/^PATCH \/issues\/(\d+)$/))) {
    const issue = stub.issues.get(Number(m[1]));
    if (!issue) return null;
    if (typeof body['title'] === 'string') issue.title = body['title'];
    if (typeof body['body'] === 'string') issue.body = body['body'];
    if (body['state'] === 'open' || body['state'] === 'closed') issue.state = body['state'];
    return { status: 200, data: issueJson(stub, issue) };
  }
  if ((m = route.match(/^POST \/issues\/(\d+)\/labels$/))) {
    const issue = stub.issues.get(Number(m[1]));
    if (!issue) return null;
    for (const label of (body['labels'] as string[]) ?? []) {
      if (!issue.labels.includes(label)) issue.labels.push(label);
    }
    return { status: 200, data: issue.labels.map((name) => labelJson(stub, name)) };
  }
  if ((m = route.match(/^POST \/issues\/(\d+)\/assignees$/))) {
    const issue = stub.issues.get(Number(m[1]));
    if (!issue) return null;
    issue.assignees.push(...((body['assignees'] as string[]) ?? []));
    return { status: 201, data: issueJson(stub, issue) };
  }
  return null;
}
