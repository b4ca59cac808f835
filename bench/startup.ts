// Start-up of the `flags` bin against `node -e 0` on the same machine, measured side by side:
// runs are interleaved so a burst of load hits every command alike, and medians are reported.
import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStamp, stampMatches } from '../bin/build-stamp.js';
import { middle as median } from './gate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 9;

function timeMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const out = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  if (out.status !== 0 && out.status !== 1)
    throw new Error(`${args.join(' ')} exited ${out.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function benchStartup(): string[] {
  const lines: string[] = [];
  const stamp = readStamp(ROOT);
  if (!stamp || !stampMatches(ROOT, stamp)) {
    execFileSync(process.execPath, [join(ROOT, 'bin/build.js')], { stdio: 'ignore' });
    lines.push('(built first: the build was missing or stale)');
  }
  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['flags --help', ['bin/flags.js', '--help']],
    ['flags validate', ['bin/flags.js', 'validate']],
    ['tsx: flags --help', ['--import', 'tsx', 'scripts/cli.ts', '--help']],
    ['tsx: flags validate', ['--import', 'tsx', 'scripts/cli.ts', 'validate']],
  ];
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  timeMs(['bin/flags.js', '--help']); // warm the file cache
  for (let i = 0; i < RUNS; i++)
    for (const [name, args] of cases) times.get(name)!.push(timeMs(args));
  const base = median(times.get('node -e 0')!);
  // Wall-clock times stretch with the machine's load; the ratios are what compare.
  lines.push(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} during the runs`,
  );
  for (const [name] of cases) {
    const m = median(times.get(name)!);
    lines.push(
      `${name.padEnd(20)} median ${(m / 1000).toFixed(3)} s of ${RUNS}: ${(m / base).toFixed(2)}x node -e 0, +${((m - base) / 1000).toFixed(3)} s (target +0.5 s for the bin)`,
    );
  }
  return lines;
}
