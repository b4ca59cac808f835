// Deploy at scale: synthetic repositories of 1,000 and 10,000 flags (per-team folders, about a
// third depending on earlier flags, a history that promoted some to beta and ga by the rules,
// alpha orgs), deployed in full to a fresh platform server (flags synced per second), then a
// no-op second deploy at 10,000 flags: its time and the requests it made, counted by the
// server (target: one list call and no writes).
// Run alone with `npx tsx bench/deploy.ts`; `npm run bench` runs it with the others.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runDeploy, type DeployReport } from '../scripts/adapters/deploy-run.ts';
import { startPlatformServer } from '../scripts/platform-server/server.ts';
import { boundedPlan, outputBytes } from '../scripts/github/deploy-summary.ts';
import {
  codeownersText,
  fastImport,
  flagText,
  syntheticFlags,
  type SyntheticFlag,
} from './synthetic.ts';

const STATES = ['alpha', 'beta', 'ga'] as const;
type State = (typeof STATES)[number];

interface BenchFlag extends SyntheticFlag {
  /** The state it ends in; it got there one state at a time, after each soak. */
  state: State;
  orgs: string[];
}

export function benchFlags(count: number): BenchFlag[] {
  const stateOf = new Map<string, State>();
  return syntheticFlags(count, 'teams').map((f, i) => {
    // About 30 % in beta and 10 % at ga, never above a dependency.
    const wanted: State = i % 10 === 0 ? 'ga' : i % 10 < 3 ? 'beta' : 'alpha';
    const cap = Math.min(...f.depends.map((d) => STATES.indexOf(stateOf.get(d)!)), 2);
    const state = STATES[Math.min(STATES.indexOf(wanted), cap)]!;
    stateOf.set(f.key, state);
    return {
      ...f,
      state,
      orgs: i % 20 === 7 ? ['novalien-internal', `design-partner-${i % 13}`] : [],
    };
  });
}

/** A repository whose first-parent history created every flag at alpha, then promoted by the rules. */
export function benchRepo(flags: readonly BenchFlag[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'flags-bench-deploy-'));
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const at = Date.parse('2026-01-05T09:00:00Z') / 1000;
  const files = (list: readonly BenchFlag[], state: State) =>
    list.map((f) => [f.path, flagText(f, state, undefined, f.orgs)] as const);
  fastImport(dir, [
    {
      message: 'add flags',
      time: at,
      files: [...files(flags, 'alpha'), ['CODEOWNERS', codeownersText('teams', flags)]],
    },
    {
      message: 'promote to beta',
      time: at + 30 * 3600,
      files: files(
        flags.filter((f) => f.state !== 'alpha'),
        'beta',
      ),
    },
    {
      message: 'promote to ga',
      time: at + 110 * 3600,
      files: files(
        flags.filter((f) => f.state === 'ga'),
        'ga',
      ),
    },
  ]);
  return dir;
}

interface Run {
  report: DeployReport;
  ms: number;
  requests: Record<string, number>;
}

async function deployOnce(
  dir: string,
  url: string,
  token: string,
  counted: Record<string, number>,
): Promise<Run> {
  for (const k of Object.keys(counted)) delete counted[k];
  const started = performance.now();
  const report = await runDeploy({
    cwd: dir,
    env: { PLATFORM_API_TOKEN: token },
    now: new Date(),
    dryRun: false,
    command: 'deploy',
    platformUrl: url,
    branch: null,
    // A fresh platform, bootstrapped from the repository's history: the full work of a deploy.
    adopt: true,
  });
  return { report, ms: performance.now() - started, requests: { ...counted } };
}

async function benchSize(count: number, noOp: boolean): Promise<string[]> {
  const flags = benchFlags(count);
  const dir = benchRepo(flags);
  const counted: Record<string, number> = {};
  // In memory: the bench measures deploy, not the server's disk.
  const server = await startPlatformServer({
    token: 'bench',
    log: (line) => {
      const method = line.split(' ', 1)[0]!;
      counted[method] = (counted[method] ?? 0) + 1;
    },
  });
  const lines: string[] = [];
  try {
    const first = await deployOnce(dir, server.url, 'bench', counted);
    const c = first.report.counts;
    if (!first.report.ok)
      throw new Error(`the first deploy of ${count} flags failed: ${JSON.stringify(c)}`);
    const writes =
      (first.requests.PUT ?? 0) + (first.requests.POST ?? 0) + (first.requests.DELETE ?? 0);
    lines.push(
      `deploy: full first deploy of ${count.toLocaleString('en')} flags: ${(first.ms / 1000).toFixed(1)} s, ${Math.round(count / (first.ms / 1000)).toLocaleString('en')} flags/s (${c.applied.toLocaleString('en')} steps, ${writes.toLocaleString('en')} writes, verified)`,
    );
    lines.push(planOutputLine(count, first.report));
    if (noOp) {
      const second = await deployOnce(dir, server.url, 'bench', counted);
      const reads = second.requests.GET ?? 0;
      const w =
        (second.requests.PUT ?? 0) + (second.requests.POST ?? 0) + (second.requests.DELETE ?? 0);
      const target = reads === 1 && w === 0 ? 'target met' : 'TARGET MISSED';
      lines.push(
        `deploy: no-op deploy of ${count.toLocaleString('en')} flags: ${Math.round(second.ms)} ms, ${reads} list call${reads === 1 ? '' : 's'}, ${w} writes (${target}: one list call, no writes)`,
      );
      if (second.report.steps.length !== 0) throw new Error('the second deploy was not a no-op');
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

/**
 * The size of `flags deploy --json` for this deploy, as GitHub counts an output (UTF-16), and
 * what the deploy action's bounded `plan` output keeps of it.
 */
function planOutputLine(count: number, report: DeployReport): string {
  const printed = JSON.stringify(report, null, 2);
  const plan = JSON.parse(boundedPlan(report as unknown as Record<string, unknown>)) as {
    truncated?: boolean;
    stepsShown?: number;
  };
  const mb = (bytes: number) => (bytes / 1_000_000).toFixed(2);
  const kept = plan.truncated
    ? `${plan.stepsShown?.toLocaleString('en')} of ${report.steps.length.toLocaleString('en')} steps`
    : 'whole';
  return `deploy: --json document of ${count.toLocaleString('en')} flags: ${mb(Buffer.byteLength(printed))} MB UTF-8, ${mb(outputBytes(printed))} MB as GitHub counts outputs (limit 1 MB per job); the action's plan output: ${mb(outputBytes(boundedPlan(report as unknown as Record<string, unknown>)))} MB, ${kept}`;
}

export async function benchDeploy(): Promise<string[]> {
  return [...(await benchSize(1_000, false)), ...(await benchSize(10_000, true))];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await benchDeploy()) process.stdout.write(`${line}\n`);
}
