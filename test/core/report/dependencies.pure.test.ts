// Dependency cycles as data: which cycles the check names (each once, the shortest, from its
// smallest key), which graphs have none, and the depends_on item the annotation points at.
import { describe, expect, it } from 'vitest';
import { flagsByKey } from '../../../scripts/core/load.ts';
import { dependencyRules, findCycles } from '../../../scripts/core/rules/dependencies.ts';
import { flagSet, type FlagSpec } from '../gate/pure.ts';

const cycles = (...specs: FlagSpec[]) => findCycles(flagsByKey(flagSet(...specs)));

describe('findCycles', () => {
  it('finds none where a flag reaches one already judged by another path (diamonds, shared leaves)', () => {
    expect(
      cycles(
        { key: 'app', depends_on: ['base', 'mid'] },
        { key: 'mid', depends_on: ['base', 'leaf'] },
        { key: 'base', depends_on: ['leaf'] },
        { key: 'leaf' },
        { key: 'other', depends_on: ['mid', 'leaf'] },
      ),
    ).toEqual([]);
  });

  it('finds none when a flag depends on a flag of a cycle judged before it', () => {
    // `a` and `b` form a cycle; `z` only depends on it and is no part of it.
    expect(
      cycles(
        { key: 'a', depends_on: ['b'] },
        { key: 'b', depends_on: ['a'] },
        { key: 'z', depends_on: ['a', 'b'] },
      ),
    ).toEqual([['a', 'b']]);
  });

  it('names a flag that depends on itself once, even when another flag reached it first', () => {
    expect(
      cycles({ key: 'app', depends_on: ['self'] }, { key: 'self', depends_on: ['self'] }),
    ).toEqual([['self']]);
  });

  it('names the shortest cycle through the smallest key, not the first one walked', () => {
    // a -> b -> c -> d -> a and a -> c -> d -> a: the second is the one to name.
    expect(
      cycles(
        { key: 'a', depends_on: ['b', 'c'] },
        { key: 'b', depends_on: ['c'] },
        { key: 'c', depends_on: ['d'] },
        { key: 'd', depends_on: ['a'] },
      ),
    ).toEqual([['a', 'c', 'd']]);
  });

  it('names one cycle per component, a component found through a path that leaves it', () => {
    // `m` leads into the cycle p -> q -> r -> p, and `q` leads out of it to `m2`.
    expect(
      cycles(
        { key: 'm', depends_on: ['q'] },
        { key: 'm2' },
        { key: 'p', depends_on: ['q'] },
        { key: 'q', depends_on: ['m2', 'r'] },
        { key: 'r', depends_on: ['p'] },
      ),
    ).toEqual([['p', 'q', 'r']]);
  });

  it('is the same whatever order the flags were read in', () => {
    const set = flagSet(
      { key: 'c', depends_on: ['d'] },
      { key: 'd', depends_on: ['c'] },
      { key: 'a', depends_on: ['b'] },
      { key: 'b', depends_on: ['a'] },
    );
    const reversed = new Map([...flagsByKey(set)].reverse());
    expect(findCycles(reversed)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(findCycles(flagsByKey(set))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
});

describe('the dependency-cycle violation', () => {
  it('points at the item of the smallest key that names the next flag of the cycle', () => {
    const found = dependencyRules(
      flagSet(
        // depends_on at line 6: `x` at 7, `c` at 8.
        { key: 'b', depends_on: ['x', 'c'] },
        { key: 'c', depends_on: ['b'] },
        { key: 'x' },
      ),
    );
    expect(found.map((v) => `${v.rule} ${v.flag} ${v.line}`)).toEqual(['dependency-cycle b 8']);
    expect(found[0]!.message).toMatch(/^dependency cycle: b -> c -> b: /);
  });

  it('points at the item where a flag names itself', () => {
    const found = dependencyRules(
      flagSet({ key: 'self', depends_on: ['other', 'self'] }, { key: 'other' }),
    );
    expect(found.map((v) => `${v.rule} ${v.flag} ${v.line}`)).toEqual(['dependency-cycle self 8']);
  });
});

describe('the dependency-order violation and its revert command', () => {
  const order = (head: FlagSpec[], base?: FlagSpec[]) =>
    dependencyRules(flagSet(...head), base ? flagSet(...base) : undefined).map((v) => v.message);

  it('a dependency new in this change is to be promoted first, not reverted', () => {
    expect(
      order(
        [{ key: 'app', state: 'beta', depends_on: ['lib'] }, { key: 'lib' }],
        [{ key: 'app', state: 'beta' }],
      ),
    ).toEqual([
      '`app` is beta but depends on `lib`, which is alpha: a dependency must be promoted first; promote `lib` to beta before `app`',
    ]);
  });

  it('a dependency lowered without a revert block: the command with placeholders to fill in', () => {
    expect(
      order(
        [
          { key: 'app', state: 'ga', depends_on: ['lib'] },
          { key: 'lib', state: 'beta' },
        ],
        [
          { key: 'app', state: 'ga', depends_on: ['lib'] },
          { key: 'lib', state: 'ga' },
        ],
      ),
    ).toEqual([
      '`app` is ga but depends on `lib`, which this change reverts from ga to beta: a flag never stands above a dependency, so revert `app` too; `npx flags revert lib --reason ... --incident https://...` lowers `lib` and every flag that depends on it in one change',
    ]);
  });

  it("the revert block's own incident, trimmed; a placeholder for the reason it lacks", () => {
    const [message] = order(
      [
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', revert: { incident: '  https://incidents.example.com/7 ' } as never },
      ],
      [
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', state: 'beta' },
      ],
    );
    expect(message).toContain(
      '`npx flags revert lib --reason ... --incident https://incidents.example.com/7` lowers `lib`',
    );
  });
});

describe('the revert command without an incident', () => {
  it("takes the revert block's reason and a placeholder for the missing incident", () => {
    const [message] = dependencyRules(
      flagSet(
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', revert: { reason: 'storm' } as never },
      ),
      flagSet({ key: 'app', state: 'beta', depends_on: ['lib'] }, { key: 'lib', state: 'beta' }),
    ).map((v) => v.message);
    expect(message).toContain(
      '`npx flags revert lib --reason storm --incident https://...` lowers',
    );
  });
});

describe('a flag that names its own key', () => {
  it('in a second file of the same key (a duplicate-key error) is not called above itself', () => {
    const set = flagSet(
      { key: 'twice', folder: 'aaa' },
      { key: 'twice', folder: 'zzz', state: 'beta', depends_on: ['twice'] },
    );
    expect(set.violations.map((v) => v.rule)).toContain('duplicate-key');
    expect(dependencyRules(set)).toEqual([]);
  });
});
