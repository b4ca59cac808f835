// The gate as one commit status, `flags/soak`: what branch protection waits for. Pure: the
// gate's CheckResult in, a state and a description of at most 140 characters out.
import type { CheckResult } from './model.ts';
import { clipChars, count } from './github-limits.ts';
import { formatTime } from './time.ts';

/** The commit status that carries the soak: pending until the time has come. */
export const SOAK_CONTEXT = 'flags/soak';
/** GitHub cuts commit status descriptions at 140 characters. */
const STATUS_DESCRIPTION_MAX = 140;

export type GateState = 'success' | 'pending' | 'failure';

export interface GateStatus {
  state: GateState;
  /** At most 140 characters, for a commit status. */
  description: string;
  /** For `pending`: when the last soak ends. */
  eligibleAt: string | null;
}

/**
 * The gate as one commit status. `pending` when the only errors are `soak`: the change is right
 * but early, and the scheduled re-check turns it into `success` once the last soak has ended. In
 * a merge queue nothing may wait for hours, so there an early change is a `failure`.
 */
export function gateStatus(
  result: CheckResult,
  options: { mergeGroup?: boolean } = {},
): GateStatus {
  const errors = result.violations.filter((v) => v.severity === 'error');
  if (errors.length === 0) {
    const warnings = result.violations.length;
    const what =
      result.changes.length === 0
        ? 'no flag changes'
        : `${plural(result.changes.length, 'flag change')} may merge`;
    return {
      state: 'success',
      description: statusDescription(
        `Ready: ${what}${warnings ? ` (${plural(warnings, 'warning')})` : ''}`,
      ),
      eligibleAt: null,
    };
  }
  if (errors.every((v) => v.rule === 'soak')) {
    const flags = unique(errors.map((v) => v.flag).filter((f): f is string => f !== null));
    const eligibleAt = latest(
      result.changes.filter((c) => flags.includes(c.flag)).map((c) => c.eligibleAt),
    );
    const at = eligibleAt ? `allowed from ${when(eligibleAt)}` : 'too early';
    return {
      state: options.mergeGroup ? 'failure' : 'pending',
      description: statusDescription(`Soak: ${at} (${flags.join(', ')})`),
      eligibleAt,
    };
  }
  const rules = unique(errors.map((v) => v.rule));
  return {
    state: 'failure',
    description: statusDescription(
      `Blocked: ${plural(errors.length, 'error')}: ${rules.join(', ')}`,
    ),
    eligibleAt: null,
  };
}

/** `2026-11-27 14:00 UTC`, or `—` when unknown. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : formatTime(date);
}

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

function latest(times: readonly (string | null)[]): string | null {
  const known = times.filter((t): t is string => t !== null);
  if (known.length === 0) return null;
  return known.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/**
 * A commit status description as GitHub keeps it: whole up to 140 characters, else cut to 139 and
 * an ellipsis, never inside an emoji. Every description written goes through this (the adapter
 * too), so a description compared with the one on a commit is the one written.
 */
export function statusDescription(description: string): string {
  return description.length <= STATUS_DESCRIPTION_MAX
    ? description
    : `${clipChars(description, STATUS_DESCRIPTION_MAX - 1)}…`;
}
