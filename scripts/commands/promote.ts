import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findWorkingFlag,
  headCommit,
  protectedMergeBase,
  judgeEdits,
  loadLocalContext,
  type LocalChange,
  type LocalContext,
} from '../adapters/local-change.ts';
import { flagsAt } from '../adapters/repo-at-commits.ts';
import { openPullRequestFor, preflightOpenPr } from '../adapters/open-pr.ts';
import { soakClocks } from '../adapters/flag-history.ts';
import { colourEnabled, style, type Style } from '../adapters/terminal.ts';
import type { ChangeRequest } from '../core/change-request.ts';
import { EvaluationError, UsageError } from '../core/errors.ts';
import { hasBlock, removeBlock, setOverride, setState } from '../core/flag-edit.ts';
import { flagsByKey } from '../core/load.ts';
import {
  hasErrors,
  nextState,
  type Change,
  type FlagFile,
  type Override,
  type State,
  type Violation,
} from '../core/model.ts';
import { formatWhen, isoTime } from '../core/time.ts';
import { decline, type Command, type CommandContext, type OptionValues } from './command.ts';
import { nowOption } from './check.ts';
import { removableAt } from '../core/rules/removal.ts';
import { reportPromotion } from './promote-report.ts';

const LOGIN = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;

export const command: Command = {
  name: 'promote',
  summary:
    'Promote a flag one state (alpha -> beta -> ga), after running the gate on the change locally',
  usage: `promote <key> [--now ISO] [--platform-url URL] [--open-pr] [--json]
       promote <key> --override --decision-maker @login --incident URL --reason TEXT [--open-pr]`,
  help: `Raises the flag's state by one step in its file (alpha to beta, beta to ga), keeping the
file's comments and layout. First it runs the rollout gate on that change, as CI will: the soak
(24 h in alpha, 72 h in beta, counted from the commit on this branch that last changed the
state), dependencies, exit criteria and the other rules. When the gate says no, the file is left
as it was and the reason is printed, with the time the promotion becomes allowed.

A stale override (one used for an earlier change) and the revert block of an earlier revert are
removed, since they belong to the change they were made with.

Options:
  --now ISO              judge at this time instead of now, e.g. 2026-11-24T12:00:00Z
  --platform-url URL     the platform API, for the exit criteria (default PLATFORM_API_URL)
  --override             skip the soak: a decision made in the incident channel by a named
                         person; needs all three of:
    --decision-maker @login   who decided
    --incident URL            https link to the incident-channel thread
    --reason TEXT             why the soak is skipped
  --open-pr              commit on a new branch flags/promote-<key>, push it to origin and open
                         the pull request (GITHUB_TOKEN, GITHUB_REPOSITORY)
  --json                 {ok, flag, file, from, to, eligibleAt, violations, pr?}

Exit status: 0 promoted (and, with --open-pr, proposed), 1 the gate refuses (nothing written),
the flag is at ga already, or a step of --open-pr failed, 2 bad option or cannot evaluate.`,
  options: {
    now: { type: 'string' },
    'platform-url': { type: 'string' },
    override: { type: 'boolean' },
    'decision-maker': { type: 'string' },
    incident: { type: 'string' },
    reason: { type: 'string' },
    'open-pr': { type: 'boolean' },
  },
  allowPositionals: true,
  async run(values, positionals, ctx) {
    const key = singleKey(positionals, 'promote');
    const override = overrideOption(values);
    const now = nowOption(values, ctx);
    const s = style(colourEnabled(ctx.env, ctx.isTTY));
    const { file, text } = findWorkingFlag(ctx.cwd, key);
    const from = file.flag.state;
    const to = nextState(from);
    if (!to) return atGa(ctx, values, file, now, s);

    const preflight = values['open-pr'] ? await preflightOpenPr(ctx.cwd) : null;
    // On a branch that has left the protected branch, judge as CI will judge the pull request.
    const judgedAgainst = await protectedMergeBase(ctx.cwd, 'HEAD');
    const context = await loadLocalContext({
      against: judgedAgainst?.commit,
      cwd: ctx.cwd,
      keys: [key],
      now,
      env: ctx.env,
      promotion: true,
      platformUrl: typeof values['platform-url'] === 'string' ? values['platform-url'] : undefined,
      progress: ctx,
    });
    assertCommittedState(context, file);
    if (!flagsByKey(context.committed).has(key)) return notCommitted(ctx, values, file, s);

    const { promoted, result, overrideUsed } = judgePromotion(context, file, text, to, override);
    const change = result.gate.changes.find((c) => c.flag === key);
    const ok = !hasErrors(result.relevant);
    const notes = editNotes(text, { override, overrideUsed, ok });

    const outcome = {
      ok,
      key,
      file: file.file,
      from,
      to,
      change,
      result,
      notes,
      s,
      now,
      override,
      judgedAgainst: judgedAgainst?.ref ?? null,
    };
    if (!ok) {
      reportPromotion(ctx, values, { ...outcome, written: false, pr: null });
      return 1;
    }
    writeFileSync(join(ctx.cwd, file.file), promoted);
    const request = promotionRequest(
      file,
      { to, change, result, now },
      overrideUsed ? override : null,
    );
    const pr = preflight
      ? await openPullRequestFor({ cwd: ctx.cwd, env: ctx.env, progress: ctx }, preflight, request)
      : null;
    reportPromotion(ctx, values, { ...outcome, written: true, pr, request });
    return pr && !pr.ok ? 1 : 0;
  },
};

