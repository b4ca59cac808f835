// The scheduled re-check's cost in GitHub API requests: 100 open pull requests re-judged, against
// the local GitHub stand-in (which counts requests as GitHub's primary rate limit does: a 304 is
// not counted). GITHUB_TOKEN has 1,000 requests an hour per repository and the re-check runs
// every 15 minutes, so the share of the hourly budget is 4 runs times the requests of one.
// Run alone with `npx tsx bench/recheck.ts`; `npm run bench -- recheck` runs it alone too.
import { pathToFileURL } from 'node:url';
import type { EtagStore } from '../scripts/adapters/github.ts';
import type { CheckResult } from '../scripts/core/model.ts';
import { recheckPullRequests } from '../scripts/github/recheck.ts';
import { sha, startGitHubStub, type GitHubStub } from '../test/helpers/github-stub.ts';

const PULLS = 100;
const WITH_OVERRIDE = 10;
const RUNS_PER_HOUR = 4;
const NOW = new Date('2026-11-27T10:00:00Z');

/** One pull request's verdict: most wait for a soak; a few carry an override. */
function verdict(n: number, head: string): CheckResult {
  const flag = `flag-${n}`;
  const override = n <= WITH_OVERRIDE;
  return {
    ok: false,
    base: sha('main'),
    head,
    now: NOW.toISOString(),
    changes: [
      {
        flag,
        file: `flags/team/${flag}.yaml`,
        kind: 'promote',
        from: 'alpha',
        to: 'beta',
        since: '2026-11-26T14:00:00Z',
        eligibleAt: '2026-11-27T14:00:00Z',
      },
    ],
    violations: override
      ? []
      : [
          {
            rule: 'soak',
            severity: 'error',
            flag,
            file: `flags/team/${flag}.yaml`,
            line: 3,
            message: 'too early',
          },
        ],
    criteria: [],
    overrides: override
      ? [{ flag, decision_maker: '@dana', incident: 'https://inc.example/1', reason: 'fix' }]
      : [],
  };
}

async function run(stub: GitHubStub, etags: EtagStore | undefined) {
  const before = { used: stub.rateLimit.used, requests: stub.requests.length };
  await recheckPullRequests({
    github: stub.client(etags ? { etags } : {}),
    judge: (pr) => Promise.resolve(verdict(pr.number, pr.headSha)),
    now: NOW,
    strict: true,
    base: 'main',
    runUrl: null,
    log: () => {},
  });
  const made = stub.requests.slice(before.requests);
  return {
    counted: stub.rateLimit.used - before.used,
    notModified: made.filter((r) => r.status === 304).length,
    all: made.length,
  };
}

export async function benchRecheck(): Promise<string[]> {
  const stub = await startGitHubStub();
  stub.rateLimit.limit = 1_000_000;
  try {
    for (let i = 1; i <= PULLS; i++) {
      const pr = stub.addPull({ headSha: sha(`pr-${i}`) });
      if (i <= WITH_OVERRIDE) {
        stub.addReview(pr.number, { login: 'dana', state: 'APPROVED', commitId: pr.headSha });
      }
    }
    const etags: EtagStore = new Map();
    const first = await run(stub, etags);
    // The first run wrote every status; from the second on, nothing changes.
    await run(stub, etags);
    const warm = await run(stub, etags);
    const cold = await run(stub, undefined);
    const share = (n: number) => `${((n * RUNS_PER_HOUR * 100) / 1000).toFixed(1)}%`;
    const line = (name: string, r: typeof first) =>
      `${name}: ${r.counted} requests counted (${r.all} made, ${r.notModified} answered 304), ${share(r.counted)} of GITHUB_TOKEN's 1,000 an hour at ${RUNS_PER_HOUR} runs an hour`;
    return [
      `${PULLS} open pull requests, ${WITH_OVERRIDE} with an override (reviews and permissions read only for those)`,
      line('first run (statuses written)', first),
      line('next run, conditional-request cache restored, nothing changed', warm),
      line('next run without the cache', cold),
    ];
  } finally {
    await stub.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await benchRecheck()) console.log(line);
}
