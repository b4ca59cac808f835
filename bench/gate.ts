// validate, check and status against ajv-cli on the same files, side by side in one run.
// Our commands run as `npx flags` runs them (bin/flags.js: the bundle in .build/, built first
// when missing or stale), so start-up is what an engineer pays, not tsx's compilation.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStamp, stampMatches } from '../bin/build-stamp.js';
import { writeHistory, writeTree } from './synthetic.ts';

const ROOT = join(import.meta.dirname, '..');
const AJV = join(ROOT, 'node_modules/.bin/ajv');
const SCHEMA = join(ROOT, 'schema/flag.schema.json');

export interface Run {
  ms: number;
  /** CPU time (user + system) of the command and the children it waited for (git), or null. */
  cpuMs: number | null;
  status: number | null;
  maxRssKiB: number | null;
  /** The runs this one is the median of, in the order they ran (turns with the other command). */
  runs?: readonly Run[];
}

/**
 * CPU time of this process's reaped children (cutime + cstime, /proc/self/stat fields 16 and 17,
 * at 100 ticks a second), in ms, or null off Linux. Under load a command's wall time grows with
 * everything else the machine runs; its CPU time much less so.
 */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

export function timed(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Run {
  const cpu = childCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childCpuMs();
  const cpuMs = cpu !== null && cpuAfter !== null ? cpuAfter - cpu : null;
  const match = /BENCH (\{.*\})/.exec(result.stderr?.toString() ?? '');
  const maxRssKiB = match ? (JSON.parse(match[1]!) as { maxRssKiB: number }).maxRssKiB : null;
  return { ms, cpuMs, status: result.status, maxRssKiB };
}

/** Builds .build/ when it is missing or stale, so the runs below time the bundle. */
export function ensureBuilt(): void {
  const stamp = readStamp(ROOT);
  if (stamp && stampMatches(ROOT, stamp)) return;
  execFileSync(process.execPath, [join(ROOT, 'bin/build.js')], { stdio: 'ignore' });
  const built = readStamp(ROOT);
  if (!built || !stampMatches(ROOT, built))
    throw new Error('npm run build did not leave a fresh build');
}

/** `npx flags <args>` in `cwd`, with its peak memory (bench/measure-bin.js). */
export const flags = (cwd: string, args: string[], env: Record<string, string> = {}): Run => {
  ensureBuilt();
  return timed(process.execPath, [join(ROOT, 'bench/measure-bin.js'), ...args], cwd, env);
};
const ours = (cwd: string, args: string[]): Run => flags(cwd, args);

/** `ratio` against `target` (at most), computed: what the issue's targets are checked with. */
export function verdict(ratio: number, target: number): string {
  return `target <= ${target.toFixed(2)}x: ${ratio <= target ? 'met' : 'not met'}`;
}

/** When and under what load a section ran: figures from a loaded machine are noisier. */
export function conditions(): string {
  const [one, five] = loadavg();
  return `(${new Date().toISOString().slice(0, 16)}Z, load average ${one!.toFixed(1)} / ${five!.toFixed(1)}, through the bundle as npx flags runs)`;
}
const ajvCli = (cwd: string): Run =>
  timed(
    AJV,
    ['validate', '--spec=draft2020', '--all-errors', '-s', SCHEMA, '-d', 'flags/**/*.yaml'],
    cwd,
  );

const fmt = (run: Run): string =>
  `${(run.ms / 1000).toFixed(2)} s${run.maxRssKiB ? `, peak ${(run.maxRssKiB / 1024).toFixed(0)} MiB` : ''}`;

export function benchValidate(): string[] {
  const lines = [
    `validate vs ajv-cli (same files, equivalent schema; median of 3, alternating; ratio pair by pair) ${conditions()}:`,
  ];
  for (const count of [1000, 10_000]) {
    const dir = writeTree(count);
    try {
      const { ours: a, ajv: b } = alternate(3, {
        ours: () => ours(dir, ['validate']),
        ajv: () => ajvCli(dir),
      });
      if (a.status !== 0 || b.status !== 0)
        lines.push(`  ! exit status: flags ${a.status}, ajv-cli ${b.status}`);
      lines.push(
        `  ${String(count).padStart(6)} flags: flags validate ${fmt(a)}; ajv-cli ${fmt(b)}; ratio ${judged(a, b, 1.5)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}

const NOW = '2030-01-01T00:00:00Z';

/** Median of `n` runs of each command, taken in turns so machine noise hits them alike. */
export function alternate<K extends string>(n: number, runs: Record<K, () => Run>): Record<K, Run> {
  const all = Object.fromEntries(Object.keys(runs).map((k) => [k, [] as Run[]])) as Record<
    K,
    Run[]
  >;
  for (let i = 0; i < n; i++) for (const k of Object.keys(runs) as K[]) all[k].push(runs[k]());
  return Object.fromEntries(Object.keys(runs).map((k) => [k, median(all[k as K])])) as Record<
    K,
    Run
  >;
}

/** The run of median wall time, carrying the median CPU time of the runs (each is its own median). */
export function median(list: readonly Run[]): Run {
  const run = [...list].sort((x, y) => x.ms - y.ms)[Math.floor(list.length / 2)]!;
  const cpus = list.map((r) => r.cpuMs);
  return { ...run, cpuMs: cpus.includes(null) ? null : middle(cpus as number[]), runs: list };
}

/** The middle value (the upper of the two middle ones for an even count). */
export const middle = (values: readonly number[]): number =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

/**
 * Our command with the soak-clock index in `index` ('off': no index and no parse cache, the walk
 * of all history and a parse of every file, as before either existed).
 */
const indexed = (cwd: string, index: string, args: string[]): Run =>
  flags(
    cwd,
    args,
    index === 'off'
      ? { FLAGS_CLOCK_INDEX: 'off', FLAGS_PARSE_CACHE: 'off' }
      : { FLAGS_CLOCK_INDEX_DIR: index },
  );

/**
 * A run as in a fresh clone: the index and the parse cache (scripts/adapters/parse-cache.ts) are
 * removed first (and then built).
 */
const cold = (cwd: string, index: string, args: string[]): Run => {
  rmSync(index, { recursive: true, force: true });
  rmSync(join(cwd, '.git/flags-parse-cache'), { recursive: true, force: true });
  return indexed(cwd, index, args);
};

/** An array whose pushes are also written to stderr at once. */
function progressive(lines: string[]): string[] {
  for (const line of lines) process.stderr.write(`${line}\n`);
  const push = lines.push.bind(lines);
  lines.push = (...more: string[]): number => {
    for (const line of more) process.stderr.write(`${line}\n`);
    return push(...more);
  };
  return lines;
}

const ratio = (a: Run, b: Run): string => `${(a.ms / b.ms).toFixed(2)}x`;

/**
 * The runs of `a` and `b` as pairs, each taken one after the other, or null when they were not
 * taken in turns. A pair shares the machine's speed of its moment: a git walk of 16,000 commits
 * took from 8.5 s to 12.6 s on a quiet machine within minutes, for either command.
 */
function pairsOf(a: Run, b: Run): [Run, Run][] | null {
  if (!a.runs || !b.runs || a.runs.length !== b.runs.length || a.runs.length === 0) return null;
  return a.runs.map((run, i) => [run, b.runs![i]!]);
}

/**
 * The wall-time ratio judged against its target: the median of the ratios pair by pair when the
 * runs were taken in turns (with their range), else of the medians; the CPU ratio beside it.
 */
export function judged(a: Run, b: Run, target: number): string {
  const pairs = pairsOf(a, b);
  const walls = pairs?.map(([x, y]) => x.ms / y.ms);
  const wall = walls ? middle(walls) : a.ms / b.ms;
  const range =
    walls && walls.length > 1
      ? `, ${walls.length} pairs from ${Math.min(...walls).toFixed(2)}x to ${Math.max(...walls).toFixed(2)}x`
      : '';
  return `${wall.toFixed(2)}x (${verdict(wall, target)}; CPU ${cpuRatio(a, b, pairs)}${range})`;
}

function cpuRatio(a: Run, b: Run, pairs: [Run, Run][] | null): string {
  const measured = (x: Run, y: Run): boolean => x.cpuMs !== null && y.cpuMs !== null && y.cpuMs > 0;
  if (pairs && pairs.every(([x, y]) => measured(x, y)))
    return `${middle(pairs.map(([x, y]) => x.cpuMs! / y.cpuMs!)).toFixed(2)}x`;
  return measured(a, b) ? `${(a.cpuMs! / b.cpuMs!).toFixed(2)}x` : 'not measured';
}
const peaks: number[] = [];
const noted = (run: Run): Run => {
  if (run.maxRssKiB) peaks.push(run.maxRssKiB);
  return run;
};

/**
 * check (5 promotions) and status against ajv-cli, per layout: with the index warm, cold (no
 * index: it is built), and with the index off (the walk every run paid before the index).
 */
export function benchHistory(
  count = 10_000,
  edits = 16_000,
  n = Number(process.env.BENCH_RUNS ?? 3),
  layouts = (process.env.BENCH_LAYOUTS ?? 'teams,flat').split(',') as ('teams' | 'flat')[],
): string[] {
  const coldRuns = Math.max(n, 5);
  // Lines go out as they are measured too (stderr): a section can take most of an hour here.
  const lines = progressive([
    `check (5 promotions) and status vs ajv-cli at ${count} flags, ${edits + 2} commits (${n} runs of each, ${coldRuns} cold and index off, in turns: medians, and ratios pair by pair) ${conditions()}:`,
  ]);
  const targets = {
    teams: { check: 1.2, status: 1.5 },
    flat: { check: 1.5, status: 2.0 },
  };
  for (const layout of layouts) {
    const { dir, base, head } = writeHistory(count, edits, layout);
    const index = mkdtempSync(join(tmpdir(), 'flags-bench-index-'));
    try {
      for (const [name, args] of [
        ['check', ['check', '--base', base, '--head', head, '--now', NOW]],
        ['status', ['status', '--now', NOW]],
      ] as const) {
        // Warms the index the way CI's clock-index job does after each push to main: `status` at
        // the commit the run reads the clocks at (the base for check). A check with no index at
        // all walks its few flags and builds none (the cold line), so a check could not warm it.
        if (name === 'check') indexed(dir, index, ['status', '--ref', base, '--now', NOW]);
        indexed(dir, index, [...args]);
        // Cold and index-off are at least 5 runs each: one run of each at load 15 once gave
        // 2.60x where the same pair, quiet, gave 1.00x, and with one flat folder both are a git
        // walk whose time alone varied by half on a quiet machine.
        const r = {
          ...alternate(n, {
            ajv: () => ajvCli(dir),
            warm: () => noted(indexed(dir, index, [...args])),
          }),
          ...alternate(coldRuns, {
            cold: () => noted(cold(dir, index, [...args])),
            off: () => noted(indexed(dir, 'off', [...args])),
          }),
        };
        if (r.warm.status === 2) lines.push(`  ! ${name} exited ${r.warm.status}`);
        const target = targets[layout][name];
        lines.push(
          `  ${layout.padEnd(5)} ${name.padEnd(6)} warm ${fmt(r.warm)} vs ajv-cli ${fmt(r.ajv)}: ${judged(r.warm, r.ajv, target)}`,
          `  ${layout.padEnd(5)} ${name.padEnd(6)} cold ${fmt(r.cold)} vs index off ${fmt(r.off)}: ${judged(r.cold, r.off, 1.1)}; off is ${ratio(r.off, r.ajv)} of ajv-cli`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(index, { recursive: true, force: true });
    }
  }
  if (count >= 10_000 && peaks.length > 0)
    lines.push(
      `  peak memory of any run above: ${(Math.max(...peaks) / 1024).toFixed(0)} MiB (target < 300 MiB: ${Math.max(...peaks) < 300 * 1024 ? 'met' : 'not met'})`,
    );
  return lines;
}

/** A change on top of a long first-parent history against one on top of a short one, warm. */
export function benchHistoryLength(count = 1000, long = 100_000, short = 1000, n = 3): string[] {
  const lines = [
    `check (5 promotions) at ${count} flags with the index warm: ${long} against ${short} first-parent commits (median of ${n}, in turns; ratio pair by pair) ${conditions()}:`,
  ];
  const repos = [short, long].map((edits) => ({
    edits,
    ...writeHistory(count, edits, 'teams'),
    index: mkdtempSync(join(tmpdir(), 'flags-bench-index-')),
  }));
  try {
    const run = (r: (typeof repos)[number]) => () =>
      indexed(r.dir, r.index, ['check', '--base', r.base, '--head', r.head, '--now', NOW]);
    // Warms each index as CI's clock-index job does (status at the base), then a check extends it.
    for (const r of repos) {
      indexed(r.dir, r.index, ['status', '--ref', r.base, '--now', NOW]);
      run(r)();
    }
    const t = alternate(n, { short: run(repos[0]!), long: run(repos[1]!) });
    lines.push(
      `  ${short} commits: ${fmt(t.short)}; ${long} commits: ${fmt(t.long)}; ratio ${judged(t.long, t.short, 1.1)} (no more than the short one: 1.0x, with 10% for noise)`,
    );
  } finally {
    for (const r of repos) {
      rmSync(r.dir, { recursive: true, force: true });
      rmSync(r.index, { recursive: true, force: true });
    }
  }
  return lines;
}

/** Every command with a 10,001-line CODEOWNERS (a line per flag) against a 41-line one. */
export function benchCodeowners(count = 10_000, edits = 1000, n = 3): string[] {
  const lines = [
    `validate, check and status at ${count} flags, ${edits + 2} commits, index warm: ${count + 1}-line against 41-line CODEOWNERS (same owners; median of ${n}, in turns; ratios pair by pair) ${conditions()}:`,
  ];
  const repos = (['short', 'long'] as const).map((size) => ({
    ...writeHistory(count, edits, 'teams', size),
    index: mkdtempSync(join(tmpdir(), 'flags-bench-index-')),
  }));
  try {
    const [s, l] = repos as [(typeof repos)[number], (typeof repos)[number]];
    const commands: [string, (r: typeof s) => string[]][] = [
      ['validate', () => ['validate']],
      ['check', (r) => ['check', '--base', r.base, '--head', r.head, '--now', NOW]],
      ['status', () => ['status', '--now', NOW]],
    ];
    for (const [name, args] of commands) {
      // Warm: the index at the base as CI's clock-index job leaves it, then a run of the command.
      if (name !== 'validate')
        for (const r of repos) {
          indexed(r.dir, r.index, ['status', '--ref', r.base, '--now', NOW]);
          indexed(r.dir, r.index, args(r));
        }
      const t = alternate(n, {
        short: () => indexed(s.dir, s.index, args(s)),
        long: () => indexed(l.dir, l.index, args(l)),
      });
      if (t.short.status !== t.long.status)
        lines.push(`  ! ${name} exited ${t.short.status} and ${t.long.status}`);
      lines.push(
        `  ${name.padEnd(8)} 41 lines ${fmt(t.short)}; ${count + 1} lines ${fmt(t.long)}; ratio ${judged(t.long, t.short, 1.1)}`,
      );
    }
  } finally {
    for (const r of repos) {
      rmSync(r.dir, { recursive: true, force: true });
      rmSync(r.index, { recursive: true, force: true });
    }
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of benchValidate()) console.log(line);
  for (const line of benchHistory()) console.log(line);
  for (const line of benchHistoryLength()) console.log(line);
  for (const line of benchCodeowners()) console.log(line);
}
