// The names a key takes in code (typed accessors and the code-reference scan derive them here):
// separators, case, digits, reserved words, and keys whose names collide.
import { describe, expect, it } from 'vitest';
import {
  camelCaseName,
  nameCollisions,
  pascalCaseName,
  screamingSnakeName,
} from '../../../scripts/core/flag-names.ts';

describe('flag names in code', () => {
  it('splits on any run of other characters and ignores them at the ends', () => {
    expect(camelCaseName('-live--view_webrtc.')).toBe('liveViewWebrtc');
    expect(pascalCaseName('-live--view_webrtc.')).toBe('LiveViewWebrtc');
    expect(screamingSnakeName('-live--view_webrtc.')).toBe('LIVE_VIEW_WEBRTC');
  });

  it('sets the case of every word, whatever the key was written in', () => {
    expect(camelCaseName('Live-VIEW-rtc')).toBe('liveViewRtc');
    expect(pascalCaseName('Live-VIEW-rtc')).toBe('LiveViewRtc');
    expect(screamingSnakeName('Live-view')).toBe('LIVE_VIEW');
    expect(pascalCaseName('x')).toBe('X');
  });

  it('makes every spelling a valid identifier', () => {
    expect(pascalCaseName('9lives')).toBe('_9lives');
    expect(camelCaseName('9-lives')).toBe('_9Lives');
    expect(pascalCaseName('infinity')).toBe('InfinityFlag');
    expect(camelCaseName('type')).toBe('typeFlag');
    expect(camelCaseName('types')).toBe('types');
    expect(screamingSnakeName('')).toBe('_');
    expect(pascalCaseName('--')).toBe('_');
  });

  it('pairs every later key with the first that took the name, in key order', () => {
    expect(nameCollisions(['ab', 'a-b', 'a--b', 'c'], camelCaseName)).toEqual([
      ['a--b', 'a-b', 'aB'],
    ]);
    expect(nameCollisions(['a-b', 'ab', 'a_b'], screamingSnakeName)).toEqual([
      ['a-b', 'a_b', 'A_B'],
    ]);
    const keys = ['b', 'a'];
    nameCollisions(keys, camelCaseName);
    expect(keys).toEqual(['b', 'a']);
  });
});
