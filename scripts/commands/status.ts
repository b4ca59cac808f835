import { statusRefs } from '../adapters/code-refs-status.ts';
import { loadPlatformFacts, platformConfigured } from '../adapters/facts-sources.ts';
import { GitRepo } from '../adapters/git.ts';
import { readCodeownersAt, readFlagSets } from '../adapters/repo-at-commits.ts';
import { prefetchHistory, soakClocks } from '../adapters/flag-history.ts';
import { colourEnabled, style } from '../adapters/terminal.ts';
import { UsageError } from '../core/errors.ts';
import { hasErrors, type StatusResult } from '../core/model.ts';
import { sortViolations, staticRules } from '../core/rules/static-rules.ts';
import { refsCellText } from '../core/refs/status-marks.ts';
import { flagStatuses } from '../core/status.ts';
import { formatDuration, formatTime, isoTime } from '../core/time.ts';
import { nowOption } from './check.ts';
import type { Command } from './command.ts';

export interface StatusOptions {
  cwd: string;
  now: Date;
  env: Record<string, string | undefined>;
  ref?: string;
  platformUrl?: string;
}

/** Every flag at a commit (default HEAD) with its soak clock from the first-parent history. */
export async function evaluateStatus(options: StatusOptions): Promise<StatusResult> {
  const git = new GitRepo(options.cwd);
  await git.requireFullHistory('when flags entered their state');
  const head = await git.resolveCommit(options.ref ?? 'HEAD');
  const tree = await git.listTree(head);
  prefetchHistory(
    git,
    head,
    tree.map((e) => e.path).filter((p) => p.endsWith('.yaml')),
  );
  const set = (await readFlagSets(git, [tree])).sets[0]!;
  // The rules need no history: apply them while git is still walking it.
  const violations = sortViolations(staticRules(set, await readCodeownersAt(git, head)));
  const clocks = await soakClocks(
    git,
    head,
    set.flags.map((f) => ({ key: f.flag.key, path: f.file })),
  );
  const platform = platformConfigured(options.env, options.platformUrl)
    ? await loadPlatformFacts(options.env, options.platformUrl)
    : ({ status: 'unconfigured', reason: 'platform not configured' } as const);
  const flags = flagStatuses(set, clocks, platform, options.now);
  return {
    ok: !hasErrors(violations),
    now: isoTime(options.now),
    head,
    flags,
    stale: flags.filter((f) => f.stale).map((f) => f.key),
    violations,
  };
}

export const command: Command = {
  name: 'status',
  summary:
    'Every flag: state, since, soak left, the next step and when it is allowed; stale GA flags',
  usage: 'status [KEY] [--now ISO] [--ref REF] [--platform-url URL] [--json]',
  help: `Reads the flags at HEAD (or --ref) and their history, and shows for each: its state, since
when (the soak clock), the soak still to go, the next state and when it is allowed, and what else
blocks it (dependencies not yet promoted, and with a platform: errors, opt-ins, drift). GA flags
past 14 days are listed as ready for removal: dead flags are technical debt.

Options:
  KEY                 show one flag only
  --now ISO           the time to judge at (default: now)
  --ref REF           the commit to read (default HEAD)
  --platform-url URL  also read the platform (default PLATFORM_API_URL)
  --json              {ok, now, head, flags: [...], stale: [...], violations}

Exit status: 0 no error in the flags, 1 the flags break a rule (see validate), 2 could not evaluate.`,
  options: { now: { type: 'string' }, ref: { type: 'string' }, 'platform-url': { type: 'string' } },
  allowPositionals: true,
  async run(values, positionals, ctx) {
    if (positionals.length > 1) throw new UsageError('give at most one flag key');
    const result = await evaluateStatus({
      cwd: ctx.cwd,
      now: nowOption(values, ctx),
      env: ctx.env,
      ref: typeof values.ref === 'string' ? values.ref : undefined,
      platformUrl: typeof values['platform-url'] === 'string' ? values['platform-url'] : undefined,
    });
    const only = positionals[0];
    if (only !== undefined) {
      result.flags = result.flags.filter((f) => f.key === only);
      if (result.flags.length === 0)
        throw new UsageError(`no flag with key '${only}' at ${result.head?.slice(0, 12)}`);
      result.stale = result.stale.filter((k) => k === only);
    }
    // Code references, when sources are configured in .github/flag-refs.yaml (refs engineer).
    const refs = await statusRefs(ctx.cwd, result.flags, ctx);
    if (values.json) {
      const document = refs ? { ...result, refs: Object.fromEntries(refs) } : result;
      ctx.stdout(JSON.stringify(document, null, 2) + '\n');
      return result.ok ? 0 : 1;
    }
    const s = style(colourEnabled(ctx.env, ctx.isTTY));
    const now = new Date(result.now);
    const rows = result.flags.map((f) => [
      f.key,
      f.state,
      f.since ? formatTime(new Date(f.since)) : 'unknown',
      f.next ? (f.soakLeftMs > 0 ? formatDuration(f.soakLeftMs) : 'done') : '-',
      f.next
        ? `${f.next} ${f.eligibleAt && new Date(f.eligibleAt) > now ? `from ${formatTime(new Date(f.eligibleAt))}` : 'now'}`
        : f.stale
          ? 'remove (dead flag)'
          : f.removable
            ? 'may be removed'
            : '-',
      f.blockedBy.join('; '),
      ...(refs ? [refsCellText(refs.get(f.key))] : []),
    ]);
    const header = ['FLAG', 'STATE', 'SINCE', 'SOAK LEFT', 'NEXT', 'BLOCKED BY'];
    if (refs) header.push('REFS');
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    ctx.stdout(s.bold(line(header)) + '\n' + rows.map(line).join('\n') + '\n');
    if (result.stale.length > 0) {
      ctx.stdout(
        `\n${s.yellow('GA for 14 days or more, ready for removal:')} ${result.stale.join(', ')}\n`,
      );
    }
    if (!result.ok)
      ctx.stdout(`\n${s.red('✗')} the flags break rules: run \`npm run flags -- validate\`\n`);
    return result.ok ? 0 : 1;
  },
};
