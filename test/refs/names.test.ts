import { describe, expect, it } from 'vitest';
import {
  derivedNames,
  nameTable,
  namesInText,
  patternsInText,
} from '../../scripts/core/refs/names.ts';
import { parseRefsConfig } from '../../scripts/core/refs/config.ts';

describe('names of a flag in code', () => {
  it('derives the key and the accessor names export generates', () => {
    expect(derivedNames('live-view-webrtc')).toEqual([
      'live-view-webrtc',
      'liveViewWebrtc',
      'LiveViewWebrtc',
      'LIVE_VIEW_WEBRTC',
    ]);
    expect(derivedNames('search')).toEqual(['search', 'Search', 'SEARCH']);
  });

  it('matches whole words only, so a key never counts inside a longer key', () => {
    const table = nameTable(['live-view', 'live-view-webrtc', 'live']);
    const keysIn = (line: string) => namesInText(line, table).flatMap((n) => n.keys);
    expect(keysIn('flag("live-view-webrtc")')).toEqual(['live-view-webrtc']);
    expect(keysIn('flags.liveViewWebrtc && flags.liveView')).toEqual([
      'live-view-webrtc',
      'live-view',
    ]);
    expect(keysIn('LIVE_VIEW_WEBRTC_DEBUG FF_LIVE_VIEW isLiveView')).toEqual([]);
    expect(keysIn('--live-view --live')).toEqual(['live-view', 'live']);
    expect(
      namesInText('x\nliveView;\n\n  "live-view-webrtc"\n', table).map((n) => [n.name, n.line]),
    ).toEqual([
      ['liveView', 2],
      ['live-view-webrtc', 4],
    ]);
  });

  it('counts a name two keys derive for both, and aliases for their key', () => {
    const table = nameTable(['a-b', 'ab'], [{ ab: ['legacyAb'], gone: ['x'] }]);
    // AB is PascalCase of a-b and SCREAMING_SNAKE of ab.
    expect(table.get('AB')).toEqual(['a-b', 'ab']);
    expect(table.get('legacyAb')).toEqual(['ab']);
    expect(table.get('x')).toBeUndefined();
  });

  it('takes the named group, else the first group, of a pattern', () => {
    const pattern = /useFlag\(['"]([a-z-]+)['"]\)/g;
    expect(patternsInText(`useFlag('a-b')\n\nuseFlag("c")`, pattern)).toEqual([
      { name: 'a-b', line: 1 },
      { name: 'c', line: 3 },
    ]);
    expect(patternsInText('FF_A FF_B', /FF_(?<name>[A-Z]+)/).map((f) => f.name)).toEqual([
      'A',
      'B',
    ]);
  });
});

describe('the config file', () => {
  it('reads sources with aliases and a pattern', () => {
    const config = parseRefsConfig(
      'sources:\n  - path: ../web\n    exclude: [docs/**]\n    pattern: "x([a-z]+)"\naliases:\n  a: [b]\n',
    );
    expect(config.sources[0]).toMatchObject({
      name: '../web',
      path: '../web',
      exclude: ['docs/**'],
      repository: null,
    });
    expect(config.sources[0]!.pattern?.source).toBe('x([a-z]+)');
    expect(config.aliases).toEqual({ a: ['b'] });
    expect(parseRefsConfig('')).toEqual({ sources: [], aliases: {} });
  });

  it('refuses what it cannot use, naming the place', () => {
    expect(() => parseRefsConfig('sources:\n  - name: a\n')).toThrow(
      /sources\[0\]: `path` is required/,
    );
    expect(() => parseRefsConfig('aliases:\n  a: ["b.c"]\n')).toThrow(/aliases\.a: alias `b.c`/);
    expect(() => parseRefsConfig('sources:\n  - path: a\n    pattern: "("\n')).toThrow(/pattern/);
    expect(() => parseRefsConfig('sources:\n  - path: a\n  - path: a\n')).toThrow(/two sources/);
    expect(() => parseRefsConfig('source: []\n')).toThrow(/unknown field `source`/);
  });
});
