// flags refs against plain `git grep -F -f keys` on the same generated tree, side by side in one
// run: 10,000 flag keys over a 50,000-file application repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camelCaseName, screamingSnakeName } from '../scripts/core/flag-names.ts';
import { alternate, judged, timed as timedAt, type Run } from './gate.ts';
import { syntheticFlags, writeTree } from './synthetic.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNS: number = 1;

function timed(command: string, args: string[], cwd: string): Run {
  return timedAt(command, args, cwd, { BENCH_CWD: cwd });
}

const LINES = [
  'import { render } from "../ui/render";',
  'export function handler(request, response) {',
  '  const started = Date.now();',
  '  const result = compute(request.body, { retries: 3 });',
  '  logger.info("handled", { ms: Date.now() - started });',
  '  return response.json(result);',
  '}',
  '// The session resumes where the edge left it.',
];

/** `files` source files over a few hundred folders; one in four reads a flag. */
function writeApp(files: number, keys: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'refs-bench-app-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const ext = ['ts', 'go', 'py', 'java', 'kt', 'rb'];
  for (let i = 0; i < files; i++) {
    const folder = `src/m${i % 400}`;
    if (i < 400) mkdirSync(join(dir, folder), { recursive: true });
    const lines = [...LINES, ...LINES, `const id${i} = ${i};`];
    if (i % 4 === 0) {
      const key = keys[(i * 7919) % keys.length]!;
      const forms = [`isEnabled("${key}")`, `flags.${camelCaseName(key)}`, screamingSnakeName(key)];
      lines.splice(3, 0, `  if (${forms[i % 3]}) enable();`);
    }
    writeFileSync(join(dir, folder, `f${i}.${ext[i % ext.length]}`), lines.join('\n') + '\n');
  }
  execFileSync('git', ['add', '-A'], { cwd: dir, maxBuffer: 1 << 28 });
  execFileSync(
    'git',
    ['-c', 'user.name=Bench', '-c', 'user.email=b@example.com', 'commit', '-q', '-m', 'app'],
    { cwd: dir },
  );
  return dir;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export function benchRefs(keyCount = 10_000, fileCount = 50_000): string[] {
  const keys = syntheticFlags(keyCount, 'teams').map((f) => f.key);
  const flagsDir = writeTree(keyCount);
  const app = writeApp(fileCount, keys);
  const keysFile = join(flagsDir, 'keys.txt');
  writeFileSync(keysFile, keys.join('\n') + '\n');
  try {
    const measure = join(ROOT, 'bench/measure.ts');
    const tsx = import.meta.resolve('tsx');
    const ours = () =>
      timed(
        process.execPath,
        ['--import', tsx, measure, 'refs', '--source', app, '--json'],
        flagsDir,
      );
    const grep = () => timed('git', ['grep', '-F', '-n', '-I', '-f', keysFile], app);
    // One run each: git grep -F -f takes minutes at this size, and the machine is shared.
    const { ours: a, grep: b } = alternate(RUNS, { ours, grep });
    const cpu = (r: Run) => (r.cpuMs === null ? '' : ` (CPU ${seconds(r.cpuMs)})`);
    const peak = a.maxRssKiB ? `, peak ${(a.maxRssKiB / 1024).toFixed(0)} MiB` : '';
    const lines = [
      `flags refs vs git grep -F -f keys: ${keyCount} keys (4 names each for refs), ${fileCount} files; ${RUNS === 1 ? 'one run each' : `median of ${RUNS}, alternating`}:`,
      `  flags refs ${seconds(a.ms)}${cpu(a)}${peak}; git grep ${seconds(b.ms)}${cpu(b)}; ratio ${judged(a, b, 1.5)}`,
    ];
    if (a.status !== 0 || (b.status !== 0 && b.status !== 1))
      lines.push(`  ! exit status: flags refs ${a.status}, git grep ${b.status}`);
    return lines;
  } finally {
    rmSync(flagsDir, { recursive: true, force: true });
    rmSync(app, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of benchRefs()) console.log(line);
}
