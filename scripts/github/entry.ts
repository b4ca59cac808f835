// What the GitHub entry scripts (gate, recheck, report) share: their options, their log, where
// the repository is checked out, and the GitHub client they cannot work without. github.ts is
// imported only when a script asks for it, so a script's start-up pays for what it uses.
import type { GitHubRepo, GitHubRepoOptions } from '../adapters/github.ts';

export type Env = Record<string, string | undefined>;

/** What a caller of an entry script's `main` may tune (tests: no write pacing, a quiet log). */
export interface EntryOptions {
  client?: Partial<Omit<GitHubRepoOptions, 'token' | 'owner' | 'repo'>>;
  log?: (line: string) => void;
  /** The clock the script judges by; the real one when not given (tests fix it). */
  now?: Date;
}

/** The clock of an entry script: the caller's, else the machine's, read once at the edge. */
export function entryNow(options: EntryOptions): Date {
  return options.now ?? new Date();
}

/** Lines on stderr prefixed with the script's name, unless the caller gives its own log. */
export function entryLog(name: string, options: EntryOptions): (line: string) => void {
  return options.log ?? ((line: string) => void process.stderr.write(`flags ${name}: ${line}\n`));
}

/** Where the repository is checked out: FLAGS_REPO_DIR, else the working directory. */
export function repoDirOf(env: Env, cwd: string): string {
  return env['FLAGS_REPO_DIR'] || cwd;
}

/** The GitHub client from the Actions variables, or null when they are missing. */
export async function githubOf(
  env: Env,
  options: EntryOptions,
  log: (line: string) => void,
): Promise<GitHubRepo | null> {
  const { githubFromEnv } = await import('../adapters/github.ts');
  return githubFromEnv(env, { warn: log, ...options.client });
}

/** githubOf for a script that cannot work without it: null after saying what is missing. */
export async function requireGithub(
  env: Env,
  options: EntryOptions,
  log: (line: string) => void,
): Promise<GitHubRepo | null> {
  const github = await githubOf(env, options, log);
  if (!github) log('GITHUB_TOKEN and GITHUB_REPOSITORY are required');
  return github;
}
