// What the runbook asks to post after a promotion: one announcement per flag, for the highest
// state it reached, its summary a sentence whatever punctuation the description ends with.
import { describe, expect, it } from 'vitest';
import { announcementFor, announcementsFor } from '../../../scripts/core/announcements.ts';
import { flag } from './data.ts';

describe('announcements', () => {
  it('ends the summary with a full stop only when the description has no final punctuation', () => {
    const first = (description: string): string =>
      announcementFor(flag('x', { description }), 'beta').text.split('\n')[0]!;
    expect(first('Live video')).toBe('**x** is now in beta. Live video.');
    expect(first('  Live video.  ')).toBe('**x** is now in beta. Live video.');
    expect(first('Live video!')).toBe('**x** is now in beta. Live video!');
    expect(first('Live video?')).toBe('**x** is now in beta. Live video?');
    // Punctuation inside the text is not the end of it.
    expect(first('Live. Video')).toBe('**x** is now in beta. Live. Video.');
    expect(
      announcementFor(flag('x', { description: 'Live video' }), 'ga').text.split('\n')[0],
    ).toBe(
      '**x** is now generally available: on by default for every org that has not opted out. Live video.',
    );
  });

  it('says which flag and state each announcement is for, and where it goes', () => {
    expect(announcementFor(flag('x'), 'beta')).toMatchObject({
      flag: 'x',
      state: 'beta',
      channel: 'customer release channel',
      title: 'Beta: x',
    });
    expect(announcementFor(flag('x'), 'ga')).toMatchObject({
      flag: 'x',
      state: 'ga',
      channel: 'customer release channel',
      title: 'GA: x',
    });
  });

  it('announces each promoted flag once, at the highest state it reached, in key order', () => {
    const a = flag('a');
    const b = flag('b');
    const titles = (promotions: Parameters<typeof announcementsFor>[0]): string[] =>
      announcementsFor(promotions).map((p) => p.title);
    expect(
      titles([
        { flag: b, to: 'ga' },
        { flag: b, to: 'beta' },
        { flag: a, to: 'beta' },
        { flag: a, to: 'beta' },
      ]),
    ).toEqual(['Beta: a', 'GA: b']);
    expect(
      titles([
        { flag: b, to: 'beta' },
        { flag: a, to: 'ga' },
      ]),
    ).toEqual(['GA: a', 'Beta: b']);
    // ga covers beta whichever of the two steps came first.
    expect(
      titles([
        { flag: b, to: 'beta' },
        { flag: b, to: 'ga' },
      ]),
    ).toEqual(['GA: b']);
    const c = flag('c');
    expect(
      titles([
        { flag: c, to: 'beta' },
        { flag: a, to: 'beta' },
        { flag: b, to: 'beta' },
      ]),
    ).toEqual(['Beta: a', 'Beta: b', 'Beta: c']);
    // A demotion to alpha is announced elsewhere (the revert path), never as a release.
    expect(titles([{ flag: a, to: 'alpha' }])).toEqual([]);
    expect(
      titles([
        { flag: a, to: 'alpha' },
        { flag: a, to: 'beta' },
      ]),
    ).toEqual(['Beta: a']);
  });
});
