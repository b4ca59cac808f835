import { fileURLToPath } from 'node:url';
// The gate script against the local GitHub stand-in, with @actions/core writing real summary and
// output files, on a real temporary git repository (the owner of a flag is read from the head
// commit, a pull request behind main is judged through a real merge commit). The check itself
// is given as crafted results here (the end-to-end test in recheck.test.ts runs the real one).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as actions from '../../scripts/adapters/actions.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { EvaluationError } from '../../scripts/core/errors.ts';
import { SOAK_CONTEXT } from '../../scripts/core/gate-report.ts';
import type { CheckResult } from '../../scripts/core/model.ts';
import {
  applyOverrideApprovals,
  runGate,
  type Evaluate,
  type GateGit,
  type GateInputs,
} from '../../scripts/github/gate.ts';
import {
  actionsRunner,
  type ActionsRunner,
  type GitHubStub,
  sha,
  startGitHubStub,
} from '../helpers/github-stub.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';

let stub: GitHubStub;
let runner: ActionsRunner;
let repo: TestRepo;
let git: GateGit;
/** main when every pull request here branched: live-view, owned by the video team. */
let BASE: string;

const FILE = 'flags/video/live-view.yaml';

beforeAll(async () => {
  repo = gitRepo();
  repo.flag('video', { key: 'live-view', state: 'alpha' });
  BASE = repo.commit('2026-11-20T09:00:00Z', 'live-view in alpha');
  git = new GitRepo(repo.dir);
  stub = await startGitHubStub();
  // Writes only as the workflow's own permissions: block grants them.
  stub.useWorkflowPermissions(
    fileURLToPath(new URL('../../.github/workflows/flags-gate.yml', import.meta.url)),
    'gate',
  );
  runner = actionsRunner();
});
afterAll(async () => {
  runner.restore();
  cleanupRepos();
  await stub.close();
});
beforeEach(() => {
  stub.forkMode = false;
  runner.reset();
});

let commits = 0;
/**
 * A real commit on branch `name`, on top of `parent` (default BASE): a pull request's head. It
 * touches a note beside the flag, so the flag file is the base's own.
 */
function headCommit(name: string, parent = BASE): string {
  repo.git('checkout', '-q', '-B', name, parent);
  repo.write(`notes/${name}.md`, `${name}\n`);
  commits += 1;
  return repo.commit(`2026-11-26T${String(10 + (commits % 10)).padStart(2, '0')}:00:00Z`, name);
}

function crafted(partial: Partial<CheckResult>): CheckResult {
  return {
    ok: true,
    // What the check was asked to judge, filled in by gate() below.
    base: '',
    head: '',
    now: '2026-11-27T10:00:00Z',
    changes: [],
    violations: [],
    criteria: [],
    overrides: [],
    ...partial,
  };
}

const early = crafted({
  ok: false,
  changes: [
    {
      flag: 'live-view',
      file: FILE,
      kind: 'promote',
      from: 'alpha',
      to: 'beta',
      since: '2026-11-26T14:00:00Z',
      eligibleAt: '2026-11-27T14:00:00Z',
    },
  ],
  violations: [
    {
      rule: 'soak',
      severity: 'error',
      flag: 'live-view',
      file: FILE,
      line: 4,
      message: 'alpha to beta needs 24 h in alpha: allowed from 2026-11-27 14:00 UTC',
    },
  ],
});

const overridden = crafted({
  changes: [{ ...early.changes[0]!, from: 'beta', to: 'ga' }],
  violations: [
    {
      rule: 'soak-override',
      severity: 'warning',
      flag: 'live-view',
      file: FILE,
      line: 9,
      message: 'soak waived by @dana',
    },
  ],
  overrides: [
    {
      flag: 'live-view',
      decision_maker: '@dana',
      incident: 'https://inc.example/7',
      reason: 'hotfix',
    },
  ],
});

function inputs(pr: number, head: string, extra: Partial<GateInputs> = {}): GateInputs {
  return {
    repoDir: repo.dir,
    event: 'pull_request',
    pr,
    base: BASE,
    head,
    mergeCommit: null,
    fork: false,
    strict: true,
    soakViaStatus: true,
    runUrl: 'https://github.example/novalien/flags/actions/runs/1',
    ...extra,
  };
}

