// What an export is made from, read at the edges: the flags at a commit (git objects, never the
// work tree), their soak clocks when a format needs them, and the platform's customer choices.
import { EvaluationError } from '../core/errors.ts';
import {
  exportFlags,
  type CustomerChoices,
  type ExportInput,
  type OrgChoice,
} from '../core/export/export-model.ts';
import type { Violation } from '../core/model.ts';
import { PlatformError } from '../core/platform-model.ts';
import { platformConfigured } from './facts-sources.ts';
import { prefetchHistory, soakClocks } from './flag-history.ts';
import { GitRepo } from './git.ts';
import { readFlagSets } from './repo-at-commits.ts';

export interface ExportSourceOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  ref: string;
  /** The soak clock of each flag (flagd's `since`), read from first-parent history. */
  history: boolean;
  /** Read opt-ins and opt-outs from the platform (flagd), when one is configured. */
  platform: boolean;
  platformUrl?: string;
}

export interface ExportSource {
  git: GitRepo;
  input: ExportInput;
  /** Files under flags/ that do not load: an export from them would silently miss flags. */
  loadErrors: Violation[];
}

export async function readExportSource(options: ExportSourceOptions): Promise<ExportSource> {
  const git = new GitRepo(options.cwd);
  // Asked at once (each is a git process), answered in a fixed order: a shallow clone first.
  const full = options.history
    ? git.requireFullHistory('when each flag entered its state')
    : Promise.resolve();
  const resolved = git.resolveCommit(options.ref);
  resolved.catch(() => {}); // awaited below, after the shallow check
  await full;
  const commit = await resolved;
  const tree = await git.listTree(commit);
  if (options.history) {
    // Git walks the history on another core while the flags are parsed here.
    prefetchHistory(
      git,
      commit,
      tree.map((e) => e.path).filter((p) => p.endsWith('.yaml')),
    );
  }
  const choices = options.platform
    ? readCustomerChoices(options.env, options.platformUrl)
    : Promise.resolve<CustomerChoices>({ status: 'unknown', reason: 'not asked' });
  choices.catch(() => {}); // awaited below, after git
  const set = (await readFlagSets(git, [tree])).sets[0]!;
  const since = options.history
    ? await soakClocks(
        git,
        commit,
        set.flags.map((f) => ({ key: f.flag.key, path: f.file })),
      )
    : new Map<string, Date | null>();
  return {
    git,
    input: { commit, flags: exportFlags(set.flags, since), choices: await choices },
    loadErrors: set.violations.filter((v) => v.severity === 'error'),
  };
}

/** Opt-ins and opt-outs per flag; a configured platform that does not answer is exit 2. */
export async function readCustomerChoices(
  env: Record<string, string | undefined>,
  urlOption?: string,
): Promise<CustomerChoices> {
  if (!platformConfigured(env, urlOption)) {
    return {
      status: 'unknown',
      reason: 'no platform configured: set --platform-url or PLATFORM_API_URL',
    };
  }
  const { platformFromEnv } = await import('./platform-client.ts');
  const platform = platformFromEnv(env, urlOption, { retries: 2, timeoutMs: 10_000 })!;
  try {
    const list = await platform.client.optIns();
    const byFlag = new Map<string, OrgChoice>(
      list.map((c) => [
        c.key,
        { optedIn: [...c.opted_in].sort(), optedOut: [...c.opted_out].sort() },
      ]),
    );
    return { status: 'read', source: platform.url, byFlag };
  } catch (error) {
    if (error instanceof PlatformError) {
      throw new EvaluationError(
        `the platform at ${platform.url} did not give its opt-ins: ${error.message}`,
      );
    }
    throw error;
  }
}
