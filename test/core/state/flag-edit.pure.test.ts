// Edits of a flag file's text (promote, revert, new) at their edges: a text that is not one YAML
// mapping is refused with the command to run, never half-edited; a block at the very end of a
// file without a final newline is removed or replaced whole; nothing else changes.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  hasBlock,
  newFlagText,
  removeBlock,
  setOverride,
  setRevert,
  setState,
} from '../../../scripts/core/flag-edit.ts';

const revert = { reason: 'storm', incident: 'https://chat.example/i/7' };
const REFUSED = 'the flag file is not one YAML mapping; fix it first (flags validate)';

describe('a text that is not one YAML mapping', () => {
  it('is refused by every edit, with what to run', () => {
    for (const text of ['- a\n- b\n', 'key: a\nkey: b\n', 'key: [a\n', 'just text\n']) {
      expect(() => setState(text, 'beta'), text).toThrow(REFUSED);
      expect(() => setRevert(text, revert), text).toThrow(REFUSED);
      expect(() => removeBlock(text, 'revert'), text).toThrow(REFUSED);
    }
  });

  it('has no block', () => {
    expect(hasBlock('- revert\n', 'revert')).toBe(false);
    expect(hasBlock('revert\n', 'revert')).toBe(false);
    expect(hasBlock('key: a\nrevert: null\n', 'revert')).toBe(true);
    expect(hasBlock('key: a\nreverted: x\n', 'revert')).toBe(false);
  });
});

describe('blocks at the end of a file', () => {
  const last = 'key: a\nstate: beta\nrevert:\n  reason: old\n  incident: https://x.example';

  it('removes the last block whole when no newline ends the file', () => {
    expect(removeBlock(last, 'revert')).toBe('key: a\nstate: beta\n');
  });

  it('replaces the last block whole, keeping the fields before it byte for byte', () => {
    expect(setRevert(last, revert)).toBe(
      'key: a\nstate: beta\nrevert:\n  reason: storm\n  incident: https://chat.example/i/7\n',
    );
  });

  it('removes a block written on one line, and only that line', () => {
    expect(removeBlock('key: a\nrevert: {reason: x, incident: y}\nstate: beta\n', 'revert')).toBe(
      'key: a\nstate: beta\n',
    );
  });

  // The aligned comment is what a rewrite through the document would not keep byte for byte.
  const aligned = 'key: a\nstate: beta   # promoted by flags promote\n';

  it('splices, keeping the bytes of other lines: a last block, an existing block, a trailing comment', () => {
    const tail = 'revert:\n  reason: old\n  incident: https://x.example';
    expect(removeBlock(aligned + tail, 'revert')).toBe(aligned);
    const fresh = 'revert:\n  reason: storm\n  incident: https://chat.example/i/7\n';
    expect(setRevert(`${aligned}${tail}\n`, revert)).toBe(aligned + fresh);
    expect(setRevert(`${aligned}# the end\n`, revert)).toBe(`${aligned}${fresh}# the end\n`);
  });

  it('writes an override into an empty mapping through the document', () => {
    const override = { decision_maker: '@cto', incident: 'https://i.example/1', reason: 'r' };
    expect(parse(setOverride('{}\n', override))).toEqual({ override });
  });

  it('sets the state of a last line without a newline', () => {
    expect(setState('key: a\nstate: alpha', 'beta')).toBe('key: a\nstate: beta');
  });
});

describe('newFlagText', () => {
  it('an empty dependency list is left out', () => {
    const text = newFlagText({
      key: 'a',
      owner: '@jdoe',
      description: 'A.',
      depends_on: [],
      schemaPath: '../../schema/flag.schema.json',
    });
    expect(parse(text)).toEqual({
      key: 'a',
      description: 'A.',
      owner: '@jdoe',
      state: 'alpha',
      revertible: true,
    });
  });
});
