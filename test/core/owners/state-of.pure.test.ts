// The history walk reads a flag's `state` from its text, quickly when the file is in the quick
// reader's line-by-line subset, else by the full parse. Pinned here as cases: files the quick reader
// must decide itself (the walk over thousands of commits depends on it), files it must leave to the
// full parse because a line-by-line reading would be wrong, and what the full parse answers.
import { describe, expect, it } from 'vitest';
import { fullStateOf, quickStateOf, stateOfText } from '../../../scripts/core/state-of.ts';

describe('quickStateOf decides the files in its subset', () => {
  const decided: [string, string][] = [
    ['k: x\nstate: ga\n', 'ga'],
    ['a: 1\nstate: ga\nb: 2\n', 'ga'],
    ['k: x\nstate: ga # the rollout\n', 'ga'],
    ['k: x\nstate: "beta"\n', 'beta'],
    ["k: x\nstate: 'alpha'\n", 'alpha'],
    ['state: "ga" # c\n', 'ga'],
    ['k: "say \\"hi\\""\nstate: ga\n', 'ga'],
    ["k: 'it''s'\nstate: ga\n", 'ga'],
    ['k:\n  - "a: b"\n  - \'c #d\'\nstate: ga\n', 'ga'],
    // Lists at the key's column and indented, lists of mappings, nested mappings.
    ['k:\n- a\n- b\nstate: ga\n', 'ga'],
    ['k:\n  - a\n  - b\nstate: beta\n', 'beta'],
    ['k:\n   - a\nstate: ga\n', 'ga'],
    ['k:\n  - a: 1\n    b: 2\n  - c: 3\nstate: alpha\n', 'alpha'],
    ['k:\n- a: 1\n  b: 2\nc: 3\nstate: ga\n', 'ga'],
    ['k:\n  a:\n    b: 1\n  c: 2\nstate: ga\n', 'ga'],
    ['k:\n  - a:\n      b: 1\n  - c\nstate: ga\n', 'ga'],
    ['k:\n  - a:\n    - b\nstate: ga\n', 'ga'],
    ['k:\n  - a:\n  - b\nstate: ga\n', 'ga'],
    ['k:\n  a:\n  - b\nstate: ga\n', 'ga'],
    ['k:\n  a:\n  b: 1\nstate: ga\n', 'ga'],
    ['k:\n  - a\n  - b: 1\n    c: 2\n  - d\nstate: ga\n', 'ga'],
    ['k:\n  - a: 1\n    b:\n      - c\n    d: 2\nstate: ga\n', 'ga'],
    ['k:\n  x:\n    y: 1\n  z:\n  - a\nstate: ga\n', 'ga'],
    // A compact list ends at a key of its own mapping's column, after an item that opened a key.
    ['r:\n  k:\n  - a:\n  - b\n  y: 1\nstate: ga\n', 'ga'],
    // A nested `state` is not the flag's.
    ['k:\n  state: ga\nstate: beta\n', 'beta'],
  ];
  it.each(decided)('%j: %s', (text, state) => {
    expect(quickStateOf(text)).toBe(state);
    expect(stateOfText(text)).toBe(state);
  });
});

describe('quickStateOf leaves to the full parse what a line-by-line reading gets wrong', () => {
  const undecided: [string, string | null][] = [
    // yaml rejects these files; a reader trusting the `state:` line would answer ga.
    ['key: a: b\nstate: ga\n', null],
    ["description: it's: odd\nstate: ga\n", null],
    ["key: x\nl:\n  - a'b: c: d\nstate: ga\n", null],
    ['- a\nstate: ga\n', null],
    [' key: x\nstate: ga\n', null],
    ['  - a\nstate: ga\n', null],
    ['key: x\n  bad: indent\nstate: ga\n', null],
    ['key: x\nstate: ga\n  more: 1\n', null],
    ['key:\n  a: 1\n    b: 2\nstate: ga\n', null],
    ['key:\n    a: 1\n  b: 2\nstate: ga\n', null],
    ['k:\n  - a\n  b: 1\nstate: ga\n', null],
    ['k:\n  - a: 1\n  b: 2\nstate: ga\n', null],
    ['k:\n  - a: 1\n    - b\nstate: ga\n', null],
    ['k:\n  - a:\n   b: 1\nstate: ga\n', null],
    // An item without a key opens no mapping under it.
    ['deps:\n- a\n  b: 1\nstate: ga\n', null],
    // A bare carriage return ends a line for yaml, not for a reader splitting at \n.
    ['k: a\r#x\nstate: ga\n', null],
    // No state, an empty one, two, or one not closed.
    ['k: x\nstate:\n', null],
    ['state:\nk: 1\n', null],
    ["k: x\nstate: 'ga\n", null],
    ['state: ""\n', null],
    ['state: "ga\'\n', null],
    ['state: "ga"x\n', null],
    // Quotes inside a plain value are part of it.
    ['state: x"ga"\n', null],
    ['state: "ga"\nstate: beta\n', 'beta'],
    ['- state: ga\n', null],
    ['k:\n- state: ga\n', null],
  ];
  it.each(undecided)('%j: %s', (text, state) => {
    expect(quickStateOf(text)).toBeUndefined();
    expect(stateOfText(text)).toBe(state);
  });
});

describe('fullStateOf: the root state as yaml reads it, else null', () => {
  const cases: [string, string | null][] = [
    ['state: ga\n', 'ga'],
    ['{key: k, state: beta}\n', 'beta'],
    ['state: gamma\n', null],
    ['state: GA\n', null],
    ['state: 5\n', null],
    ['state: [ga]\n', null],
    ['state: {a: ga}\n', null],
    ['', null],
    ['ga\n', null],
    ['- ga\n', null],
    ['[state, ga]\n', null],
    ['~\n', null],
    ['key: [\n', null],
    ['{\n', null],
  ];
  it.each(cases)('%j: %s', (text, state) => {
    expect(fullStateOf(text)).toBe(state);
  });
});
