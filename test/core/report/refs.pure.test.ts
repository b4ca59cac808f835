// Code references as data: what the flag-refs action annotates and how much GitHub shows, the
// config file's refusals with their place, the order references are listed in, the references
// issue and the removal evidence, and the REFS column of `flags status`.
import { describe, expect, it } from 'vitest';
import {
  capAnnotations,
  refsFindings,
  type RefsFinding,
} from '../../../scripts/core/refs/annotations.ts';
import { parseRefsConfig } from '../../../scripts/core/refs/config.ts';
import {
  compareReferences,
  referencesByKey,
  type Reference,
  type ScannedSource,
} from '../../../scripts/core/refs/model.ts';
import {
  derivedNames,
  nameTable,
  namesInText,
  patternsInText,
} from '../../../scripts/core/refs/names.ts';
import {
  MAX_LISTED,
  refsIssueMarker,
  referenceLink,
  refsIssueBody,
  refsIssueTitle,
  removalEvidence,
  scannedLines,
} from '../../../scripts/core/refs/report-text.ts';
import { refsCellText, refsMarks } from '../../../scripts/core/refs/status-marks.ts';
import type { FlagStatus } from '../../../scripts/core/model.ts';

const ref = (key: string, path: string, line: number, source = 'web', name = key): Reference => ({
  key,
  source,
  path,
  line,
  name,
});

describe('what the flag-refs action annotates', () => {
  const flags = new Map([
    ['live', { state: 'beta' as const, since: '2026-11-01T00:00:00Z', stale: false }],
    ['old', { state: 'ga' as const, since: '2026-10-01T08:00:00Z', stale: true }],
    ['old-unknown', { state: 'ga' as const, since: null, stale: true }],
  ]);

  it('an unknown name and an archived flag are errors, a dead ga flag a warning, by file and line', () => {
    const findings = refsFindings({
      references: [
        ref('old', 'b.ts', 9, 'web', 'OLD'),
        ref('live', 'a.ts', 1),
        ref('gone', 'b.ts', 2),
        ref('old-unknown', 'a.ts', 10),
        // Removed and archived, yet still read: the archive does not matter while it is a flag.
        ref('live', 'c.ts', 3),
      ],
      unknown: [{ source: 'web', path: 'b.ts', line: 4, name: 'typo' }],
      flags,
      archived: new Set(['gone', 'live']),
      flagsRepository: 'novalien/flags',
      prefix: 'apps/web/',
    });
    expect(findings).toEqual([
      {
        level: 'warning',
        title: 'dead flag',
        file: 'apps/web/a.ts',
        line: 10,
        message:
          'Flag `old-unknown` (as `old-unknown`) has been at ga since long ago: dead flags are technical debt; remove this path and keep the feature on.',
      },
      {
        level: 'error',
        title: 'archived flag',
        file: 'apps/web/b.ts',
        line: 2,
        message:
          'The code reads flag `gone` (as `gone`), which was removed from novalien/flags and is archived on the platform: remove this path.',
      },
      {
        level: 'error',
        title: 'unknown flag',
        file: 'apps/web/b.ts',
        line: 4,
        message:
          'The code reads flag `typo`, which does not exist in novalien/flags: a typo, or a flag not created yet (`flags new`).',
      },
      {
        level: 'warning',
        title: 'dead flag',
        file: 'apps/web/b.ts',
        line: 9,
        message:
          'Flag `old` (as `OLD`) has been at ga since 2026-10-01: dead flags are technical debt; remove this path and keep the feature on.',
      },
    ]);
    const plain = refsFindings({
      references: [ref('gone', 'x.ts', 1)],
      unknown: [],
      flags,
      archived: new Set(['gone']),
      flagsRepository: 'novalien/flags',
    });
    expect(plain.map((f) => f.file)).toEqual(['x.ts']);
  });

  it('shows 10 of each level and one notice counting the rest', () => {
    const finding = (level: RefsFinding['level'], i: number): RefsFinding => ({
      level,
      title: level,
      file: 'a.ts',
      line: i,
      message: '',
    });
    const tenEach = [
      ...Array.from({ length: 10 }, (_, i) => finding('error', i)),
      ...Array.from({ length: 10 }, (_, i) => finding('warning', i)),
    ];
    expect(capAnnotations(tenEach)).toEqual({ shown: tenEach, notice: null });
    const more = capAnnotations([
      ...tenEach,
      finding('error', 11),
      finding('warning', 11),
      finding('warning', 12),
    ]);
    expect(more.shown).toEqual(tenEach);
    expect(more.notice).toBe(
      "1 more error and 2 more warnings not annotated (GitHub shows 10 errors and 10 warnings per step): every finding is in this step's log.",
    );
    const errors = capAnnotations([
      ...Array.from({ length: 12 }, (_, i) => finding('error', i)),
      finding('warning', 1),
    ]);
    expect(errors.notice).toMatch(/^2 more errors not annotated /);
    expect(errors.shown).toHaveLength(11);
    expect(
      capAnnotations(Array.from({ length: 11 }, (_, i) => finding('warning', i))).notice,
    ).toMatch(/^1 more warning not annotated /);
  });
});