function gate(result: CheckResult | Error, input: GateInputs) {
  const evaluate: Evaluate = (options) =>
    result instanceof Error
      ? Promise.reject(result)
      : Promise.resolve({ ...result, base: options.base, head: options.head ?? options.base });
  const logs: string[] = [];
  return runner
    .captureStdout(() =>
      runGate(input, {
        github: stub.client(),
        evaluate,
        git,
        reporter: actions,
        now: new Date('2026-11-27T10:00:00Z'),
        env: {},
        log: (line) => logs.push(line),
      }),
    )
    .then(({ value, lines }) => ({ outcome: value, stdout: lines, logs }));
}

describe('the gate in a pull request', () => {
  it('holds a change blocked only by the soak with a pending status, and reports everywhere', async () => {
    const head = headCommit('gate-early');
    const pr = stub.addPull({ headSha: head });
    const { outcome, stdout } = await gate(early, inputs(pr.number, head));

    expect(outcome.exitCode).toBe(0);
    expect(stub.latestStatus(head, SOAK_CONTEXT)).toMatchObject({
      state: 'pending',
      description: 'Soak: allowed from 2026-11-27 14:00 UTC (live-view)',
      targetUrl: 'https://github.example/novalien/flags/actions/runs/1',
    });
    // The annotation at the flag file's line, titled with the rule id.
    expect(stdout).toContain(
      `::error title=soak,file=${FILE},line=4::alpha to beta needs 24 h in alpha: allowed from 2026-11-27 14:00 UTC`,
    );
    // The sticky comment.
    const comments = stub.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('<!-- flags-gate -->');
    expect(comments[0]?.body).toContain('| live-view | alpha | beta | 2026-11-26 14:00 UTC |');
    expect(comments[0]?.body).toContain('a review from @novalien/video, the owner of `live-view`');
    // The job summary, as @actions/core wrote it.
    const summary = runner.summary();
    expect(summary).toContain('## Flags gate');
    expect(summary).toContain('| flag | from | to | soak since | allowed from | criteria |');
    expect(summary).toContain('| live-view | alpha | beta | 2026-11-26 14:00 UTC |');
    // The outputs.
    const outputs = runner.outputs();
    expect(outputs).toMatchObject({
      ok: 'true',
      state: 'pending',
      'eligible-at': '2026-11-27T14:00:00Z',
      errors: '1',
      comment: 'created',
    });
    expect((JSON.parse(outputs['result'] ?? '{}') as CheckResult).changes).toHaveLength(1);
  });

  it('fails the job on a soak when the status is not used to hold it', async () => {
    const head = headCommit('gate-early-strict-job');
    const pr = stub.addPull({ headSha: head });
    const { outcome } = await gate(early, inputs(pr.number, head, { soakViaStatus: false }));
    expect(outcome.exitCode).toBe(1);
  });

  it('makes an override count only once its decision-maker approved the current head', async () => {
    const oldHead = headCommit('override-old');
    const head = headCommit('override-new', oldHead);
    const pr = stub.addPull({ headSha: head });
    stub.addReview(pr.number, { login: 'dana', state: 'APPROVED', commitId: oldHead });

    const first = await gate(overridden, inputs(pr.number, head));
    expect(first.outcome.exitCode).toBe(1);
    const invalid = first.outcome.result?.violations.find((v) => v.rule === 'override-invalid');
    expect(invalid).toMatchObject({ severity: 'error', flag: 'live-view', file: FILE, line: 9 });
    expect(first.stdout.some((l) => l.startsWith('::error title=override-invalid,'))).toBe(true);
    expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('failure');
    expect(stub.commentsOn(pr.number)[0]?.body).toContain(
      '| `live-view` | @dana | ❌ not on the current head |',
    );

    stub.addReview(pr.number, { login: 'dana', state: 'APPROVED', commitId: head });
    const second = await gate(overridden, inputs(pr.number, head));
    expect(second.outcome.exitCode).toBe(0);
    expect(second.outcome.comment).toBe('updated');
    expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('success');
    const comments = stub.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('| `live-view` | @dana | ✅ yes |');
    expect(comments[0]?.body).toContain(
      'npx flags revert live-view --reason "..." --incident <URL>',
    );
  });

  it("refuses an outsider's approval of an override and counts a collaborator's", async () => {
    const head = headCommit('override-outsider');
    const pr = stub.addPull({ headSha: head });
    // In a public repository anyone can review: dana has no write access here.
    stub.permissions.set('dana', 'read');
    try {
      stub.addReview(pr.number, {
        login: 'dana',
        state: 'APPROVED',
        commitId: head,
        association: 'NONE',
      });
      const refused = await gate(overridden, inputs(pr.number, head));
      expect(refused.outcome.exitCode).toBe(1);
      const invalid = refused.outcome.result?.violations.find((v) => v.rule === 'override-invalid');
      expect(invalid?.message).toContain('has read access to the repository');
      const body = stub.commentsOn(pr.number)[0]?.body ?? '';
      expect(body).toContain('❌ approved, but without write access: does not count');
      expect(body).toContain(
        'Not counted (only accounts with write access decide): @dana (read access)',
      );
      expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('failure');

      stub.permissions.set('dana', 'write');
      // A new run reads permissions afresh; within one run (one client) they are cached.
      const counted = await gate(overridden, inputs(pr.number, head));
      expect(counted.outcome.exitCode).toBe(0);
      expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('success');
    } finally {
      stub.permissions.delete('dana');
    }
  });

  it('never lets the author be the decision-maker of their own override', async () => {
    const head = headCommit('override-own');
    const pr = stub.addPull({ headSha: head, user: { login: 'dana', type: 'User' } });
    stub.addReview(pr.number, { login: 'dana', state: 'APPROVED', commitId: head });
    const own = await gate(overridden, inputs(pr.number, head, { author: 'dana' }));
    expect(own.outcome.exitCode).toBe(1);
    expect(
      own.outcome.result?.violations.find((v) => v.rule === 'override-invalid')?.message,
    ).toContain('an author cannot be the decision-maker of their own override');
    expect(stub.commentsOn(pr.number)[0]?.body).toContain(
      '❌ the author of this pull request cannot decide their own override',
    );
  });

  it("reads each approver's permission once per run", async () => {
    const head = headCommit('override-cache');
    const a = stub.addPull({ headSha: head });
    const b = stub.addPull({ headSha: head });
    stub.addReview(a.number, { login: 'quinn', state: 'APPROVED', commitId: head });
    stub.addReview(b.number, { login: 'quinn', state: 'APPROVED', commitId: head });
    const client = stub.client();
    const before = stub.requestsTo('GET', /\/collaborators\/quinn\/permission$/).length;
    expect((await client.trustedApprovals(a.number, head)).approvals).toEqual(['quinn']);
    expect((await client.trustedApprovals(b.number, head)).approvals).toEqual(['quinn']);
    expect(stub.requestsTo('GET', /\/collaborators\/quinn\/permission$/).length - before).toBe(1);
  });

  it('without --strict, a missing approval is a warning', () => {
    const soft = applyOverrideApprovals(overridden, [], { strict: false, headSha: sha('x') });
    expect(soft.ok).toBe(true);
    expect(soft.violations.at(-1)).toMatchObject({ rule: 'override-invalid', severity: 'warning' });
    const strict = applyOverrideApprovals(overridden, ['@DANA'], {
      strict: true,
      headSha: sha('x'),
    });
    expect(strict).toBe(overridden);
  });

  it('falls back to the job summary and annotations on a fork, without failing', async () => {
    const head = headCommit('gate-fork');
    const pr = stub.addPull({ headSha: head, headRepo: 'someone/flags' });
    stub.forkMode = true;
    const { outcome, stdout, logs } = await gate(early, inputs(pr.number, head, { fork: true }));
    expect(outcome).toMatchObject({ exitCode: 0, comment: 'forbidden', commitStatus: 'forbidden' });
    expect(stub.commentsOn(pr.number)).toHaveLength(0);
    expect(stdout.some((l) => l.startsWith('::error title=soak,'))).toBe(true);
    expect(runner.summary()).toContain('may not comment on the pull request (a fork)');
    expect(runner.summary()).toContain('| live-view |');
    expect(runner.outputs()['comment']).toBe('forbidden');
    expect(logs.join('\n')).toContain("a fork's token is read-only");
  });

  it('leaves pull requests that touch no flag without a comment', async () => {
    const head = headCommit('gate-no-flags');
    const pr = stub.addPull({ headSha: head });
    const { outcome } = await gate(crafted({}), inputs(pr.number, head));
    expect(outcome).toMatchObject({ exitCode: 0, comment: 'skipped' });
    expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('success');
    expect(stub.commentsOn(pr.number)).toHaveLength(0);
  });

  it('exits 2 with an error status and a comment when the change cannot be judged', async () => {
    const head = headCommit('gate-broken');
    const pr = stub.addPull({ headSha: head });
    const { outcome, stdout } = await gate(
      new EvaluationError('the clone is shallow, so the soak clock cannot be read'),
      inputs(pr.number, head),
    );
    expect(outcome.exitCode).toBe(2);
    expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('error');
    expect(stub.commentsOn(pr.number)[0]?.body).toContain('could not judge the change');
    expect(stdout.some((l) => l.includes('the clone is shallow'))).toBe(true);
  });
});

