// The quick reader's own promises, beside the differential test (test/core/quick-yaml.test.ts):
// it takes plain flag files whole, and leaves to `yaml` every file whose keys or shape the two
// parsers could read differently, or that the full path must refuse with a line.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { quickLoad } from '../../../scripts/core/quick-yaml.ts';

describe('quickLoad', () => {
  it('takes a plain flag file, with lists of mappings and flow lists of values', () => {
    expect(
      quickLoad(
        'key: live-view\nrevertible: true\ndepends_on: [edge, relay]\nalpha_orgs:\n  - org: acme\n    reason: pilot\n',
      ),
    ).toEqual({
      key: 'live-view',
      revertible: true,
      depends_on: ['edge', 'relay'],
      alpha_orgs: [{ org: 'acme', reason: 'pilot' }],
    });
  });

  it('reads numbers as yaml does, including the ones yaml keeps a format for', () => {
    expect(quickLoad('a: 1.50\nb: 1.0\nc: 1e3\nd: -.inf\ne: 0o17\n')).toEqual({
      a: 1.5,
      b: 1,
      c: 1000,
      d: -Infinity,
      e: 15,
    });
  });

  it('leaves anything but one mapping to yaml, which explains it', () => {
    for (const text of ['', '# only a comment\n', '- a\n', 'just text\n', 'a: b: c\n'])
      expect(quickLoad(text), JSON.stringify(text)).toBeUndefined();
  });

  it('leaves to yaml a text js-yaml reads only with a warning, which yaml refuses', () => {
    // A flow list over two lines whose second line is not indented enough: js-yaml reads it and
    // warns ("deficient indentation"); yaml refuses it with a line. The `]` in quotes on the
    // first line keeps the text past NOT_QUICK's pattern for a flow list that goes on.
    for (const text of ['key: [a, "]",\nb]\n', "a:\n  key: [x, ']',\n y]\n"]) {
      expect(() => parse(text), JSON.stringify(text)).toThrow(/sufficiently indented/);
      expect(quickLoad(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('leaves a repeated key to yaml, which names it', () => {
    expect(quickLoad('a: 1\na: 2\n')).toBeUndefined();
  });

  it('leaves keys that read as null, a boolean or a number to yaml, at any depth', () => {
    for (const text of [
      'null: 1\n',
      '1: x\n',
      'true: x\n',
      'a:\n  - 1: x\n',
      'a:\n  b:\n    null: x\n',
      'a:\n  - b:\n      - ~: x\n',
      'a:\n  - b: y\n  - 1: x\n',
    ])
      expect(quickLoad(text), JSON.stringify(text)).toBeUndefined();
    expect(quickLoad('a:\n  - b: [1, 2]\n  - c: null\n')).toEqual({
      a: [{ b: [1, 2] }, { c: null }],
    });
  });

  it('takes keys up to 100 characters, and leaves longer ones to yaml (it refuses over 1,024)', () => {
    expect(quickLoad(`${'k'.repeat(100)}: x\n`)).toEqual({ ['k'.repeat(100)]: 'x' });
    expect(quickLoad(`${'k'.repeat(101)}: x\n`)).toBeUndefined();
    expect(quickLoad(`a:\n  ${'k'.repeat(101)}: x\n`)).toBeUndefined();
    expect(quickLoad(`${'k'.repeat(1025)}: x\n`)).toBeUndefined();
  });
});
