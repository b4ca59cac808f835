// The history reader's quick `state` must never disagree with the full parse: a differential test
// over adversarial files (flow mappings, multi-line quoted and block scalars, comments, anchors,
// documents, odd indentation) and thousands of generated ones (seeded, reproducible).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullStateOf, quickStateOf, stateOfText } from '../../scripts/core/state-of.ts';
import { caseCount } from '../helpers/cases.ts';
import { seededRandom as random } from '../helpers/random.ts';

const ROOT = join(import.meta.dirname, '../..');

/** Asserts both paths agree on `text`; answers whether the quick path decided it. */
function agree(text: string): boolean {
  const quick = quickStateOf(text);
  const full = fullStateOf(text);
  expect(stateOfText(text), `stateOfText differs from the full parse on:\n${text}`).toBe(full);
  if (quick === undefined) return false;
  expect(quick, `the quick reader says ${quick}, the full parse ${full}, on:\n${text}`).toBe(full);
  return true;
}

const ADVERSARIAL: readonly string[] = [
  // The case: a flow mapping whose quoted description holds a line `state: ga`.
  '{key: trick, description: "Trick flag\nstate: ga\nend", owner: "@novalien/video", state: beta, revertible: true}\n',
  "{key: trick, description: 'Trick\nstate: ga\nend', state: alpha}\n",
  'key: trick\ndescription: "Trick\nstate: ga\n  end"\nstate: beta\n',
  'key: trick\ndescription: "Trick\nstate: ga\n  end"\n',
  "key: trick\ndescription: 'it''s\nstate: ga\n  end'\nstate: alpha\n",
  'key: trick\ndescription: |\n  text\nstate: ga\n',
  'key: trick\nstate: beta\ndescription: >\n  folded\n  state: ga\n',
  '|\nstate: ga\n',
  '>\nstate: ga\n',
  '"\nstate: ga\n"\n',
  "'\nstate: ga\n'\n",
  '[\nstate: ga\n]\n',
  '{\nstate: ga\n}\n',
  'key: trick\n? state\n: ga\nstate2: beta\n',
  'key: trick\n"state": beta\nnote: "x\nstate: ga\n  y"\n',
  'key: trick\nstate: beta\n---\nstate: ga\n',
  '---\nstate: ga\n...\n---\nstate: beta\n',
  '--- |\nstate: ga\n',
  '%YAML 1.2\n---\nstate: ga\n',
  'key: trick\nstate: &s ga\nother: *s\n',
  'base: &b\n  state: ga\n<<: *b\nkey: trick\n',
  'key: trick\nstate: !!str ga\n',
  'key: trick\nstate: ga\nstate: beta\n',
  'key: trick\nstate: beta # state: ga\n',
  '# state: ga\nkey: trick\nstate: beta\n',
  'key: trick\n  state: ga\n',
  'key: trick\nstate: ga\n   bad: indent\n',
  'key: trick\nlist:\n  - a\n - b\nstate: ga\n',
  'key: trick\nstate: ga\n\tbad: tab\n',
  'key: trick\r\nstate: ga\r\n',
  'key: trick\nstate:\n  ga\n',
  'key: trick\nstate: "ga"\n',
  "key: trick\nstate: 'ga'\n",
  'key: trick\nstate: "g\\u0061"\n',
  'key: trick\nstate: ga:\n',
  'key: trick\nstate: ga: x\n',
  'key: trick\nstate: ga #\n',
  'key: trick\nstate: ga#x\n',
  'key: trick\nstate:ga\n',
  'key: trick\nstate: ga \n',
  '- state: ga\n',
  'state: ga\n- x\n',
  'key: "unterminated\nstate: ga\n',
  'key: x\ndescription: plain text that\n  goes on\nstate: ga\n',
  'key: x\ndescription: plain text that\nstate: ga\n  goes on\n',
  'key: x\ndeps:\n- a\n- b\nstate: ga\n',
  'key: x\ndeps:\n  - a\n- b\nstate: ga\n',
  'key: x\norgs:\n  - org: a\n    why: b\n  - org: c\nstate: beta\n',
  'key: x\norgs:\n  - org: a\n     why: b\nstate: beta\n',
  'key: x\noverride:\n  reason: r\n  link: https://x.example/a#b\nstate: ga\n',
  'key: x\ns: "a \\q b"\nstate: ga\n',
  'key: x\ns: "a" trailing\nstate: ga\n',
  'key: x\ns: "a"# c\nstate: ga\n',
  'key: x\ns: @reserved\nstate: ga\n',
  'key: x\ns: `reserved\nstate: ga\n',
  'key: x\ns: {a: 1}\nstate: ga\n',
  'key: x\ns: [a, b]\nstate: ga\n',
  'key: x\ns: [a,\nstate: ga]\n',
  '\ufeffkey: x\nstate: ga\n',
  'key: x\u2028state: ga\n',
  'key: x\nstate: ga\u0085\n',
  '',
  '# only a comment\n',
  'state: ga',
  'state: beta\n\n\n',
  'key: x\nstate: GA\n',
  'key: x\nstate: gamma\n',
  'key: x\nnull: 1\nstate: alpha\n',
  'key: x\ntrue: 1\nstate: alpha\n',
  `${'k'.repeat(1100)}: 1\nstate: ga\n`,
  'key: x\n- - a\nstate: ga\n',
  'key: x\nitems:\n  - - a\nstate: ga\n',
  'key: x\nitems:\n  -\nstate: ga\n',
  'key: x\nitems:\n  - a:\n    - b\n  c: d\nstate: ga\n',
  'key: x\nitems:\n  - a:\n    - b\n    c: d\nstate: ga\n',
  'key: x\nitems:\n  - a:\n  - b\nstate: ga\n',
  'key: x\nstate: ga\nkey: x\n',
];