describe('the gate in a merge queue', () => {
  it('fails an early change instead of waiting, and sets the status on the group head', async () => {
    const head = headCommit('group-head');
    stub.knownShas.add(head);
    const { outcome } = await gate(early, inputs(0, head, { event: 'merge_group', pr: null }));
    expect(outcome.exitCode).toBe(1);
    expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('failure');
  });

  it('checks override approvals on the pull request whose files carry the override', async () => {
    const prHead = headCommit('queued-pr-head');
    const pr = stub.addPull({ headSha: prHead, files: [FILE] });
    const groupHead = headCommit('group-2', prHead);
    stub.knownShas.add(groupHead);
    const group = inputs(pr.number, groupHead, { event: 'merge_group' });
    expect((await gate(overridden, group)).outcome.exitCode).toBe(1);
    stub.addReview(pr.number, { login: 'dana', state: 'APPROVED', commitId: prHead });
    expect((await gate(overridden, group)).outcome.exitCode).toBe(0);
    // Another pull request of the group (not touching the file) does not need dana.
    const other = stub.addPull({ headSha: headCommit('other-pr'), files: ['README.md'] });
    const otherHead = headCommit('group-3', other.headSha);
    stub.knownShas.add(otherHead);
    const otherGroup = inputs(other.number, otherHead, { event: 'merge_group' });
    expect((await gate(overridden, otherGroup)).outcome.exitCode).toBe(0);
  });
});

