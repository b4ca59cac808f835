// CODEOWNERS with GitHub's semantics: gitignore-style patterns, the last matching rule wins, and a
// rule without owners makes its files unowned.

export interface CodeownersRule {
  pattern: string;
  owners: string[];
  line: number;
  regex: RegExp;
}

export interface Codeowners {
  /** Repo-relative path of the file the rules came from. */
  file: string;
  rules: CodeownersRule[];
}

/** Where GitHub looks, in its order: the first that exists is used. */
export const CODEOWNERS_LOCATIONS = [
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'docs/CODEOWNERS',
] as const;

export function parseCodeowners(text: string, file = 'CODEOWNERS'): Codeowners {
  const rules: CodeownersRule[] = [];
  // One pass over 10,001 lines costs what a few do per line: no regex for lines without `#`.
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    // A comment runs to the end of its line, whatever it holds (a stray CR, U+2028: `.` would
    // stop there and leave the rest of the comment as owners); a CRLF's CR is trimmed with the
    // other whitespace.
    const line = (raw.includes('#') ? raw.replace(/(^|\s)#[\s\S]*/, '') : raw).trim();
    if (line === '') continue;
    // A pattern may contain escaped spaces (`\ `); owners never do. Owners are split on any
    // whitespace, a stray CR included.
    const match = /^((?:\\.|\S)+)\s*([\s\S]*)/.exec(line);
    if (!match) continue;
    const owners = match[2]!.split(/\s+/).filter((o) => o !== '');
    rules.push(new Rule(match[1]!, owners, index + 1));
  }
  return { file, rules };
}

/**
 * A rule whose regex is built on first use: literal and folder rules are looked up and most never
 * need one (building 10,000 was most of what a one-rule-per-flag file cost).
 */
class Rule implements CodeownersRule {
  #regex: RegExp | undefined;
  constructor(
    readonly pattern: string,
    readonly owners: string[],
    readonly line: number,
  ) {}

  get regex(): RegExp {
    return (this.#regex ??= patternToRegex(this.pattern));
  }
}

/**
 * The rule that decides the owners of a path: the last one that matches. Literal paths and
 * folder rules are looked up, only wildcard rules are scanned: one rule per flag file (10,001
 * lines) would otherwise make every command quadratic in the number of flags.
 */
export function ownersOf(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  let index = matchers.get(codeowners);
  if (!index) {
    index = buildMatcher(codeowners.rules);
    matchers.set(codeowners, index);
  }
  const best = index.match(path);
  return codeowners.rules[best]; // -1, no rule, reads as undefined
}

/** The plain scan, last rule first: the meaning the fast matcher is held to by a test. */
export function ownersOfByScan(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!;
    if (rule.regex.test(path)) return rule;
  }
  return undefined;
}

/** Rules built once per parsed file (rules are never changed after parsing). */
const matchers = new WeakMap<Codeowners, { match: (path: string) => number }>();

/** Rule indices by a literal text, each list in ascending order. */
type Buckets = Map<string, number[]>;

function add(buckets: Buckets, key: string, index: number): void {
  const list = buckets.get(key);
  if (list) list.push(index);
  else buckets.set(key, [index]);
}

/** A pattern's text with its escapes undone, as patternToRegex reads them. */
function unescaped(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function buildMatcher(rules: readonly CodeownersRule[]): { match: (path: string) => number } {
  const exact: Buckets = new Map(); // `/a/b`: the path itself or a folder above it
  const dirs: Buckets = new Map(); // `/a/b/`: a folder above the path
  const names: Buckets = new Map(); // `b`: any segment of the path
  const dirNames: Buckets = new Map(); // `b/`: any segment but the last
  const folders: Buckets = new Map(); // `/a/*.yaml`: a wildcard name in one literal folder
  const scanned: number[] = []; // everything else, tested one by one
  rules.forEach((rule, i) => {
    const escapes = rule.pattern.includes('\\');
    let p = escapes ? rule.pattern.replace(/\\ /g, ' ') : rule.pattern;
    const dirOnly = p.endsWith('/');
    if (dirOnly) p = p.slice(0, -1);
    const anchored = p.includes('/');
    if (p.startsWith('/')) p = p.slice(1);
    // An escaped slash is a slash to the regex but not to the folder split below. An empty p,
    // a `//` or a trailing backslash reads alike both ways (the differential tests hold them).
    const plain = !p.includes('\\/');
    if (plain && !/[*?]/.test(p)) {
      const text = escapes ? unescaped(p) : p;
      // Not anchored means no `/` in p, and `\/` is not plain: the text holds no slash.
      if (anchored) add(dirOnly ? dirs : exact, text, i);
      else add(dirOnly ? dirNames : names, text, i);
      return;
    }
    const cut = p.lastIndexOf('/');
    const dir = p.slice(0, cut); // read only when cut > 0
    // The folder has no `*`, so a `**` in p is in the name.
    if (plain && anchored && !dirOnly && cut > 0 && !/[*?]/.test(dir) && !p.includes('**')) {
      add(folders, unescaped(dir), i);
    } else {
      scanned.push(i);
    }
  });
  scanned.reverse(); // newest first: the scan stops at the first match above the best so far
  const lastOf = (list: number[] | undefined, best: number): number =>
    list ? Math.max(best, list[list.length - 1]!) : best;
  return {
    match(path: string): number {
      let best = lastOf(exact.get(path), -1);
      const segments = path.split('/');
      let prefix = '';
      // split gives at least one segment; the loop ends at the last.
      for (let s = 0; ; s++) {
        const segment = segments[s]!;
        best = lastOf(names.get(segment), best);
        if (s === segments.length - 1) break;
        best = lastOf(dirNames.get(segment), best);
        prefix = s === 0 ? segment : `${prefix}/${segment}`;
        best = lastOf(exact.get(prefix), best);
        best = lastOf(dirs.get(prefix), best);
      }
      const inFolder = folders.get(path.slice(0, Math.max(0, path.lastIndexOf('/'))));
      for (let k = (inFolder?.length ?? 0) - 1; k >= 0 && inFolder![k]! > best; k--) {
        if (rules[inFolder![k]!]!.regex.test(path)) best = inFolder![k]!;
      }
      for (const i of scanned) {
        if (i <= best) break;
        if (rules[i]!.regex.test(path)) {
          best = i;
          break;
        }
      }
      return best;
    },
  };
}

export function sameOwner(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function patternToRegex(pattern: string): RegExp {
  let p = pattern.replace(/\\ /g, ' ');
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  // A slash at the start or in the middle anchors the pattern at the repository root.
  const anchored = p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  let body = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      const slashAfter = p[i + 2] === '/';
      body += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') {
      body += '[^/]*';
    } else if (c === '?') {
      body += '[^/]';
    } else if (c === '\\' && i + 1 < p.length) {
      body += escapeRegex(p[++i]!);
    } else {
      body += escapeRegex(c);
    }
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  // A pattern naming a directory covers everything below it; one whose last segment has a
  // wildcard (`docs/*`) does not reach into subfolders, as GitHub documents.
  const last = p.slice(p.lastIndexOf('/') + 1);
  const wildLast = /(^|[^*])\*([^*]|$)|\?/.test(last) && !last.includes('**');
  const suffix = dirOnly ? '/.*$' : wildLast ? '$' : '(?:/.*)?$';
  return new RegExp(prefix + body + suffix);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
}