describe('the config file, .github/flag-refs.yaml', () => {
  it('a source named, with its repository, aliases and pattern', () => {
    const config = parseRefsConfig(
      [
        'sources:',
        '  - name: web',
        '    path: ../web',
        '    repository: novalien/web.app',
        '    aliases: { live-view: [LiveCam, live_cam] }',
        '  - path: ../api',
        '    exclude: ~',
        '    aliases: ~',
        '    pattern: ~',
        'aliases: ~',
      ].join('\n'),
    );
    expect(config).toEqual({
      sources: [
        {
          name: 'web',
          path: '../web',
          repository: 'novalien/web.app',
          exclude: [],
          aliases: { 'live-view': ['LiveCam', 'live_cam'] },
          pattern: null,
        },
        {
          name: '../api',
          path: '../api',
          repository: null,
          exclude: [],
          aliases: {},
          pattern: null,
        },
      ],
      aliases: {},
    });
    expect(parseRefsConfig('sources: []\n')).toEqual({ sources: [], aliases: {} });
    expect(
      parseRefsConfig('sources:\n  - path: a\n    pattern: "f\\\\((\\\\w+)\\\\)"\n').sources[0]!
        .pattern,
    ).toEqual(/f\((\w+)\)/gm);
  });

  it.each([
    ['a list at the top', '- a\n', 'top level: expected a mapping'],
    ['not YAML', 'a: [\n', 'parse: '],
    ['sources not a list', 'sources: {}\n', 'sources: expected a list'],
    ['a source not a mapping', 'sources: [a]\n', 'sources[0]: expected a mapping'],
    ['a source that is null', 'sources: [~]\n', 'sources[0]: expected a mapping'],
    ['an empty path', 'sources:\n  - path: ""\n', 'sources[0]: `path` is required'],
    ['a path that is no string', 'sources:\n  - path: 3\n', 'sources[0]: `path` is required'],
    [
      'an empty name',
      'sources:\n  - path: a\n    name: ""\n',
      'sources[0]: `name` must be a non-empty string',
    ],
    [
      'a name that is no string',
      'sources:\n  - path: a\n    name: 3\n',
      'sources[0]: `name` must be a non-empty string',
    ],
    [
      'a repository without owner',
      'sources:\n  - path: a\n    repository: web\n',
      'sources[0]: `repository` must be owner/name',
    ],
    [
      'a repository with a path around it',
      'sources:\n  - path: a\n    repository: x/novalien/web/y\n',
      'sources[0]: `repository` must be owner/name',
    ],
    [
      'a repository that is no string',
      'sources:\n  - path: a\n    repository: 3\n',
      'sources[0]: `repository` must be owner/name',
    ],
    [
      'an unknown source field',
      'sources:\n  - path: a\n    paths: b\n',
      'sources[0]: unknown field `paths` (allowed: name, path, repository, exclude, aliases, pattern)',
    ],
    [
      'exclude not a list',
      'sources:\n  - path: a\n    exclude: docs\n',
      'sources[0].exclude: expected a list of non-empty strings',
    ],
    [
      'an empty exclude',
      'sources:\n  - path: a\n    exclude: [""]\n',
      'sources[0].exclude: expected a list of non-empty strings',
    ],
    [
      'an exclude that is no string',
      'sources:\n  - path: a\n    exclude: [3]\n',
      'sources[0].exclude: expected a list of non-empty strings',
    ],
    ['aliases as a list', 'aliases: [a]\n', 'aliases: expected a mapping'],
    [
      'an alias with a dot',
      'sources:\n  - path: a\n    aliases: { k: [a.b] }\n',
      'sources[0].aliases.k: alias `a.b` is not one word',
    ],
    [
      'an empty pattern',
      'sources:\n  - path: a\n    pattern: ""\n',
      'sources[0].pattern: expected a regular expression',
    ],
    [
      'a pattern that is no string',
      'sources:\n  - path: a\n    pattern: 3\n',
      'sources[0].pattern: expected a regular expression',
    ],
    [
      'a pattern that does not compile',
      'sources:\n  - path: a\n    pattern: "("\n',
      'sources[0].pattern: Invalid regular expression',
    ],
    [
      'two sources of one name',
      'sources:\n  - path: a\n  - path: b\n    name: a\n',
      'sources: two sources are named `a`',
    ],
  ])('refuses %s, naming the place', (_, text, message) => {
    expect(() => parseRefsConfig(text)).toThrow(`.github/flag-refs.yaml: ${message}`);
  });
});

