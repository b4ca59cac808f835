import { describe, expect, it } from 'vitest';
import { ownersOf, parseCodeowners, patternToRegex } from '../../scripts/core/codeowners.ts';
import { withFlagRules } from '../../scripts/core/codeowners-block.ts';

describe('CODEOWNERS patterns (GitHub semantics)', () => {
  const cases: [string, string, boolean][] = [
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
  ];
  it.each(cases)('%s matches %s: %s', (pattern, path, expected) => {
    expect(patternToRegex(pattern).test(path)).toBe(expected);
  });

  it('lets the last matching rule win, and an owner-less rule unown', () => {
    const co = parseCodeowners('* @org/all\n/flags/video/ @org/video\n/flags/video/x.yaml\n');
    expect(ownersOf(co, 'flags/video/a.yaml')?.owners).toEqual(['@org/video']);
    expect(ownersOf(co, 'flags/video/x.yaml')).toMatchObject({ owners: [], line: 3 });
    expect(ownersOf(co, 'README.md')?.owners).toEqual(['@org/all']);
  });
});

describe('the generated flag block', () => {
  const flag = (file: string, owner: string) => ({
    file,
    flag: { key: 'k', owner } as never,
    lineOf: () => 1,
  });
  it('writes a folder rule where owners agree, file rules where they do not, and replaces itself', () => {
    const flags = [
      flag('flags/video/a.yaml', '@o/video'),
      flag('flags/video/b.yaml', '@o/video'),
      flag('flags/mixed/c.yaml', '@o/x'),
      flag('flags/mixed/d.yaml', '@o/y'),
    ];
    const once = withFlagRules('* @o/all\n', flags);
    expect(once).toContain('/flags/video/*.yaml @o/video');
    expect(once).toContain('/flags/mixed/c.yaml @o/x');
    expect(once).toContain('/flags/mixed/d.yaml @o/y');
    expect(once.startsWith('* @o/all\n')).toBe(true);
    expect(withFlagRules(once, flags)).toBe(once);
    const co = parseCodeowners(once);
    expect(ownersOf(co, 'flags/mixed/d.yaml')?.owners).toEqual(['@o/y']);
  });
});
