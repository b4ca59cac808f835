// The rules that need no history, judged as data: dependencies (missing, order, cycles and the
// revert path), revertible and migrations, alpha orgs, CODEOWNERS, and complete override and
// revert blocks. Each message and line is what an engineer reads in the annotation.
import { describe, expect, it } from 'vitest';
import { parseCodeowners } from '../../scripts/core/codeowners.ts';
import { flagsByKey } from '../../scripts/core/load.ts';
import { GITHUB_LOGIN, revertProblems } from '../../scripts/core/rules/blocks.ts';
import { findCycles, shellQuote } from '../../scripts/core/rules/dependencies.ts';
import { sortViolations, staticRules } from '../../scripts/core/rules/static-rules.ts';
import type { Violation } from '../../scripts/core/model.ts';
import { flagSet, type FlagSpec } from './gate/pure.ts';

const OWNERS = parseCodeowners('/flags/video/ @novalien/video\n/flags/other/ @novalien/other\n');

/** The rules on `specs`, with their rule, flag and line, and the messages by rule. */
function rules(specs: FlagSpec[], base?: FlagSpec[], codeowners = OWNERS) {
  const set = flagSet(...specs);
  const found = staticRules(set, codeowners, base ? flagSet(...base) : undefined);
  return {
    found,
    ids: found.map((v) => `${v.rule} ${v.flag} ${v.line}`),
    messages: found.map((v) => v.message),
  };
}

