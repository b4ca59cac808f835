// Deploy moves the platform only forward, to the tip of the protected branch: a re-run of an
// old deploy job (or a manual run from another branch) would otherwise roll every later
// promotion back. With an `origin`, the branch is fetched first and HEAD must be its tip;
// without one there is nothing to compare with (a local checkout, `npm start`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EvaluationError, UsageError } from '../core/errors.ts';
import { gitAuthEnv } from './git-auth.ts';

const run = promisify(execFile);

/** HEAD is not the tip of the branch deploy is for: refused, nothing applied. */
export class NotBranchTipError extends Error {
  override name = 'NotBranchTipError';
  constructor(
    readonly branch: string,
    readonly head: string,
    readonly tip: string,
  ) {
    super(
      `refused: HEAD ${head.slice(0, 12)} is not the tip of origin/${branch} (${tip.slice(0, 12)}); deploy only moves the platform forward to the tip of ${branch}: check out ${tip.slice(0, 12)} or run the latest deploy`,
    );
  }
}

export type BranchCheck =
  { checked: true; branch: string; tip: string } | { checked: false; branch: string; why: string };

async function git(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    encoding: 'utf8',
    // Never a password prompt; in CI the workflow token, since checkout keeps no credentials.
    env: gitAuthEnv(env),
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

export function validBranchName(name: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(name) || name.startsWith('-') || name.includes('..'))
    throw new UsageError(`--branch '${name}' is not a branch name`);
  return name;
}

/**
 * Fetches `branch` from origin (where there is one) and requires HEAD to be its tip. `env` gives
 * the fetch GITHUB_TOKEN where CI has one.
 */
export async function requireBranchTip(
  cwd: string,
  branch: string,
  head: string,
  env: Record<string, string | undefined> = {},
): Promise<BranchCheck> {
  const remotes = (await git(cwd, ['remote']).catch(() => '')).split('\n');
  if (!remotes.includes('origin'))
    return { checked: false, branch, why: 'no origin remote: nothing to compare with' };
  const ref = `refs/remotes/origin/${branch}`;
  try {
    await git(
      cwd,
      ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${branch}:${ref}`],
      env,
    );
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')[0];
    throw new EvaluationError(
      `could not fetch ${branch} from origin to compare with HEAD: ${detail}`,
    );
  }
  const tip = await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(
    () => '',
  );
  if (!tip) throw new EvaluationError(`origin has no branch ${branch} to deploy`);
  if (tip !== head) throw new NotBranchTipError(branch, head, tip);
  return { checked: true, branch, tip };
}
