// Pull requests, their files, reviews and review requests, and collaborator permissions.
import { errorJson, fileJson, permissionJson, pullJson, reviewJson } from './shapes.ts';
import type { StubState } from './state.ts';
import { BOT, str, type Answer, type RouteRequest } from './types.ts';

export function routePulls(
  stub: StubState,
  { route, query, body, page }: RouteRequest,
): Answer | null {
  let m: RegExpMatchArray | null;
  if (route === 'GET /pulls') {
    const state = query['state'] ?? 'open';
    const [headOwner, headRef] = (query['head'] ?? '').split(':');
    const pulls = [...stub.pulls.values()]
      .filter((p) => state === 'all' || p.state === state)
      .filter((p) => !query['base'] || p.baseRef === query['base'])
      .filter(
        (p) => !query['head'] || (p.headRef === headRef && p.headRepo.split('/')[0] === headOwner),
      )
      .sort((a, b) => b.number - a.number);
    return page(pulls.map((p) => pullJson(stub, p, false)));
  }
  if (route === 'POST /pulls') return createPull(stub, body);
  if ((m = route.match(/^GET \/pulls\/(\d+)$/))) {
    const pull = stub.pulls.get(Number(m[1]));
    return pull ? { status: 200, data: pullJson(stub, pull) } : null;
  }
  if ((m = route.match(/^GET \/pulls\/(\d+)\/files$/))) {
    const pull = stub.pulls.get(Number(m[1]));
    if (!pull) return null;
    // GitHub lists at most 3,000 files of a pull request, however many it changes.
    return page(pull.files.slice(0, 3000).map((filename) => fileJson(stub, filename)));
  }
  return routeReviews(stub, { route, query, body, page });
}

function createPull(stub: StubState, body: Record<string, unknown>): Answer {
  const head = str(body['head']);
  const base = str(body['base']);
  const headSha = stub.refs.get(`heads/${head}`);
  const baseSha = stub.refs.get(`heads/${base}`);
  if (!headSha || !baseSha) {
    return {
      status: 422,
      data: errorJson('Validation Failed', [
        { resource: 'PullRequest', field: 'head', code: 'invalid' },
      ]),
    };
  }
  const open = [...stub.pulls.values()].find((p) => p.headRef === head && p.state === 'open');
  if (open) {
    return {
      status: 422,
      data: errorJson('Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${stub.owner}:${head}.`,
        },
      ]),
    };
  }
  const pull = stub.addPull({
    headSha,
    headRef: head,
    baseRef: base,
    baseSha,
    title: str(body['title']),
    body: str(body['body'], ''),
    draft: Boolean(body['draft']),
    files: stub.diff(baseSha, headSha),
    user: BOT,
  });
  return { status: 201, data: pullJson(stub, pull) };
}

function routeReviews(stub: StubState, { route, body, page }: RouteRequest): Answer | null {
  let m: RegExpMatchArray | null;
  if ((m = route.match(/^GET \/pulls\/(\d+)\/reviews$/))) {
    const pr = Number(m[1]);
    if (!stub.pulls.has(pr)) return null;
    return page(stub.reviews.filter((r) => r.pr === pr).map((r) => reviewJson(stub, r)));
  }
  if ((m = route.match(/^POST \/pulls\/(\d+)\/requested_reviewers$/))) {
    const pull = stub.pulls.get(Number(m[1]));
    if (!pull) return null;
    pull.requestedReviewers.push(...((body['reviewers'] as string[]) ?? []));
    pull.requestedTeams.push(...((body['team_reviewers'] as string[]) ?? []));
    return { status: 201, data: pullJson(stub, pull, false) };
  }

  // collaborators: a public repository answers `read` for any account it does not know.
  if ((m = route.match(/^GET \/collaborators\/([^/]+)\/permission$/))) {
    const user = m[1] as string;
    const permission = stub.permissions.get(user.toLowerCase()) ?? 'read';
    return { status: 200, data: permissionJson(user, permission) };
  }
  return null;
}
