import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagStatus, StatusResult } from '../../scripts/core/model.ts';
import type { PlatformFlag } from '../../scripts/core/platform-model.ts';
import {
  REPORT_MARKER,
  findDrift,
  ownerReview,
  removalBranch,
  renderReport,
  runReport,
  type PlatformView,
} from '../../scripts/github/report.ts';
import { type GitHubStub, startGitHubStub } from '../helpers/github-stub.ts';

const NOW = new Date('2026-11-27T06:23:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

function flag(key: string, partial: Partial<FlagStatus>): FlagStatus {
  return {
    key,
    file: `flags/video/${key}.yaml`,
    owner: '@novalien/video',
    state: 'alpha',
    since: daysAgo(1),
    soakLeftMs: 0,
    next: 'beta',
    eligibleAt: null,
    blockedBy: [],
    removable: false,
    stale: false,
    ...partial,
  };
}

function ga(key: string, days: number, partial: Partial<FlagStatus> = {}): FlagStatus {
  return flag(key, {
    state: 'ga',
    next: null,
    since: daysAgo(days),
    removable: days >= 7,
    stale: days >= 14,
    ...partial,
  });
}

function onPlatform(key: string, state: PlatformFlag['state']): PlatformFlag {
  return {
    key,
    description: key,
    owner: '@novalien/video',
    state,
    depends_on: [],
    state_changed_at: '2026-11-26T08:00:00Z',
    opt_in_count: 0,
    orgs_enabled: [],
    error_count_24h: 0,
  };
}

const flags = [
  ga('old-ga', 20),
  ga('week-ga', 8, { owner: '@erin' }),
  ga('needed-ga', 10),
  ga('fresh-ga', 3),
  flag('young', { state: 'beta' }),
  flag('needs-it', { state: 'beta' }),
];

function status(list: FlagStatus[]): StatusResult {
  return {
    ok: true,
    now: NOW.toISOString(),
    head: 'c'.repeat(40),
    flags: list,
    stale: list.filter((f) => f.stale).map((f) => f.key),
    violations: [],
  };
}

let stub: GitHubStub;

beforeAll(async () => {
  stub = await startGitHubStub();
  // Writes only as the workflow's own permissions: block grants them.
  stub.useWorkflowPermissions(
    fileURLToPath(new URL('../../.github/workflows/flags-report.yml', import.meta.url)),
    'report',
  );
  stub.seedBranch(
    'main',
    Object.fromEntries(flags.map((f) => [f.file, `key: ${f.key}\nstate: ${f.state}\n`])),
  );
});
afterAll(async () => {
  await stub.close();
});

function report(platform: PlatformView, list = flags) {
  return runReport({
    github: stub.client(),
    now: NOW,
    status: status(list),
    platform,
    dependents: new Map([['needed-ga', ['needs-it']]]),
    base: 'main',
    log: () => {},
  });
}

const platformFlags: PlatformView = {
  flags: [
    onPlatform('old-ga', 'ga'),
    onPlatform('week-ga', 'beta'),
    onPlatform('needed-ga', 'ga'),
    onPlatform('fresh-ga', 'ga'),
    onPlatform('needs-it', 'beta'),
    onPlatform('ghost', 'alpha'),
  ],
};

describe('drift', () => {
  it('finds flags whose platform state differs from main, both ways', () => {
    const drift = findDrift(flags, 'flags' in platformFlags ? platformFlags.flags : []);
    expect(drift.map((d) => [d.key, d.main, d.platform])).toEqual([
      ['ghost', null, 'alpha'],
      ['week-ga', 'ga', 'beta'],
      ['young', 'beta', null],
    ]);
  });
});

describe('owners as reviewers', () => {
  it('asks a team of this organisation, or a user', () => {
    expect(ownerReview('@novalien/video', 'novalien')).toEqual({
      reviewers: [],
      teamReviewers: ['video'],
      assignees: [],
    });
    expect(ownerReview('@other/video', 'novalien').teamReviewers).toEqual([]);
    expect(ownerReview('@erin', 'novalien')).toEqual({
      reviewers: ['erin'],
      teamReviewers: [],
      assignees: ['erin'],
    });
  });
});

describe('the scheduled report', () => {
  it('keeps one issue and opens each removal pull request once', async () => {
    const first = await report(platformFlags);
    expect(first.issue.result).toBe('created');
    expect(first.stale).toEqual(['old-ga']);
    expect(first.removals.map((r) => [r.key, r.result])).toEqual([
      ['old-ga', 'opened'],
      ['week-ga', 'opened'],
      ['needed-ga', 'blocked'],
    ]);

    const issue = stub.issues.get(first.issue.number ?? 0);
    expect(issue?.labels).toEqual(['flags-report']);
    expect(issue?.body).toContain(`<!-- ${REPORT_MARKER} -->`);
    expect(issue?.body).toContain('| `week-ga` | ga | beta |');
    expect(issue?.body).toContain('| `ghost` | — | alpha | not on main: the deploy archives it |');
    expect(issue?.body).toContain('| `old-ga` | @novalien/video | 2026-11-07 06:23 UTC |');
    expect(issue?.body).toContain('`needed-ga`: blocked: `needs-it` depends on it');

    // The removal pull request: a branch made through the API, the file deleted, the owner asked.
    const oldPr = first.removals[0]?.pr;
    const stored = stub.pulls.get(oldPr?.number ?? 0);
    expect(stored?.headRef).toBe(removalBranch('old-ga'));
    expect(stored?.files).toEqual(['flags/video/old-ga.yaml']);
    // The report runs with FLAGS_BOT_TOKEN when there is one; this is the workflow token, which
    // GitHub does not let ask a team: CODEOWNERS asks it when the pull request opens.
    expect(stored?.requestedTeams).toEqual([]);
    expect(stub.issues.get(oldPr?.number ?? 0)?.labels).toEqual(['flag:old-ga', 'flag-removal']);
    expect(stub.filesAt(removalBranch('old-ga'))).not.toHaveProperty('flags/video/old-ga.yaml');
    expect(stub.filesAt(removalBranch('old-ga'))).toHaveProperty('flags/video/week-ga.yaml');
    const weekPr = stub.pulls.get(first.removals[1]?.pr?.number ?? 0);
    expect(weekPr?.requestedReviewers).toEqual(['erin']);
    expect(stub.issues.get(weekPr?.number ?? 0)?.assignees).toEqual(['erin']);

    // The owner closes one without merging; the next day nothing is opened twice.
    if (weekPr) weekPr.state = 'closed';
    const pullsBefore = stub.pulls.size;
    const second = await report(platformFlags);
    expect(second.issue).toMatchObject({ result: 'updated', number: first.issue.number });
    expect(second.removals.map((r) => [r.key, r.result])).toEqual([
      ['old-ga', 'exists'],
      ['week-ga', 'exists'],
      ['needed-ga', 'blocked'],
    ]);
    expect(stub.pulls.size).toBe(pullsBefore);
    expect(stub.issues.get(first.issue.number ?? 0)?.body).toContain(`#${weekPr?.number} (closed)`);
    const reports = [...stub.issues.values()].filter((i) => i.body.includes(REPORT_MARKER));
    expect(reports).toHaveLength(1);
  });

  it('opens from a branch an interrupted run left behind, without a second branch', async () => {
    const branch = removalBranch('left-behind');
    const left = flag('left-behind', {
      state: 'ga',
      next: null,
      since: daysAgo(9),
      removable: true,
    });
    await stub.client().createBranchWithChanges({
      branch,
      base: 'main',
      message: 'Remove flag left-behind',
      files: [{ path: left.file, content: null }],
    });
    const refsBefore = stub.requestsTo('POST', /\/git\/refs$/).length;
    const outcome = await report({ unavailable: 'the platform is not configured' }, [left]);
    expect(outcome.removals[0]?.result).toBe('opened');
    expect(stub.requestsTo('POST', /\/git\/refs$/)).toHaveLength(refsBefore);
    expect(outcome.drift).toBeNull();
  });

  it('closes its issue when there is nothing to report', async () => {
    const calm = [flag('young', { state: 'beta' })];
    const outcome = await report({ flags: [onPlatform('young', 'beta')] }, calm);
    expect(outcome.issue.result).toBe('updated');
    const issue = stub.issues.get(outcome.issue.number ?? 0);
    expect(issue?.state).toBe('closed');
    expect(issue?.body).toContain('None: the platform matches main.');
  });
});

describe('GitHub limits in the report', () => {
  it('keeps the issue body of 900 drifted flags within 65,536 characters, saying 900', () => {
    const many = Array.from({ length: 900 }, (_, i) =>
      flag(`drifted-flag-with-a-long-name-${i}`, { state: 'beta' }),
    );
    const drift = findDrift(
      many,
      many.map((f) => onPlatform(f.key, 'alpha')),
    );
    const body = renderReport({
      now: NOW,
      head: 'c'.repeat(40),
      drift,
      platformNote: null,
      stale: [],
      removals: [],
      runUrl: 'https://github.com/novalien/flags/actions/runs/7',
    });
    const unlimited = renderReport({
      now: NOW,
      head: 'c'.repeat(40),
      drift,
      platformNote: null,
      stale: [],
      removals: [],
      maxChars: Number.MAX_SAFE_INTEGER,
    });
    expect(unlimited.length).toBeGreaterThan(65_536);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/_[\d,]+ of 900 drifted flags shown here: the \[run\]/);
  });

  it('opens at most the per-run number of removal pull requests and defers the rest', async () => {
    const due = Array.from({ length: 3 }, (_, i) => ga(`capped-${i}`, 9));
    stub.seedBranch(
      'main',
      Object.fromEntries(due.map((f) => [f.file, `key: ${f.key}\nstate: ga\n`])),
    );
    const outcome = await runReport({
      github: stub.client(),
      now: NOW,
      status: status(due),
      platform: { unavailable: 'not configured' },
      dependents: new Map(),
      base: 'main',
      maxNewRemovals: 2,
      log: () => {},
    });
    expect(outcome.removals.map((r) => r.result)).toEqual(['opened', 'opened', 'deferred']);
    expect(outcome.removals[2]?.note).toMatch(/2 removal pull requests are opened per run/);
  });
});
