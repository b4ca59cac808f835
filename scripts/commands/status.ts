import { statusRefs } from '../adapters/code-refs-status.ts';
import { loadPlatformFacts, platformConfigured } from '../adapters/facts-sources.ts';
import { GitRepo } from '../adapters/git.ts';
import { protectedMergeBase } from '../adapters/local-change.ts';
import { readCodeownersAt, readFlagSets } from '../adapters/repo-at-commits.ts';
import { prefetchHistory, soakClocks } from '../adapters/flag-history.ts';
import { colourEnabled, style } from '../adapters/terminal.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../core/did-you-mean.ts';
import { hasErrors, type StatusResult } from '../core/model.ts';
import { sortViolations, staticRules } from '../core/rules/static-rules.ts';
import { flagStatuses, type StatusRow } from '../core/status.ts';
import { formatDuration, isoTime } from '../core/time.ts';
import type { Style } from '../adapters/terminal.ts';
import { refsCellText } from '../core/refs/status-marks.ts';
import { nowOption } from './check.ts';
import type { Command } from './command.ts';

export interface StatusOptions {
  cwd: string;
  now: Date;
  env: Record<string, string | undefined>;
  ref?: string;
  platformUrl?: string;
}

export interface StatusReport extends StatusResult {
  flags: StatusRow[];
}

/**
 * Every flag at a commit (default HEAD) with its soak clock from the first-parent history. On a
 * branch that has left the protected branch, the flags whose state it changes are marked
 * unmerged: their change is the branch's own, judged by CI, not drift.
 */
export async function evaluateStatus(options: StatusOptions): Promise<StatusReport> {
  const git = new GitRepo(options.cwd);
  await git.requireFullHistory('when flags entered their state');
  const head = await git.resolveCommit(options.ref ?? 'HEAD');
  const tree = await git.listTree(head);
  prefetchHistory(
    git,
    head,
    tree.map((e) => e.path).filter((p) => p.endsWith('.yaml')),
  );
  const mergeBase = await protectedMergeBase(options.cwd, head);
  const trees = mergeBase ? [tree, await git.listTree(mergeBase.commit)] : [tree];
  const [set, baseSet] = (await readFlagSets(git, trees)).sets;
  // The rules need no history: apply them while git is still walking it.
  const violations = sortViolations(staticRules(set!, await readCodeownersAt(git, head)));
  const clocks = await soakClocks(
    git,
    head,
    set!.flags.map((f) => ({ key: f.flag.key, path: f.file })),
  );
  const platform = platformConfigured(options.env, options.platformUrl)
    ? await loadPlatformFacts(options.env, options.platformUrl)
    : ({ status: 'unconfigured', reason: 'platform not configured' } as const);
  const flags = flagStatuses(
    set!,
    clocks,
    platform,
    options.now,
    mergeBase && baseSet ? { ref: mergeBase.ref, set: baseSet } : null,
  );
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
      const keys = result.flags.map((f) => f.key);
      result.flags = result.flags.filter((f) => f.key === only);
      if (result.flags.length === 0)
        throw new UsageError(
          `no flag with key '${only}' at ${result.head?.slice(0, 12)};${didYouMean(only, keys, "'") || ' npx flags status lists them all'}`,
        );
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
    const columns: StatusColumn[] = refs
      ? [...STATUS_COLUMNS, { header: 'REFS', cell: (f) => refsCellText(refs.get(f.key)) }]
      : STATUS_COLUMNS;
    ctx.stdout(renderTable(result.flags, new Date(result.now), s, columns));
    if (result.stale.length > 0) {
      ctx.stdout(
        `\n${s.yellow('GA for 14 days or more, ready for removal:')} ${result.stale.join(', ')}\n`,
      );
    }
    if (!result.ok)
      ctx.stdout(`\n${s.red('✗')} the flags break rules: run \`npx flags validate\`\n`);
    return result.ok ? 0 : 1;
  },
};

/** One column of the table: a new column is one entry here. */
export interface StatusColumn {
  header: string;
  cell(flag: StatusRow, now: Date): string;
}

/** `2026-11-24 21:30 UTC`: one format for every time in the table, to the minute. */
export function minuteTime(date: Date, round: 'down' | 'up'): string {
  const ms = round === 'up' ? Math.ceil(date.getTime() / 60_000) * 60_000 : date.getTime();
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function nextCell(f: StatusRow, now: Date): string {
  if (f.unmerged) return 'merge first';
  if (!f.next) return f.stale ? 'remove (dead flag)' : f.removable ? 'may be removed' : '-';
  const waiting = f.eligibleAt !== null && new Date(f.eligibleAt) > now;
  const from = waiting ? ` from ${minuteTime(new Date(f.eligibleAt!), 'up')}` : '';
  // NEXT never says "now" while something in BLOCKED BY stands in the way.
  if (f.blockedBy.length > 0) return `${f.next}${from}, once unblocked`;
  return `${f.next} ${waiting ? from.trim() : 'now'}`;
}

export const STATUS_COLUMNS: StatusColumn[] = [
  { header: 'FLAG', cell: (f) => f.key },
  {
    header: 'STATE',
    cell: (f) =>
      f.unmerged
        ? `${f.state} (unmerged; ${f.unmerged.state ?? 'new'} on ${f.unmerged.ref})`
        : f.state,
  },
  {
    header: 'SINCE',
    cell: (f) => (f.unmerged ? '-' : f.since ? minuteTime(new Date(f.since), 'down') : 'unknown'),
  },
  {
    header: 'SOAK LEFT',
    cell: (f) => (f.next ? (f.soakLeftMs > 0 ? formatDuration(f.soakLeftMs) : 'done') : '-'),
  },
  { header: 'NEXT', cell: nextCell },
  { header: 'BLOCKED BY', cell: (f) => f.blockedBy.join('; ') },
];

export function renderTable(
  flags: readonly StatusRow[],
  now: Date,
  s: Style,
  columns: readonly StatusColumn[] = STATUS_COLUMNS,
): string {
  const header = columns.map((c) => c.header);
  const rows = flags.map((f) => columns.map((c) => c.cell(f, now)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return s.bold(line(header)) + '\n' + rows.map(line).join('\n') + '\n';
}