describe('the gate in a merge queue, past the files GitHub lists', () => {
  it('checks an override among the files past the 3,000 GitHub lists', async () => {
    const prHead = headCommit('huge-pr-head');
    const files = Array.from({ length: 3500 }, (_, i) => `src/generated-${i}.ts`);
    files.splice(3200, 0, FILE);
    const pr = stub.addPull({ headSha: prHead, files });
    const groupHead = headCommit('group-huge', prHead);
    stub.knownShas.add(groupHead);
    const group = inputs(pr.number, groupHead, { event: 'merge_group' });
    // The listed files end before the flag file: it must not escape dana's approval.
    expect((await stub.client().pullRequestFiles(pr.number)).includes(FILE)).toBe(false);
    expect((await gate(overridden, group)).outcome.exitCode).toBe(1);
    stub.addReview(pr.number, { login: 'dana', state: 'APPROVED', commitId: prHead });
    expect((await gate(overridden, group)).outcome.exitCode).toBe(0);
  });
});

describe('a pull request behind its base', () => {
  it('is judged through the merge commit against its first parent', async () => {
    const head = headCommit('behind-head');
    // main moved on twice since the branch was made: the event's base, then what GitHub merged.
    const eventBase = headCommit('main-then');
    const mainNow = headCommit('main-now', eventBase);
    repo.git('checkout', '-q', '--detach', mainNow);
    repo.gitAt('2026-11-27T09:00:00Z', 'merge', '-q', '--no-ff', '-m', 'merge behind-head', head);
    const merge = repo.head();
    const pr = stub.addPull({ headSha: head });
    const seen: { base: string; head?: string }[] = [];
    const judge = (input: GateInputs) =>
      runGate(input, {
        github: stub.client(),
        evaluate: (o) => {
          seen.push({ base: o.base, head: o.head });
          return Promise.resolve(crafted({}));
        },
        git,
        reporter: actions,
        now: new Date('2026-11-27T10:00:00Z'),
        env: {},
        log: () => {},
      });
    await judge(inputs(pr.number, head, { base: eventBase, mergeCommit: merge }));
    expect(seen).toEqual([{ base: mainNow, head: merge }]);
    // A branch that is not behind is judged as it is, base to head.
    const ahead = headCommit('ahead-head', mainNow);
    await judge(inputs(pr.number, ahead, { base: mainNow, mergeCommit: merge }));
    expect(seen[1]).toEqual({ base: mainNow, head: ahead });
    // The status still goes on the pull request's head, which branch protection looks at.
    expect(stub.latestStatus(head, SOAK_CONTEXT)?.state).toBe('success');
  });
});
