// A temp git repository and the real platform server with a clock the test moves, so soaks,
// commit times and audit times line up exactly; `deploy()` runs the CLI in-process at a time.
import { cleanupRepos, gitRepo, type CliResult, type TestRepo } from '../helpers/git-repo.ts';
import {
  platformServer,
  type TestPlatform,
  type TestPlatformOptions,
} from '../helpers/platform-server.ts';

export interface DeployWorld {
  repo: TestRepo;
  platform: TestPlatform;
  /** The platform's clock. */
  clock: { now: Date };
  /** `flags <command> --json --now <at>` against the platform, with its clock set to `at`. */
  run(
    command: 'deploy' | 'plan',
    at: string,
    args?: string[],
    env?: Record<string, string>,
  ): Promise<CliResult>;
  deploy(at: string, args?: string[], env?: Record<string, string>): Promise<CliResult>;
}

const worlds: DeployWorld[] = [];

export async function deployWorld(options: TestPlatformOptions = {}): Promise<DeployWorld> {
  const clock = { now: new Date('2026-11-01T00:00:00Z') };
  const platform = await platformServer({ clock: () => clock.now, ...options });
  const repo = gitRepo();
  const run: DeployWorld['run'] = (command, at, args = [], env = {}) => {
    clock.now = new Date(at);
    return repo.cli(
      [command, '--json', '--now', at, '--platform-url', platform.url, '--retries', '8', ...args],
      { PLATFORM_API_TOKEN: platform.token, ...env },
      clock.now,
    );
  };
  const world: DeployWorld = {
    repo,
    platform,
    clock,
    run,
    deploy: (at, args, env) => run('deploy', at, args, env),
  };
  worlds.push(world);
  return world;
}

export async function closeWorlds(): Promise<void> {
  await Promise.all(worlds.splice(0).map((w) => w.platform.close()));
  cleanupRepos();
}

/** Steps of a deploy's JSON report, as `id outcome`. */
export function outcomes(json: any): string[] {
  return (json.steps as any[]).map((s) => `${s.id} ${s.outcome}`);
}

/** `flag old->new` of every state change in the platform audit log, oldest first. */
export async function stateChanges(platform: TestPlatform): Promise<string[]> {
  const entries = await platform.client.auditLog();
  return entries
    .filter((e) => e.action === 'platform.feature_flag_state_changed')
    .map((e) => `${e.flag} ${e.old_state}->${e.new_state}`);
}

export const HOUR = 3_600_000;
/** `base` plus `hours` (and `seconds`), as an ISO time. */
export function at(base: string, hours: number, seconds = 0): string {
  return new Date(Date.parse(base) + hours * HOUR + seconds * 1_000)
    .toISOString()
    .replace('.000Z', 'Z');
}
