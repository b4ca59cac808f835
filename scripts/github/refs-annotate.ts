// The flag-refs action's entry (.github/actions/flag-refs): on an application repository's pull
// request, annotates code that reads unknown or archived flags (errors) and dead ga flags
// (warnings), judged by the flags repository checked out at a pinned ref. Inputs come as
// environment variables from action.yml:
//   FLAGS_REPO_DIR   the flags repository (full history: soak clocks and archived flags)
//   SOURCE_DIR       the application repository (default: the working directory)
//   CHANGED_FROM     a base commit: annotate only files changed in base...HEAD (empty: all)
//   FAIL_ON_ERROR    'false' keeps the step green on errors
//   GITHUB_REPOSITORY  picks this repository's entry (aliases, pattern) in .github/flag-refs.yaml
import { pathToFileURL } from 'node:url';
import type { Annotation } from '../adapters/actions.ts';
import {
  archivedFlagKeys,
  changedFiles,
  readRefsConfig,
  scanSources,
} from '../adapters/code-refs.ts';
import { nameTable } from '../core/refs/names.ts';
import {
  capAnnotations,
  refsFindings,
  type FlagFacts,
  type RefsFinding,
} from '../core/refs/annotations.ts';
import type { Env } from './entry.ts';

export interface AnnotateOptions {
  now?: Date;
  /** Where annotations go (default: the workflow log, through @actions/core). */
  emit?: (annotations: Annotation[]) => Promise<void>;
  log?: (line: string) => void;
}

export async function main(
  env: Env = process.env,
  cwd = process.cwd(),
  options: AnnotateOptions = {},
): Promise<number> {
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const emit = options.emit ?? (async (a) => (await import('../adapters/actions.ts')).annotate(a));
  const flagsDir = env['FLAGS_REPO_DIR'];
  if (!flagsDir) {
    log('flag-refs: FLAGS_REPO_DIR (the flags repository checkout) is required');
    return 2;
  }
  const sourceDir = env['SOURCE_DIR'] || cwd;
  try {
    const { evaluateStatus } = await import('../commands/status.ts');
    const status = await evaluateStatus({ cwd: flagsDir, now: options.now ?? new Date(), env: {} });
    const flags = new Map<string, FlagFacts>(status.flags.map((f) => [f.key, f]));
    const archived = await archivedFlagKeys(flagsDir);
    for (const key of flags.keys()) archived.delete(key);
    const config = readRefsConfig(flagsDir);
    const repository = env['GITHUB_REPOSITORY']?.toLowerCase();
    const entry = config.sources.find((s) => s.repository?.toLowerCase() === repository);
    const keys = [...flags.keys(), ...archived];
    const scan = await scanSources(
      [
        {
          name: env['GITHUB_REPOSITORY'] || 'source',
          dir: sourceDir,
          repository: entry?.repository ?? null,
          exclude: entry?.exclude ?? [],
          names: nameTable(keys, [config.aliases, entry?.aliases ?? {}]),
          pattern: entry?.pattern ?? null,
        },
      ],
      { stderr: () => {}, isTTY: false },
    );
    let findings = refsFindings({
      references: scan.references,
      unknown: scan.unknown,
      flags,
      archived,
      flagsRepository: 'the flags repository',
      prefix: scan.sources[0]?.prefix ?? '',
    });
    const base = env['CHANGED_FROM'];
    if (base) {
      const changed = await changedFiles(sourceDir, base);
      if (changed) findings = findings.filter((f) => changed.has(f.file));
      else
        log(
          `flag-refs: cannot diff against ${base} (fetch it, or fetch-depth: 0): every file is judged`,
        );
    }
    return await report(findings, emit, log, env['FAIL_ON_ERROR'] !== 'false');
  } catch (error) {
    log(`flag-refs: ${(error as Error).message}`);
    return 2;
  }
}

async function report(
  findings: readonly RefsFinding[],
  emit: (annotations: Annotation[]) => Promise<void>,
  log: (line: string) => void,
  failOnError: boolean,
): Promise<number> {
  // Every finding in the log, since annotations stop at 10 of each kind.
  for (const f of findings) log(`${f.file}:${f.line}: ${f.level}: ${f.title}: ${f.message}`);
  const { shown, notice } = capAnnotations(findings);
  const annotations: Annotation[] = shown.map((f) => ({
    level: f.level,
    title: f.title,
    file: f.file,
    line: f.line,
    message: f.message,
  }));
  if (notice) annotations.push({ level: 'notice', message: notice });
  await emit(annotations);
  const errors = findings.filter((f) => f.level === 'error').length;
  log(`flag-refs: ${errors} errors, ${findings.length - errors} warnings`);
  return errors > 0 && failOnError ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
