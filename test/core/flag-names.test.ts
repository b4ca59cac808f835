import { describe, expect, it } from 'vitest';
import {
  camelCaseName,
  nameCollisions,
  pascalCaseName,
  screamingSnakeName,
} from '../../scripts/core/flag-names.ts';

describe('flag names in code', () => {
  it('derives the three spellings of a key', () => {
    expect(camelCaseName('live-view-webrtc')).toBe('liveViewWebrtc');
    expect(pascalCaseName('live-view-webrtc')).toBe('LiveViewWebrtc');
    expect(screamingSnakeName('live-view-webrtc')).toBe('LIVE_VIEW_WEBRTC');
  });

  it('keeps digits and makes a leading digit or a reserved word a valid identifier', () => {
    expect(camelCaseName('h264-2pass')).toBe('h2642pass');
    expect(pascalCaseName('h264-2pass')).toBe('H2642pass');
    expect(camelCaseName('new')).toBe('newFlag');
    expect(camelCaseName('delete')).toBe('deleteFlag');
    expect(screamingSnakeName('9lives')).toBe('_9LIVES');
    expect(camelCaseName('')).toBe('_');
  });

  it('names both keys of a collision', () => {
    expect(nameCollisions(['a-1', 'b', 'a1'], camelCaseName)).toEqual([['a-1', 'a1', 'a1']]);
    expect(nameCollisions(['ab-c', 'a-bc'], camelCaseName)).toEqual([]);
  });
});
