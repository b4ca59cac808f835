// A worker thread that parses a slice of flag files (see parallel-load.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { lineTable, parseFlag } from '../core/parse-flag.ts';

const files = workerData as { path: string; text: string }[];
const results = files.map(({ path, text }) => {
  const parsed = parseFlag(text, path);
  return {
    flag: parsed.flag,
    violations: parsed.violations,
    lines: parsed.flag ? lineTable(parsed) : [],
  };
});
parentPort!.postMessage(results);
