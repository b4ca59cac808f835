import { loadIncidentFacts, loadPlatformFacts } from '../adapters/facts-sources.ts';
import { readPair } from '../adapters/repo-at-commits.ts';
import { soakClocks } from '../adapters/flag-history.ts';
import { readDecisionMakersAt } from '../adapters/decision-makers.ts';
import {
  colourEnabled,
  countSummary,
  renderViolations,
  style,
  type Style,
} from '../adapters/terminal.ts';
import { UsageError } from '../core/errors.ts';
import { evaluateGate, keysNeedingClock } from '../core/gate.ts';
import { renderEditDiffText, reviewerView, type ReviewerView } from '../core/edit-diff.ts';
import { flagsByKey } from '../core/load.ts';
import { hasErrors, type Change, type CheckResult } from '../core/model.ts';
import { sortViolations, staticRules } from '../core/rules/static-rules.ts';
import { formatTime, isoTime, parseInstant } from '../core/time.ts';
import type { Command, CommandContext, OptionValues } from './command.ts';

export interface CheckOptions {
  cwd: string;
  base: string;
  head?: string;
  now: Date;
  strict?: boolean;
  env: Record<string, string | undefined>;
  platformUrl?: string;
}

/** Every rule of the gate for the change base..head. Throws EvaluationError when it cannot. */
export async function evaluateCheck(options: CheckOptions): Promise<CheckResult> {
  const pair = await readPair(options.cwd, options.base, options.head ?? 'HEAD');
  // The history-free rules need no clock: apply them while git walks the history.
  const staticViolations = staticRules(pair.headSet, pair.headCodeowners, pair.baseSet);
  const baseByKey = flagsByKey(pair.baseSet);
  const clockKeys = keysNeedingClock(pair.baseSet, pair.headSet);
  const clocks = await soakClocks(
    pair.git,
    pair.base,
    clockKeys.map((key) => {
      const f = baseByKey.get(key)!;
      return { key, path: f.file };
    }),
  );
  const headByKey = flagsByKey(pair.headSet);
  const touched =
    clockKeys.length > 0 || pair.headSet.flags.some((f) => !baseByKey.has(f.flag.key));
  // Outside facts only when something changed: an unchanged tree needs no platform.
  const platform = touched
    ? await loadPlatformFacts(options.env, options.platformUrl)
    : ({ status: 'unconfigured', reason: 'nothing changed' } as const);
  const toGa = clockKeys.filter(
    (k) => baseByKey.get(k)!.flag.state === 'beta' && headByKey.get(k)?.flag.state === 'ga',
  );
  const incidents = await loadIncidentFacts(options.env, toGa);
  // From the base, so a change cannot add its own author to the list.
  const decisionMakers = await readDecisionMakersAt(pair.git, pair.base);
  const gate = evaluateGate({
    base: pair.baseSet,
    head: pair.headSet,
    headCodeowners: pair.headCodeowners,
    clocks,
    platform,
    incidents,
    decisionMakers,
    now: options.now,
    strict: options.strict ?? false,
    staticViolations,
  });
  const violations = sortViolations(gate.violations);
  return {
    ok: !hasErrors(violations),
    base: pair.base,
    head: pair.head,
    now: isoTime(options.now),
    changes: gate.changes,
    violations,
    criteria: gate.criteria,
    overrides: gate.overrides,
    // For reviewers: what each edit changes and the dependency graph around the change.
    ...reviewerView(baseByKey, headByKey, gate.changes),
  };
}

/** --now as a Date, or the context's clock. */
export function nowOption(values: OptionValues, ctx: CommandContext): Date {
  const text = values.now;
  if (typeof text !== 'string') return ctx.clock();
  const date = parseInstant(text);
  if (!date)
    throw new UsageError(
      `--now '${text}' is not an ISO 8601 time with a zone, e.g. 2026-11-24T12:00:00Z`,
    );
  return date;
}