describe('names in code', () => {
  it('a name derived once when forms coincide; aliases of keys that are not flags ignored', () => {
    expect(derivedNames('x')).toEqual(['x', 'X']);
    const table = nameTable(['a-b'], [{ 'a-b': ['AB', 'a-b'], gone: ['G'] }]);
    expect(table.get('AB')).toEqual(['a-b']);
    expect(table.get('a-b')).toEqual(['a-b']);
    expect(table.has('G')).toBe(false);
  });

  it('a flag named after a property every object has reads only its own names', () => {
    // `constructor` and `length` are valid keys; an alias map (or a missing one) must not lend them
    // Object's function or a string's length.
    const table = nameTable(['constructor', 'length', 'x'], [{ x: ['Ex'] }]);
    expect(table.get('constructor')).toEqual(['constructor']);
    expect(table.get('Constructor')).toEqual(['constructor']);
    expect(table.get('LENGTH')).toEqual(['length']);
    expect(table.get('Ex')).toEqual(['x']);
    expect([...nameTable(['length']).keys()]).toEqual(['length', 'Length', 'LENGTH']);
  });

  it('each name on its own line, lines counted across several matches and blank lines', () => {
    const table = nameTable(['live-view']);
    expect(namesInText('live-view\n\n--live-view-- x\nLIVE_VIEW liveView\n', table)).toEqual([
      { name: 'live-view', keys: ['live-view'], line: 1 },
      { name: 'live-view', keys: ['live-view'], line: 3 },
      { name: 'LIVE_VIEW', keys: ['live-view'], line: 4 },
      { name: 'liveView', keys: ['live-view'], line: 4 },
    ]);
    expect(namesInText('-live-view', table)).toEqual([
      { name: 'live-view', keys: ['live-view'], line: 1 },
    ]);
    expect(namesInText('live-view-', table)).toEqual([
      { name: 'live-view', keys: ['live-view'], line: 1 },
    ]);
  });

  it("a capture is on the line where it starts, not the match's; a line break is on the line it ends", () => {
    expect(patternsInText('a\nflag(x)\n\nflag(y)', /\nflag\((\w)\)/)).toEqual([
      { name: 'x', line: 2 },
      { name: 'y', line: 4 },
    ]);
    expect(patternsInText('a\nflag(\n  x)', /flag\(\s*(?<name>\w)\)/)).toEqual([
      { name: 'x', line: 3 },
    ]);
    // The group `name` wins over the first group, wherever each stands.
    expect(patternsInText('use(\n"k",\n"v")', /use\(\s*"(\w)",\s*"(?<name>\w)"\)/)).toEqual([
      { name: 'v', line: 3 },
    ]);
    // Without a group the whole match is the name, on the line where it starts; a capture that
    // is a line break is on the line that break ends.
    expect(patternsInText('a\nflag(x)', /\nflag\(\w\)/)).toEqual([{ name: '\nflag(x)', line: 1 }]);
    expect(patternsInText('x\ny', /x(\s)/)).toEqual([{ name: '\n', line: 1 }]);
    // A capture inside a lookbehind starts before its match, even before the last capture.
    expect(patternsInText('a\nb\nX\nY', /(?<=(b\n|^a[\s\S]*))[XY]/)).toEqual([
      { name: 'b\n', line: 2 },
      { name: 'a\nb\nX\n', line: 1 },
    ]);
  });

  it('a pattern without a group gives its whole match; a pattern keeps its own flags', () => {
    expect(patternsInText('a\nflag(x)\nFLAG(y)', /flag\(\w\)/i)).toEqual([
      { name: 'flag(x)', line: 2 },
      { name: 'FLAG(y)', line: 3 },
    ]);
    expect(patternsInText('f(a) f(b)\nf(c)', /f\((\w)\)/g)).toEqual([
      { name: 'a', line: 1 },
      { name: 'b', line: 1 },
      { name: 'c', line: 2 },
    ]);
  });
});

