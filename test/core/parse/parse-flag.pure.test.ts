// A flag file's text to a flag and its findings, each at the line a person fixes: the quick path
// and the full path, empty files, YAML problems in words, schema problems at their key or value.
import { describe, expect, it } from 'vitest';
import { keyFromPath, knownParse, parseFlag } from '../../../scripts/core/parse-flag.ts';

const FILE = 'flags/video/live-view.yaml';
const good =
  'key: live-view\ndescription: Live view.\nowner: "@novalien/video"\nstate: alpha\nrevertible: true\n';

const found = (text: string, file = FILE) =>
  parseFlag(text, file).violations.map((v) => [v.rule, v.line, v.message]);

const EMPTY =
  'the file is empty: a flag file holds one mapping with key, description, owner, state and revertible';
const NESTING =
  'the YAML nests deeper than 64 levels here: a flag file needs only a few (a mapping of fields, lists of short entries); remove the nested brackets or indentation';

describe('keyFromPath', () => {
  it('is the base name without .yaml, and the whole base name of any other file', () => {
    expect(keyFromPath('flags/video/live-view.yaml')).toBe('live-view');
    expect(keyFromPath('live-view.yaml')).toBe('live-view');
    expect(keyFromPath('flags/a.b/c.yaml')).toBe('c');
    expect(keyFromPath('flags/video/notes.txt')).toBe('notes.txt');
    expect(keyFromPath('flags/video/live-view.yml')).toBe('live-view.yml');
  });
});

