// What a refused promotion says to do next. Pure. Every error listed gets advice that clears it:
// waiting (or an override) clears only the soak, so the advice never stops there when a
// dependency or an exit criterion also stands in the way.
import type { Change, Override, Violation } from './model.ts';
import { formatTime } from './time.ts';

export interface RefusedPromotion {
  key: string;
  change: Change | undefined;
  /** The violations about the flags the change touches. */
  violations: readonly Violation[];
  override: Override | null;
}

export function judgedLine(ref: string): string {
  return `Judged against ${ref}, as CI judges the pull request (npx flags check --base ${ref}): this branch has not merged into it.`;
}

/**
 * What to do about a refusal. Waiting (or an override) clears only a soak error; when other
 * errors stand too, the advice says so instead of promising that a later run passes.
 */
export function refusalHints(r: RefusedPromotion): string[] {
  const errors = r.violations.filter((v) => v.severity === 'error');
  const soak = errors.find((v: Violation) => v.rule === 'soak' && v.flag === r.key);
  const others = errors.filter((v) => v !== soak);
  const allowedFrom =
    soak && r.change?.eligibleAt ? formatTime(new Date(r.change.eligibleAt)) : null;
  const hints: string[] = [];
  if (others.length > 0) {
    const rules = [...new Set(others.map((v) => v.rule))];
    hints.push(
      `${others.length === 1 ? 'This error needs' : `These ${others.length} errors need`} a fix before the promotion can pass (${rules.join(', ')}): each message above says how${allowedFrom ? `; waiting for the soak does not clear ${others.length === 1 ? 'it' : 'them'}` : ''}.`,
    );
    if (allowedFrom) hints.push(`Once fixed, run this again from ${allowedFrom} (the soak).`);
    else hints.push('Once fixed, run this again.');
    if (soak && !r.override)
      hints.push(
        `An --override would waive the soak only, never ${rules.join(', ')}: it is not enough here.`,
      );
  } else if (allowedFrom) {
    hints.push(`Run this again from ${allowedFrom}.`);
    if (!r.override) {
      hints.push(
        'Skipping the soak is an incident-channel decision by a named person; with one, run:',
        `  npx flags promote ${r.key} --override --decision-maker @login --incident https://... --reason "..."`,
      );
    }
  }
  if (errors.some((v) => v.rule === 'exit-criteria') && r.override) {
    hints.push('An override waives the soak only; unmet exit criteria still block the promotion.');
  }
  return hints;
}
