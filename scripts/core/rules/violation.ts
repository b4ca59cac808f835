import type { FlagFile, RuleId, Severity, Violation } from '../model.ts';

/** A violation about one flag, at the line of one of its fields. */
export function flagViolation(
  rule: RuleId,
  f: FlagFile,
  field: readonly (string | number)[],
  message: string,
  severity: Severity = 'error',
): Violation {
  return { rule, severity, flag: f.flag.key, file: f.file, line: f.lineOf(field), message };
}