describe('stateOfText: the quick reader against the full parse', () => {
  it('agrees on every adversarial file, and reads the issue’s case as beta', () => {
    for (const text of ADVERSARIAL) agree(text);
    expect(stateOfText(ADVERSARIAL[0]!)).toBe('beta');
    expect(quickStateOf(ADVERSARIAL[0]!)).toBeUndefined();
  });

  it('decides the shipped flag files itself, agreeing with the full parse', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.yaml')) files.push(join(dir, e.name));
      }
    };
    walk(join(ROOT, 'flags'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(agree(readFileSync(file, 'utf8')), file).toBe(true);
  });

  it('agrees on 2,000 generated files built from tricky lines', () => {
    const next = random(20261128);
    let taken = 0;
    const n = caseCount(2_000);
    for (let i = 0; i < n; i++) if (agree(generated(next))) taken++;
    // Enough decided by the quick reader that the comparison means something.
    expect(taken).toBeGreaterThan(n * 0.3);
  }, 300_000); // CPU work on a shared machine: a bound, not a race
});

const VALUES = [
  'ga',
  'beta',
  'alpha',
  '"ga"',
  "'beta'",
  '"g\\u0061"',
  'plain text',
  "it's fine",
  'say "hi"',
  'a # comment',
  'a#b',
  'a:b',
  'a: b',
  'a:',
  'https://x.example/a?b=1#c',
  '"@novalien/video"',
  '@novalien/video',
  '"multi',
  'line"',
  "'multi",
  "line'",
  '"a \\" b"',
  '"bad \\q"',
  '|',
  '>-',
  '|2',
  '&a ga',
  '*a',
  '!!str ga',
  '{a: 1}',
  '[a, b]',
  '[a,',
  '{a:',
  '~',
  'null',
  'true',
  '1.5',
  '(x)',
  '.hidden',
  '-',
  '- x',
  '? x',
  '%x',
  '',
];

const KEYS = ['state', 'key', 'description', 'owner', 'depends_on', 'orgs', 'org', '"state"', 's'];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

/** One line of a flag-like file: entries, items, comments, markers, at a random indentation. */
function trickyLine(next: () => number): string {
  const indent = ' '.repeat(pick(next, [0, 0, 0, 1, 2, 2, 3, 4, 6]));
  const roll = next();
  const value = pick(next, VALUES);
  const key = pick(next, KEYS);
  const sep = value === '' ? '' : ' ';
  if (roll < 0.45) return `${indent}${key}:${sep}${value}`;
  if (roll < 0.6) return `${indent}- ${key}:${sep}${value}`;
  if (roll < 0.72) return `${indent}- ${value}`;
  if (roll < 0.8) return `${indent}# state: ga`;
  if (roll < 0.86) return '';
  if (roll < 0.9) return pick(next, ['---', '...', '--- |', 'state: ga', 'state: beta']);
  return `${indent}${value}`;
}

const SAFE_VALUES = [
  'plain text',
  "it's fine",
  '"@novalien/video"',
  'a#b',
  'https://x.example/a',
  '1.5',
];

/** A well-formed flag file in the quick reader's subset: nested lists, mappings and comments. */
function plainFile(next: () => number): string[] {
  const lines = ['# a comment', 'key: generated', `description: ${pick(next, SAFE_VALUES)}`];
  lines.push(`state: ${pick(next, ['alpha', 'beta', 'ga', '"ga"', "'beta'"])}`);
  if (next() < 0.5) lines.push('depends_on:', '  - a', '  - b # why');
  if (next() < 0.5) lines.push('deps:', '- a', '- b');
  if (next() < 0.5)
    lines.push('alpha_orgs:', '  - org: a', '    preview_agreement: PA-1', '', '  - org: b');
  if (next() < 0.5) lines.push('override:', '  reason: "x: y"', '  link: https://x.example/#1');
  if (next() < 0.3) lines.push('items:', '  - a:', '    - b', '    c: d', '  - e');
  // Shuffle whole top-level blocks: a block starts at each column-0 line.
  const blocks: string[][] = [];
  for (const l of lines) {
    if (/^[^ -]/.test(l) || blocks.length === 0) blocks.push([l]);
    else blocks.at(-1)!.push(l);
  }
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return blocks.flat();
}

/** A plain file, most of the time with one to three tricky lines put in or swapped for others. */
function generated(next: () => number): string {
  const lines = plainFile(next);
  const changes = Math.floor(next() * 4);
  for (let c = 0; c < changes; c++) {
    const at = Math.floor(next() * (lines.length + 1));
    if (next() < 0.5) lines.splice(at, 0, trickyLine(next));
    else lines[Math.min(at, lines.length - 1)] = trickyLine(next);
  }
  return lines.join('\n') + (next() < 0.9 ? '\n' : '');
}