describe('the order references are listed in', () => {
  it('every key, with or without references, by key; each list by source, path, then line', () => {
    const refs = [
      ref('b', 'z.ts', 1, 'web'),
      ref('b', 'a.ts', 10, 'web'),
      ref('b', 'a.ts', 2, 'web'),
      ref('b', 'a.ts', 1, 'api'),
      ref('unknown', 'a.ts', 1),
    ];
    const byKey = referencesByKey(['c', 'b', 'a'], { references: refs });
    expect([...byKey.keys()]).toEqual(['a', 'b', 'c']);
    expect(byKey.get('a')).toEqual([]);
    expect(byKey.get('b')!.map((r) => `${r.source}:${r.path}:${r.line}`)).toEqual([
      'api:a.ts:1',
      'web:a.ts:2',
      'web:a.ts:10',
      'web:z.ts:1',
    ]);
    expect(compareReferences(ref('b', 'a.ts', 1), ref('b', 'a.ts', 1))).toBe(0);
    expect(compareReferences(ref('b', 'b.ts', 1), ref('b', 'a.ts', 9))).toBe(1);
  });
});

describe('the references issue and the removal evidence', () => {
  const git: ScannedSource = {
    name: 'web',
    dir: '/src/web',
    commit: 'abc123',
    prefix: 'apps/web/',
    mode: 'git',
    repository: 'novalien/web',
  };
  const plain: ScannedSource = {
    ...git,
    name: 'docs',
    dir: '/src/docs',
    commit: null,
    prefix: '',
    mode: 'plain',
    repository: null,
  };
  const fresh: ScannedSource = {
    ...git,
    name: 'new',
    dir: '/src/new',
    commit: null,
    prefix: '',
    repository: null,
  };
  const flag: FlagStatus = {
    key: 'old',
    file: 'flags/video/old.yaml',
    owner: '@novalien/video',
    state: 'ga',
    since: '2026-11-01T10:00:00Z',
    soakLeftMs: 0,
    next: null,
    eligibleAt: null,
    blockedBy: [],
    removable: true,
    stale: true,
  };
  const NOW = new Date('2026-11-16T09:59:59Z');

  it('links a line at the commit read, path parts encoded, only when both are known', () => {
    expect(referenceLink(git, { path: 'src/a b#.ts', line: 7 }, 'https://github.com//')).toBe(
      'https://github.com/novalien/web/blob/abc123/apps/web/src/a%20b%23.ts#L7',
    );
    expect(
      referenceLink({ ...git, commit: null }, { path: 'a.ts', line: 1 }, 'https://github.com'),
    ).toBeNull();
    expect(referenceLink(plain, { path: 'a.ts', line: 1 }, 'https://github.com')).toBeNull();
    expect(referenceLink(undefined, { path: 'a.ts', line: 1 }, 'https://github.com')).toBeNull();
  });

  it('says what each source was when scanned', () => {
    expect(scannedLines([git, { ...git, prefix: '' }, plain, fresh])).toEqual([
      '- `web`: novalien/web (`apps/web/`), at `abc123`, tracked files',
      '- `web`: novalien/web, at `abc123`, tracked files',
      '- `docs`: `/src/docs`, a folder that is not a git repository (no commit to cite)',
      '- `new`: `/src/new`, a repository with no commit yet',
    ]);
  });

  it('a title that counts what is left', () => {
    expect(refsIssueTitle('old', 0)).toBe('Flag old: no code references left');
    expect(refsIssueTitle('old', 1)).toBe('Flag old: remove 1 code reference');
    expect(refsIssueTitle('old', 2)).toBe('Flag old: remove 2 code references');
  });

  it('a body with the days at ga (whole days), each reference and its link, and what was scanned', () => {
    const body = refsIssueBody({
      flag,
      references: [ref('old', 'src/a|b.ts', 3, 'web', 'OLD'), ref('old', 'x.md', 1, 'docs')],
      sources: [git, plain],
      serverUrl: 'https://github.com',
      now: NOW,
    });
    expect(body).toBe(
      [
        '`old` is at ga since 2026-11-01 (14 days). The runbook: _after a successful soak (typically 7–14 days at GA), remove the flag from the codebase in a follow-up PR. Dead flags are technical debt._ Owner: @novalien/video.',
        'The code still reads it in 2 places. Remove those paths (the feature simply on); the scheduled report keeps this list up to date, closes this issue when the count reaches zero, and then proposes removing `flags/video/old.yaml`.',
        '### References',
        [
          '| source | where | name |',
          '| --- | --- | --- |',
          '| web | [src/a\\|b.ts:3](https://github.com/novalien/web/blob/abc123/apps/web/src/a%7Cb.ts#L3) | `OLD` |',
          '| docs | `x.md:1` | `old` |',
        ].join('\n'),
        '### Scanned',
        scannedLines([git, plain]).join('\n'),
      ].join('\n\n') + '\n',
    );
    const one = refsIssueBody({
      flag: { ...flag, since: null },
      references: [ref('old', 'a.ts', 1)],
      sources: [],
      serverUrl: 'https://github.com',
      now: NOW,
    });
    expect(one).toMatch(/^`old` is at ga\. /);
    expect(one).toContain('The code still reads it in 1 place. ');
  });

  it('with none left, says the issue closes itself; with more than 300, lists 300 and counts the rest', () => {
    const none = refsIssueBody({
      flag,
      references: [],
      sources: [git],
      serverUrl: 'https://github.com',
      now: NOW,
    });
    expect(none).toContain(
      'No code reference is left: this issue closes itself, and the scheduled report opens the pull request that removes the flag file.\n\n### Scanned',
    );
    expect(none).not.toContain('### References');
    const many = (n: number) =>
      refsIssueBody({
        flag,
        references: Array.from({ length: n }, (_, i) => ref('old', 'a.ts', i + 1)),
        sources: [],
        serverUrl: 'https://github.com',
        now: NOW,
      });
    expect(MAX_LISTED).toBe(300);
    expect(many(300)).toContain('| web | `a.ts:300` |');
    expect(many(300)).not.toContain('more: run');
    expect(many(301)).not.toContain('`a.ts:301`');
    expect(many(301)).toContain(
      '| web | `a.ts:300` | `old` |\n\n…and 1 more: run `flags refs` for the whole list.',
    );
  });

  it('the removal evidence names the key and every source scanned', () => {
    expect(removalEvidence('old', [git])).toBe(
      '### Code references\n\nNone: no source reads `old` (its key, accessor names or aliases) in what the report scanned:\n\n- `web`: novalien/web (`apps/web/`), at `abc123`, tracked files',
    );
  });
});

