// export (each format) against `flags validate` on the same 10,000-flag tree, side by side in one
// run: validate reads the work tree; export reads the same flags from git objects at HEAD, and
// flagd also each flag's `since` (the soak clock, from the index in the git directory that the
// warm-up round builds, as any earlier command would have).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeHistory } from './synthetic.ts';

const ROOT = join(import.meta.dirname, '..');
/** Issue #15: export at most 1.3 times `flags validate` on the same tree. */
const TARGET = 1.3;

interface Run {
  ms: number;
  status: number | null;
}

function ours(cwd: string, args: string[]): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'bench/measure.ts'), ...args],
    { cwd, env: { ...process.env, BENCH_CWD: cwd, PLATFORM_API_URL: '' }, maxBuffer: 1 << 28 },
  );
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status };
}

const median = (runs: Run[]): Run =>
  [...runs].sort((x, y) => x.ms - y.ms)[Math.floor(runs.length / 2)]!;

export function benchExport(count = 10_000, edits = 2_000, rounds = 5): string[] {
  const { dir } = writeHistory(count, edits, 'teams');
  const commands: [string, string[]][] = [
    ['validate', ['validate']],
    ...(['flagd', 'manifest', 'typescript'] as const).map((format): [string, string[]] => [
      `export ${format}`,
      ['export', '--format', format, '--out', join(dir, '.bench-out', format)],
    ]),
  ];
  const runs = new Map<string, Run[]>(commands.map(([name]) => [name, []]));
  try {
    // A round not counted first: the file cache, and the soak-clock index that flagd's first run
    // builds in the git directory, are warm for every counted run, as they are for a developer.
    for (const [, args] of commands) ours(dir, args);
    // Rounds take each command in turn, so machine noise hits all of them alike.
    for (let round = 0; round < rounds; round++) {
      for (const [name, args] of commands) runs.get(name)!.push(ours(dir, args));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const validate = median(runs.get('validate')!);
  const lines = [
    `export vs validate at ${count} flags, ${edits + 2} commits (median of ${rounds} after a warm-up round, interleaved; load average ${loadavg()[0]!.toFixed(1)} at the end):`,
    `  validate           ${(validate.ms / 1000).toFixed(2)} s`,
  ];
  for (const [name] of commands.slice(1)) {
    const run = median(runs.get(name)!);
    const failed = [validate, run].some((r) => r.status !== 0);
    const ratio = run.ms / validate.ms;
    const verdict = failed ? 'not met: a non-zero exit' : ratio <= TARGET ? 'met' : 'not met';
    lines.push(
      `  ${name.padEnd(18)} ${(run.ms / 1000).toFixed(2)} s; ratio ${ratio.toFixed(2)}x (target <= ${TARGET}x): ${verdict}`,
    );
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of benchExport()) console.log(line);
}
