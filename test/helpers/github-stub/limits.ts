// What GitHub refuses although its schema allows it (long bodies, unknown SHAs, repository
// settings, team reviewers with the workflow token), its primary rate limit, and its pagination.
import type { StubState } from './state.ts';
import { errorJson } from './shapes.ts';
import type { Answer } from './types.ts';

/** Counts the request; the 403 GitHub answers once the hour's budget is spent, or null. */
export function rateLimited(stub: StubState): Answer | null {
  if (stub.rateLimit.used >= stub.rateLimit.limit) {
    return {
      status: 403,
      data: {
        message: 'API rate limit exceeded for installation ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      },
      headers: rateHeaders(stub),
    };
  }
  stub.rateLimit.used += 1;
  return null;
}

export function rateHeaders(stub: StubState): Record<string, string> {
  const { limit, used } = stub.rateLimit;
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - used)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(Math.floor(stub.clock / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  };
}

/** What GitHub refuses although the schema allows it, or null. */
export function githubRefuses(
  stub: StubState,
  route: string,
  body: Record<string, unknown>,
): Answer | null {
  const text = body['body'];
  if (
    typeof text === 'string' &&
    text.length > 65_536 &&
    /^(POST|PATCH) \/(issues|pulls)/.test(route)
  ) {
    return {
      status: 422,
      data: errorJson('Validation Failed', [
        {
          resource: route.includes('/pulls') ? 'PullRequest' : 'Issue',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ]),
    };
  }
  const status = /^POST \/statuses\/([0-9a-f]{40})$/.exec(route);
  if (status && !stub.hasCommit(status[1] as string)) {
    return { status: 422, data: errorJson(`No commit found for SHA: ${status[1]}`) };
  }
  if (
    route === 'POST /pulls' &&
    stub.tokenKind === 'workflow' &&
    !stub.actionsMayCreatePullRequests
  ) {
    return {
      status: 403,
      data: errorJson('GitHub Actions is not permitted to create or approve pull requests.'),
    };
  }
  const teams = body['team_reviewers'];
  if (
    /^POST \/pulls\/\d+\/requested_reviewers$/.test(route) &&
    stub.tokenKind === 'workflow' &&
    Array.isArray(teams) &&
    teams.length > 0
  ) {
    return {
      status: 422,
      data: errorJson(
        'Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the repository.',
      ),
    };
  }
  return null;
}

/** One page of `items` as GitHub pages a list: `per_page` (capped), `page`, the Link header. */
export function pageOf(
  stub: StubState,
  items: unknown[],
  query: Record<string, string>,
  url: URL,
): Answer {
  const perPage = Math.min(Number(query['per_page'] ?? 30) || 30, stub.maxPerPage);
  const pageNo = Math.max(Number(query['page'] ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number) => {
    const next = new URL(url);
    next.searchParams.set('page', String(n));
    next.searchParams.set('per_page', String(perPage));
    return `<${stub.url}${next.pathname}${next.search}>`;
  };
  const links: string[] = [];
  if (pageNo < last) links.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (pageNo > 1) links.push(`${link(1)}; rel="first"`, `${link(pageNo - 1)}; rel="prev"`);
  return {
    status: 200,
    data: items.slice((pageNo - 1) * perPage, pageNo * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}