describe('parseFlag', () => {
  it('names the flag and the file in every finding', () => {
    const parsed = parseFlag(good.replace('alpha', 'gamma'), FILE);
    expect(parsed.flag).toBeNull();
    expect(parsed.violations).toEqual([
      {
        rule: 'schema',
        severity: 'error',
        flag: 'live-view',
        file: FILE,
        line: 4,
        message: '`state` must be one of alpha, beta, ga, not "gamma"',
      },
    ]);
    const deep = parseFlag(`key: live-view\nd: ${'['.repeat(70)}\n`, FILE).violations;
    expect(deep).toEqual([
      {
        rule: 'parse',
        severity: 'error',
        flag: 'live-view',
        file: FILE,
        line: 2,
        message: NESTING,
      },
    ]);
  });

  it('calls a file with no mapping empty, at line 1', () => {
    for (const text of ['', '\n\n', '# nothing yet\n', '---\n', '---\n# x\n...\n']) {
      const parsed = parseFlag(text, FILE);
      expect(parsed.violations, JSON.stringify(text)).toEqual([
        {
          rule: 'schema',
          severity: 'error',
          flag: 'live-view',
          file: FILE,
          line: 1,
          message: EMPTY,
        },
      ]);
      expect(parsed.flag).toBeNull();
      expect(parsed.lineOf(['key'])).toBe(1);
    }
  });

  it('answers lines for a file refused for nesting: the line of the nesting', () => {
    const parsed = parseFlag(`key: live-view\n\nd: ${'['.repeat(70)}\n`, FILE);
    expect(parsed.violations.map((v) => v.line)).toEqual([3]);
    expect(parsed.lineOf(['key'])).toBe(3);
  });

  it('gives the nesting sentence, not a stack trace, when the scan is misled by a quote', () => {
    // `x"` is a plain value to YAML but opens a quote to the scan, which then skips the brackets.
    // yaml reports the exhausted stack once or twice, depending on where it ran out.
    const text = `key: x"\nd: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    const problems = found(text);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toEqual(['parse', 2, NESTING]);
  });

  it('names the second document of a file at the line it starts', () => {
    expect(found(`# one\n${good}\n---\n${good}`)).toEqual([
      [
        'parse',
        8,
        'several YAML documents in one file (a second starts at line 8): a flag file holds exactly one; remove the `---` and what follows, or move it to its own file',
      ],
    ]);
  });

  it('reports what yaml only warns about (a directive, a tag) as parse errors at their line', () => {
    expect(found(`%FOO bar\n---\n${good}`)).toEqual([
      ['parse', 1, 'Unknown directive %FOO: fix the YAML syntax (indentation, quotes, colons)'],
    ]);
    expect(found(`${good}manual: !foo x\n`)).toEqual([
      ['parse', 6, 'Unresolved tag: !foo: flag files use plain YAML values; remove the tag'],
    ]);
    // A document marker on its own, a YAML 1.2 directive or a known tag changes nothing.
    expect(found(`%YAML 1.2\n---\n${good}`)).toEqual([]);
    expect(found(good.replace('key: live-view', 'key: !!str live-view'))).toEqual([]);
  });

  it('reports each syntax problem at its line, with the fix', () => {
    const problems = found(`${good}depends_on: [a, b\nplan: x\n`);
    expect(problems.length).toBeGreaterThan(0);
    for (const [rule, line, message] of problems) {
      expect(rule).toBe('parse');
      expect(line).toBeGreaterThanOrEqual(6);
      expect(message).toMatch(/: fix the YAML syntax \(indentation, quotes, colons\)$/);
      expect(message).not.toMatch(/at line \d+, column \d+/);
    }
  });

  it('names a repeated field by its own name', () => {
    expect(found(`${good}owner: "@novalien/other"\n`)).toEqual([
      [
        'parse',
        6,
        'duplicate field `owner`: each field may appear once; remove or merge the repeat',
      ],
    ]);
  });

  it('refuses aliases that expand too far, saying why, at line 1', () => {
    const names = 'abcdefghi';
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...[...names.slice(1)].map(
        (n, i) => `${n}: &${n} [${Array.from({ length: 10 }, () => `*${names[i]!}`).join(', ')}]`,
      ),
    ].join('\n');
    const [violation] = parseFlag(bomb, FILE).violations;
    expect(violation).toMatchObject({ rule: 'parse', line: 1 });
    expect(violation!.message).toMatch(
      /^YAML aliases expand too far \(.+\): write the values out; flag files need no anchors or aliases$/,
    );
  });

  it('puts an unknown or missing field at its key, a wrong value at the value', () => {
    // Unknown, nested, after a blank line: the key's own line.
    expect(
      found(`${good}override:\n  decision_maker: "@a"\n\n  incidnt: https://x.example/1\n`),
    ).toEqual([['schema', 9, 'unknown field `incidnt`: did you mean `incident`?']]);
    // Missing at the top: the mapping's first key (after blank lines).
    expect(found('\n\nkey: live-view\ndescription: x\nowner: "@a/b"\nrevertible: true\n')).toEqual([
      ['schema', 3, expect.stringMatching(/^missing required field `state`/)],
    ]);
    // Missing inside a mapping: the key that holds the mapping.
    expect(
      found(`${good}migration:\n  description: x\n  idempotent_forward: true\n`).map((f) => f[1]),
    ).toEqual([6]);
    expect(found(`${good}migration: {}\n`).map((f) => f[1])).toEqual([6, 6, 6]);
    // A wrong value in a list item: that item's line.
    expect(
      found(
        `# c\n${good}alpha_orgs:\n  - org: a\n  - reason: r\n    org: 5\n  - org: c\n    bogus: 1\n`,
      ),
    ).toEqual([
      ['schema', 10, '`alpha_orgs[1].org` must be a string, not number 5'],
      [
        'schema',
        12,
        'unknown field `bogus`: allowed fields of `alpha_orgs[2]`: org, preview_agreement, reason',
      ],
    ]);
    // A flow mapping on one line.
    expect(
      found(
        '{key: live-view, description: x, owner: "@a/b", state: alpha, revertible: true, zz: 1}\n',
      ),
    ).toEqual([['schema', 1, expect.stringMatching(/^unknown field `zz`/)]]);
  });

  it('puts a wrong value written under its key at the value, not the key', () => {
    const text =
      good
        .replace('state: alpha', 'state:\n  gamma')
        .replace('description: Live view.', 'description:\n  "a\\a"')
        .replace('key: live-view', `key:\n  ${'k'.repeat(64)}`) +
      `manual:\n  http://x\ndepends_on:\n` +
      Array.from({ length: 12 }, (_, i) => `  - d${i}\n`).join('') +
      '  - Bad\n';
    expect(found(text).map(([, line, message]) => [line, String(message).slice(0, 20)])).toEqual([
      [2, '`key` is 64 characte'],
      [4, '`description` must n'],
      [7, '`state` must be one '],
      [24, '`depends_on[12]` mus'],
      [10, '`manual` must be an '],
    ]);
  });

  it('puts a key mismatch at the `key` line wherever it stands', () => {
    const text = 'description: x\nkey: other\nowner: "@a/b"\nstate: alpha\nrevertible: true\n';
    expect(found(text).map(([rule, line]) => [rule, line])).toEqual([['key-mismatch', 2]]);
  });

  it('names a repeated field without the spaces before its colon', () => {
    expect(found(`${good}state : beta\n`)).toEqual([
      [
        'parse',
        6,
        'duplicate field `state`: each field may appear once; remove or merge the repeat',
      ],
    ]);
  });

  it('drops yaml\'s "at line, column" from the sentence, for any line and column', () => {
    const text = `${good}plan: a\nmigration:\n  description: x\n  idempotent_forward: true\nmanual:   !foo x\n`;
    expect(found(text)).toEqual([
      ['parse', 10, 'Unresolved tag: !foo: flag files use plain YAML values; remove the tag'],
    ]);
  });

  it('tolerates a handful of aliases and refuses more than 50', () => {
    const aliases = (n: number): string => `${good}x: &a v\nl: [${'*a, '.repeat(n)}]\n`;
    expect(found(aliases(10)).map(([rule]) => rule)).toEqual(['schema', 'schema']);
    expect(found(aliases(60))).toEqual([
      [
        'parse',
        1,
        'YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack): write the values out; flag files need no anchors or aliases',
      ],
    ]);
  });

  it('cuts depth built of aliases at the alias count, before it can exhaust the stack', () => {
    // Text nests only two deep, the aliases 3,000: the nesting scan cannot see this depth, and
    // yaml's alias count (50) stops it before toJS recurses; no RangeError reaches the parse.
    const chain = [`${good}a0: &a0 [0]`];
    for (let i = 1; i < 3000; i++) chain.push(`a${i}: &a${i} [*a${i - 1}]`);
    expect(found(chain.join('\n') + '\n')).toEqual([
      [
        'parse',
        1,
        'YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack): write the values out; flag files need no anchors or aliases',
      ],
    ]);
  });

  it('puts an unknown nested field at its key when its value is on the next line', () => {
    const text = `${good}override:\n  decision_maker: "@a"\n  incidnt:\n    https://x.example/1\n`;
    expect(found(text)).toEqual([
      ['schema', 8, 'unknown field `incidnt`: did you mean `incident`?'],
    ]);
  });

  it('answers the lines of a file that failed the schema, nearest existing field first', () => {
    const parsed = parseFlag(
      `# c\n${good.replace('revertible: true', 'revertible:\n  - true')}plan: x\n`,
      FILE,
    );
    expect(parsed.violations.map((v) => v.line)).toEqual([7]);
    expect(parsed.lineOf(['revertible'])).toBe(7);
    expect(parsed.lineOf(['plan'])).toBe(8);
    expect(parsed.lineOf(['state', 'x'])).toBe(5);
    expect(parsed.lineOf(['nope', 'deeper'])).toBe(2);
    expect(parsed.lineOf()).toBe(2);
  });

  it('reports a key that differs from the file name at the key, with both fixes', () => {
    const text = `# x\n${good.replace('key: live-view', 'key: "live-view2"')}plan: x\n`;
    const parsed = parseFlag(text, FILE);
    expect(parsed.flag?.key).toBe('live-view2');
    expect(parsed.violations).toEqual([
      {
        rule: 'key-mismatch',
        severity: 'error',
        flag: 'live-view',
        file: FILE,
        line: 2,
        message:
          '`key` is "live-view2" but the file is named live-view.yaml: the key is the flag\'s identity and must equal the file\'s base name; rename the file to live-view2.yaml or set `key: live-view`',
      },
    ]);
    expect([parsed.lineOf(['key']), parsed.lineOf(['plan']), parsed.lineOf()]).toEqual([2, 7, 2]);
  });

  it('reads the same flag and lines the quick way and through yaml, nearest field first', () => {
    const text = `# c\n${good}depends_on:\n  - a\n  - b\nalpha_orgs:\n  - org: acme\n    reason: pilot\n`;
    // A tab in the comment leaves the file to yaml without changing its data.
    for (const variant of [text, text.replace('# c', '#\tc')]) {
      const parsed = parseFlag(variant, FILE);
      expect(parsed.violations).toEqual([]);
      expect(parsed.flag).toMatchObject({ key: 'live-view', depends_on: ['a', 'b'] });
      expect(parsed.lineOf(['depends_on', 1])).toBe(9);
      expect(parsed.lineOf(['depends_on', 5])).toBe(8);
      expect(parsed.lineOf(['alpha_orgs', 0, 'reason'])).toBe(12);
      expect(parsed.lineOf(['alpha_orgs', 0, 'preview_agreement'])).toBe(11);
      expect(parsed.lineOf(['override', 'reason'])).toBe(2);
      expect(parsed.lineOf([])).toBe(2);
      expect(parsed.lineOf()).toBe(2);
    }
  });
});

describe('knownParse', () => {
  it('keeps a flag found clean before, and reads its lines from the text only when asked, once', () => {
    const flag = parseFlag(good, FILE).flag!;
    let reads = 0;
    const known = knownParse(
      flag,
      () => {
        reads++;
        return `# moved down\n${good}`;
      },
      FILE,
    );
    expect(known.flag).toBe(flag);
    expect(known.violations).toEqual([]);
    expect(reads).toBe(0);
    expect(known.lineOf(['state'])).toBe(5);
    expect(known.lineOf(['owner'])).toBe(4);
    expect(known.lineOf()).toBe(2);
    expect(reads).toBe(1);
  });
});
