// What `flags validate` says about a flag's shape: one sentence per problem, in words, with the
// fix, and the path of the key or value it is about (parse-flag turns the path into a line).
import { describe, expect, it } from 'vitest';
import { checkFlagShape, displayPath, type SchemaProblem } from '../../../scripts/core/schema.ts';

const good = {
  key: 'probe',
  description: 'A probe.',
  owner: '@novalien/video',
  state: 'alpha',
  revertible: true,
};

const problems = (data: unknown): SchemaProblem[] => {
  const shape = checkFlagShape(data);
  if (shape.ok) throw new Error('expected schema problems');
  return shape.problems;
};
const messages = (data: unknown): string[] => problems(data).map((p) => p.message);

describe('checkFlagShape', () => {
  it('accepts a complete flag as it is', () => {
    const flag = { ...good, depends_on: ['a'], alpha_orgs: [{ org: 'acme', reason: 'pilot' }] };
    expect(checkFlagShape(flag)).toEqual({ ok: true, flag });
    // Tabs and line breaks are text.
    expect(checkFlagShape({ ...good, description: 'a\tb\nc' }).ok).toBe(true);
  });

  it('says what the whole file is when it is not a mapping', () => {
    expect(messages('text')).toEqual(['the flag must be a mapping, not the text "text"']);
    expect(messages(null)).toEqual(['the flag must be a mapping, not empty']);
    expect(messages(5)).toEqual(['the flag must be a mapping, not number 5']);
    expect(messages(false)).toEqual(['the flag must be a mapping, not boolean false']);
    expect(messages([1])).toEqual(['the flag must be a mapping, not a list']);
  });

  it('names each missing field with what it is for, at the mapping that lacks it', () => {
    const rest: Record<string, unknown> = { ...good };
    delete rest.owner;
    delete rest.state;
    expect(problems(rest)).toEqual([
      {
        path: [],
        atKey: true,
        message:
          'missing required field `owner` (GitHub team (@org/team) or user (@login) that owns the feature; CODEOWNERS must name it for this file): add it',
      },
      {
        path: [],
        atKey: true,
        // Only the final full stop of the schema's description goes.
        message:
          'missing required field `state` (alpha: Novalien-internal orgs and alpha_orgs only; beta: customer orgs opt in via /admin/feature-flags; ga: default on for all orgs. Change it with `flags promote` or `flags revert`): add it',
      },
    ]);
    expect(
      problems({ ...good, migration: { description: 'x', idempotent_forward: true } }),
    ).toEqual([
      {
        path: ['migration'],
        atKey: true,
        message:
          'missing required field `idempotent_backward` (true when running the backward migration twice is harmless): add it to `migration`',
      },
    ]);
    expect(messages({ ...good, alpha_orgs: [{ org: 'a' }, { reason: 'r' }] })).toEqual([
      'missing required field `org` (The org id): add it to `alpha_orgs[1]`',
    ]);
  });

  it('suggests the field an unknown one was meant to be, two edits away at most', () => {
    const suggestion = (field: string, at?: string): string | undefined => {
      const data = at ? { ...good, [at]: { ...{}, [field]: 1 } } : { ...good, [field]: 1 };
      const message = problems(data).find((p) => p.atKey)!.message;
      return /did you mean `([^`]+)`/.exec(message)?.[1];
    };
    expect(suggestion('depends-on')).toBe('depends_on');
    expect(suggestion('Depends On')).toBe('depends_on');
    expect(suggestion('ALPHA_ORGS')).toBe('alpha_orgs');
    expect(suggestion('dependson')).toBe('depends_on');
    expect(suggestion('revertable')).toBe('revertible');
    expect(suggestion('owne')).toBe('owner');
    expect(suggestion('ownerzz')).toBe('owner');
    expect(suggestion('ownerzzz')).toBeUndefined();
    expect(suggestion('keys')).toBe('key');
    expect(suggestion('mannual')).toBe('manual');
    // Equally near `state` and `plan`: the schema's order decides.
    expect(suggestion('stan')).toBe('state');
    expect(suggestion('reasn', 'revert')).toBe('reason');
    expect(problems({ ...good, 'depends-on': ['a'] })).toEqual([
      {
        path: ['depends-on'],
        atKey: true,
        message: 'unknown field `depends-on`: did you mean `depends_on`?',
      },
    ]);
  });

  it('lists the allowed fields when no known one is near', () => {
    expect(problems({ ...good, rollout: 1 })).toEqual([
      {
        path: ['rollout'],
        atKey: true,
        message:
          'unknown field `rollout`: allowed fields: key, description, owner, state, revertible, depends_on, migration, alpha_orgs, override, revert, manual, plan',
      },
    ]);
    const migration = { description: 'x', idempotent_forward: true, idempotent_backward: true };
    expect(problems({ ...good, migration: { ...migration, zzzzzz: 1 } })).toEqual([
      {
        path: ['migration', 'zzzzzz'],
        atKey: true,
        message:
          'unknown field `zzzzzz`: allowed fields of `migration`: description, idempotent_forward, idempotent_backward',
      },
    ]);
  });

  it('says what type a value must be and what it is, in words', () => {
    expect(
      problems({
        ...good,
        description: 5,
        owner: null,
        revertible: 'yes',
        depends_on: 'a',
        migration: [],
        plan: true,
      }),
    ).toEqual([
      {
        path: ['description'],
        atKey: false,
        message: '`description` must be a string, not number 5',
      },
      { path: ['owner'], atKey: false, message: '`owner` must be a string, not empty' },
      {
        path: ['revertible'],
        atKey: false,
        message: '`revertible` must be true or false, not the text "yes"',
      },
      {
        path: ['depends_on'],
        atKey: false,
        message: '`depends_on` must be a list, not the text "a"',
      },
      { path: ['migration'], atKey: false, message: '`migration` must be a mapping, not a list' },
      { path: ['plan'], atKey: false, message: '`plan` must be a string, not boolean true' },
    ]);
    expect(problems({ ...good, alpha_orgs: [{ org: 5 }, 'x', { org: {} }] })).toEqual([
      {
        path: ['alpha_orgs', 0, 'org'],
        atKey: false,
        message: '`alpha_orgs[0].org` must be a string, not number 5',
      },
      {
        path: ['alpha_orgs', 1],
        atKey: false,
        message: '`alpha_orgs[1]` must be a mapping, not the text "x"',
      },
      {
        path: ['alpha_orgs', 2, 'org'],
        atKey: false,
        message: '`alpha_orgs[2].org` must be a string, not a mapping',
      },
    ]);
  });

  it('lists the allowed states', () => {
    expect(messages({ ...good, state: 'gamma' })).toEqual([
      '`state` must be one of alpha, beta, ga, not "gamma"',
    ]);
    expect(messages({ ...good, state: 3 })).toEqual([
      '`state` must be one of alpha, beta, ga, not 3',
    ]);
  });

  it('explains each pattern in words, at the item it is about', () => {
    expect(
      problems({
        ...good,
        key: 'Bad_Key',
        owner: 'team',
        manual: 'http://x',
        plan: '/abs',
        depends_on: ['ok', 'Bad'],
        alpha_orgs: [{ org: '-x' }],
      }),
    ).toEqual([
      {
        path: ['key'],
        atKey: false,
        message:
          '`key` must be lowercase letters and digits in words joined by single hyphens, starting with a letter (e.g. `live-view-v2`), not "Bad_Key"',
      },
      {
        path: ['owner'],
        atKey: false,
        message: '`owner` must be a GitHub team `@org/team` or user `@login`, not "team"',
      },
      {
        path: ['depends_on', 1],
        atKey: false,
        message:
          '`depends_on[1]` must be the key of another flag (lowercase words joined by hyphens), not "Bad"',
      },
      {
        path: ['alpha_orgs', 0, 'org'],
        atKey: false,
        message: '`alpha_orgs[0].org` must be an org id (letters, digits, `.`, `_`, `-`), not "-x"',
      },
      {
        path: ['manual'],
        atKey: false,
        message: '`manual` must be an https:// link, not "http://x"',
      },
      {
        path: ['plan'],
        atKey: false,
        message:
          '`plan` must be a repository-relative path such as `docs/superpowers/plans/feature.md` (no leading `/`, no `..`), not "/abs"',
      },
    ]);
    expect(messages({ ...good, description: '   ' })).toEqual([
      '`description` must not be blank, not "   "',
    ]);
  });

  it('says an empty text is empty, once (not also that it is blank)', () => {
    expect(problems({ ...good, description: '' })).toEqual([
      { path: ['description'], atKey: false, message: '`description` must not be empty' },
    ]);
  });

  it('names the first control character and where it is, counting characters as people do', () => {
    const control = (text: string): string =>
      messages({ ...good, description: text })[0]!.replace(/^`description` /, '');
    expect(control('😀ab\u0007c')).toBe(
      'must not contain control characters such as NUL, BEL or ESC (U+0007 at character 4): the platform refuses them; remove it or write the text out',
    );
    // The first character is character 1; tab, line feed, space and no-break space are text.
    expect(control('\u0007abc')).toContain('(U+0007 at character 1)');
    expect(control('a\tb\nc d\u00a0\u001b')).toContain('(U+001B at character 9)');
    // DEL and the C1 controls, to their ends.
    expect(control('a\u007f')).toContain('(U+007F at character 2)');
    expect(control('a\u009f')).toContain('(U+009F at character 2)');
    expect(control('\u0080')).toContain('(U+0080 at character 1)');
    expect(control('\u001f')).toContain('(U+001F at character 1)');
    expect(
      messages({ ...good, override: { decision_maker: '@a', incident: 'x\u0085', reason: 'r' } }),
    ).toEqual([
      '`override.incident` must not contain control characters such as NUL, BEL or ESC (U+0085 at character 2): the platform refuses them; remove it or write the text out',
    ]);
  });

  it('says how long is too long and points at the second of a repeated item', () => {
    expect(messages({ ...good, key: 'a'.repeat(64) })).toEqual([
      '`key` is 64 characters long; at most 63 are allowed (the platform refuses more)',
    ]);
    expect(problems({ ...good, depends_on: ['a', 'b', 'c', 'b'] })).toEqual([
      {
        path: ['depends_on', 3],
        atKey: false,
        message: '`depends_on` lists "b" twice: remove the repeat',
      },
    ]);
  });
});

describe('displayPath', () => {
  it('writes a path as people write it in YAML tools: dots and [index]', () => {
    expect(displayPath(['alpha_orgs', 0, 'org'])).toBe('alpha_orgs[0].org');
    expect(displayPath(['a', 0, 'b', 1])).toBe('a[0].b[1]');
    expect(displayPath([0, 'x'])).toBe('[0].x');
    expect(displayPath([])).toBe('');
  });
});
