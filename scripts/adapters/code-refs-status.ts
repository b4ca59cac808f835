// The REFS column's data for `flags status`: a scan of the configured sources, or null when the
// repository configures none (status then shows no column and scans nothing).
import { evaluateRefs, refsConfigured } from './code-refs.ts';
import type { FlagStatus } from '../core/model.ts';
import { referencesByKey } from '../core/refs/model.ts';
import { refsMarks, type RefsCell } from '../core/refs/status-marks.ts';
import type { ProgressOutput } from './progress.ts';

export async function statusRefs(
  cwd: string,
  flags: readonly FlagStatus[],
  out: ProgressOutput,
): Promise<Map<string, RefsCell> | null> {
  if (!refsConfigured(cwd)) return null;
  const { keys, scan } = await evaluateRefs({ cwd, out });
  return refsMarks(flags, referencesByKey(keys, scan));
}