/**
 * The gate's judgement of the promoted file. With --override, judged a second time with the
 * override written: it is kept only when it is what lets the promotion through.
 */
function judgePromotion(
  context: LocalContext,
  file: FlagFile,
  text: string,
  to: State,
  override: Override | null,
): { promoted: string; result: LocalChange; overrideUsed: boolean } {
  const promoted = removeBlock(removeBlock(setState(text, to), 'override'), 'revert');
  const result = judgeEdits(context, [{ path: file.file, text: promoted }]);
  if (!override || !hasErrors(result.relevant)) return { promoted, result, overrideUsed: false };
  const withOverride = setOverride(removeBlock(setState(text, to), 'revert'), override);
  const second = judgeEdits(context, [{ path: file.file, text: withOverride }]);
  if (errorCount(second.relevant) < errorCount(result.relevant)) {
    return { promoted: withOverride, result: second, overrideUsed: true };
  }
  return { promoted, result, overrideUsed: false };
}

/** What the edit did besides the state: an override not needed, blocks of earlier changes removed. */
function editNotes(
  text: string,
  judged: { override: Override | null; overrideUsed: boolean; ok: boolean },
): string[] {
  const notes: string[] = [];
  if (judged.override && !judged.overrideUsed && judged.ok)
    notes.push('the soak is over, so no override is needed: none was written');
  if (hasBlock(text, 'override') && !judged.overrideUsed)
    notes.push('removed the `override` block of an earlier change');
  if (hasBlock(text, 'revert')) notes.push('removed the `revert` block of the earlier revert');
  return notes;
}

/** The change as a pull request proposes it: the row, the override if written, the warnings. */
function promotionRequest(
  file: FlagFile,
  promotion: { to: State; change: Change | undefined; result: LocalChange; now: Date },
  override: Override | null,
): ChangeRequest {
  const { to, change, result, now } = promotion;
  const key = file.flag.key;
  return {
    verb: 'promote',
    key,
    owner: file.flag.owner,
    rows: [
      {
        flag: key,
        file: file.file,
        from: file.flag.state,
        to,
        since: change?.since ?? null,
        eligibleAt: change?.eligibleAt ?? null,
      },
    ],
    files: [file.file],
    ...(override ? { override } : {}),
    ...(file.flag.manual ? { manual: file.flag.manual } : {}),
    warnings: result.relevant.filter((v) => v.severity === 'warning').map((v) => v.message),
    checkedAt: isoTime(now),
  };
}

const errorCount = (violations: readonly Violation[]): number =>
  violations.filter((v) => v.severity === 'error').length;

export function singleKey(positionals: string[], verb: string): string {
  if (positionals.length !== 1 || !positionals[0]) {
    throw new UsageError(
      `give exactly one flag key, e.g. npx flags ${verb} live-view; run 'npx flags ${verb} --help'`,
    );
  }
  return positionals[0];
}

