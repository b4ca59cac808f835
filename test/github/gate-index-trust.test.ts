// The soak-clock index restored from the Actions cache is trusted for speed, and a run restores
// first from its own pull request's cache scope, which only that pull request's workflows can
// write. A change that touches .github/ could plant an index there that backdates its own
// promotion; its gate must judge from the history instead. Real git, the real check, the GitHub
// stand-in; the planted index is written with the store's own code, checksum and all.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as actions from '../../scripts/adapters/actions.ts';
import { ClockIndexStore } from '../../scripts/adapters/clock-index-store.ts';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { evaluateCheck } from '../../scripts/commands/check.ts';
import { ClockSnapshot } from '../../scripts/core/clock-index.ts';
import { runGate, type GateInputs } from '../../scripts/github/gate.ts';
import {
  actionsRunner,
  type ActionsRunner,
  type GitHubStub,
  startGitHubStub,
} from '../helpers/github-stub.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';

const FILE = 'flags/video/live.yaml';
const NOW = new Date('2026-11-26T14:00:00Z');

let stub: GitHubStub;
let runner: ActionsRunner;
let repo: TestRepo;
let base: string;
let indexDir: string;
const saved = process.env.FLAGS_CLOCK_INDEX_DIR;

beforeAll(async () => {
  stub = await startGitHubStub();
  runner = actionsRunner();
  repo = gitRepo();
  repo.flag('video', { key: 'live', state: 'alpha' });
  base = repo.commit('2026-11-26T10:00:00Z', 'live in alpha');
  indexDir = mkdtempSync(join(tmpdir(), 'flags-planted-index-'));
  // The store reads its folder from the process environment, as in the workflow.
  process.env.FLAGS_CLOCK_INDEX_DIR = indexDir;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.FLAGS_CLOCK_INDEX_DIR;
  else process.env.FLAGS_CLOCK_INDEX_DIR = saved;
  rmSync(indexDir, { recursive: true, force: true });
  runner.restore();
  cleanupRepos();
  await stub.close();
});

/** An index for the base that says `live` has been in alpha since November 1st. */
async function plant(): Promise<void> {
  const forged = new ClockSnapshot();
  forged.set(FILE, { state: 'alpha', sha: base, at: Date.parse('2026-11-01T00:00:00Z') / 1000 });
  await new ClockIndexStore(indexDir).write(base, forged);
  expect(readdirSync(indexDir)).toEqual([`${base}.clocks`]);
}

/** A pull request promoting `live` 2 h after it entered alpha, with `extra` files beside it. */
function promotion(branch: string, extra: Record<string, string>): string {
  repo.git('checkout', '-q', '-B', branch, base);
  repo.flag('video', { key: 'live', state: 'beta' });
  for (const [path, text] of Object.entries(extra)) repo.write(path, text);
  return repo.commit('2026-11-26T12:00:00Z', branch);
}

async function judge(head: string) {
  const pr = stub.addPull({ headSha: head });
  const input: GateInputs = {
    repoDir: repo.dir,
    event: 'pull_request',
    pr: pr.number,
    base,
    head,
    mergeCommit: null,
    fork: false,
    strict: false,
    soakViaStatus: true,
    runUrl: null,
  };
  const logs: string[] = [];
  const { value } = await runner.captureStdout(() =>
    runGate(input, {
      github: stub.client(),
      evaluate: evaluateCheck,
      git: new GitRepo(repo.dir),
      reporter: actions,
      now: NOW,
      env: process.env,
      log: (line) => logs.push(line),
    }),
  );
  return { soak: (value.result?.violations ?? []).filter((v) => v.rule === 'soak'), logs };
}

describe('a planted soak-clock index', () => {
  it('is what the gate trusts from a scope only .github/ changes can write', async () => {
    await plant();
    const { soak, logs } = await judge(promotion('plain', { 'notes/why.md': 'why\n' }));
    // The planted clock holds: this is the trust the next case must withdraw.
    expect(soak).toEqual([]);
    expect(logs.join('\n')).not.toContain('soak-clock index is not used');
  });

  it('is thrown away when the change touches .github/: the history says 2 h, too early', async () => {
    await plant();
    const head = promotion('planter', {
      '.github/workflows/plant.yml': 'name: plant\non: pull_request\njobs: {}\n',
    });
    const { soak, logs } = await judge(head);
    expect(soak).toHaveLength(1);
    expect(soak[0]!.message).toContain('since 2026-11-26 10:00 UTC, 4 h of the 24 h soak');
    expect(logs).toContain(
      'the change touches .github/ (.github/workflows/plant.yml): the restored soak-clock index is not used, since a workflow of this change could have written it; the clocks come from the history',
    );
    // Nothing of the planted index is left; with no index at all, the run walked the history of
    // the one flag it judges and built none (a run that needs every flag's clock builds it).
    expect(existsSync(indexDir) ? readdirSync(indexDir) : []).toEqual([]);
  });
});
