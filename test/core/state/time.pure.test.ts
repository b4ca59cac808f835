// Times as people read them in gate messages, status and pull requests: nothing rounded away
// that matters (a soak one second short says "1 s", not "0 s"), the two largest units only, and
// --now accepted only as an ISO time with a zone (a time without one would depend on the machine).
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatTime,
  formatWhen,
  isoTime,
  parseInstant,
} from '../../../scripts/core/time.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('formatTime', () => {
  it('shows minutes, and seconds only when they are not zero', () => {
    expect(formatTime(new Date('2026-11-27T14:00:00Z'))).toBe('2026-11-27 14:00 UTC');
    expect(formatTime(new Date('2026-11-27T14:00:01Z'))).toBe('2026-11-27 14:00:01 UTC');
    expect(formatTime(new Date('2026-11-27T14:05:30Z'))).toBe('2026-11-27 14:05:30 UTC');
  });
});

describe('formatDuration', () => {
  it('rounds up to the second: a soak short by any part of a second is not done', () => {
    expect(formatDuration(1)).toBe('1 s');
    expect(formatDuration(SECOND)).toBe('1 s');
    expect(formatDuration(SECOND + 1)).toBe('2 s');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(-5 * SECOND)).toBe('0 s');
  });

  it('seconds up to a minute; minutes with seconds below 10 min, without from 10', () => {
    expect(formatDuration(59 * SECOND)).toBe('59 s');
    expect(formatDuration(MINUTE)).toBe('1 min');
    expect(formatDuration(MINUTE + SECOND)).toBe('1 min 1 s');
    expect(formatDuration(9 * MINUTE + 59 * SECOND)).toBe('9 min 59 s');
    expect(formatDuration(10 * MINUTE + 5 * SECOND)).toBe('10 min');
    expect(formatDuration(59 * MINUTE + 59 * SECOND)).toBe('59 min');
  });

  it('hours with minutes, days with hours: the two largest units', () => {
    expect(formatDuration(HOUR)).toBe('1 h');
    expect(formatDuration(HOUR + 59 * SECOND)).toBe('1 h');
    expect(formatDuration(HOUR + MINUTE)).toBe('1 h 1 min');
    expect(formatDuration(23 * HOUR + 59 * MINUTE + 59 * SECOND)).toBe('23 h 59 min');
    expect(formatDuration(DAY)).toBe('1 d');
    expect(formatDuration(DAY + 59 * MINUTE)).toBe('1 d');
    expect(formatDuration(DAY + HOUR)).toBe('1 d 1 h');
    expect(formatDuration(2 * DAY + 3 * HOUR + 12 * MINUTE)).toBe('2 d 3 h');
    expect(formatDuration(13 * DAY + 23 * HOUR + 59 * MINUTE + 59 * SECOND)).toBe('13 d 23 h');
  });
});

describe('formatWhen', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('a time ahead is "in", a time passed (or now) is "ago"', () => {
    expect(formatWhen(new Date('2026-11-24T12:00:01Z'), now)).toBe(
      '2026-11-24 12:00:01 UTC (in 1 s)',
    );
    expect(formatWhen(new Date('2026-11-26T15:00:00Z'), now)).toBe(
      '2026-11-26 15:00 UTC (in 2 d 3 h)',
    );
    expect(formatWhen(new Date('2026-11-24T10:00:00Z'), now)).toBe(
      '2026-11-24 10:00 UTC (2 h ago)',
    );
    expect(formatWhen(now, now)).toBe('2026-11-24 12:00 UTC (0 s ago)');
  });
});

describe('parseInstant (--now)', () => {
  it('takes an ISO time with a zone, with or without seconds and fractions', () => {
    expect(parseInstant('2026-11-24T12:00:00Z')?.toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(parseInstant('2026-11-24T12:00Z')?.toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(parseInstant('2026-11-24T12:00:00.250Z')?.toISOString()).toBe(
      '2026-11-24T12:00:00.250Z',
    );
    expect(parseInstant('2026-11-24T14:00:00+02:00')?.toISOString()).toBe(
      '2026-11-24T12:00:00.000Z',
    );
    expect(parseInstant('2026-11-24T07:00:00-0500')?.toISOString()).toBe(
      '2026-11-24T12:00:00.000Z',
    );
  });

  it('refuses a time without a zone, a date alone, anything around it, and impossible dates', () => {
    for (const text of [
      '2026-11-24T12:00:00',
      '2026-11-24',
      '2026-11-24 12:00:00Z',
      'x2026-11-24T12:00:00Z',
      // Both parse as dates (2001-01-01 and 2026-11-24), and neither is what --now documents.
      '1(2026-11-24T12:00:00Z',
      '+002026-11-24T12:00:00Z',
      '2026-11-24T12:00:00Zx',
      '2026-11-24T12:00:00Z\n',
      '2026-11-24T12:00:00+2',
      '2026-11-24T12:00:0Z',
      '2026-11-24T12:00:00.Z',
      '2026-13-45T12:00:00Z',
      '',
    ]) {
      expect(parseInstant(text), text).toBeUndefined();
    }
  });
});

describe('isoTime', () => {
  it('drops milliseconds only when they are zero', () => {
    expect(isoTime(new Date('2026-11-24T12:00:00Z'))).toBe('2026-11-24T12:00:00Z');
    expect(isoTime(new Date('2026-11-24T12:00:00.001Z'))).toBe('2026-11-24T12:00:00.001Z');
  });
});