function overrideOption(values: OptionValues): Override | null {
  const given = (['decision-maker', 'incident', 'reason'] as const).filter(
    (o) => values[o] !== undefined,
  );
  if (!values.override) {
    if (given.length > 0) {
      throw new UsageError(
        `--${given[0]} goes with --override (skipping the soak); add --override, or leave it out`,
      );
    }
    return null;
  }
  const missing = (['decision-maker', 'incident', 'reason'] as const).filter((o) => {
    const value = values[o];
    return typeof value !== 'string' || value.trim() === '';
  });
  if (missing.length > 0) {
    throw new UsageError(
      `--override needs ${missing.map((m) => `--${m}`).join(', ')}: skipping a soak is decided in the incident channel by a named person (--decision-maker @login), linked (--incident https://...) and explained (--reason "...")`,
    );
  }
  const decisionMaker = (values['decision-maker'] as string).trim();
  const incident = (values.incident as string).trim();
  if (!LOGIN.test(decisionMaker)) {
    throw new UsageError(
      `--decision-maker must be one person's GitHub login such as @jdoe, not '${decisionMaker}'`,
    );
  }
  if (!HTTPS_URL.test(incident)) {
    throw new UsageError(
      `--incident must be the https:// link to the incident-channel thread, not '${incident}'`,
    );
  }
  return { decision_maker: decisionMaker, incident, reason: (values.reason as string).trim() };
}

/** The flag's state in the working tree must be the committed one: the change starts there. */
export function assertCommittedState(context: LocalContext, ...files: FlagFile[]): void {
  const baseByKey = flagsByKey(context.committed);
  const differing = files.filter((f) => {
    const b = baseByKey.get(f.flag.key);
    return b !== undefined && b.flag.state !== f.flag.state;
  });
  if (differing.length > 0) {
    throw new EvaluationError(
      differing
        .map(
          (f) =>
            `${f.file} has an uncommitted change of state (${baseByKey.get(f.flag.key)!.flag.state} at HEAD, ${f.flag.state} in the file)`,
        )
        .join('; ') +
        ': the change starts from the committed state; commit it, or undo it (git restore <file>), and run this again',
    );
  }
}

function notCommitted(
  ctx: CommandContext,
  values: OptionValues,
  file: FlagFile,
  s: Style,
): Promise<number> {
  const message = `\`${file.flag.key}\` is not committed yet, so it has no time in alpha: a new flag starts at alpha when its pull request merges, and may be promoted 24 h after that`;
  const document = {
    flag: file.flag.key,
    file: file.file,
    from: file.flag.state,
    to: null,
    eligibleAt: null,
    message,
  };
  return Promise.resolve(decline(ctx, Boolean(values.json), document, `${s.red('✗')} ${message}`));
}

async function atGa(
  ctx: CommandContext,
  values: OptionValues,
  file: FlagFile,
  now: Date,
  s: Style,
): Promise<number> {
  // Without a readable HEAD the advice stands; only the date is missing.
  const at = await headCommit(ctx.cwd).catch(() => null);
  const committed = at
    ? flagsByKey((await flagsAt(at.git, at.head)).set).get(file.flag.key)
    : undefined;
  if (committed && committed.flag.state !== 'ga') {
    throw new EvaluationError(
      `${file.file} has an uncommitted change of state (${committed.flag.state} at HEAD, ga in the file): the change starts from the committed state; commit it, or undo it (git restore ${file.file}), and run this again`,
    );
  }
  let removable: Date | null = null;
  if (at && committed && !(await at.git.isShallow())) {
    const clocks = await soakClocks(at.git, at.head, [
      { key: file.flag.key, path: committed.file },
    ]);
    removable = removableAt('ga', clocks.get(file.flag.key) ?? null);
  }
  const when = removable
    ? removable <= now
      ? `it has been at ga for 7 days or more, so it may be removed now`
      : `it may be removed from ${formatWhen(removable, now)}`
    : 'it may be removed after 7 days at ga';
  const message = `\`${file.flag.key}\` is at ga already: there is nothing to promote. Dead flags are technical debt: ${when}, by deleting ${file.file} (and the flag from the code) in a follow-up pull request.`;
  const document = {
    flag: file.flag.key,
    file: file.file,
    from: 'ga',
    to: null,
    eligibleAt: null,
    removableAt: removable ? isoTime(removable) : null,
    message,
  };
  return decline(ctx, Boolean(values.json), document, `${s.yellow('!')} ${message}`);
}
