import { fileURLToPath } from 'node:url';
// The gate driven by GitHub's own example payloads (@octokit/webhooks-examples) for every event
// and action flags-gate.yml listens to, with SHAs and names rewritten to a real test repository.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { SOAK_CONTEXT } from '../../scripts/core/gate-report.ts';
import { gateInputsFrom, main as gateMain } from '../../scripts/github/gate.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import {
  actionsRunner,
  type ActionsRunner,
  type GitHubStub,
  sha,
  startGitHubStub,
} from '../helpers/github-stub.ts';
import { rewriteExample, webhookExamples } from '../helpers/webhook-examples.ts';

import { ago, QUIET } from '../helpers/entry-options.ts';

/** The events and actions the gate workflow listens to, read from the workflow itself. */
const gateWorkflow = parse(
  readFileSync(new URL('../../.github/workflows/flags-gate.yml', import.meta.url), 'utf8'),
) as { on: Record<string, { types?: string[] }> };
const listened = Object.entries(gateWorkflow.on).map(([event, v]) => ({
  event,
  actions: v.types ?? [],
}));

let stub: GitHubStub;
let runner: ActionsRunner;
let repo: TestRepo;
let scratch: string;
let mainSha: string;
let prHead: string;
let prNumber: number;

beforeAll(async () => {
  stub = await startGitHubStub();
  // Writes only as the workflow's own permissions: block grants them.
  stub.useWorkflowPermissions(
    fileURLToPath(new URL('../../.github/workflows/flags-gate.yml', import.meta.url)),
    'gate',
  );
  runner = actionsRunner();
  scratch = mkdtempSync(join(tmpdir(), 'flags-events-'));
  repo = gitRepo();
  repo.flag('video', { key: 'live-view', state: 'alpha' });
  mainSha = repo.commit(ago(15), 'flags');
  repo.git('checkout', '-q', '-b', 'promote');
  repo.flag('video', { key: 'live-view', state: 'beta' });
  prHead = repo.commit(ago(1), 'promote live-view');
  repo.git('checkout', '-q', 'main');
  prNumber = stub.addPull({
    headSha: prHead,
    headRef: 'promote',
    baseSha: mainSha,
    user: { login: 'Codertocat', type: 'User' },
  }).number;
});

afterAll(async () => {
  runner.restore();
  await stub.close();
  cleanupRepos();
  rmSync(scratch, { recursive: true, force: true });
});

function examplesFor(event: string, actions: readonly string[]): Record<string, unknown>[] {
  const found = webhookExamples(event, actions.length ? actions : undefined);
  // The package has no `edited` example: GitHub sends the opened payload's shape with
  // `action: edited` and `changes.base` when a pull request is retargeted.
  if (
    event === 'pull_request' &&
    actions.includes('edited') &&
    !found.some((e) => e['action'] === 'edited')
  ) {
    const opened = webhookExamples('pull_request', ['opened'])[0] as Record<string, unknown>;
    found.push({
      ...opened,
      action: 'edited',
      changes: { base: { ref: { from: 'develop' }, sha: { from: sha('old-base') } } },
    });
  }
  return found;
}

function env(event: string, payload: Record<string, unknown>): Record<string, string> {
  const file = join(scratch, `${event}-${String(payload['action'])}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return {
    ...stub.env(),
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: file,
    GITHUB_SHA: prHead,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '11',
    FLAGS_REPO_DIR: repo.dir,
    FLAGS_STRICT: 'false',
  };
}

const rewrite = () => ({
  repo: stub.fullName,
  base: mainSha,
  head: prHead,
  pr: prNumber,
  author: 'Codertocat',
});

describe("the gate on GitHub's example payloads", () => {
  it('listens to pull_request (with edited), pull_request_review and merge_group', () => {
    expect(listened.map((l) => l.event).sort()).toEqual([
      'merge_group',
      'pull_request',
      'pull_request_review',
    ]);
  });

  it.each(listened)('reads every $event example the workflow listens to', ({ event, actions }) => {
    const examples = examplesFor(event, actions);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const payload = rewriteExample(example, rewrite());
      const inputs = gateInputsFrom(env(event, payload), payload, '/');
      expect(inputs).toMatchObject({
        event: event === 'merge_group' ? 'merge_group' : 'pull_request',
        pr: prNumber,
        base: mainSha,
        head: prHead,
        fork: false,
      });
    }
  });

  // Every event and action the workflow lists, each judged end to end.
  const pairs = listened.flatMap(({ event, actions }) => actions.map((action) => [event, action]));

  it('judges every action the workflow lists, not a sample', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(8);
    expect(pairs).toContainEqual(['pull_request_review', 'dismissed']);
  });

  it.each(pairs)('judges %s %s end to end and sets flags/soak', async (event, action) => {
    const example = examplesFor(event, [action]).find((e) => e['action'] === action);
    expect(example).toBeDefined();
    const payload = rewriteExample(example as Record<string, unknown>, rewrite());
    stub.statuses.length = 0;
    runner.reset();
    const { value: code } = await runner.captureStdout(() =>
      gateMain(env(event, payload), '/', QUIET),
    );
    expect(code).toBe(0);
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)?.state).toBe('success');
    expect(runner.outputs()['soak-status-set']).toBe('true');
  });

  it('sets a terminal flags/soak on the merge group head when it cannot judge', async () => {
    const example = webhookExamples('merge_group', ['checks_requested'])[0] as Record<
      string,
      unknown
    >;
    // A base the checkout does not have: the history cannot be read.
    const payload = rewriteExample(example, { ...rewrite(), base: sha('not-in-the-clone') });
    stub.statuses.length = 0;
    runner.reset();
    const { value: code } = await runner.captureStdout(() =>
      gateMain(env('merge_group', payload), '/', QUIET),
    );
    expect(code).toBe(2);
    expect(stub.latestStatus(prHead, SOAK_CONTEXT)).toMatchObject({ state: 'error' });
    expect(runner.outputs()['soak-status-set']).toBe('true');
  });
});
