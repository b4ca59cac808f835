import { describe, expect, it } from 'vitest';
import {
  derivedNames,
  nameTable,
  namesInLine,
  patternCaptures,
  tokens,
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
    const keysIn = (line: string) => namesInLine(line, table).flatMap((n) => n.keys);
    expect(keysIn('flag("live-view-webrtc")')).toEqual(['live-view-webrtc']);
    expect(keysIn('flags.liveViewWebrtc && flags.liveView')).toEqual([
      'live-view-webrtc',
      'live-view',
    ]);
    expect(keysIn('LIVE_VIEW_WEBRTC_DEBUG FF_LIVE_VIEW isLiveView')).toEqual([]);
    expect(keysIn('--live-view --live')).toEqual(['live-view', 'live']);
    expect(tokens('a.b-c --d- $e_f')).toEqual(['a', 'b-c', 'd', 'e_f']);
  });

  it('counts a name two keys derive for both, and aliases for their key', () => {
    const table = nameTable(['a-b', 'ab'], [{ ab: ['legacyAb'], gone: ['x'] }]);
    // AB is PascalCase of a-b and SCREAMING_SNAKE of ab.
    expect(table.get('AB')).toEqual(['a-b', 'ab']);
    expect(table.get('legacyAb')).toEqual(['ab']);
    expect(table.get('x')).toBeUndefined();
  });

  it('takes the named group, else the first group, of a pattern', () => {
    expect(patternCaptures(`useFlag('a-b') useFlag("c")`, /useFlag\(['"]([a-z-]+)['"]\)/)).toEqual([
      'a-b',
      'c',
    ]);
    expect(patternCaptures('FF_A FF_B', /FF_(?<name>[A-Z]+)/)).toEqual(['A', 'B']);
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
