// What `flags promote` says once the gate has judged: the refusal with its reasons and when the
// promotion becomes allowed, or the promotion with the runbook's steps before and after the merge.
import type { LocalChange } from '../adapters/local-change.ts';
import { renderOpenPr, type OpenPrResult } from '../adapters/open-pr.ts';
import { renderViolations, type Style } from '../adapters/terminal.ts';
import { runbookChecklist, type ChangeRequest } from '../core/change-request.ts';
import { HOUR_MS, soakMs, type Change, type Override, type State } from '../core/model.ts';
import { judgedLine, refusalHints } from '../core/refusal-advice.ts';
import { formatTime, formatWhen } from '../core/time.ts';
import type { CommandContext, OptionValues } from './command.ts';

/** What the promotion came to: judged, maybe written, maybe proposed. */
export interface PromotionReport {
  ok: boolean;
  key: string;
  file: string;
  from: State;
  to: State;
  change: Change | undefined;
  result: LocalChange;
  notes: string[];
  written: boolean;
  pr: OpenPrResult | null;
  s: Style;
  now: Date;
  override: Override | null;
  /** The protected branch the change was judged against, when HEAD is a branch off it. */
  judgedAgainst: string | null;
  request?: ChangeRequest;
}

/** The outcome for people, or the `--json` document: refused with why, or promoted with what next. */
export function reportPromotion(
  ctx: CommandContext,
  values: OptionValues,
  r: PromotionReport,
): void {
  if (values.json) {
    const doc = {
      ok: r.ok && (r.pr?.ok ?? true),
      flag: r.key,
      file: r.file,
      from: r.from,
      to: r.to,
      since: r.change?.since ?? null,
      eligibleAt: r.change?.eligibleAt ?? null,
      written: r.written,
      override: r.written && r.request?.override !== undefined,
      violations: r.result.relevant,
      judgedAgainst: r.judgedAgainst ?? 'HEAD',
      notes: r.written ? r.notes : [],
      ...(r.pr ? { pr: r.pr } : {}),
    };
    ctx.stdout(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const { s } = r;
  const out = r.ok ? promotedLines(r) : refusedLines(r);
  if (r.result.unrelated.length > 0) {
    out.push(
      s.dim(
        `Note: the tree has ${r.result.unrelated.length} other error(s), not caused by this change; npx flags validate lists them.`,
      ),
    );
  }
  ctx.stdout(out.join('\n').replace(/\n*$/, '\n'));
}

/** Refused: the gate's reasons, what it was judged against, and how to get past it. */
function refusedLines(r: PromotionReport): string[] {
  const { s } = r;
  return [
    `${s.red('✗')} ${r.key}: ${r.from} to ${r.to} is refused by the rollout gate; ${r.file} is unchanged`,
    '',
    renderViolations(r.result.relevant, s),
    ...(r.judgedAgainst ? [judgedLine(r.judgedAgainst), ''] : []),
    ...refusalHints({ ...r, violations: r.result.relevant }),
  ];
}

/** Promoted: the soak it served, warnings and notes, the runbook's steps, the pull request. */
function promotedLines(r: PromotionReport): string[] {
  const { s } = r;
  const eligibleAt = r.change?.eligibleAt ?? null;
  const out = [`${s.green('✓')} Promoted ${s.bold(r.key)}: ${r.from} -> ${r.to} in ${r.file}`];
  if (r.judgedAgainst) out.push(`  ${judgedLine(r.judgedAgainst)}`);
  if (r.change?.since && eligibleAt) {
    const soakHours = soakMs(r.from) / HOUR_MS;
    const eligible = new Date(eligibleAt);
    out.push(
      `  in ${r.from} since ${formatTime(new Date(r.change.since))}; the ${soakHours} h soak ${
        eligible <= r.now
          ? `allowed it from ${formatTime(eligible)}`
          : `would allow it from ${formatWhen(eligible, r.now)}, and is waived`
      }`,
    );
  }
  const warnings = r.result.relevant.filter((v) => v.severity === 'warning');
  for (const w of warnings) out.push(`  ${s.yellow('!')} ${w.message}`);
  for (const n of r.notes) out.push(`  ${s.dim(n)}`);
  if (r.request) {
    const { before, after } = runbookChecklist(r.request);
    out.push('', s.bold('Before merging (runbook):'), ...before.map((l) => `  ${l}`));
    out.push(s.bold('After the merge and deploy:'), ...after.map((l) => `  ${l}`), '');
  }
  if (r.pr) {
    out.push(renderOpenPr(r.pr, s));
  } else {
    out.push(
      'Next: commit it on a branch and open a pull request (or use --open-pr next time, which does this for you):',
      `  git switch -c flags/promote-${r.key}`,
      `  git commit -m "Promote ${r.key} to ${r.to}" -- ${r.file}`,
      `  git push -u origin flags/promote-${r.key}`,
      '',
    );
  }
  return out;
}
