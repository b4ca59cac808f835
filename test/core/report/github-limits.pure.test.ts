// What GitHub refuses or drops, fitted as data: a comment cut to its limit to the character, its
// lists shortened with their totals said, the room shared between lists, and annotation caps.
import { describe, expect, it } from 'vitest';
import {
  REMOVAL_PRS_PER_RUN,
  capAnnotations,
  clipChars,
  count,
  fitParts,
  type FitList,
} from '../../../scripts/core/github-limits.ts';

/** `n` items of 4 characters (`a000`), no head unless given, cut lines as `shown of total`. */
function list(name: string, n: number, head?: string): FitList {
  return {
    ...(head === undefined ? {} : { head }),
    items: Array.from({ length: n }, (_, i) => `${name}${String(i).padStart(3, '0')}`),
    more: (shown, total) => `${shown} of ${total}`,
  };
}

const items = (name: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${name}${String(i).padStart(3, '0')}`).join('\n');

describe('fitParts: what fits is left alone', () => {
  it('joins parts with a blank line and items with a newline, at exactly the limit', () => {
    expect(fitParts(['abc', 'def'], 8)).toBe('abc\n\ndef');
    expect(fitParts(['abc', list('a', 2, '#### head')], 24)).toBe('abc\n\n#### head\na000\na001');
    expect(fitParts(['abc', list('a', 2)], 14)).toBe('abc\n\na000\na001');
  });

  it('uses the separator and the joiner it is given', () => {
    expect(fitParts(['abc', { ...list('a', 2), joiner: ', ' }], 100, { separator: ' | ' })).toBe(
      'abc | a000, a001',
    );
  });
});

describe('fitParts: lists are cut first, each saying how many it shows', () => {
  it('a list with no room shows only its count line', () => {
    expect(fitParts(['intro', list('a', 50)], 20)).toBe('intro\n\n0 of 50');
  });

  it('shows an item only when it and a 16-character reserve for the count line fit its share', () => {
    // 107 characters: 25 for the text and the two count lines, 82 of room, 41 for the first
    // list: 5 items of 5 characters and the reserve are exactly 41.
    expect(fitParts(['intro', list('a', 100), list('b', 100)], 107)).toBe(
      `intro\n\n${items('a', 5)}\n\n5 of 100\n\n${items('b', 8)}\n\n8 of 100`,
    );
    // One character less: the fifth item no longer fits; what the first list left goes to the second.
    expect(fitParts(['intro', list('a', 100), list('b', 100)], 106)).toBe(
      `intro\n\n${items('a', 4)}\n\n4 of 100\n\n${items('b', 9)}\n\n9 of 100`,
    );
  });

  it('shows a short list whole wherever it stands, and gives a long one all the room left', () => {
    const expected = (short: string, long: string) => fitParts([short, long], 1000);
    const short = items('s', 3);
    const long = `${items('l', 10)}\n\n10 of 100`;
    expect(fitParts(['intro', list('s', 3), list('l', 100)], 100)).toBe(
      `intro\n\n${expected(short, long)}`,
    );
    expect(fitParts(['intro', list('l', 100), list('s', 3)], 100)).toBe(
      `intro\n\n${expected(long, short)}`,
    );
  });

  it('cuts the plain text at the end, saying so, only when it alone is too long', () => {
    expect(fitParts(['x'.repeat(20), list('a', 50)], 25, { overflow: 'cut' })).toBe(
      `${'x'.repeat(20)}\n\ncut`,
    );
    expect(fitParts(['abc', 'def'], 7)).toBe('abc\n\n\n…');
  });

  it('counts bytes when asked, and cuts at the last character that fits', () => {
    const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
    // 23 two-byte characters and the 5-byte tail are exactly 51 bytes.
    expect(fitParts(['é'.repeat(60)], 51, { size: bytes, overflow: 'cut' })).toBe(
      `${'é'.repeat(23)}\n\ncut`,
    );
  });

  it('cuts a long text at the last character that fits too, not a step short of it', () => {
    const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
    // A pull request body's 65,536 against two-byte text: 32,765 characters and the 5-byte tail
    // are 65,535 bytes; one more character is over.
    const out = fitParts(['é'.repeat(40_000)], 65_536, { size: bytes, overflow: 'cut' });
    expect(out).toBe(`${'é'.repeat(32_765)}\n\ncut`);
    // Mixed widths: whatever the text, the cut fits and one more character would not.
    const mixed = 'aé€😀'.repeat(5_000);
    const cut = fitParts([mixed], 10_007, { size: bytes, overflow: 'cut' });
    const kept = cut.slice(0, -'\n\ncut'.length);
    expect(mixed.startsWith(kept)).toBe(true);
    expect(bytes(cut)).toBeLessThanOrEqual(10_007);
    const next = String.fromCodePoint(mixed.codePointAt(kept.length)!);
    expect(bytes(kept + next + '\n\ncut')).toBeGreaterThan(10_007);
  });

  it('never ends between the two halves of an emoji', () => {
    // Each emoji is two UTF-16 units: a character count that ends inside one keeps the whole
    // emoji before it, not its first half (which GitHub would show as a broken character).
    const emoji = '😀'.repeat(100);
    for (const max of [11, 12, 13, 14]) {
      const out = fitParts([emoji], max, { overflow: 'cut' });
      const kept = out.slice(0, -'\n\ncut'.length);
      expect(out.length, `at ${max}`).toBeLessThanOrEqual(max);
      expect(kept, `at ${max}`).toBe('😀'.repeat(Math.floor((max - 5) / 2)));
    }
    // Counted in bytes, a lone half is 3 bytes (U+FFFD) and an emoji 4: 3 + 5 fits in 8 bytes,
    // and the cut still drops the half.
    const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
    expect(fitParts([emoji], 8, { size: bytes, overflow: 'cut' })).toBe('\n\ncut');
    expect(fitParts([emoji], 13, { size: bytes, overflow: 'cut' })).toBe('😀😀\n\ncut');
  });
});

describe('clipChars', () => {
  // [text, max, what is kept]
  const cases: [string, number, string][] = [
    ['abc', 2, 'ab'],
    ['abc', 5, 'abc'],
    ['abc', 0, ''],
    ['abc', -1, ''],
    ['a😀b', 2, 'a'],
    ['a😀b', 3, 'a😀'],
    ['😀', 1, ''],
    // A lone half already in the text is not a pair: it is kept like any other unit.
    ['a\ud83db', 2, 'a\ud83d'],
    ['a\ude00b', 2, 'a\ude00'],
    ['ab\udc00', 2, 'ab'],
    // The ranges' edges: a pair is a unit in D800-DBFF, then one in DC00-DFFF.
    ['\ud800\udc00', 1, ''],
    ['\udbff\udfff', 1, ''],
    ['\ud7ff\udc00', 1, '\ud7ff'],
    ['\udc00\udc00', 1, '\udc00'],
    ['\ud800\udbff', 1, '\ud800'],
    ['\ud800\ue000', 1, '\ud800'],
  ];
  it.each(cases)(
    'keeps at most max UTF-16 units, never half a pair: %j to %i',
    (text, max, kept) => {
      expect(clipChars(text, max)).toBe(kept);
    },
  );
});

describe('annotations and totals', () => {
  it('the eleventh of a level is cut, the tenth is shown, other levels are counted apart', () => {
    const levels = [
      ...Array.from({ length: 11 }, () => 'warning' as const),
      ...Array.from({ length: 10 }, () => 'error' as const),
      'notice' as const,
    ];
    const { shown, left } = capAnnotations(levels.map((level, i) => ({ level, i })));
    expect(shown.map((a) => a.i)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i),
      ...Array.from({ length: 11 }, (_, i) => 11 + i),
    ]);
    expect(left).toEqual({ error: 0, warning: 1, notice: 0 });
  });

  it('totals read with thousands separators', () => {
    expect(count(1500)).toBe('1,500');
    expect(count(999)).toBe('999');
  });

  it('removal pull requests per run stay within 30 % of the hour: 21', () => {
    expect(REMOVAL_PRS_PER_RUN).toBe(21);
  });
});

describe('fitParts: edges', () => {
  it('lists cut to nothing that leave exactly the limit are not cut further', () => {
    expect(fitParts(['intro', list('a', 50)], 14, { overflow: 'cut' })).toBe('intro\n\n0 of 50');
  });

  it('plain text is cut to exactly the limit', () => {
    const out = fitParts(['x'.repeat(5000)], 1000, { overflow: 'cut' });
    expect(out).toBe(`${'x'.repeat(995)}\n\ncut`);
  });

  it('a limit smaller than the overflow note gives the note alone', () => {
    expect(fitParts(['x'.repeat(50)], 3, { overflow: 'cut' })).toBe('\n\ncut');
  });
});
