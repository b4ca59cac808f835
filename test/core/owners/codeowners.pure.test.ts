// CODEOWNERS as GitHub reads it, pinned case by case: how a line is read (comments, CRLF,
// indentation), what each pattern character means, and that the fast matcher (lookups, folder
// index, scan) picks the same rule as the plain last-match scan on every pair of pattern shapes.
import { describe, expect, it } from 'vitest';
import {
  ownersOf,
  ownersOfByScan,
  parseCodeowners,
  patternToRegex,
} from '../../../scripts/core/codeowners.ts';

const ruleOf = (text: string, path: string) => ownersOf(parseCodeowners(text), path);

describe('parseCodeowners: how a line is read', () => {
  it('reads CRLF lines with trailing comments as the same rules as LF lines', () => {
    const co = parseCodeowners('/flags/ @org/a # the flag team\r\n*.md @org/docs\r\n');
    expect(co.rules.map((r) => [r.pattern, r.owners, r.line])).toEqual([
      ['/flags/', ['@org/a'], 1],
      ['*.md', ['@org/docs'], 2],
    ]);
  });

  it('skips whole-line and indented comments and blank lines, and keeps line numbers', () => {
    const co = parseCodeowners('# owners\n\n   # indented comment\n  /flags/   @org/a   @org/b\n');
    expect(co.rules.map((r) => [r.pattern, r.owners, r.line])).toEqual([
      ['/flags/', ['@org/a', '@org/b'], 4],
    ]);
  });

  it('ends a rule at a # after whitespace, wherever the comment is long', () => {
    const co = parseCodeowners('/a @org/a #a long comment with words\n/b#c @org/b\n');
    expect(co.rules.map((r) => [r.pattern, r.owners])).toEqual([
      ['/a', ['@org/a']],
      ['/b#c', ['@org/b']],
    ]);
  });
});

describe('patternToRegex: GitHub’s pattern characters', () => {
  const cases: [string, string, boolean][] = [
    // The common shapes: a name anywhere, a folder, an anchored path, a wildcard in the name.
    ['*', 'flags/video/a.yaml', true],
    ['*.yaml', 'flags/video/a.yaml', true],
    ['/flags/video/', 'flags/video/a.yaml', true],
    ['/flags/video/', 'flags/video/deep/a.yaml', true],
    ['/flags/video/*.yaml', 'flags/video/deep/a.yaml', false],
    ['/flags/video/*.yaml', 'flags/video/a.yaml', true],
    ['flags/video', 'flags/video/a.yaml', true],
    ['video/', 'flags/video/a.yaml', true],
    ['/video/', 'flags/video/a.yaml', false],
    ['flags/**/a.yaml', 'flags/x/y/a.yaml', true],
    ['flags/**/a.yaml', 'flags/a.yaml', true],
    ['docs/*', 'docs/x/y.md', false],
    // An escaped wildcard is the character itself (the generated block escapes `*`, `?`, `[`).
    ['/flags/a\\*b/', 'flags/a*b/x.yaml', true],
    ['/flags/a\\*b/', 'flags/aab/x.yaml', false],
    ['/flags/a\\*b/', 'flags/b/x.yaml', false],
    ['/flags/a\\?b/', 'flags/a?b/x.yaml', true],
    ['/flags/a\\?b/', 'flags/b/x.yaml', false],
    // The finer points.
    // `?` is one character of a name, never a slash, never none.
    ['/flags/a?.yaml', 'flags/ab.yaml', true],
    ['/flags/a?.yaml', 'flags/a.yaml', false],
    ['/flags/a?.yaml', 'flags/a/.yaml', false],
    // `**/` is any number of folders, `**` at the end everything below.
    ['**/a.yaml', 'a.yaml', true],
    ['**/a.yaml', 'x/y/a.yaml', true],
    ['**/a.yaml', 'x/ba.yaml', false],
    ['/flags/**', 'flags/video/a.yaml', true],
    ['/flags/**', 'flagsx/a.yaml', false],
    // A wildcard in the last segment stops at that segment; one in a folder above does not.
    ['docs/a*', 'docs/ab.md', true],
    ['docs/a*', 'docs/ab/c.md', false],
    ['/docs/*.md', 'docs/a.md/b.txt', false],
    ['/fla*/video', 'flags/video/a.yaml', true],
    ['/fla*/video', 'flags/videos/a.yaml', false],
    // A trailing backslash escapes nothing: it is a backslash in the name.
    ['a\\', 'x/a\\', true],
    ['a\\', 'x/aundefined', false],
    ['a\\', 'x/a', false],
  ];
  it.each(cases)('%s matches %s: %s', (pattern, path, expected) => {
    expect(patternToRegex(pattern).test(path)).toBe(expected);
  });
});

