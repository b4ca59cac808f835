// What counts as a flag file under flags/, and how a tree of them becomes one FlagSet: file
// problems (kind, name, size, encoding), keys held twice, the parse cache of a check.
import { describe, expect, it } from 'vitest';
import {
  buildFlagSet,
  fileProblem,
  flagsByKey,
  parseEntry,
  prepareEntry,
  sortEntries,
  type ParseCache,
  type RawEntry,
} from '../../../scripts/core/load.ts';

const flagText = (key: string, state = 'alpha'): string =>
  `key: ${key}\ndescription: The ${key} feature.\nowner: "@novalien/video"\nstate: ${state}\nrevertible: true\n`;

const file = (path: string, text: string, blob?: string): RawEntry => {
  const content = Buffer.from(text);
  return { path, kind: 'file', size: content.length, content, ...(blob ? { blob } : {}) };
};

const flagFile = (path: string, key: string, state?: string): RawEntry =>
  file(path, flagText(key, state));

describe('fileProblem', () => {
  it('refuses links and anything that is not a regular file', () => {
    expect(fileProblem({ path: 'flags/a.yaml', kind: 'symlink', size: 10 })).toMatch(
      /^is a symbolic link: flag files must be regular files/,
    );
    expect(fileProblem({ path: 'flags/a', kind: 'other', size: 0 })).toBe(
      'is not a regular file: only <key>.yaml files belong under flags/',
    );
  });

  it('suggests the .yaml name for a .yml or .json file, and moving anything else out', () => {
    expect(fileProblem(flagFile('flags/video/live-view.yml', 'live-view'))).toBe(
      'is not a flag file (flag files are named <key>.yaml): rename it to live-view.yaml (YAML, one flag per file)',
    );
    expect(fileProblem(file('flags/video/live.view.json', '{}'))).toBe(
      'is not a flag file (flag files are named <key>.yaml): rename it to live.view.yaml (YAML, one flag per file)',
    );
    expect(fileProblem(file('flags/README.md', '# x'))).toBe(
      'is not a flag file (flag files are named <key>.yaml): move it out of flags/ (only <key>.yaml flag files belong here)',
    );
    // `.yml` must be the extension, not a part of the name.
    expect(fileProblem(file('flags/a.yml.txt', 'x'))).toMatch(/move it out of flags\//);
  });

  it('refuses a name that is not a key, up to 63 characters', () => {
    for (const name of ['Live-view', 'live_view', '9-lives', 'live--view', 'live-', 'a'.repeat(64)])
      expect(fileProblem(flagFile(`flags/${name}.yaml`, 'x')), name).toMatch(
        /^has a name that is not a valid key: .* at most 63 characters/,
      );
    expect(fileProblem(flagFile(`flags/${'a'.repeat(63)}.yaml`, 'a'.repeat(63)))).toBeNull();
    expect(fileProblem(flagFile('flags/video/live-view-2.yaml', 'live-view-2'))).toBeNull();
  });

  it('refuses a file over 64 KiB, to the byte', () => {
    const entry = (size: number): RawEntry => ({ path: 'flags/big.yaml', kind: 'file', size });
    expect(fileProblem(entry(65_536))).toBeNull();
    expect(fileProblem(entry(65_537))).toBe(
      'is 65537 bytes; a flag file may hold at most 65536 bytes (64 KiB): move long text to the plan document',
    );
  });
});

describe('prepareEntry', () => {
  it('gives the text of a good file', () => {
    expect(prepareEntry(flagFile('flags/a.yaml', 'a'))).toMatchObject({ text: flagText('a') });
    // No content read (an empty blob): empty text, for the parser to call empty.
    expect(prepareEntry({ path: 'flags/a.yaml', kind: 'file', size: 0 })).toMatchObject({
      text: '',
    });
  });

  it('reports a file problem as a file violation naming the path, and the flag when it has a key', () => {
    expect(prepareEntry(file('flags/notes.txt', 'x'))).toMatchObject({
      violation: {
        rule: 'file',
        severity: 'error',
        flag: null,
        file: 'flags/notes.txt',
        line: null,
        message: expect.stringMatching(/^flags\/notes\.txt is not a flag file/),
      },
    });
    const link = prepareEntry({ path: 'flags/video/live.yaml', kind: 'symlink', size: 3 });
    expect(link).toMatchObject({ violation: { flag: 'live', file: 'flags/video/live.yaml' } });
  });

  it('refuses bytes that are not UTF-8', () => {
    const latin1 = { ...file('flags/a.yaml', ''), content: Uint8Array.from([0x6b, 0xe9, 0x3a]) };
    expect(prepareEntry(latin1)).toMatchObject({
      violation: {
        rule: 'file',
        flag: 'a',
        message: 'flags/a.yaml is not valid UTF-8 text: save it as UTF-8',
      },
    });
  });
});

describe('sortEntries', () => {
  it('orders by path, by code unit (upper case first), without changing its input', () => {
    const entries = ['flags/b.yaml', 'flags/a.yaml', 'flags/B.yaml', 'flags/a.yaml'].map((p) =>
      file(p, ''),
    );
    expect(sortEntries(entries).map((e) => e.path)).toEqual([
      'flags/B.yaml',
      'flags/a.yaml',
      'flags/a.yaml',
      'flags/b.yaml',
    ]);
    expect(entries[0]!.path).toBe('flags/b.yaml');
  });
});

describe('parseEntry', () => {
  it('parses one blob at one path once, through the cache of a check', () => {
    const cache: ParseCache = new Map();
    const entry = file('flags/a.yaml', flagText('a'), 'blob1');
    const first = parseEntry(entry, cache);
    expect(first).toMatchObject({ flag: { key: 'a' }, violations: [] });
    expect(cache.get('flags/a.yaml\0blob1')).toBe(first);
    // Same path and blob: the cached answer, even if the bytes given differ.
    expect(parseEntry({ ...entry, content: Buffer.from(flagText('b')) }, cache)).toBe(first);
    // Another path with the same blob is its own file (its key must match its name).
    const moved = parseEntry({ ...entry, path: 'flags/b.yaml' }, cache);
    expect(moved).not.toBe(first);
    expect(moved).toMatchObject({ violations: [{ rule: 'key-mismatch' }] });
    expect(cache.size).toBe(2);
  });

  it('parses an entry from git without a cache', () => {
    expect(parseEntry(file('flags/a.yaml', flagText('a'), 'blob1'))).toMatchObject({
      flag: { key: 'a' },
    });
  });

  it('caches file violations too, and nothing read from the working tree (no blob)', () => {
    const cache: ParseCache = new Map();
    const bad = { ...file('flags/a.yaml', '', 'b2'), content: Uint8Array.from([0xff]) };
    const violation = parseEntry(bad, cache);
    expect(violation).toMatchObject({ rule: 'file' });
    expect(parseEntry(bad, cache)).toBe(violation);
    const worktree = file('flags/c.yaml', flagText('c'));
    expect(parseEntry(worktree, cache)).not.toBe(parseEntry(worktree, cache));
    expect(cache.size).toBe(1);
  });
});

describe('buildFlagSet', () => {
  it('keeps good flags in path order and lists broken files with their violations', () => {
    const set = buildFlagSet([
      flagFile('flags/video/b.yaml', 'b'),
      file('flags/video/c.yaml', 'key: c\n'),
      { path: 'flags/link.yaml', kind: 'symlink', size: 1 },
      flagFile('flags/video/a.yaml', 'a'),
      flagFile('flags/video/d.yaml', 'not-d'),
    ]);
    expect(set.flags.map((f) => [f.file, f.flag.key])).toEqual([
      ['flags/video/a.yaml', 'a'],
      ['flags/video/b.yaml', 'b'],
    ]);
    expect(set.brokenFiles).toEqual([
      'flags/link.yaml',
      'flags/video/c.yaml',
      'flags/video/d.yaml',
    ]);
    expect(set.violations.map((v) => [v.file, v.rule])).toEqual([
      ['flags/link.yaml', 'file'],
      ['flags/video/c.yaml', 'schema'],
      ['flags/video/c.yaml', 'schema'],
      ['flags/video/c.yaml', 'schema'],
      ['flags/video/c.yaml', 'schema'],
      ['flags/video/d.yaml', 'key-mismatch'],
    ]);
    // A flag's lines come with it.
    expect(set.flags[0]!.lineOf(['state'])).toBe(4);
  });

  it('reports a key held by several files at each of them, naming the others', () => {
    const set = buildFlagSet([
      flagFile('flags/video/live.yaml', 'live'),
      file('flags/audio/live.yaml', `# moved\n${flagText('live', 'beta')}`),
      flagFile('flags/x/live.yaml', 'live'),
      flagFile('flags/video/solo.yaml', 'solo'),
    ]);
    expect(set.violations).toEqual([
      {
        rule: 'duplicate-key',
        severity: 'error',
        flag: 'live',
        file: 'flags/audio/live.yaml',
        line: 2,
        message:
          'key `live` is also used by flags/video/live.yaml, flags/x/live.yaml: a key names one flag across the whole tree; rename one of them',
      },
      expect.objectContaining({
        file: 'flags/video/live.yaml',
        line: 1,
        message: expect.stringMatching(
          /^key `live` is also used by flags\/audio\/live\.yaml, flags\/x\/live\.yaml:/,
        ),
      }),
      expect.objectContaining({
        file: 'flags/x/live.yaml',
        message: expect.stringMatching(
          /also used by flags\/audio\/live\.yaml, flags\/video\/live\.yaml:/,
        ),
      }),
    ]);
    // Two files are enough; each is reported at its own `key` line.
    const keyThird =
      'description: X.\nowner: "@novalien/video"\nkey: x\nstate: alpha\nrevertible: true\n';
    const two = buildFlagSet([flagFile('flags/a/x.yaml', 'x'), file('flags/b/x.yaml', keyThird)]);
    expect(two.violations.map((v) => [v.file, v.line, v.message.split(':')[0]])).toEqual([
      ['flags/a/x.yaml', 1, 'key `x` is also used by flags/b/x.yaml'],
      ['flags/b/x.yaml', 3, 'key `x` is also used by flags/a/x.yaml'],
    ]);
    // The first file in path order is the flag the rules see.
    const byKey = flagsByKey(set);
    expect([...byKey.keys()]).toEqual(['live', 'solo']);
    expect(byKey.get('live')!.file).toBe('flags/audio/live.yaml');
    expect(byKey.get('live')!.flag.state).toBe('beta');
  });
});