describe('dependencies', () => {
  it('a dependency that is not a flag, at the item that names it', () => {
    const out = rules([{ key: 'app', depends_on: ['lib', 'nope'] }, { key: 'lib' }]);
    expect(out.ids).toEqual(['dependency-missing app 8']);
    expect(out.messages).toEqual([
      'depends on `nope`, which is not a flag: fix the key or add flags/<team>/nope.yaml first',
    ]);
  });

  it('is not called missing when its file is broken (reported there)', () => {
    const set = flagSet({ key: 'app', depends_on: ['lib'] });
    set.brokenFiles.push('flags/video/lib.yaml');
    expect(staticRules(set, OWNERS)).toEqual([]);
  });

  it('a flag above its dependency: promote the dependency first', () => {
    const out = rules([{ key: 'app', state: 'beta', depends_on: ['lib'] }, { key: 'lib' }]);
    expect(out.ids).toEqual(['dependency-order app 3']);
    expect(out.messages[0]).toBe(
      '`app` is beta but depends on `lib`, which is alpha: a dependency must be promoted first; promote `lib` to beta before `app`',
    );
    expect(
      rules([
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', state: 'beta' },
      ]).found,
    ).toEqual([]);
    expect(
      rules([
        { key: 'app', depends_on: ['lib'] },
        { key: 'lib', state: 'ga' },
      ]).found,
    ).toEqual([]);
  });

  it('a change that reverts the dependency: revert the dependent too, with the one command', () => {
    const revert = {
      reason: 'reconnect storm at 14:00',
      incident: 'https://incidents.example.com/42',
    };
    const out = rules(
      [
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', revert },
      ],
      [
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', state: 'beta' },
      ],
    );
    expect(out.messages).toEqual([
      "`app` is beta but depends on `lib`, which this change reverts from beta to alpha: a flag never stands above a dependency, so revert `app` too; `npx flags revert lib --reason 'reconnect storm at 14:00' --incident https://incidents.example.com/42` lowers `lib` and every flag that depends on it in one change",
    ]);
    // The base had the dependency no higher: not a revert of it, so promote it first.
    const never = rules(
      [
        { key: 'app', state: 'beta', depends_on: ['lib'] },
        { key: 'lib', revert },
      ],
      [{ key: 'app', state: 'beta', depends_on: ['lib'] }, { key: 'lib' }],
    );
    expect(never.messages[0]).toMatch(
      /a dependency must be promoted first; promote `lib` to beta before `app`$/,
    );
  });

  it('without a base, a revert block on the dependency offers both ways, with placeholders when blank', () => {
    const out = rules([
      { key: 'app', state: 'beta', depends_on: ['lib'] },
      { key: 'lib', revert: { reason: ' ', incident: '' } },
    ]);
    expect(out.messages[0]).toBe(
      '`app` is beta but depends on `lib`, which is alpha: a dependency must be promoted first; promote `lib` to beta before `app`; or, if `lib` is being reverted, revert `app` too: `npx flags revert lib --reason ... --incident https://...` lowers both',
    );
  });

  it('a cycle, named once from its smallest key, at the item that closes it', () => {
    const out = rules([
      { key: 'b', depends_on: ['c'] },
      { key: 'c', depends_on: ['x', 'b'] },
      { key: 'x' },
      { key: 'tail', depends_on: ['b'] },
    ]);
    expect(out.ids).toEqual(['dependency-cycle b 7']);
    expect(out.messages).toEqual([
      'dependency cycle: b -> c -> b: flags in a cycle can never be promoted one after the other; remove one of these dependencies',
    ]);
  });

  it('a flag that depends on itself is a cycle, not an order problem', () => {
    const out = rules([{ key: 'self', state: 'beta', depends_on: ['self'] }]);
    expect(out.ids).toEqual(['dependency-cycle self 7']);
    expect(out.messages[0]).toContain('dependency cycle: self -> self:');
  });

  it('findCycles: one shortest cycle per component, each from its smallest key, none in a long chain', () => {
    const set = flagSet(
      { key: 'a', depends_on: ['b'] },
      { key: 'b', depends_on: ['c', 'a'] },
      { key: 'c', depends_on: ['a'] },
      { key: 'p', depends_on: ['q'] },
      { key: 'q', depends_on: ['p', 'missing'] },
    );
    expect(findCycles(flagsByKey(set))).toEqual([
      ['a', 'b'],
      ['p', 'q'],
    ]);
    const chain = flagSet(
      ...Array.from({ length: 3000 }, (_, i) => ({
        key: `k${i}`,
        ...(i > 0 ? { depends_on: [`k${i - 1}`] } : {}),
      })),
    );
    expect(findCycles(flagsByKey(chain))).toEqual([]);
  });

  it('shellQuote leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('https://i.example.com/a_b-1,2=@%+')).toBe(
      'https://i.example.com/a_b-1,2=@%+',
    );
    expect(shellQuote('two words')).toBe("'two words'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });
});

describe('revertible', () => {
  it('a ga flag must be revertible; below ga it need not be', () => {
    const out = rules([
      { key: 'g', state: 'ga', revertible: false },
      { key: 'b', state: 'beta', revertible: false },
    ]);
    expect(out.ids).toEqual(['revertible g 4']);
    expect(out.messages[0]).toMatch(
      /^`g` is at ga but not revertible: every ga flag must be revertible/,
    );
  });

  it('a ga flag with a migration must be idempotent both ways, named at the field that is not', () => {
    const mig = (f: boolean, b: boolean) => ({
      description: 'adds a column',
      idempotent_forward: f,
      idempotent_backward: b,
    });
    const out = rules([
      { key: 'fwd', state: 'ga', migration: mig(false, true) },
      { key: 'bwd', state: 'ga', migration: mig(true, false) },
      { key: 'both', state: 'ga', migration: mig(false, false) },
      { key: 'fine', state: 'ga', migration: mig(true, true) },
      { key: 'early', state: 'beta', migration: mig(false, false) },
    ]);
    expect(out.ids).toEqual(['revertible both 8', 'revertible bwd 9', 'revertible fwd 8']);
    expect(out.messages).toEqual([
      '`both` is at ga but its migration is not idempotent forward and backward: a migration must be idempotent both forward and backward so the flag stays revertible',
      '`bwd` is at ga but its migration is not idempotent backward: a migration must be idempotent both forward and backward so the flag stays revertible',
      '`fwd` is at ga but its migration is not idempotent forward: a migration must be idempotent both forward and backward so the flag stays revertible',
    ]);
  });
});

describe('alpha orgs', () => {
  it('outside Novalien only with a preview agreement, at the org that lacks one', () => {
    const out = rules([
      {
        key: 'a',
        alpha_orgs: [
          { org: 'novalien-internal' },
          { org: 'novalien-internal-staging' },
          { org: 'harbor-logistics', preview_agreement: 'PA-7' },
          { org: 'acme' },
        ],
      },
    ]);
    // Line 11: the fourth item (`- org: acme`), not the list.
    expect(out.ids).toEqual(['alpha-org a 11']);
    expect(out.messages[0]).toMatch(
      /^alpha org `acme` is outside Novalien and has no `preview_agreement`/,
    );
  });
});

describe('codeowners', () => {
  it('without a CODEOWNERS file, every flag says so', () => {
    const out = rules([{ key: 'a' }, { key: 'b' }], undefined, null as never);
    expect(out.ids).toEqual(['codeowners a 2', 'codeowners b 2']);
    expect(out.messages[0]).toBe(
      'no CODEOWNERS file, so nobody must review changes to this flag: run `npx flags codeowners --write` to regenerate the flag rules',
    );
  });

  it('no matching rule, another owner, or nobody: each names what GitHub would do', () => {
    const co = parseCodeowners(
      '/flags/video/ @novalien/other\n/flags/nobody/\n/flags/case/ @NOVALIEN/VIDEO\n',
      '.github/CODEOWNERS',
    );
    const out = rules(
      [
        { key: 'v' },
        { key: 'n', folder: 'nobody' },
        { key: 'u', folder: 'unlisted' },
        { key: 'c', folder: 'case' },
      ],
      undefined,
      co,
    );
    expect(out.ids).toEqual(['codeowners n 2', 'codeowners u 2', 'codeowners v 2']);
    expect(out.messages).toEqual([
      'owner is @novalien/video but the last matching rule of .github/CODEOWNERS (line 2: `/flags/nobody/`) names nobody: run `npx flags codeowners --write` to regenerate the flag rules',
      'no rule in .github/CODEOWNERS matches flags/unlisted/u.yaml, so @novalien/video is not asked to review it: run `npx flags codeowners --write` to regenerate the flag rules',
      'owner is @novalien/video but the last matching rule of .github/CODEOWNERS (line 1: `/flags/video/`) names @novalien/other: run `npx flags codeowners --write` to regenerate the flag rules',
    ]);
  });
});

describe('override and revert blocks', () => {
  const override = (o: Record<string, string>) =>
    rules([
      {
        key: 'o',
        override: {
          decision_maker: '@jdoe',
          incident: 'https://i.example.com/1',
          reason: 'r',
          ...o,
        },
      },
    ]);

  it('a complete override has no problem', () => {
    expect(override({}).found).toEqual([]);
  });

  it('each missing or malformed field, at its own line', () => {
    const blank = override({ decision_maker: ' ', incident: '', reason: '  ' });
    expect(blank.ids).toEqual([
      'override-invalid o 7',
      'override-invalid o 8',
      'override-invalid o 9',
    ]);
    expect(blank.messages).toEqual([
      'the `override` names no decision-maker: skipping a soak is decided in the incident channel by a named person; add `decision_maker: "@login"`',
      'the `override` has no incident link: add `incident: "https://..."`, the incident-channel thread where the decision was made',
      'the `override` gives no reason: say why the soak is skipped',
    ]);
    const bad = override({ decision_maker: 'jdoe', incident: 'http://i.example.com/1' });
    expect(bad.messages).toEqual([
      '`override.decision_maker` must be one person\'s GitHub login such as "@jdoe", not "jdoe"',
      '`override.incident` must be an https:// link to the incident-channel thread, not "http://i.example.com/1"',
    ]);
    for (const incident of ['https://', 'https://a b', 'https://user@host/x', 'xhttps://a.b']) {
      expect(override({ incident }).ids, incident).toEqual(['override-invalid o 8']);
    }
    for (const incident of ['https://a.b', 'https://a.b/x?y#z', 'https://a.b?q']) {
      expect(override({ incident }).found, incident).toEqual([]);
    }
  });

  it('a field left out entirely is missing, like a blank one', () => {
    const out = rules([
      {
        key: 'o',
        override: { decision_maker: '@jdoe', incident: 'https://i.example.com/1' } as never,
      },
    ]);
    expect(out.messages).toEqual(['the `override` gives no reason: say why the soak is skipped']);
  });

  it('a GitHub login: @, then up to 39 letters, digits and single inner hyphens', () => {
    for (const ok of ['@a', '@a-b', '@A9', `@${'a'.repeat(39)}`])
      expect(GITHUB_LOGIN.test(ok), ok).toBe(true);
    for (const bad of [
      'a',
      '@',
      '@-a',
      '@a-',
      '@a--b',
      '@a_b',
      `@${'a'.repeat(40)}`,
      '@a b',
      'x@a',
    ])
      expect(GITHUB_LOGIN.test(bad), bad).toBe(false);
  });

  it('a revert block lacks a reason, a link, or an https link', () => {
    expect(revertProblems({ reason: 'r', incident: 'https://i.example.com/1' })).toEqual([]);
    expect(revertProblems({ reason: ' ', incident: ' ' })).toEqual([
      'has no reason',
      'has no incident link',
    ]);
    expect(revertProblems({ reason: 'r', incident: 'ftp://i.example.com' })).toEqual([
      'has an incident link that is not https ("ftp://i.example.com")',
    ]);
  });
});

describe('all rules together', () => {
  it('keeps the load problems of the set, and sorts by file, line, rule', () => {
    const set = flagSet(
      { key: 'b', state: 'ga', revertible: false, depends_on: ['gone'] },
      { key: 'a' },
    );
    const loadProblem: Violation = {
      rule: 'schema',
      severity: 'error',
      flag: null,
      file: 'flags/video/z.yaml',
      line: 1,
      message: 'broken',
    };
    set.violations.push(loadProblem);
    const found = staticRules(set, OWNERS);
    expect(found[0]).toBe(loadProblem);
    expect(found.map((v) => `${v.rule} ${v.line}`)).toEqual([
      'schema 1',
      'dependency-missing 7',
      'revertible 4',
    ]);
  });

  it('sorts by file, then line, then rule; no file and no line first', () => {
    const v = (file: string | null, line: number | null, rule: string): Violation =>
      ({ rule, severity: 'error', flag: null, file, line, message: '' }) as Violation;
    const sorted = sortViolations([
      v('flags/b.yaml', 9, 'soak'),
      v('flags/b.yaml', 10, 'alpha-org'),
      v('flags/a.yaml', 2, 'soak'),
      v('flags/a.yaml', 2, 'drift'),
      v(null, null, 'schema'),
      v('flags/a.yaml', null, 'removal'),
    ]).map((x) => `${x.file} ${x.line} ${x.rule}`);
    expect(sorted).toEqual([
      'null null schema',
      'flags/a.yaml null removal',
      'flags/a.yaml 2 drift',
      'flags/a.yaml 2 soak',
      'flags/b.yaml 9 soak',
      'flags/b.yaml 10 alpha-org',
    ]);
  });
});
