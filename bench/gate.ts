// validate, check and status against ajv-cli on the same files, side by side in one run.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeHistory, writeTree } from './synthetic.ts';

const ROOT = join(import.meta.dirname, '..');
const AJV = join(ROOT, 'node_modules/.bin/ajv');
const SCHEMA = join(ROOT, 'schema/flag.schema.json');

interface Run {
  ms: number;
  status: number | null;
  maxRssKiB: number | null;
}

function timed(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const match = /BENCH (\{.*\})/.exec(result.stderr?.toString() ?? '');
  const maxRssKiB = match ? (JSON.parse(match[1]!) as { maxRssKiB: number }).maxRssKiB : null;
  return { ms, status: result.status, maxRssKiB };
}

/** Median of `n` runs, alternating the two commands so machine noise hits both alike. */
function sideBySide(n: number, a: () => Run, b: () => Run): { a: Run; b: Run } {
  const as: Run[] = [];
  const bs: Run[] = [];
  for (let i = 0; i < n; i++) {
    as.push(a());
    bs.push(b());
  }
  const median = (runs: Run[]): Run =>
    [...runs].sort((x, y) => x.ms - y.ms)[Math.floor(runs.length / 2)]!;
  return { a: median(as), b: median(bs) };
}

const ours = (cwd: string, args: string[]): Run =>
  timed(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'bench/measure.ts'), ...args],
    cwd,
    { BENCH_CWD: cwd },
  );
const ajvCli = (cwd: string): Run =>
  timed(
    AJV,
    ['validate', '--spec=draft2020', '--all-errors', '-s', SCHEMA, '-d', 'flags/**/*.yaml'],
    cwd,
  );

const fmt = (run: Run): string =>
  `${(run.ms / 1000).toFixed(2)} s${run.maxRssKiB ? `, peak ${(run.maxRssKiB / 1024).toFixed(0)} MiB` : ''}`;

export function benchValidate(): string[] {
  const lines = ['validate vs ajv-cli (same files, equivalent schema; median of 3, alternating):'];
  for (const count of [1000, 10_000]) {
    const dir = writeTree(count);
    try {
      const { a, b } = sideBySide(
        3,
        () => ours(dir, ['validate']),
        () => ajvCli(dir),
      );
      if (a.status !== 0 || b.status !== 0)
        lines.push(`  ! exit status: flags ${a.status}, ajv-cli ${b.status}`);
      lines.push(
        `  ${String(count).padStart(6)} flags: flags validate ${fmt(a)}; ajv-cli ${fmt(b)}; ratio ${(a.ms / b.ms).toFixed(2)}x (target <= 1.5x)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}

export function benchHistory(count = 10_000, edits = 16_000): string[] {
  const lines = [
    `check (5 promotions) and status vs ajv-cli at ${count} flags, ${edits + 2} commits:`,
  ];
  for (const layout of ['teams', 'flat'] as const) {
    const { dir, base, head } = writeHistory(count, edits, layout);
    try {
      const check = sideBySide(
        3,
        () => ours(dir, ['check', '--base', base, '--head', head, '--now', '2030-01-01T00:00:00Z']),
        () => ajvCli(dir),
      );
      const status = sideBySide(
        1,
        () => ours(dir, ['status', '--now', '2030-01-01T00:00:00Z']),
        () => ajvCli(dir),
      );
      if (check.a.status !== 0) lines.push(`  ! check exited ${check.a.status}`);
      lines.push(
        `  ${layout.padEnd(5)} layout: check ${fmt(check.a)}; ajv-cli ${fmt(check.b)}; ratio ${(check.a.ms / check.b.ms).toFixed(2)}x (target <= 2.0x)`,
      );
      lines.push(
        `  ${layout.padEnd(5)} layout: status ${fmt(status.a)}; ajv-cli ${fmt(status.b)}; ratio ${(status.a.ms / status.b.ms).toFixed(2)}x (target <= 4.0x)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of benchValidate()) console.log(line);
  for (const line of benchHistory()) console.log(line);
}
