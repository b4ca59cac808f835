// What the report says about code references: the issue that lists them for a flag's owner, and
// the evidence a removal pull request carries that none is left. Pure.
import type { FlagStatus } from '../model.ts';
import { DAY_MS } from '../model.ts';
import type { Reference, ScannedSource } from './model.ts';

export const REFS_ISSUE_LABEL = 'flag-refs';
/** An issue body lists at most this many references (GitHub caps a body at 65,536 characters). */
export const MAX_LISTED = 300;

export function refsIssueMarker(key: string): string {
  return `flag-refs:${key}`;
}

/** The line on GitHub, when the source names its repository and was read at a commit. */
export function referenceLink(
  source: ScannedSource | undefined,
  ref: Pick<Reference, 'path' | 'line'>,
  serverUrl: string,
): string | null {
  if (!source?.repository || !source.commit) return null;
  const path = `${source.prefix}${ref.path}`.split('/').map(encodeURIComponent).join('/');
  return `${serverUrl.replace(/\/+$/, '')}/${source.repository}/blob/${source.commit}/${path}#L${ref.line}`;
}

/** One line per source searched: what was scanned, at which commit. */
export function scannedLines(sources: readonly ScannedSource[]): string[] {
  return sources.map((s) => {
    const where = s.repository
      ? `${s.repository}${s.prefix ? ` (\`${s.prefix}\`)` : ''}`
      : `\`${s.dir}\``;
    const at =
      s.mode === 'plain'
        ? 'a folder that is not a git repository (no commit to cite)'
        : s.commit
          ? `at \`${s.commit}\`, tracked files`
          : 'a repository with no commit yet';
    return `- \`${s.name}\`: ${where}, ${at}`;
  });
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function daysAt(flag: FlagStatus, now: Date): string {
  if (!flag.since) return 'at ga';
  const days = Math.floor((now.getTime() - Date.parse(flag.since)) / DAY_MS);
  return `at ga since ${flag.since.slice(0, 10)} (${days} days)`;
}

export function refsIssueTitle(key: string, count: number): string {
  return count === 0
    ? `Flag ${key}: no code references left`
    : `Flag ${key}: remove ${count} code reference${count === 1 ? '' : 's'}`;
}

/** The body of a flag's references issue: every reference with its link, and what was scanned. */
export function refsIssueBody(input: {
  flag: FlagStatus;
  references: readonly Reference[];
  sources: readonly ScannedSource[];
  serverUrl: string;
  now: Date;
}): string {
  const { flag, references } = input;
  const bySource = new Map(input.sources.map((s) => [s.name, s]));
  const intro = `\`${flag.key}\` is ${daysAt(flag, input.now)}. The runbook: _after a successful soak (typically 7–14 days at GA), remove the flag from the codebase in a follow-up PR. Dead flags are technical debt._ Owner: ${flag.owner}.`;
  const parts = [intro];
  if (references.length === 0) {
    parts.push(
      'No code reference is left: this issue closes itself, and the scheduled report opens the pull request that removes the flag file.',
    );
  } else {
    parts.push(
      `The code still reads it in ${references.length} place${references.length === 1 ? '' : 's'}. Remove those paths (the feature simply on); the scheduled report keeps this list up to date, closes this issue when the count reaches zero, and then proposes removing \`${flag.file}\`.`,
      '### References',
      [
        '| source | where | name |',
        '| --- | --- | --- |',
        ...references.slice(0, MAX_LISTED).map((r) => {
          const where = `${r.path}:${r.line}`;
          const link = referenceLink(bySource.get(r.source), r, input.serverUrl);
          return `| ${cell(r.source)} | ${link ? `[${cell(where)}](${link})` : `\`${cell(where)}\``} | \`${cell(r.name)}\` |`;
        }),
      ].join('\n'),
    );
    if (references.length > MAX_LISTED)
      parts.push(
        `…and ${references.length - MAX_LISTED} more: run \`flags refs\` for the whole list.`,
      );
  }
  parts.push('### Scanned', scannedLines(input.sources).join('\n'));
  return parts.join('\n\n') + '\n';
}

/** The evidence a removal pull request carries: nothing reads the flag in what was scanned. */
export function removalEvidence(key: string, sources: readonly ScannedSource[]): string {
  return [
    '### Code references',
    `None: no source reads \`${key}\` (its key, accessor names or aliases) in what the report scanned:`,
    scannedLines(sources).join('\n'),
  ].join('\n\n');
}
