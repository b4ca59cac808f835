// The quick reader must never disagree with `yaml`: whatever it accepts, `yaml` parses without a
// problem into the same data. Checked on a zoo of tricky scalars and layouts, on the shipped
// flags, and on thousands of generated flag files and mutations of them (seeded, reproducible).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { quickLoad } from '../../scripts/core/quick-yaml.ts';
import { caseCount } from '../helpers/cases.ts';
import { seededRandom as random } from '../helpers/random.ts';

const ROOT = join(import.meta.dirname, '../..');

/** What `yaml` makes of a text: its data, or why the quick reader must not answer. */
function yamlReading(text: string): { data: unknown } | { problem: string } {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length === 0) return { problem: 'no document' };
  if (docs.length > 1) return { problem: 'several documents' };
  const doc = docs[0]!;
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) return { problem: problems.map((p) => p.code).join(', ') };
  try {
    return { data: doc.toJS({ maxAliasCount: 50 }) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** Asserts agreement on one text; answers whether the quick reader took it. */
function agree(text: string): boolean {
  const quick = quickLoad(text);
  if (quick === undefined) return false;
  const reading = yamlReading(text);
  expect(reading, `yaml refuses what the quick reader took:\n${text}`).toHaveProperty('data');
  // node's own deep equality: Object.is on values (NaN, -0) and no special meaning for a
  // `constructor` field, which vitest's equality takes for the object's class.
  const data = (reading as { data: unknown }).data;
  expect(
    isDeepStrictEqual(quick, data),
    `the two read differently:\n${text}\nquick: ${inspect(quick)}\nyaml: ${inspect(data)}`,
  ).toBe(true);
  return true;
}

const SCALARS = [
  '',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'False',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  '0',
  '-0',
  '+0',
  '007',
  '0o17',
  '0o8',
  '0x1F',
  '0X1F',
  '0b101',
  '1_000',
  '+12',
  '-12',
  '1e3',
  '1E3',
  '1.5e-3',
  '.5',
  '5.',
  '-.5',
  '1.2.3',
  '.inf',
  '-.Inf',
  '+.INF',
  '.NaN',
  '.nan',
  '.NAN',
  '2026-11-24',
  '2026-11-24T12:00:00Z',
  '12:30',
  '1:20:30',
  '0.1',
  '1,000',
  '12e',
  'e3',
  '0x',
  '0o',
  '1__0',
  '123456789012345678901234567890',
  'live-view-v2',
  '@novalien/video',
  '"@novalien/video"',
  "'@novalien/video'",
  'a # comment',
  'a#b',
  'a:b',
  'https://docs.example/x?y=1#z',
  '"quoted \\u00e9 \\x41 \\t tab"',
  '"every escape \\0\\a\\b\\e\\v\\f\\/\\N\\_\\L\\P\\U0001F389\\" \\\\"',
  "'it''s'",
  '"a\\\n  b"',
  '"line\\nbreak"',
  '""',
  "''",
  '"true"',
  "'0o17'",
  '-',
  '- x',
  '[a, b]',
  '[a, [b, c]]',
  '{a: 1, b: [2]}',
  '{}',
  '[]',
  'x: y',
  '"multi\n  line"',
  "'multi\n\n  line'",
  'plain\n  continued',
  'é ünïcode 🎉',
  '"\\ud83c\\udf89"',
  'a  b   c',
  'trailing   ',
  '|\n  block\n  text\n',
  '>\n  folded\n  text\n\n  para\n',
  '|-\n  kept\n',
  '>+\n  kept\n\n',
  '|2\n    indented\n',
  '>-\n  a\n   b\n  c\n',
  '|\n\n  leading blank\n',
  '@reserved',
  '`tick',
  '%percent',
  'a\tb',
  '*alias',
  '&anchor x',
  '!tag x',
  '!!str 1',
  '? x',
  ': x',
  'a:',
  '"unterminated',
  "'unterminated",
  '[unclosed',
  '{unclosed',
  'a ]',
  '---',
  '...',
  '--- x',
  '<<: {a: 1}',
];

const FIELDS = [
  'key',
  'description',
  'owner',
  'state',
  'revertible',
  'depends_on',
  'alpha_orgs',
  'manual',
  'plan',
  'migration',
  'override',
  'revert',
  '__proto__',
  'constructor',
  '"quoted key"',
  "'k'",
  '1',
  'null',
  'true',
  'x y',
  'key',
  'k'.repeat(1030),
  '"a: b"',
  'é',
  '"\\x6bey"',
];

function generatedFile(next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const lines: string[] = [];
  if (next() < 0.3) lines.push('# yaml-language-server: $schema=../../schema/flag.schema.json');
  if (next() < 0.1) lines.push('---');
  const count = 1 + Math.floor(next() * 7);
  for (let i = 0; i < count; i++) {
    const field = pick(FIELDS);
    const shape = next();
    if (shape < 0.6) {
      lines.push(`${field}: ${pick(SCALARS)}`.replace(/\n/g, '\n  '));
    } else if (shape < 0.8) {
      const indent = pick(['', '  ', '    ']);
      lines.push(`${field}:`);
      for (let j = Math.floor(next() * 3); j >= 0; j--)
        lines.push(`${indent}- ${pick(SCALARS).replace(/\n/g, `\n${indent}  `)}`);
    } else {
      lines.push(`${field}:`);
      const indent = pick(['  ', '   ', '    ']);
      for (let j = Math.floor(next() * 3); j >= 0; j--)
        lines.push(`${indent}${pick(FIELDS)}: ${pick(SCALARS).replace(/\n/g, `\n${indent}  `)}`);
    }
    if (next() < 0.1) lines.push(pick(['# a comment', '', '   ', '  # indented comment']));
  }
  if (next() < 0.1) lines.push(pick(['...', '---', '--- x']));
  const eol = next() < 0.1 ? '\r\n' : '\n';
  return lines.join(eol) + (next() < 0.8 ? eol : '');
}

/** Inserts, deletes or duplicates a few characters: near-misses of valid files. */
function mutated(text: string, next: () => number): string {
  const pieces = [
    ' ',
    '  ',
    '\n',
    '\n  ',
    ':',
    ': ',
    '- ',
    '-',
    '"',
    "'",
    '#',
    ' #',
    '[',
    ']',
    ',',
    '|',
    '>',
    '\\',
    '\\n',
    '%',
    '@',
    '`',
    '\u0085',
    '\u2028',
    '\u00a0',
    '\u0000',
    '\u007f',
    '\ufeff',
    'é',
  ];
  let out = text;
  for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
    const at = Math.floor(next() * (out.length + 1));
    const what = next();
    if (what < 0.5)
      out = out.slice(0, at) + pieces[Math.floor(next() * pieces.length)]! + out.slice(at);
    else if (what < 0.7) out = out.slice(0, at) + out.slice(at + 1);
    else if (what < 0.8) {
      // Shift one line's indentation by a space either way.
      const start = out.lastIndexOf('\n', at - 1) + 1;
      out =
        next() < 0.5
          ? `${out.slice(0, start)} ${out.slice(start)}`
          : out.slice(0, start) + out.slice(start).replace(/^ /, '');
    } else out = out.slice(0, at) + out.slice(at, at + 8) + out.slice(at);
  }
  return out;
}

describe('quickLoad', () => {
  it('reads every shipped flag file, exactly as yaml does', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.yaml')) files.push(join(dir, entry.name));
      }
    };
    walk(join(ROOT, 'flags'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(agree(readFileSync(file, 'utf8')), file).toBe(true);
  });

  it('resolves plain scalars with yaml’s core schema, not js-yaml’s own', () => {
    const read = (value: string): unknown =>
      (quickLoad(`v: ${value}\n`) as Record<string, unknown>).v;
    expect(read('yes')).toBe('yes');
    expect(read('1_000')).toBe('1_000');
    expect(read('0b101')).toBe('0b101');
    expect(read('0o17')).toBe(15);
    expect(read('0x1F')).toBe(31);
    expect(read('2026-11-24')).toBe('2026-11-24');
    expect(read('TRUE')).toBe(true);
    expect(read('~')).toBe(null);
    expect(read('.inf')).toBe(Infinity);
    expect(read('"0o17"')).toBe('0o17');
  });

  it('leaves to yaml what the full path must refuse or explain', () => {
    for (const text of [
      '',
      'a: 1\na: 2\n',
      'a: 1\n---\nb: 2\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '%YAML 1.1\n---\na: yes\n',
      '? a\n: 1\n',
      '<<: {a: 1}\n',
      'a:\tb\n',
      '\uFEFFa: 1\n',
      'a: "unterminated\n',
      'a: b: c\n',
      `${'k'.repeat(1100)}: v\n`,
      `"${'\\U0000006b'.repeat(110)}": v\n`,
    ])
      expect(quickLoad(text), JSON.stringify(text)).toBeUndefined();
  });

  it('agrees with yaml on every scalar of the zoo, as a value, an item and a nested field', () => {
    let taken = 0;
    for (const scalar of SCALARS) {
      const block = scalar.replace(/\n/g, '\n  ');
      for (const text of [
        `v: ${block}\n`,
        `v:\n  - ${scalar.replace(/\n/g, '\n    ')}\n`,
        `m:\n  v: ${scalar.replace(/\n/g, '\n    ')}\n`,
        `v: ${block}`,
        `v: ${block}\r\n`.replace(/\n/g, '\r\n'),
      ])
        if (agree(text)) taken++;
    }
    // Most of the zoo is plain data the quick reader must take, or it would be no help.
    expect(taken).toBeGreaterThan(SCALARS.length * 2.5);
  });

  it('agrees with yaml on 10,000 generated flag files and 10,000 near-misses of them', () => {
    const next = random(20261124);
    let taken = 0;
    const n = caseCount(10_000);
    for (let i = 0; i < n; i++) {
      const text = generatedFile(next);
      if (agree(text)) taken++;
      agree(mutated(text, next));
    }
    // Enough of them plain that the comparison means something (about one in ten here).
    expect(taken).toBeGreaterThan(n * 0.08);
  });
});
