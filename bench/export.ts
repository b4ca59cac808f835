// export (each format) against `flags validate` on the same 10,000-flag tree, side by side in one
// run. Both sides run as `npx flags` runs them (bin/flags.js: the bundle in .build/, built first
// when missing or stale), so neither pays tsx's compilation. validate reads the work tree; export
// reads the same flags from git objects at HEAD, and flagd also each flag's `since` (the soak
// clock, from the index in the git directory that the warm-up round builds, as any earlier
// command would have). Export also reuses the parses an earlier run kept (the parse cache); the
// last line is export with that cache off, parsing every file as validate does.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { conditions, ensureBuilt, flags, median, type Run } from './gate.ts';
import { writeHistory } from './synthetic.ts';

/** Issue #15: export at most 1.3 times `flags validate` on the same tree. */
const TARGET = 1.3;

export function benchExport(count = 10_000, edits = 2_000, rounds = 5): string[] {
  ensureBuilt();
  const { dir } = writeHistory(count, edits, 'teams');
  const out = (format: string): string[] => ['--out', join(dir, '.bench-out', format)];
  const commands: [string, string[], Record<string, string>][] = [
    ['validate', ['validate'], {}],
    ...(['flagd', 'manifest', 'typescript'] as const).map(
      (format): [string, string[], Record<string, string>] => [
        `export ${format}`,
        ['export', '--format', format, ...out(format)],
        {},
      ],
    ),
    [
      'export flagd, no parse cache',
      ['export', '--format', 'flagd', ...out('flagd')],
      { FLAGS_PARSE_CACHE: 'off' },
    ],
  ];
  const env = { PLATFORM_API_URL: '' };
  const runs = new Map<string, Run[]>(commands.map(([name]) => [name, []]));
  try {
    // A round not counted first: the file cache, the parse cache and the soak-clock index that
    // flagd's first run builds in the git directory are warm for every counted run, as they are
    // for a developer.
    for (const [, args, more] of commands) flags(dir, args, { ...env, ...more });
    // Rounds take each command in turn, so machine noise hits all of them alike.
    for (let round = 0; round < rounds; round++) {
      for (const [name, args, more] of commands)
        runs.get(name)!.push(flags(dir, args, { ...env, ...more }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const validate = median(runs.get('validate')!);
  const lines = [
    `export vs validate at ${count} flags, ${edits + 2} commits (median of ${rounds} after a warm-up round, interleaved) ${conditions()}:`,
    `  validate                       ${(validate.ms / 1000).toFixed(2)} s`,
  ];
  for (const [name] of commands.slice(1)) {
    const run = median(runs.get(name)!);
    const failed = [validate, run].some((r) => r.status !== 0);
    const ratio = run.ms / validate.ms;
    const verdict = failed ? 'not met: a non-zero exit' : ratio <= TARGET ? 'met' : 'not met';
    lines.push(
      `  ${name.padEnd(30)} ${(run.ms / 1000).toFixed(2)} s; ratio ${ratio.toFixed(2)}x (target <= ${TARGET}x): ${verdict}`,
    );
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of benchExport()) console.log(line);
}
