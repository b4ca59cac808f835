// `npm start`: the main job on the embedded default. Starts the platform server in-process (state
// in .data/, git-ignored; a token made for this run unless PLATFORM_API_TOKEN is set, never
// printed), then runs what CI and the deploy job run: validate, check of the last change, plan
// and deploy of the checked-out commit to it. Prints where the server ran and stops it. A second
// run finds nothing to change: the deploy is a no-op.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processContext, runCli } from './cli.ts';
import type { CommandContext } from './commands/command.ts';
import { runDeployCommand } from './commands/deploy.ts';
import { DEFAULT_DATA_FILE, DEFAULT_PORT } from './platform-server/main.ts';
import { startPlatformServer, type PlatformServerHandle } from './platform-server/server.ts';

export interface StartOptions {
  root: string;
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Port to try first (default 8787); a busy port falls back to any free one. */
  port?: number;
  dataFile?: string;
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

async function startServer(
  options: StartOptions,
  token: string,
  dataFile: string,
): Promise<PlatformServerHandle> {
  try {
    return await startPlatformServer({ port: options.port ?? DEFAULT_PORT, dataFile, token });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startPlatformServer({ port: 0, dataFile, token });
  }
}

/** A deploy command as the CLI would report its failure: one line, exit 2. */
async function deployStep(
  command: 'plan' | 'deploy',
  values: Record<string, string | boolean>,
  ctx: CommandContext,
): Promise<number> {
  try {
    // The embedded platform is this checkout's own: any branch deploys to it, so no comparison
    // with origin's tip (which CI's deploy makes).
    return await runDeployCommand(values, ctx, command, { branchCheck: false });
  } catch (error) {
    ctx.stderr(`flags ${command}: ${(error as Error).message}\n`);
    return 2;
  }
}

/** Runs the main job; returns the exit status (0 deployed and verified). */
export async function start(options: StartOptions): Promise<number> {
  const { root, out } = options;
  const dataRel = options.dataFile ?? DEFAULT_DATA_FILE;
  const token = options.env.PLATFORM_API_TOKEN || randomBytes(24).toString('base64url');
  const server = await startServer(options, token, join(root, dataRel));
  const where = `platform API: ${server.url} (data in ${dataRel})`;
  const ctx: CommandContext = {
    ...processContext(),
    cwd: root,
    env: { ...options.env, PLATFORM_API_URL: server.url, PLATFORM_API_TOKEN: token },
    stdout: out,
    stderr: options.err,
  };
  const section = (title: string): void => out(`\n== ${title} ==\n\n`);
  try {
    out(`NovaVMS flags: the main job against the embedded platform\n${where}\n`);

    section('validate');
    const valid = await runCli(['validate'], ctx);
    if (valid !== 0) {
      out('\nThe flag files do not validate: nothing is deployed.\n');
      return valid;
    }

    const parent = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^']);
    if (parent) {
      section('check (the last change, HEAD^..HEAD)');
      const checked = await runCli(['check', '--base', 'HEAD^', '--platform-url', server.url], ctx);
      if (checked !== 0) out('\n(The deploy re-runs the gate and refuses what it blocks.)\n');
    }
    if (git(root, ['status', '--porcelain', '--', 'flags/'])) {
      out(
        '\nNote: uncommitted changes under flags/ are not deployed: deploy takes the commit (HEAD).\n',
      );
    }

    // The embedded platform starts empty: bootstrapping it from the repository's history is
    // the operator's decision --adopt exists for, and running `npm start` is making it.
    const values = { 'platform-url': server.url, adopt: true };
    section('plan');
    const planned = await deployStep('plan', values, ctx);
    if (planned === 2) return 2;

    section('deploy');
    const deployed = await deployStep('deploy', values, ctx);
    out(`\n${where}\n`);
    out(
      deployed === 0
        ? 'Deployed and verified. Run `npm start` again: the second deploy is a no-op.\n'
        : 'The deploy did not complete: see the steps above. The next run completes what is allowed.\n',
    );
    return deployed;
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    process.exitCode = await start({
      root,
      env: process.env,
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
