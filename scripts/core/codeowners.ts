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
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    // A pattern may contain escaped spaces (`\ `); owners never do.
    const match = /^((?:\\.|\S)+)\s*(.*)$/.exec(line);
    if (!match) return;
    const pattern = match[1]!;
    const owners = match[2]!.split(/\s+/).filter((o) => o !== '');
    rules.push({ pattern, owners, line: index + 1, regex: patternToRegex(pattern) });
  });
  return { file, rules };
}

/** The rule that decides the owners of a path: the last one that matches. */
export function ownersOf(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!;
    if (rule.regex.test(path)) return rule;
  }
  return undefined;
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
  return /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
}
