// The export formats as data: flags in, documents out. flagd answers per state what the platform
// answers (alpha: internal orgs and alpha_orgs; beta: plus opt-ins, an opt-out wins; ga: all but
// opt-outs); the manifest and the typed accessors carry each flag's facts; a key two flags share
// in code is refused.
import { describe, expect, it } from 'vitest';
import {
  ExportRefusal,
  exportFlags,
  type CustomerChoices,
  type ExportFlag,
  type ExportInput,
} from '../../../scripts/core/export/export-model.ts';
import { flagdArtifact, flagdDocument, flagdText } from '../../../scripts/core/export/flagd.ts';
import { manifestArtifact } from '../../../scripts/core/export/manifest.ts';
import {
  GENERATED_FILES,
  needsHistory,
  renderArtifact,
} from '../../../scripts/core/export/render.ts';
import { constantNames, typescriptModule } from '../../../scripts/core/export/typescript.ts';
import { flagSet } from '../gate/pure.ts';

const COMMIT = 'c'.repeat(40);
const INTERNAL = ['novalien-internal', 'novalien-internal-staging'];

const flag = (key: string, more: Partial<ExportFlag> = {}): ExportFlag => ({
  key,
  description: `The ${key} feature.`,
  owner: '@novalien/video',
  state: 'alpha',
  since: '2026-11-01T10:00:00Z',
  manual: null,
  alphaOrgs: [],
  ...more,
});

const read = (
  byFlag: Record<string, { optedIn: string[]; optedOut: string[] }>,
): CustomerChoices => ({
  status: 'read',
  source: 'http://127.0.0.1:8080',
  byFlag: new Map(Object.entries(byFlag)),
});

const input = (flags: ExportFlag[], choices: CustomerChoices = read({})): ExportInput => ({
  commit: COMMIT,
  flags,
  choices,
});

const orgIn = (orgs: string[]) => ({ in: [{ var: 'orgId' }, orgs] });

describe('exportFlags', () => {
  it('sorts by key, writes the soak clock to the second, and lists alpha orgs once, sorted', () => {
    const set = flagSet(
      { key: 'zeta', state: 'ga', manual: 'https://docs.example.com/zeta' },
      {
        key: 'alpha-one',
        alpha_orgs: [
          { org: 'wayne', preview_agreement: 'https://legal.example.com/w' },
          { org: 'acme', preview_agreement: 'https://legal.example.com/a' },
          { org: 'wayne', preview_agreement: 'https://legal.example.com/w2' },
        ],
      },
      { key: 'mid', folder: 'aaa' },
    );
    const since = new Map([
      ['zeta', new Date('2026-11-02T03:04:05.000Z')],
      ['mid', new Date('2026-11-02T03:04:05.678Z')],
      ['alpha-one', null],
    ]);
    expect(exportFlags(set.flags, since)).toEqual([
      {
        key: 'alpha-one',
        description: 'The alpha-one feature.',
        owner: '@novalien/video',
        state: 'alpha',
        since: null,
        manual: null,
        alphaOrgs: ['acme', 'wayne'],
      },
      expect.objectContaining({ key: 'mid', since: '2026-11-02T03:04:05.678Z', alphaOrgs: [] }),
      expect.objectContaining({
        key: 'zeta',
        state: 'ga',
        since: '2026-11-02T03:04:05Z',
        manual: 'https://docs.example.com/zeta',
      }),
    ]);
    expect(exportFlags(set.flags).map((f) => f.since)).toEqual([null, null, null]);
  });
});

describe('exportFlags order', () => {
  it('by key, whatever order the files were read in', () => {
    const keys = ['m', 'c', 'x', 'a', 'q', 'b', 'z', 'k'];
    const set = flagSet(...keys.map((key) => ({ key })));
    const sorted = [...keys].sort();
    expect(exportFlags(set.flags).map((f) => f.key)).toEqual(sorted);
    expect(exportFlags([...set.flags].reverse()).map((f) => f.key)).toEqual(sorted);
  });
});

