// The two GA ages of the runbook, each pinned to the second: a ga flag may be removed after
// 7 days at ga, and is reported stale (its code is technical debt) after 14. The clock is the
// committer time; every commit here carries an author date a month earlier, so a clock read from
// author dates (which authors set) would call the flags old enough at once.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

const DAY = 24 * 3600 * 1000;
const GA_AT = '2026-11-01T00:00:00Z';

function at(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Commits with committer time `committed` and an author time 30 days before it. */
function commitForgedAuthor(repo: TestRepo, committed: string): string {
  return repo.commitDated({ committer: committed, author: at(Date.parse(committed) - 30 * DAY) });
}

function gaRepo(): TestRepo {
  const repo = gitRepo().flag('video', { key: 'done' });
  commitForgedAuthor(repo, '2026-10-01T00:00:00Z');
  repo.flag('video', { key: 'done', state: 'beta' });
  commitForgedAuthor(repo, '2026-10-10T00:00:00Z');
  repo.flag('video', { key: 'done', state: 'ga' });
  commitForgedAuthor(repo, GA_AT);
  return repo;
}

async function statusAt(repo: TestRepo, now: number): Promise<Record<string, unknown>> {
  const out = await repo.cli(['status', '--now', at(now), '--json']);
  expect(out.status).toBe(0);
  return out.json.flags[0];
}

describe('GA age boundaries, on the committer clock', () => {
  it('status: removable from exactly 7 days at ga, stale from exactly 14', async () => {
    const repo = gaRepo();
    const ga = Date.parse(GA_AT);
    expect(await statusAt(repo, ga + 7 * DAY - 1000)).toMatchObject({
      since: GA_AT,
      removable: false,
      stale: false,
    });
    expect(await statusAt(repo, ga + 7 * DAY)).toMatchObject({ removable: true, stale: false });
    expect(await statusAt(repo, ga + 14 * DAY - 1000)).toMatchObject({ stale: false });
    expect(await statusAt(repo, ga + 14 * DAY)).toMatchObject({ removable: true, stale: true });
  });

  it('check: removing a ga flag one second before 7 days is refused, at 7 days it is not', async () => {
    const repo = gaRepo();
    const base = repo.head();
    repo.remove('flags/video/done.yaml');
    commitForgedAuthor(repo, '2026-11-07T12:00:00Z');
    const ga = Date.parse(GA_AT);

    const early = await repo.cli([
      'check',
      '--base',
      base,
      '--now',
      at(ga + 7 * DAY - 1000),
      '--json',
    ]);
    expect(early.status).toBe(1);
    expect(early.json.violations.map((v: { rule: string }) => v.rule)).toEqual(['removal']);
    expect(early.json.changes[0]).toMatchObject({
      kind: 'remove',
      since: GA_AT,
      eligibleAt: at(ga + 7 * DAY),
    });

    const onTime = await repo.cli(['check', '--base', base, '--now', at(ga + 7 * DAY), '--json']);
    expect(onTime.json.violations).toEqual([]);
    expect(onTime.status).toBe(0);
  });
});
