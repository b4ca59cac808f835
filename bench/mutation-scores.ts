// `npm run mutate:scores [REPORT.json]...`: the mutation score of each file in Stryker's
// reports (the mutation-testing-report-schema JSON that `npm run mutate` writes, or the per-part
// incremental files), as the Markdown table docs/mutation-testing.md records, then every mutant
// that survived or that no test reached, by file and line, to be killed or explained.
//
// Score as Stryker counts it: detected (killed or timed out) over valid (all but compile and
// runtime errors and ignored mutants); a mutant no test reaches counts against the file.
// Ignored mutants (`ignoreStatic`: code that runs only while a module loads, such as module
// constants) are counted in their own column and listed, so none is hidden.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function reportPaths(args: string[]): string[] {
  if (args.length > 0) return args;
  const dir = 'reports/mutation';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
}

/** The newest result per file wins: later reports on the command line override earlier ones. */
function filesOf(paths: string[]): Map<string, { source: string; mutants: Mutant[] }> {
  const files = new Map<string, { source: string; mutants: Mutant[] }>();
  for (const path of paths) {
    const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
    for (const [name, file] of Object.entries(report.files ?? {})) files.set(name, file);
  }
  return files;
}

const files = filesOf(reportPaths(process.argv.slice(2)));
const rows: string[] = [];
const survivors: string[] = [];
const ignoredLines: string[] = [];
let allDetected = 0;
let allValid = 0;
let allIgnored = 0;

function describe(name: string, lines: string[], m: Mutant): string {
  const line = m.location.start.line;
  const code = (lines[line - 1] ?? '').trim().slice(0, 90);
  const replacement = m.replacement
    ? ` \`${m.replacement.replace(/\s+/g, ' ').slice(0, 60)}\``
    : '';
  return `- ${name}:${line} ${m.status} ${m.mutatorName}${replacement} — \`${code}\``;
}
const byLine = (a: Mutant, b: Mutant): number => a.location.start.line - b.location.start.line;
for (const name of [...files.keys()].sort()) {
  const { source, mutants } = files.get(name)!;
  const lines = source.split('\n');
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status));
  // Stryker also marks the excluded string literals Ignored; only the static ones are counted.
  const ignored = mutants.filter(
    (m) => m.status === 'Ignored' && /static/i.test(m.statusReason ?? ''),
  );
  const valid = detected + undetected.length;
  allDetected += detected;
  allValid += valid;
  allIgnored += ignored.length;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  rows.push(
    `| ${name} | ${valid} | ${detected} | ${undetected.length} | ${ignored.length} | ${score.toFixed(1)} % | ${score >= 90 ? 'met' : 'not met'} |`,
  );
  for (const m of undetected.sort(byLine)) survivors.push(describe(name, lines, m));
  for (const m of ignored.sort(byLine)) ignoredLines.push(describe(name, lines, m));
}
const total = allValid === 0 ? 100 : (100 * allDetected) / allValid;
console.log('| file | mutants | detected | undetected | static, ignored | score | 90 % |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const row of rows) console.log(row);
console.log(
  `| all ${files.size} files | ${allValid} | ${allDetected} | ${allValid - allDetected} | ${allIgnored} | ${total.toFixed(1)} % | ${total >= 90 ? 'met' : 'not met'} |`,
);
console.log('');
console.log(`Undetected mutants (${survivors.length}):`);
for (const s of survivors) console.log(s);
console.log('');
console.log(`Ignored as static, run only while a module loads (${ignoredLines.length}):`);
for (const s of ignoredLines) console.log(s);
