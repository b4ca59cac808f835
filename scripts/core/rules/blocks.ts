// The `override` and `revert` blocks: what makes one complete. Their schema only fixes the shape,
// so that a missing decision-maker is reported by these rules, in the runbook's words.
import type { FlagFile, Revert, Violation } from '../model.ts';
import { flagViolation } from './violation.ts';

export const GITHUB_LOGIN = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;

const blank = (text: string | undefined): boolean => text === undefined || text.trim() === '';

/** override-invalid for an override that lacks a decision-maker, an https incident link or a reason. */
export function overrideProblems(f: FlagFile): Violation[] {
  const o = f.flag.override;
  if (!o) return [];
  const problems: Violation[] = [];
  const add = (field: string, message: string): void => {
    problems.push(flagViolation('override-invalid', f, ['override', field], message));
  };
  if (blank(o.decision_maker)) {
    add(
      'decision_maker',
      'the `override` names no decision-maker: skipping a soak is decided in the incident channel by a named person; add `decision_maker: "@login"`',
    );
  } else if (!GITHUB_LOGIN.test(o.decision_maker)) {
    add(
      'decision_maker',
      `\`override.decision_maker\` must be one person's GitHub login such as "@jdoe", not "${o.decision_maker}"`,
    );
  }
  if (blank(o.incident)) {
    add(
      'incident',
      'the `override` has no incident link: add `incident: "https://..."`, the incident-channel thread where the decision was made',
    );
  } else if (!HTTPS_URL.test(o.incident)) {
    add(
      'incident',
      `\`override.incident\` must be an https:// link to the incident-channel thread, not "${o.incident}"`,
    );
  }
  if (blank(o.reason)) add('reason', 'the `override` gives no reason: say why the soak is skipped');
  return problems;
}

/** What a revert block lacks, in words ("has no reason"), or nothing. */
export function revertProblems(revert: Revert): string[] {
  const problems: string[] = [];
  if (blank(revert.reason)) problems.push('has no reason');
  if (blank(revert.incident)) problems.push('has no incident link');
  else if (!HTTPS_URL.test(revert.incident))
    problems.push(`has an incident link that is not https ("${revert.incident}")`);
  return problems;
}
