// What the flag-refs action says on an application's pull request, and how much of it GitHub
// shows: at most 10 error and 10 warning annotations per step, so the rest is one notice. Pure.
import type { State } from '../model.ts';
import type { Reference, UnknownReference } from './model.ts';

export const MAX_ANNOTATIONS = { error: 10, warning: 10 } as const;

export interface RefsFinding {
  level: 'error' | 'warning';
  title: string;
  file: string;
  line: number;
  message: string;
}

export interface FlagFacts {
  state: State;
  since: string | null;
  /** At ga for 14 days or more. */
  stale: boolean;
}

/**
 * Errors: code reads a flag that does not exist (a pattern's capture that is no flag name) or
 * that was removed from the flags repository (archived). Warnings: code reads a dead ga flag.
 * `prefix` turns source-relative paths into repository paths.
 */
export function refsFindings(input: {
  references: readonly Reference[];
  unknown: readonly UnknownReference[];
  flags: ReadonlyMap<string, FlagFacts>;
  archived: ReadonlySet<string>;
  flagsRepository: string;
  prefix?: string;
}): RefsFinding[] {
  const prefix = input.prefix ?? '';
  const findings: RefsFinding[] = [];
  for (const u of input.unknown) {
    findings.push({
      level: 'error',
      title: 'unknown flag',
      file: prefix + u.path,
      line: u.line,
      message: `The code reads flag \`${u.name}\`, which does not exist in ${input.flagsRepository}: a typo, or a flag not created yet (\`flags new\`).`,
    });
  }
  for (const r of input.references) {
    const flag = input.flags.get(r.key);
    if (!flag && input.archived.has(r.key)) {
      findings.push({
        level: 'error',
        title: 'archived flag',
        file: prefix + r.path,
        line: r.line,
        message: `The code reads flag \`${r.key}\` (as \`${r.name}\`), which was removed from ${input.flagsRepository} and is archived on the platform: remove this path.`,
      });
    } else if (flag?.stale) {
      findings.push({
        level: 'warning',
        title: 'dead flag',
        file: prefix + r.path,
        line: r.line,
        message: `Flag \`${r.key}\` (as \`${r.name}\`) has been at ga since ${flag.since?.slice(0, 10) ?? 'long ago'}: dead flags are technical debt; remove this path and keep the feature on.`,
      });
    }
  }
  return findings.sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line,
  );
}

/** The findings GitHub will show, and one notice counting those it would drop. */
export function capAnnotations(findings: readonly RefsFinding[]): {
  shown: RefsFinding[];
  notice: string | null;
} {
  const shown: RefsFinding[] = [];
  const count = { error: 0, warning: 0 };
  const left = { error: 0, warning: 0 };
  for (const f of findings) {
    if (count[f.level] < MAX_ANNOTATIONS[f.level]) {
      count[f.level]++;
      shown.push(f);
    } else left[f.level]++;
  }
  const parts = [
    left.error > 0 ? `${left.error} more error${left.error === 1 ? '' : 's'}` : null,
    left.warning > 0 ? `${left.warning} more warning${left.warning === 1 ? '' : 's'}` : null,
  ].filter((p): p is string => p !== null);
  return {
    shown,
    notice:
      parts.length === 0
        ? null
        : `${parts.join(' and ')} not annotated (GitHub shows ${MAX_ANNOTATIONS.error} errors and ${MAX_ANNOTATIONS.warning} warnings per step): every finding is in this step's log.`,
  };
}
