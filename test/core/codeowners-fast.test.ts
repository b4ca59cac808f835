// The fast CODEOWNERS matcher (lookups for literal and folder rules, a scan only of wildcard
// rules) must pick the same rule as the plain last-match-wins scan, on generated rule sets.
import { describe, expect, it } from 'vitest';
import { ownersOf, ownersOfByScan, parseCodeowners } from '../../scripts/core/codeowners.ts';
import { caseCount } from '../helpers/cases.ts';
import { seededRandom as random } from '../helpers/random.ts';

const pick = <T>(next: () => number, list: readonly T[]): T =>
  list[Math.floor(next() * list.length)]!;

const SEGMENTS = ['flags', 'video', 'docs', 'a', 'b.yaml', 'a.yaml', 'x y', 'deep', 'v*', 'c#'];
const PARTS = [
  'flags',
  'video',
  'docs',
  'a',
  'b.yaml',
  'a.yaml',
  'x\\ y',
  'deep',
  '*',
  '**',
  '*.yaml',
  'a?yaml',
  'v\\*',
  '\\a',
  'a\\',
  '',
];

function pattern(next: () => number): string {
  const count = 1 + Math.floor(next() * 3);
  const parts = Array.from({ length: count }, () => pick(next, PARTS));
  const lead = next() < 0.5 ? '/' : '';
  const trail = next() < 0.3 ? '/' : '';
  return lead + parts.join(next() < 0.05 ? '\\/' : '/') + trail;
}

function path(next: () => number): string {
  const count = 1 + Math.floor(next() * 4);
  return Array.from({ length: count }, () => pick(next, SEGMENTS)).join('/');
}

describe('the fast CODEOWNERS matcher', () => {
  it('picks the scan’s rule on 3,000 generated rule sets', () => {
    const next = random(17);
    let matched = 0;
    const sets = caseCount(3_000);
    for (let set = 0; set < sets; set++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 12) }, () =>
        next() < 0.1 ? pattern(next) : `${pattern(next)} @org/t${Math.floor(next() * 3)}`,
      );
      const co = parseCodeowners(lines.join('\n'));
      for (let p = 0; p < 10; p++) {
        const file = path(next);
        const fast = ownersOf(co, file);
        const slow = ownersOfByScan(co, file);
        expect(fast?.line, `${file} against:\n${lines.join('\n')}`).toBe(slow?.line);
        if (slow) matched++;
      }
    }
    // Enough matches (of 10 paths per set) that agreement means something.
    expect(matched).toBeGreaterThan(sets * 1.6);
  });

  it('agrees on one rule per flag file, a flat folder with many owners', () => {
    const lines = ['* @org/all', '/flags/ @org/flags'];
    for (let i = 0; i < 2_000; i++) lines.push(`/flags/f-${i}.yaml @org/t${i % 7}`);
    lines.push('/flags/f-1*.yaml @org/ones', 'f-5.yaml', '/flags/f-7.yaml/ @org/never');
    const co = parseCodeowners(lines.join('\n'));
    for (let i = 0; i < 2_100; i++) {
      const file = `flags/f-${i}.yaml`;
      expect(ownersOf(co, file)?.line, file).toBe(ownersOfByScan(co, file)?.line);
    }
    expect(ownersOf(co, 'flags/f-5.yaml')).toMatchObject({ owners: [] });
    expect(ownersOf(co, 'flags/f-17.yaml')?.owners).toEqual(['@org/ones']);
    expect(ownersOf(co, 'flags/f-20.yaml')?.owners).toEqual(['@org/t6']);
    expect(ownersOf(co, 'flags/f-2050.yaml')?.owners).toEqual(['@org/flags']);
  });
});
