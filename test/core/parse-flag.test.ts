import { describe, expect, it } from 'vitest';
import { parseFlag } from '../../scripts/core/parse-flag.ts';

const good = `# yaml-language-server: $schema=../../schema/flag.schema.json
key: live-view
description: Live view over WebRTC.
owner: "@novalien/video"
state: alpha
revertible: true
`;

const rules = (text: string, file = 'flags/video/live-view.yaml') =>
  parseFlag(text, file).violations.map((v) => ({ rule: v.rule, line: v.line, message: v.message }));

describe('parseFlag', () => {
  it('accepts a complete flag and knows the line of each field', () => {
    const parsed = parseFlag(good, 'flags/video/live-view.yaml');
    expect(parsed.violations).toEqual([]);
    expect(parsed.flag?.state).toBe('alpha');
    expect(parsed.lineOf(['state'])).toBe(5);
    expect(parsed.lineOf(['owner'])).toBe(4);
  });

  it('gives the same flag and lines whether a file is read the quick way or through yaml', () => {
    const text = `# yaml-language-server: $schema=../../schema/flag.schema.json
key: live-view
description: >-
  Live view
  over WebRTC.
owner: "@novalien/video"
state: beta
revertible: true
depends_on:
  - edge-session
  - reconnect-backoff
alpha_orgs:
  - org: harbor-logistics
    preview_agreement: PA-2026-031
`;
    // A tab in a comment changes nothing in the data but is left to yaml by the quick reader.
    const quick = parseFlag(text, 'flags/video/live-view.yaml');
    const full = parseFlag(text.replace('# yaml', '#\tyaml'), 'flags/video/live-view.yaml');
    expect(quick.flag).toEqual(full.flag);
    expect(quick.flag?.description).toBe('Live view over WebRTC.');
    const paths = [
      ['state'],
      ['depends_on', 1],
      ['alpha_orgs', 0, 'preview_agreement'],
      ['description'],
      ['plan'],
      [],
    ];
    // A missing field (`plan`) points at its parent: the mapping, which starts at its first key.
    const lines = [7, 11, 14, 3, 2, 2];
    expect(paths.map((p) => quick.lineOf(p))).toEqual(lines);
    expect(paths.map((p) => full.lineOf(p))).toEqual(lines);
  });

  it('reports a syntax error at its line', () => {
    const found = rules(`key: live-view\ndescription: [unclosed\nowner: x\n`);
    expect(found[0]?.rule).toBe('parse');
    expect(found[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a duplicate mapping key by name at the repeat', () => {
    const found = rules(good + 'state: beta\n');
    expect(found).toEqual([expect.objectContaining({ rule: 'parse', line: 7 })]);
    expect(found[0]!.message).toContain('duplicate field `state`');
  });

  it('refuses several documents, pointing at the second', () => {
    const found = rules(good + '---\nkey: other\n');
    expect(found).toEqual([expect.objectContaining({ rule: 'parse', line: 7 })]);
    expect(found[0]!.message).toMatch(/several YAML documents/);
  });

  it('refuses an alias bomb without expanding it', () => {
    // Nine levels of tenfold aliases: 10^9 values, which no machine expands in memory, so the
    // test cannot pass by expanding it, on any clock.
    const names = 'abcdefghi';
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...[...names.slice(1)].map((n, i) => {
        const prev = names[i]!;
        return `${n}: &${n} [${Array.from({ length: 10 }, () => `*${prev}`).join(', ')}]`;
      }),
    ].join('\n');
    const found = rules(bomb);
    expect(found[0]).toMatchObject({ rule: 'parse' });
    expect(found[0]!.message).toMatch(/aliases expand too far/);
  });

  it('says the YAML nests too deep, at its line, for 30,000 levels of brackets or dashes', () => {
    const flow = rules(`key: live-view\ndescription: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`);
    expect(flow).toEqual([expect.objectContaining({ rule: 'parse', line: 2 })]);
    expect(flow[0]!.message).toContain('nests deeper than 64 levels');
    expect(flow[0]!.message).not.toMatch(/call stack/i);
    const dashes = rules(`key: live-view\nalpha_orgs:\n  ${'- '.repeat(30_000)}x\n`);
    expect(dashes).toEqual([expect.objectContaining({ rule: 'parse', line: 3 })]);
    expect(dashes[0]!.message).toContain('nests deeper than 64 levels');
    const blocks = Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(rules(`${blocks}\n`)[0]).toMatchObject({ rule: 'parse', line: 65 });
  });

  it('does not count brackets inside quoted text or comments as nesting', () => {
    const deepText = `"${'['.repeat(100)}"`;
    const text = good.replace(
      /^description: .*$/m,
      `description: ${deepText} # ${'{'.repeat(100)}`,
    );
    expect(rules(text)).toEqual([]);
  });

  it('catches a misspelt field with a suggestion, at the line of the key', () => {
    const found = rules(good + 'depends-on:\n  - other\n');
    expect(found).toEqual([
      {
        rule: 'schema',
        line: 7,
        message: 'unknown field `depends-on`: did you mean `depends_on`?',
      },
    ]);
  });

  it('explains wrong values at their line, in words', () => {
    const found = rules(
      good.replace('state: alpha', 'state: gamma').replace('revertible: true', 'revertible: "yes"'),
    );
    expect(found).toContainEqual({
      rule: 'schema',
      line: 5,
      message: '`state` must be one of alpha, beta, ga, not "gamma"',
    });
    expect(found).toContainEqual(
      expect.objectContaining({
        rule: 'schema',
        line: 6,
        message: expect.stringContaining('true or false'),
      }),
    );
  });

  it('names a missing required field and what it is for', () => {
    const found = rules(good.replace(/^owner:.*\n/m, ''));
    expect(found).toHaveLength(1);
    expect(found[0]!.rule).toBe('schema');
    expect(found[0]!.message).toMatch(/missing required field `owner`.*GitHub team/);
  });

  it('points at a repeated dependency', () => {
    const found = rules(good + 'depends_on:\n  - a\n  - b\n  - a\n');
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'schema',
        line: 10,
        message: expect.stringContaining('"a" twice'),
      }),
    ]);
  });

  it('checks owner handles, https links and key shape', () => {
    const found = rules(
      good.replace('"@novalien/video"', 'video-team') + 'manual: http://docs.example/x\n',
    );
    expect(found.map((f) => f.line).sort()).toEqual([4, 7]);
    expect(found.find((f) => f.line === 7)!.message).toContain('https://');
  });

  it('reports a key that differs from the file name', () => {
    const found = rules(good, 'flags/video/live-view-v2.yaml');
    expect(found).toEqual([expect.objectContaining({ rule: 'key-mismatch', line: 2 })]);
    expect(found[0]!.message).toContain('live-view-v2.yaml');
  });

  it('treats an empty file and a list as schema violations, not crashes', () => {
    expect(rules('')[0]!.rule).toBe('schema');
    expect(rules('- a\n- b\n')[0]).toMatchObject({
      rule: 'schema',
      message: 'the flag must be a mapping, not a list',
    });
  });
});
