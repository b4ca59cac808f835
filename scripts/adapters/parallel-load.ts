// Large trees are parsed on every core: YAML parsing is most of validate's cost at 10,000 flags.
// The result is the same FlagSet, in the same order, as buildFlagSet's.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  addParsed,
  buildFlagSet,
  prepareEntry,
  sortEntries,
  withDuplicateKeys,
  type RawEntry,
} from '../core/load.ts';
import type { FlagSet } from '../core/model.ts';
import { lineOfTable, parseFlag, type ParsedFlag } from '../core/parse-flag.ts';

/** How the last parallel load went (for tests and benchmarks). */
export const parallelStats = { workerSlices: 0, fallbacks: 0 };

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 3000;

export async function buildFlagSetParallel(
  entries: readonly RawEntry[],
  env: Record<string, string | undefined> = {},
): Promise<FlagSet> {
  const threads = env.FLAGS_PARSE_THREADS
    ? Number(env.FLAGS_PARSE_THREADS)
    : Math.min(availableParallelism(), 4);
  if (entries.length < MIN_FILES_FOR_WORKERS || !(threads > 1)) return buildFlagSet(entries);
  const prepared = sortEntries(entries).map(prepareEntry);
  const texts = prepared.flatMap((p) =>
    'text' in p ? [{ path: p.entry.path, text: p.text }] : [],
  );
  const size = Math.ceil(texts.length / threads);
  const slices = Array.from({ length: threads }, (_, i) => texts.slice(i * size, (i + 1) * size));
  // The main thread parses the first slice while workers parse the rest.
  const pending = slices.slice(1).map((slice) => parseInWorker(slice));
  const parsed = new Map<string, ParsedFlag>();
  for (const { path, text } of slices[0]!) parsed.set(path, parseFlag(text, path));
  const fromWorkers = await Promise.all(pending);
  fromWorkers.forEach((results, i) =>
    slices[i + 1]!.forEach(({ path }, j) => parsed.set(path, results[j]!)),
  );

  const set: FlagSet = { flags: [], violations: [], brokenFiles: [] };
  for (const p of prepared) {
    if ('violation' in p) {
      set.brokenFiles.push(p.entry.path);
      set.violations.push(p.violation);
    } else {
      addParsed(set, p.entry.path, parsed.get(p.entry.path)!);
    }
  }
  return withDuplicateKeys(set);
}

function parseInWorker(slice: { path: string; text: string }[]): Promise<ParsedFlag[]> {
  return new Promise((resolve) => {
    // A worker that cannot start (a runner without the TypeScript loader) is not an error:
    // its slice is parsed here instead.
    const fallback = (): void => {
      parallelStats.fallbacks++;
      resolve(slice.map(({ path, text }) => parseFlag(text, path)));
    };
    let worker: Worker;
    try {
      // The worker is TypeScript: it registers tsx's loader before importing it (on Node 20 an
      // --import in a worker's execArgv is not in place yet for the worker's own entry module).
      const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./parse-worker.ts', import.meta.url).href)}); })`;
      worker = new Worker(bootstrap, { eval: true, workerData: slice, execArgv: [] });
    } catch {
      fallback();
      return;
    }
    worker.once(
      'message',
      (
        results: {
          flag: ParsedFlag['flag'];
          violations: ParsedFlag['violations'];
          lines: [string, number][];
        }[],
      ) => {
        parallelStats.workerSlices++;
        resolve(
          results.map((r) => ({
            flag: r.flag,
            violations: r.violations,
            lineOf: lineOfTable(r.lines),
          })),
        );
        void worker.terminate();
      },
    );
    worker.once('error', fallback);
  });
}
