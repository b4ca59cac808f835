// What a code-reference scan finds, as plain data: the commands render it, status and the report
// judge from it.

/** One line of application code that names a flag. */
export interface Reference {
  key: string;
  /** The source's name (its config name, or the --source path as given). */
  source: string;
  /** Path relative to the source's folder, forward slashes. */
  path: string;
  /** 1-based line. */
  line: number;
  /** The text that matched: the key, an accessor name, an alias or a pattern's capture. */
  name: string;
}

/** A pattern's capture that is no flag name: the code reads a flag that does not exist. */
export interface UnknownReference {
  source: string;
  path: string;
  line: number;
  name: string;
}

/** What one source tree was, at the time of the scan: the evidence behind "no references". */
export interface ScannedSource {
  name: string;
  /** Absolute folder that was searched. */
  dir: string;
  /** HEAD of its git repository, or null when it is not one (or has no commit yet). */
  commit: string | null;
  /** The folder's path inside its repository (`apps/web/`), '' at its root or when plain. */
  prefix: string;
  /** `git`: tracked files only (git grep); `plain`: a folder, with its .gitignore files applied. */
  mode: 'git' | 'plain';
  /** `owner/name` on GitHub, for links, when configured. */
  repository: string | null;
}

export interface RefsScan {
  sources: ScannedSource[];
  references: Reference[];
  unknown: UnknownReference[];
}

/** Every flag with its references (an empty list when none), keys in order. Pure. */
export function referencesByKey(
  keys: readonly string[],
  scan: Pick<RefsScan, 'references'>,
): Map<string, Reference[]> {
  const byKey = new Map<string, Reference[]>([...keys].sort().map((k) => [k, []]));
  for (const r of scan.references) byKey.get(r.key)?.push(r);
  for (const list of byKey.values()) list.sort(compareReferences);
  return byKey;
}

export function compareReferences(
  a: Pick<Reference, 'source' | 'path' | 'line'>,
  b: Pick<Reference, 'source' | 'path' | 'line'>,
): number {
  return (
    a.source.localeCompare(b.source) ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line
  );
}
