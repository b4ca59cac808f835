// "Did you mean": what a person who mistypes a command, an option or a flag key is offered.
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearestNames } from '../../../scripts/core/did-you-mean.ts';

const COMMANDS = ['check', 'validate', 'status', 'promote', 'revert', 'remove', 'deploy'];

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions (Levenshtein)', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('deploy', 'deplow')).toBe(1);
  });

  it('counts two swapped neighbours as one edit, the commonest typing slip', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('status', 'stauts')).toBe(1);
    expect(editDistance('status', 'tsatus')).toBe(1);
    expect(editDistance('status', 'statsu')).toBe(1);
    // Restricted: a swapped pair is not edited again (optimal string alignment).
    expect(editDistance('ca', 'abc')).toBe(3);
  });
});

describe('nearestNames', () => {
  it('offers the names a few edits away, nearest first, then in alphabetical order', () => {
    expect(nearestNames('stauts', ['statue', 'status', 'check'])).toEqual(['status', 'statue']);
    // Both one edit away: alphabetical.
    expect(nearestNames('remoe', COMMANDS)).toEqual(['remove']);
    expect(nearestNames('revove', ['revoke', 'remove'])).toEqual(['remove', 'revoke']);
    expect(nearestNames('revove', ['remove', 'revoke'])).toEqual(['remove', 'revoke']);
  });

  it('ignores case on both sides', () => {
    expect(nearestNames('STATUS', COMMANDS)).toEqual(['status']);
    expect(nearestNames('status', ['Status'])).toEqual(['Status']);
    expect(nearestNames('Stauts', ['STATUS'])).toEqual(['STATUS']);
  });

  it('takes a name that contains, or is contained in, the typed one from three characters on', () => {
    const keys = ['live-view', 'live-view-webrtc', 'playback'];
    // `live` is 5 edits from `live-view` but a part of it.
    expect(nearestNames('live', keys)).toEqual(['live-view', 'live-view-webrtc']);
    expect(nearestNames('liv', keys)).toEqual(['live-view', 'live-view-webrtc']);
    // A longer name typed whole, with a tail: `live-view` is inside it.
    expect(nearestNames('live-view-webrtc-v2', ['live-view', 'playback'])).toEqual(['live-view']);
    // Two characters are too few to call anything a match by containment.
    expect(nearestNames('li', keys)).toEqual([]);
    expect(nearestNames('zz', ['zzzzzz'])).toEqual([]);
  });

  it('allows two edits, or a third of the typed length when that is more', () => {
    // Short names: up to 2 edits.
    expect(nearestNames('chk', ['check'])).toEqual(['check']);
    expect(nearestNames('ch', ['check'])).toEqual([]);
    // 9 characters: up to 3 edits, not 4.
    expect(nearestNames('abcdefxyz', ['abcdefghi'])).toEqual(['abcdefghi']);
    expect(nearestNames('abcdewxyz', ['abcdefghi'])).toEqual([]);
    // 12 characters: up to 4 edits, not 5.
    expect(nearestNames('abcdefghwxyz', ['abcdefghijkl'])).toEqual(['abcdefghijkl']);
    expect(nearestNames('abcdefgvwxyz', ['abcdefghijkl'])).toEqual([]);
    // 8 characters: still 2 (8 / 3 rounds down), not 3.
    expect(nearestNames('abcdexyz', ['abcdefgh'])).toEqual([]);
    expect(nearestNames('abcdefyz', ['abcdefgh'])).toEqual(['abcdefgh']);
  });

  it('offers at most three names unless told otherwise', () => {
    const names = ['flag-a', 'flag-b', 'flag-c', 'flag-d'];
    expect(nearestNames('flag-x', names)).toEqual(['flag-a', 'flag-b', 'flag-c']);
    expect(nearestNames('flag-x', names, 1)).toEqual(['flag-a']);
    expect(nearestNames('flag-x', names, 4)).toEqual(names);
  });
});

describe('didYouMean', () => {
  it('says nothing when no name is near', () => {
    expect(didYouMean('zzzzzz', COMMANDS)).toBe('');
  });

  it('names the nearest in backticks, or in the quote asked for, joined by "or"', () => {
    expect(didYouMean('stauts', COMMANDS)).toBe(' did you mean `status`?');
    expect(didYouMean('revove', ['remove', 'revoke'], "'")).toBe(
      " did you mean 'remove' or 'revoke'?",
    );
    expect(didYouMean('--nwo', ['--now', '--json'], '')).toBe(' did you mean --now?');
  });
});