export function renderChanges(changes: readonly Change[], s: Style): string {
  if (changes.length === 0) return 'No flag changes.\n';
  const rows = changes.map((c) => [
    c.flag,
    c.kind,
    `${c.from ?? '-'} -> ${c.to ?? '-'}`,
    c.since ? `since ${formatTime(new Date(c.since))}` : '',
    c.eligibleAt
      ? `${c.kind === 'remove' ? 'removable' : 'allowed'} from ${formatTime(new Date(c.eligibleAt))}`
      : '',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    s.bold('Changes') +
    '\n' +
    rows
      .map(
        (r) =>
          '  ' +
          r
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
      )
      .join('\n') +
    '\n'
  );
}

export const command: Command = {
  name: 'check',
  summary: 'Apply every rule of the rollout gate to the change base..head (CI)',
  usage: 'check --base REF [--head REF] [--now ISO] [--strict] [--platform-url URL] [--json]',
  help: `Compares the flags at two commits (read from git objects) and applies every rule: the
history-free ones on head, and for each change: new-flag-state, transition-skip, soak (24 h in
alpha, 72 h in beta, measured from the first-parent commit of the base that last changed the
flag's state), override-invalid / soak-override, revert-reason, removal, dependency-order,
exit-criteria (platform errors, opt-ins, open incidents) and drift.

Options:
  --base REF          the protected branch's commit (required), e.g. origin/main
  --head REF          the change (default HEAD)
  --now ISO           the time to judge at (default: now), e.g. 2026-11-24T12:00:00Z
  --strict            exit-criteria-unverified is an error instead of a warning (CI)
  --platform-url URL  the platform API (default PLATFORM_API_URL; token in PLATFORM_API_TOKEN)
  --json              one JSON document: {ok, base, head, now, changes, violations, ...}

Incidents are read from GitHub issues labelled 'incident' and 'flag:<key>' when GITHUB_TOKEN and
GITHUB_REPOSITORY are set.

Exit status: 0 no error (warnings allowed), 1 at least one error, 2 could not evaluate (unknown
ref, shallow clone, base not an ancestor of head, ...).`,
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    now: { type: 'string' },
    strict: { type: 'boolean' },
    'platform-url': { type: 'string' },
  },
  async run(values, _positionals, ctx) {
    if (typeof values.base !== 'string' || values.base === '') {
      throw new UsageError(
        "--base REF is required (the protected branch, e.g. --base origin/main); run 'flags check --help'",
      );
    }
    const result = await evaluateCheck({
      cwd: ctx.cwd,
      base: values.base,
      head: typeof values.head === 'string' ? values.head : undefined,
      now: nowOption(values, ctx),
      strict: Boolean(values.strict),
      env: ctx.env,
      platformUrl: typeof values['platform-url'] === 'string' ? values['platform-url'] : undefined,
    });
    if (values.json) {
      ctx.stdout(JSON.stringify(result, null, 2) + '\n');
    } else {
      const s = style(colourEnabled(ctx.env, ctx.isTTY));
      ctx.stdout(
        `base ${result.base.slice(0, 12)} .. head ${result.head.slice(0, 12)}, judged at ${formatTime(new Date(result.now))}\n\n`,
      );
      ctx.stdout(renderChanges(result.changes, s) + '\n');
      const edits = (result as CheckResult & Partial<ReviewerView>).edits ?? [];
      if (edits.length > 0) {
        ctx.stdout(
          `${s.bold('What the edits change')} (! needs a reviewer's attention)\n${renderEditDiffText(edits).join('\n')}\n\n`,
        );
      }
      if (result.violations.length > 0) ctx.stdout(renderViolations(result.violations, s) + '\n');
      ctx.stdout(
        result.ok
          ? `${s.green('✓')} the change may merge${result.violations.length ? ` (${countSummary(result.violations)})` : ''}\n`
          : `${s.red('✗')} blocked: ${countSummary(result.violations)}\n`,
      );
    }
    return result.ok ? 0 : 1;
  },
};