describe('ownersOf: the last matching rule wins, whichever index holds it', () => {
  it('lets the last matching rule win, and an owner-less rule unown', () => {
    const co = parseCodeowners('* @org/all\n/flags/video/ @org/video\n/flags/video/x.yaml\n');
    expect(ownersOf(co, 'flags/video/a.yaml')?.owners).toEqual(['@org/video']);
    expect(ownersOf(co, 'flags/video/x.yaml')).toMatchObject({ owners: [], line: 3 });
    expect(ownersOf(co, 'README.md')?.owners).toEqual(['@org/all']);
  });

  it('tests every wildcard rule of one folder, newest first, not only the newest', () => {
    const text = '/flags/*.yaml @org/all\n/flags/b*.yaml @org/b\n';
    expect(ruleOf(text, 'flags/a.yaml')?.owners).toEqual(['@org/all']);
    expect(ruleOf(text, 'flags/b.yaml')?.owners).toEqual(['@org/b']);
  });

  it('gives a folder wildcard rule with a trailing slash everything below the folders it names', () => {
    expect(ruleOf('/flags/v*/ @org/v\n', 'flags/video/a.yaml')?.owners).toEqual(['@org/v']);
    expect(ruleOf('/flags/v*/ @org/v\n', 'flags/video')).toBeUndefined();
  });

  it('gives `/flags/**` everything below flags, however deep', () => {
    expect(ruleOf('/flags/** @org/f\n', 'flags/video/a.yaml')?.owners).toEqual(['@org/f']);
  });

  it('reads an escaped slash as a slash', () => {
    expect(ruleOf('/flags\\/*.yaml @org/f\n', 'flags/a.yaml')?.owners).toEqual(['@org/f']);
    expect(ruleOf('flags\\/video @org/f\n', 'flags/video/a.yaml')?.owners).toEqual(['@org/f']);
  });

  it('answers no rule when none matches', () => {
    expect(ruleOf('/docs/ @org/d\n', 'flags/a.yaml')).toBeUndefined();
  });

  // Every shape the matcher indexes differently: anchored or not, folder or file, literal,
  // escaped, wildcard in the name or in a folder, `**`, and odd ones (empty, `//`, `\/`, `\`).
  const SHAPES = [
    '*',
    '/*',
    '*.yaml',
    '/*.yaml',
    '//*.yaml',
    '**/a.yaml',
    '/flags/**',
    'flags/**/a.yaml',
    '/flags',
    'flags',
    '/flags/',
    'flags/',
    'video',
    'video/',
    '/flags/video',
    'flags/video',
    '/flags/video/',
    'flags/video/',
    'a.yaml',
    '/a.yaml',
    'flags/video/a.yaml',
    '/flags/video/a.yaml/',
    '/flags/video/*.yaml',
    '/flags/*.yaml',
    '/flags/*',
    'flags/*',
    '/flags/v*/',
    '/flags/*/a.yaml',
    '/flags/video/a?yaml',
    '/flags/video/**',
    'x\\ y',
    '/x\\ y/',
    'v\\*',
    '/flags/v\\*/',
    '/flags/v\\*/*.yaml',
    '/flags\\/*.yaml',
    'flags\\/video',
    'a\\',
    '/flags/a\\',
    '/',
    '//',
    'a//b',
    '/flags//*.yaml',
    'deep/',
    '/deep/**/a.yaml',
  ];
  const PATHS = [
    'a.yaml',
    'b.yaml',
    'flags',
    'flags/a.yaml',
    'flags/b.yaml',
    'flags/video',
    'flags/video/a.yaml',
    'flags/video/b.yaml',
    'flags/video/deep/a.yaml',
    'flags/videos/a.yaml',
    'flags/v*/a.yaml',
    'flags/v*/b.txt',
    'x y/a.yaml',
    'flags/x y/z',
    'v*',
    'docs/v*',
    'a\\',
    'flags/a\\',
    'a//b',
    'flags//a.yaml',
    'deep/a.yaml',
    'x/deep/y/a.yaml',
    'flags/a.yaml/c',
  ];
  it('picks the scan’s rule for every ordered pair of pattern shapes', () => {
    let matched = 0;
    for (const first of SHAPES) {
      for (const second of SHAPES) {
        const text = `${first} @org/one\n${second} @org/two\n`;
        const co = parseCodeowners(text);
        for (const path of PATHS) {
          const slow = ownersOfByScan(co, path);
          expect(ownersOf(co, path)?.line, `${path} against:\n${text}`).toBe(slow?.line);
          if (slow) matched++;
        }
      }
    }
    expect(matched).toBeGreaterThan(SHAPES.length * SHAPES.length * 4);
  });
});

describe('parseCodeowners on a line with a bare carriage return inside', () => {
  it('does not throw, and reads the lines after it', () => {
    const co = parseCodeowners('/a @org/a\r/b @org/b\n/c @org/c\n');
    expect(co.rules.at(-1)).toMatchObject({ pattern: '/c', owners: ['@org/c'], line: 2 });
  });

  it('ends a comment at the end of the line, not at the stray break', () => {
    for (const stray of ['\r', '\u2028', '\u2029']) {
      const co = parseCodeowners(`/a @org/a # note${stray}@org/intruder\n/b @org/b\n`);
      expect(co.rules.map((r) => [r.pattern, r.owners])).toEqual([
        ['/a', ['@org/a']],
        ['/b', ['@org/b']],
      ]);
    }
  });

  it('reads a stray break between owners as the whitespace it is', () => {
    for (const stray of ['\r', '\u2028', '\u2029']) {
      const co = parseCodeowners(`/a @org/a${stray}@org/b\n`);
      expect(co.rules).toMatchObject([{ pattern: '/a', owners: ['@org/a', '@org/b'], line: 1 }]);
    }
  });
});
