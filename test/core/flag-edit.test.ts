import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  hasBlock,
  newFlagText,
  removeBlock,
  schemaPathFor,
  setOverride,
  setRevert,
  setState,
} from '../../scripts/core/flag-edit.ts';
import { parseFlag } from '../../scripts/core/parse-flag.ts';

const flag = `# yaml-language-server: $schema=../../schema/flag.schema.json
# The jittered backoff that keeps a platform restart from becoming a reconnect storm.
key: reconnect-backoff-v2
description: Cameras reconnect with jittered exponential backoff after a platform restart.
owner: "@novalien/platform"
state: alpha   # promoted with flags promote
revertible: true
depends_on: [edge-session-resume]   # flow style, kept as written

# Design partners
alpha_orgs:
  - org: harbor-logistics
    preview_agreement: PA-2026-031
manual: https://docs.novavms.example/manual/reconnect
`;

describe('setState', () => {
  it('changes only the state value, keeping its comment and every other byte', () => {
    const out = setState(flag, 'beta');
    expect(out).toBe(flag.replace('state: alpha   #', 'state: beta   #'));
  });

  it('keeps the quoting of the value', () => {
    expect(setState('key: a\nstate: "alpha"\n', 'beta')).toBe('key: a\nstate: "beta"\n');
    expect(setState("key: a\nstate: 'beta' # x\n", 'ga')).toBe("key: a\nstate: 'ga' # x\n");
  });

  it('adds the field through the document when a file lacks it', () => {
    expect(parse(setState('key: a\n', 'beta'))).toEqual({ key: 'a', state: 'beta' });
  });
});

describe('setOverride', () => {
  const override = {
    decision_maker: '@jdoe',
    incident: 'https://chat.example/incident/42',
    reason: 'customer escalation: reconnect storm at harbor',
  };

  it('appends a fresh block after the last field, before nothing else changes', () => {
    const out = setOverride(flag, override);
    expect(out.startsWith(flag)).toBe(true);
    expect(out.slice(flag.length)).toBe(
      'override:\n  decision_maker: "@jdoe"\n  incident: https://chat.example/incident/42\n  reason: "customer escalation: reconnect storm at harbor"\n',
    );
    expect(parseFlag(out, 'flags/platform/reconnect-backoff-v2.yaml').flag?.override).toEqual(
      override,
    );
  });

  it('replaces an earlier override in place, keeping what follows', () => {
    const stale = flag.replace(
      'manual:',
      'override:\n  decision_maker: "@old"   # who\n  incident: https://chat.example/1\n  reason: old\nmanual:',
    );
    const out = setOverride(stale, override);
    expect(parse(out).override).toEqual(override);
    expect(out).not.toContain('@old');
    expect(out).toContain('# Design partners');
    expect(out.endsWith('manual: https://docs.novavms.example/manual/reconnect\n')).toBe(true);
  });

  it('adds a newline when the file does not end with one', () => {
    const out = setOverride('key: a\nstate: beta', override);
    expect(parse(out)).toEqual({ key: 'a', state: 'beta', override });
  });
});

describe('setRevert and removeBlock', () => {
  const revert = { reason: 'reconnect storm', incident: 'https://chat.example/incident/7' };

  it('writes the revert block and removes an override without touching the rest', () => {
    const withOverride = setOverride(flag, {
      decision_maker: '@jdoe',
      incident: 'https://x.example/1',
      reason: 'r',
    });
    expect(hasBlock(withOverride, 'override')).toBe(true);
    const out = removeBlock(setRevert(setState(withOverride, 'alpha'), revert), 'override');
    expect(hasBlock(out, 'override')).toBe(false);
    expect(out).toBe(
      `${flag}revert:\n  reason: reconnect storm\n  incident: https://chat.example/incident/7\n`,
    );
  });

  it('removes a block in the middle, with the comment line of its value', () => {
    const text =
      'key: a\nrevert:\n  reason: x # why\n  incident: https://y.example\n# kept\nstate: alpha\n';
    expect(removeBlock(text, 'revert')).toBe('key: a\n# kept\nstate: alpha\n');
  });

  it('leaves a text without the block as it is', () => {
    expect(removeBlock(flag, 'override')).toBe(flag);
  });

  it('keeps CRLF line endings in what it adds', () => {
    const out = setRevert('key: a\r\nstate: beta\r\n', revert);
    expect(out).toBe(
      'key: a\r\nstate: beta\r\nrevert:\r\n  reason: reconnect storm\r\n  incident: https://chat.example/incident/7\r\n',
    );
  });

  it('falls back to the document API for a flow mapping, keeping the values', () => {
    const out = setRevert(setState('{key: a, state: beta}\n', 'alpha'), revert);
    expect(parse(out)).toEqual({ key: 'a', state: 'alpha', revert });
  });
});

describe('newFlagText', () => {
  it('starts with the schema line and holds a valid alpha flag', () => {
    const text = newFlagText({
      key: 'live-view',
      owner: '@novalien/video',
      description: 'Live view: sub-second latency.',
      depends_on: ['reconnect-backoff-v2'],
      schemaPath: schemaPathFor('flags/video/live-view.yaml'),
    });
    expect(text).toBe(
      '# yaml-language-server: $schema=../../schema/flag.schema.json\n' +
        'key: live-view\n' +
        'description: "Live view: sub-second latency."\n' +
        'owner: "@novalien/video"\n' +
        'state: alpha\n' +
        'revertible: true\n' +
        'depends_on:\n' +
        '  - reconnect-backoff-v2\n',
    );
    const parsed = parseFlag(text, 'flags/video/live-view.yaml');
    expect(parsed.violations).toEqual([]);
    expect(parsed.flag?.state).toBe('alpha');
  });

  it('leaves depends_on out when there are none, and points deeper folders further up', () => {
    const text = newFlagText({
      key: 'a',
      owner: '@jdoe',
      description: 'A.',
      schemaPath: schemaPathFor('flags/x/y/a.yaml'),
    });
    expect(text).not.toContain('depends_on');
    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../../../schema/flag.schema.json',
    );
  });
});
