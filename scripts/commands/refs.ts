import { evaluateRefs } from '../adapters/code-refs.ts';
import { colourEnabled, style } from '../adapters/terminal.ts';
import { hasErrors, type Violation } from '../core/model.ts';
import { REFS_CONFIG_PATH } from '../core/refs/config.ts';
import { referencesByKey, type Reference, type RefsScan } from '../core/refs/model.ts';
import type { Command } from './command.ts';

export interface RefsResult {
  ok: boolean;
  sources: RefsScan['sources'];
  flags: { key: string; references: Pick<Reference, 'source' | 'path' | 'line'>[] }[];
  unknown: RefsScan['unknown'];
  violations: Violation[];
}

export function refsResult(
  keys: readonly string[],
  scan: RefsScan,
  violations: Violation[],
): RefsResult {
  const byKey = referencesByKey(keys, scan);
  return {
    ok: !hasErrors(violations),
    sources: scan.sources,
    flags: [...byKey].map(([key, refs]) => ({
      key,
      references: refs.map((r) => ({ source: r.source, path: r.path, line: r.line })),
    })),
    unknown: scan.unknown,
    violations,
  };
}

export const command: Command = {
  name: 'refs',
  summary: 'Code references per flag in the application source trees',
  usage: 'refs [--source DIR]... [--json]',
  help: `Searches source trees for every flag key and the names code uses for it: the key
(live-view-webrtc), its accessors (liveViewWebrtc, LiveViewWebrtc, LIVE_VIEW_WEBRTC), the aliases
and the pattern configured in ${REFS_CONFIG_PATH}. A name counts only as a whole word, so
live-view never counts inside live-view-webrtc. git's file list decides what is searched: ignored,
binary, linguist-vendored and linguist-generated files are skipped. A folder that is not a git
repository is searched with its .gitignore files applied.

Options:
  --source DIR   a source tree to search (repeatable; relative to the repository's root);
                 default: the sources in ${REFS_CONFIG_PATH}
  --json         {ok, sources, flags: [{key, references: [{source, path, line}]}], unknown, violations}

Exit status: 0 searched, 1 some flag files break a rule (their keys may be missing),
2 could not evaluate (no source, a source that is not a folder, git failed).`,
  options: { source: { type: 'string', multiple: true } },
  async run(values, _positionals, ctx) {
    const given = Array.isArray(values.source) ? values.source : [];
    const { keys, scan, violations } = await evaluateRefs({
      cwd: ctx.cwd,
      sources: given,
      out: ctx,
    });
    const result = refsResult(keys, scan, violations);
    if (values.json) {
      ctx.stdout(JSON.stringify(result, null, 2) + '\n');
      return result.ok ? 0 : 1;
    }
    ctx.stdout(renderRefs(result, colourEnabled(ctx.env, ctx.isTTY)));
    return result.ok ? 0 : 1;
  },
};

function renderRefs(result: RefsResult, colour: boolean): string {
  const s = style(colour);
  const lines: string[] = [];
  for (const source of result.sources) {
    lines.push(
      s.dim(
        `searched ${source.name} (${source.dir}) ${source.commit ? `at ${source.commit.slice(0, 12)}` : source.mode === 'plain' ? '(not a git repository)' : '(no commit yet)'}`,
      ),
    );
  }
  lines.push('');
  const width = Math.max(4, ...result.flags.map((f) => f.key.length));
  for (const flag of result.flags) {
    const n = flag.references.length;
    lines.push(
      `${s.bold(flag.key.padEnd(width))}  ${n === 0 ? s.yellow('no references') : `${n} reference${n === 1 ? '' : 's'}`}`,
    );
    for (const r of flag.references) lines.push(`  ${r.source}:${r.path}:${r.line}`);
  }
  if (result.unknown.length > 0) {
    lines.push('', s.red('Names the pattern found that are no flag:'));
    for (const u of result.unknown) lines.push(`  ${u.source}:${u.path}:${u.line}  ${u.name}`);
  }
  if (!result.ok) lines.push('', `${s.red('✗')} the flags break rules: run \`npx flags validate\``);
  return lines.join('\n') + '\n';
}
