// Removal pull requests opened per report run stay within GitHub's content-creation limits: the
// cost of one is measured here, in the stand-in, and the per-run cap is derived from it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTENT_CREATION_PER_HOUR,
  REMOVAL_CONTENT_SHARE,
  REMOVAL_PRS_PER_RUN,
  WRITES_PER_REMOVAL_PR,
} from '../../scripts/core/github-limits.ts';
import type { FlagStatus, StatusResult } from '../../scripts/core/model.ts';
import { runReport } from '../../scripts/github/report.ts';
import { type GitHubStub, type RecordedRequest, startGitHubStub } from '../helpers/github-stub.ts';

const NOW = new Date('2026-11-27T06:23:00Z');

function due(key: string, owner: string): FlagStatus {
  return {
    key,
    file: `flags/video/${key}.yaml`,
    owner,
    state: 'ga',
    since: new Date(NOW.getTime() - 9 * 86_400_000).toISOString(),
    soakLeftMs: 0,
    next: null,
    eligibleAt: null,
    blockedBy: [],
    removable: true,
    stale: false,
  };
}

function status(list: FlagStatus[]): StatusResult {
  return {
    ok: true,
    now: NOW.toISOString(),
    head: 'c'.repeat(40),
    flags: list,
    stale: [],
    violations: [],
  };
}

/**
 * Every request that may create content, counted as GitHub might: all writes (refs, blobs,
 * trees, commits, pull requests, issues, comments, labels, assignees, review requests), whether
 * or not GitHub accepted them.
 */
const writes = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

let stub: GitHubStub;
beforeEach(async () => {
  stub = await startGitHubStub();
});
afterEach(async () => {
  await stub.close();
});

async function report(flags: FlagStatus[]) {
  stub.seedBranch(
    'main',
    Object.fromEntries(flags.map((f) => [f.file, `key: ${f.key}\nstate: ga\n`])),
  );
  const before = stub.requests.length;
  const outcome = await runReport({
    github: stub.client(),
    now: NOW,
    status: status(flags),
    platform: { unavailable: 'not configured' },
    dependents: new Map(),
    base: 'main',
    log: () => {},
  });
  return { outcome, writes: writes(stub.requests.slice(before)) };
}

describe('removal pull requests and GitHub content-creation limits', () => {
  it('costs at most the measured writes each, whoever reviews and whichever token asks', async () => {
    const costs: number[] = [];
    for (const [owner, token] of [
      ['@erin', 'workflow'],
      ['@novalien/video', 'workflow'],
      ['@novalien/video', 'app'],
      ['@erin', 'app'],
    ] as const) {
      stub.tokenKind = token;
      const key = `one-${costs.length}`;
      const { outcome, writes: made } = await report([due(key, owner)]);
      expect(outcome.removals.map((r) => r.result)).toEqual(['opened']);
      costs.push(made.length);
    }
    // The constant the per-run cap is derived from is this measurement: a request more per
    // pull request in the adapter fails here, and the cap must be derived again.
    expect(Math.max(...costs)).toBe(WRITES_PER_REMOVAL_PR);
  });

  it('opens the derived number per run, and the whole run stays within its share of the hour', async () => {
    expect(REMOVAL_PRS_PER_RUN).toBe(
      Math.floor((CONTENT_CREATION_PER_HOUR * REMOVAL_CONTENT_SHARE) / WRITES_PER_REMOVAL_PR),
    );
    const flags = Array.from({ length: REMOVAL_PRS_PER_RUN + 3 }, (_, i) =>
      due(`many-${String(i).padStart(2, '0')}`, '@erin'),
    );
    const { outcome, writes: made } = await report(flags);
    const results = outcome.removals.map((r) => r.result);
    expect(results.filter((r) => r === 'opened')).toHaveLength(REMOVAL_PRS_PER_RUN);
    expect(results.filter((r) => r === 'deferred')).toHaveLength(3);
    // All the run's writes, not only the pull requests': within its share of GitHub's hour.
    expect(made.length).toBeLessThanOrEqual(CONTENT_CREATION_PER_HOUR * REMOVAL_CONTENT_SHARE);
    expect(made.length).toBeLessThan(CONTENT_CREATION_PER_HOUR);
  });
});