describe('flagd: each state answers what the platform answers', () => {
  it('alpha: the internal orgs and its alpha orgs, off for everyone else', () => {
    const doc = flagdDocument(input([flag('a', { alphaOrgs: ['acme', 'novalien-internal'] })]));
    expect(doc.flags['a']).toEqual({
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [orgIn(['acme', ...INTERNAL]), 'on', 'off'] },
      metadata: {
        owner: '@novalien/video',
        state: 'alpha',
        since: '2026-11-01T10:00:00Z',
        commit: COMMIT,
      },
    });
  });

  it('alpha: what customers chose does not count before beta', () => {
    const doc = flagdDocument(
      input([flag('a')], read({ a: { optedIn: ['globex'], optedOut: ['initech'] } })),
    );
    expect(doc.flags['a']!.targeting).toEqual({ if: [orgIn(INTERNAL), 'on', 'off'] });
  });

  it('beta: adds the orgs that opted in; an opt-out wins over everything', () => {
    const choices = read({
      b: { optedIn: ['globex', 'acme'], optedOut: ['initech'] },
      c: { optedIn: ['globex'], optedOut: [] },
    });
    const doc = flagdDocument(
      input(
        [flag('b', { state: 'beta', alphaOrgs: ['acme'] }), flag('c', { state: 'beta' })],
        choices,
      ),
    );
    expect(doc.flags['b']!.defaultVariant).toBe('off');
    expect(doc.flags['b']!.targeting).toEqual({
      if: [orgIn(['initech']), 'off', orgIn(['acme', 'globex', ...INTERNAL]), 'on', 'off'],
    });
    expect(doc.flags['c']!.targeting).toEqual({
      if: [orgIn(['globex', ...INTERNAL]), 'on', 'off'],
    });
  });

  it('ga: on for every org but those that opted out; no targeting when none did', () => {
    const doc = flagdDocument(
      input(
        [flag('g', { state: 'ga' }), flag('h', { state: 'ga', since: null })],
        read({ g: { optedIn: [], optedOut: ['initech'] } }),
      ),
    );
    expect(doc.flags['g']!.defaultVariant).toBe('on');
    expect(doc.flags['g']!.targeting).toEqual({ if: [orgIn(['initech']), 'off', 'on'] });
    expect(doc.flags['h']).toEqual({
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'on',
      metadata: { owner: '@novalien/video', state: 'ga', commit: COMMIT },
    });
  });

  it('says where the customer choices came from, or why they are unknown', () => {
    expect(flagdDocument(input([])).metadata).toEqual({
      flagSetId: 'novavms',
      commit: COMMIT,
      contextKey: 'orgId',
      customerChoices: 'read from the platform at http://127.0.0.1:8080',
    });
    const unknown = input([flag('b', { state: 'beta' })], {
      status: 'unknown',
      reason: 'no --platform-url',
    });
    expect(flagdDocument(unknown).metadata['customerChoices']).toBe(
      'unknown (no --platform-url): beta is on only for the internal orgs and alpha_orgs, ga for every org',
    );
    expect(flagdDocument(unknown).flags['b']!.targeting).toEqual({
      if: [orgIn(INTERNAL), 'on', 'off'],
    });
  });
});

describe('flagd text and notes', () => {
  it('reuses one evaluation per shape but keeps each flag its own metadata and choices', () => {
    const flags = [
      flag('a'),
      flag('b', { since: null, owner: '@erin' }),
      flag('c', { state: 'beta' }),
      flag('d', { state: 'beta' }),
      flag('e', { state: 'beta', alphaOrgs: ['acme'] }),
    ];
    const i = input(flags, read({ d: { optedIn: ['globex'], optedOut: [] } }));
    expect(JSON.parse(flagdText(i))).toEqual(flagdDocument(i));
  });

  it('warns when beta or ga flags are exported without the customer choices, and only then', () => {
    const unknown: CustomerChoices = { status: 'unknown', reason: 'the platform did not answer' };
    expect(
      flagdArtifact(
        input(
          [
            flag('a'),
            flag('b', { state: 'beta' }),
            flag('g', { state: 'ga' }),
            flag('h', { state: 'ga' }),
          ],
          unknown,
        ),
      ).notes,
    ).toEqual([
      'customer opt-ins and opt-outs are unknown (the platform did not answer): 1 beta flag(s) are off for every customer org that opted in, and 2 ga flag(s) are on even for orgs that opted out; pass --platform-url to read them',
    ]);
    expect(flagdArtifact(input([flag('g', { state: 'ga' })], unknown)).notes).toHaveLength(1);
    expect(flagdArtifact(input([flag('a')], unknown)).notes).toEqual([]);
    expect(flagdArtifact(input([flag('b', { state: 'beta' })])).notes).toEqual([]);
  });
});