describe('the REFS column of flags status', () => {
  it('unused when read nowhere, dead code when stale and still read, else the count', () => {
    const cells = refsMarks(
      [
        { key: 'none', stale: true },
        { key: 'dead', stale: true },
        { key: 'live', stale: false },
        { key: 'missing', stale: false },
      ],
      new Map([
        ['none', []],
        ['dead', [1, 2]],
        ['live', [1]],
      ]),
    );
    expect([...cells]).toEqual([
      ['none', { count: 0, mark: 'unused' }],
      ['dead', { count: 2, mark: 'dead code' }],
      ['live', { count: 1, mark: null }],
      ['missing', { count: 0, mark: 'unused' }],
    ]);
    expect(['none', 'dead', 'live', 'other'].map((k) => refsCellText(cells.get(k)))).toEqual([
      '0 (unused)',
      '2 (dead code)',
      '1',
      '-',
    ]);
  });
});

describe('code references: edges', () => {
  it('findings of an earlier file come first even with a later line', () => {
    const findings = refsFindings({
      references: [ref('gone', 'a.ts', 5), ref('gone', 'b.ts', 1), ref('nothing-known', 'a.ts', 1)],
      unknown: [],
      flags: new Map(),
      archived: new Set(['gone']),
      flagsRepository: 'novalien/flags',
    });
    // A key that is neither a flag nor archived has no facts to judge: no finding.
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['a.ts:5', 'b.ts:1']);
  });

  it('refuses a list with one empty entry, a repository given as a list, and names the YAML error', () => {
    expect(() => parseRefsConfig('sources:\n  - path: a\n    exclude: [docs, ""]\n')).toThrow(
      'sources[0].exclude: expected a list of non-empty strings',
    );
    expect(() =>
      parseRefsConfig('sources:\n  - path: a\n    repository: [novalien/web]\n'),
    ).toThrow('sources[0]: `repository` must be owner/name');
    expect(() => parseRefsConfig('a: [\n')).toThrow(
      '.github/flag-refs.yaml: parse: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:',
    );
    expect(parseRefsConfig('# nothing yet\n')).toEqual({ sources: [], aliases: {} });
  });

  it('the name table holds exactly the derived names and the aliases given', () => {
    const table = nameTable(['a-b', 'c'], [{ 'a-b': ['Ab2'] }]);
    expect([...table.keys()].sort()).toEqual(['AB', 'A_B', 'Ab2', 'C', 'a-b', 'aB', 'c']);
  });

  it('an empty capture is no name', () => {
    expect(patternsInText('flag() flag(x)', /flag\((\w*)\)/)).toEqual([{ name: 'x', line: 1 }]);
  });

  it("the issue's hidden marker, and a line break in a cell is one space", () => {
    expect(refsIssueMarker('old')).toBe('flag-refs:old');
    const body = refsIssueBody({
      flag: {
        key: 'old',
        file: 'flags/video/old.yaml',
        owner: '@o',
        state: 'ga',
        since: null,
        soakLeftMs: 0,
        next: null,
        eligibleAt: null,
        blockedBy: [],
        removable: true,
        stale: true,
      },
      references: [ref('old', 'a\r\nb.ts', 1)],
      sources: [],
      serverUrl: 'https://github.com',
      now: new Date('2026-11-20T00:00:00Z'),
    });
    expect(body).toContain('| web | `a b.ts:1` | `old` |');
  });
});
