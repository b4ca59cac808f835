// The nesting scan that keeps `yaml` from overflowing its stack: which levels it counts, which
// text it skips (quotes, comments, blank lines), and the line it names.
import { describe, expect, it } from 'vitest';
import { excessiveNesting, MAX_YAML_DEPTH } from '../../../scripts/core/yaml-depth.ts';

describe('excessiveNesting', () => {
  it('allows 64 levels and names the line of the 65th', () => {
    expect(MAX_YAML_DEPTH).toBe(64);
    const brackets = (n: number): string => `a: ${'['.repeat(n)}x${']'.repeat(n)}\n`;
    // The mapping is one level, each bracket one more.
    expect(excessiveNesting(brackets(63))).toBeNull();
    expect(excessiveNesting(`key: k\n${brackets(64)}`)).toBe(2);
    const keys = (n: number): string =>
      Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(excessiveNesting(keys(64))).toBeNull();
    expect(excessiveNesting(keys(65))).toBe(65);
  });

  it('counts a level per deeper indentation, and none for siblings or a way back out', () => {
    expect(excessiveNesting('a:\n b:\n  c:\n', 3)).toBeNull();
    expect(excessiveNesting('a:\n b:\n  c:\n   d:\n', 3)).toBe(4);
    expect(excessiveNesting('a:\nb:\nc:\nd:\ne:\n', 2)).toBeNull();
    // Back out to column 1, then in again: a, c, d.
    expect(excessiveNesting('a:\n  b:\n c:\n  d:\n', 2)).toBe(4);
    expect(excessiveNesting('a:\n  b:\n c:\n', 2)).toBeNull();
  });

  it('skips blank lines, lines of spaces and comment lines, which close no level', () => {
    for (const gap of ['', '   ', '# note', '  # note'])
      expect(excessiveNesting(`a:\n b:\n${gap}\n  c:\n   d:\n`, 3), JSON.stringify(gap)).toBe(5);
  });

  it('counts a sequence per dash on one line, however many spaces follow each dash', () => {
    expect(excessiveNesting('- - x\n', 3)).toBeNull();
    expect(excessiveNesting('- - - x\n', 3)).toBe(1);
    expect(excessiveNesting('-   -   - x\n', 3)).toBe(1);
    // A dash that ends the line opens a sequence too.
    expect(excessiveNesting('- - -\n', 3)).toBe(1);
    expect(excessiveNesting('- -\n', 3)).toBeNull();
    // A dash followed by text is a plain value, not a sequence.
    expect(excessiveNesting('- -x\n', 2)).toBeNull();
    expect(excessiveNesting('- -x -y\n', 2)).toBeNull();
  });

  it('counts open flow brackets across lines, and a stray closing bracket lowers nothing', () => {
    expect(excessiveNesting('a: [[x]]\n', 3)).toBeNull();
    expect(excessiveNesting('a: [[[x]]]\n', 3)).toBe(1);
    expect(excessiveNesting('a: {[x]}\n', 3)).toBeNull();
    expect(excessiveNesting('a: {[{x}]}\n', 3)).toBe(1);
    expect(excessiveNesting('a: [[x]], [[y]]\n', 3)).toBeNull();
    expect(excessiveNesting('a: {{x}}, {{y}}\n', 3)).toBeNull();
    expect(excessiveNesting('a: ]]]\nb: [[[x\n', 3)).toBe(2);
    expect(excessiveNesting('a: }}}\nb: {{{x\n', 3)).toBe(2);
    expect(excessiveNesting('a: [\n  [\n [x]]]\n', 3)).toBe(3);
  });

  it('reads no indentation or dashes on a line inside open brackets or quotes', () => {
    // Inside a bracket, the indentation of a continuation line is no level.
    expect(excessiveNesting('a: [x,\n      y, [z]]\n', 3)).toBeNull();
    expect(excessiveNesting('a: [x,\n- - - - y]\n', 2)).toBeNull();
    expect(excessiveNesting('a: "x\n- - - - y"\n', 2)).toBeNull();
    expect(excessiveNesting("a: 'x\n- - - - y'\n", 2)).toBeNull();
  });

  it('skips brackets inside quotes, with their escapes', () => {
    expect(excessiveNesting('a: "[[[["\n', 2)).toBeNull();
    expect(excessiveNesting("a: '[[[['\n", 2)).toBeNull();
    expect(excessiveNesting('a: "x\n[[[[\n"\n', 2)).toBeNull();
    // An escaped double quote does not end the text; a backslash in single quotes is text.
    expect(excessiveNesting('a: "\\"[[["\n', 2)).toBeNull();
    expect(excessiveNesting("a: '\\' [[[\n", 2)).toBe(1);
    expect(excessiveNesting('a: "x\\\\" [[[\n', 2)).toBe(1);
    // A single quote ends single-quoted text (a doubled one is a quote within it), not a double.
    expect(excessiveNesting("a: 'it''s [[['\n", 2)).toBeNull();
    expect(excessiveNesting("a: 'x' [[[\n", 2)).toBe(1);
    expect(excessiveNesting('a: "x\'" [[[\n', 2)).toBe(1);
    expect(excessiveNesting('a: "x\'[[["\n', 2)).toBeNull();
    expect(excessiveNesting("a: 'x\"[[['\n", 2)).toBeNull();
    expect(excessiveNesting('a: "x" [[[\n', 2)).toBe(1);
    // An empty single-quoted text ends at its second quote.
    expect(excessiveNesting("a: '' [[[\n", 2)).toBe(1);
    // A double quote ends double-quoted text even when single quotes follow it.
    expect(excessiveNesting('a: "x"\'\' [[[\n', 2)).toBe(1);
  });

  it('skips a comment after a space or at the start of a line, not a # inside a value', () => {
    expect(excessiveNesting('a: x #[[[\n', 2)).toBeNull();
    expect(excessiveNesting('a: x#[[[\n', 2)).toBe(1);
    expect(excessiveNesting('a: [\n#[[[\nx]\n', 2)).toBeNull();
    expect(excessiveNesting('a: [ #[[[\nx]\n', 2)).toBeNull();
  });
});