describe('the manifest', () => {
  it('every flag a boolean that defaults to off, with its description, as indented JSON', () => {
    const artifact = manifestArtifact({ flags: [flag('a'), flag('b', { state: 'ga' })] });
    expect(artifact.notes).toEqual([]);
    expect(artifact.text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(artifact.text).flags).toEqual({
      a: { flagType: 'boolean', defaultValue: false, description: 'The a feature.' },
      b: { flagType: 'boolean', defaultValue: false, description: 'The b feature.' },
    });
    expect(artifact.text).toContain('\n  "flags": {\n    "a": {\n      "flagType": "boolean",');
  });
});

describe('the typed accessors', () => {
  it('one constant per flag with its facts, the union of keys, and the map by key', () => {
    const text = typescriptModule({
      flags: [
        flag('live-view', { manual: 'https://docs.example.com/live' }),
        flag('smart-search', { state: 'ga', description: "Ends */ here\nand it's two lines" }),
      ],
    });
    expect(text).toContain("export type FlagKey =\n  | 'live-view'\n  | 'smart-search';\n");
    expect(text).toContain(
      [
        '/**',
        ' * The live-view feature.',
        ' *',
        ' * Owner: `@novalien/video`. State: `alpha`.',
        ' * Manual: https://docs.example.com/live',
        ' */',
        'export const LIVE_VIEW = {',
        "  key: 'live-view',",
        "  description: 'The live-view feature.',",
        "  owner: '@novalien/video',",
        "  state: 'alpha',",
        '  manual: null,',
      ]
        .join('\n')
        .replace('manual: null', "manual: 'https://docs.example.com/live'"),
    );
    expect(text).toContain(
      [
        '/**',
        ' * Ends *\\/ here',
        " * and it's two lines",
        ' *',
        ' * Owner: `@novalien/video`. State: `ga`.',
        ' */',
        'export const SMART_SEARCH = {',
        "  key: 'smart-search',",
        "  description: 'Ends */ here\\nand it\\'s two lines',",
      ].join('\n'),
    );
    expect(text).toContain("  state: 'ga',\n  manual: null,\n} as const satisfies FlagInfo;");
    expect(text).toContain("  'live-view': LIVE_VIEW,\n  'smart-search': SMART_SEARCH,\n}");
    expect(text).toContain("export const orgContextKey = 'orgId';");
  });

  it('an empty repository has no key at all', () => {
    const text = typescriptModule({ flags: [] });
    expect(text).toContain('export type FlagKey = never;\n');
    expect(text).toContain('export const flagsByKey = {\n} as const');
  });

  it('refuses two keys that take one constant name, naming both', () => {
    expect(() => constantNames(['live-view', 'live--view', 'other'])).toThrow(ExportRefusal);
    expect(() => constantNames(['x-y', 'live-view', 'live--view', 'x--y'])).toThrow(
      'flags `live--view` and `live-view` both take the constant name `LIVE_VIEW`: rename one of them\nflags `x--y` and `x-y` both take the constant name `X_Y`: rename one of them',
    );
    expect(constantNames(['live-view'])).toEqual(new Map([['live-view', 'LIVE_VIEW']]));
  });
});

describe('render', () => {
  it('each format its artifact; only flagd needs history; flagd is never a committed file', () => {
    const i = input([flag('a')]);
    expect(renderArtifact('flagd', i)).toEqual(flagdArtifact(i));
    expect(renderArtifact('manifest', i)).toEqual(manifestArtifact(i));
    expect(renderArtifact('typescript', i)).toEqual({ text: typescriptModule(i), notes: [] });
    expect(needsHistory('flagd')).toBe(true);
    expect(needsHistory('manifest')).toBe(false);
    expect(needsHistory('typescript')).toBe(false);
    expect(GENERATED_FILES.map((g) => g.format)).toEqual(['manifest', 'typescript']);
  });
});
