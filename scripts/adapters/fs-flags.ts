// The working tree: lists and reads what is under flags/, and the CODEOWNERS file.
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { join } from 'node:path';
import { CODEOWNERS_LOCATIONS, parseCodeowners, type Codeowners } from '../core/codeowners.ts';
import { EvaluationError } from '../core/errors.ts';
import { buildFlagSet, FLAGS_DIR, type RawEntry } from '../core/load.ts';
import { MAX_FLAG_FILE_BYTES, type FlagSet } from '../core/model.ts';

export function listFlagEntries(root: string): RawEntry[] {
  const top = join(root, FLAGS_DIR);
  if (!existsSync(top)) {
    throw new EvaluationError(
      `no ${FLAGS_DIR}/ folder in ${root}: run this from the flags repository's root`,
    );
  }
  const entries: RawEntry[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const dirent of readdirSync(dir, { withFileTypes: true })) {
      const path = `${rel}/${dirent.name}`;
      const abs = join(dir, dirent.name);
      if (dirent.isDirectory()) walk(abs, path);
      else if (dirent.isSymbolicLink()) entries.push({ path, kind: 'symlink', size: 0 });
      else if (dirent.isFile()) entries.push(readEntry(abs, path));
      else entries.push({ path, kind: 'other', size: 0 });
    }
  };
  walk(top, FLAGS_DIR);
  return entries;
}

function readEntry(abs: string, path: string): RawEntry {
  const fd = openSync(abs, 'r');
  try {
    const { size } = fstatSync(fd);
    // Never read a huge file just to refuse it.
    if (size > MAX_FLAG_FILE_BYTES) return { path, kind: 'file', size };
    const content = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, content, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { path, kind: 'file', size, content: content.subarray(0, read) };
  } finally {
    closeSync(fd);
  }
}

export function loadWorkingTree(root: string): FlagSet {
  return buildFlagSet(listFlagEntries(root));
}

export function readCodeowners(root: string): Codeowners | null {
  for (const location of CODEOWNERS_LOCATIONS) {
    const abs = join(root, location);
    if (existsSync(abs)) return parseCodeowners(readFileSync(abs, 'utf8'), location);
  }
  return null;
}
