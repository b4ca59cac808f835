// The flagd file's layout: the same document as flagdDocument, each flag on a line of its own.
import { describe, expect, it } from 'vitest';
import type { ExportFlag, ExportInput } from '../../scripts/core/export/export-model.ts';
import { flagdDocument, flagdText } from '../../scripts/core/export/flagd.ts';

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

const input = (flags: ExportFlag[]): ExportInput => ({
  commit: 'c'.repeat(40),
  flags,
  choices: {
    status: 'read',
    source: 'http://127.0.0.1:1',
    byFlag: new Map([['b-"quoted"', { optedIn: ['acme'], optedOut: ['globex'] }]]),
  },
});

describe('flagdText', () => {
  it('is flagdDocument, one flag per line', () => {
    const flags = [
      flag('a', { alphaOrgs: ['harbor'] }),
      flag('b-"quoted"', { state: 'beta', since: null }),
      flag('c', { state: 'ga' }),
    ];
    const text = flagdText(input(flags));
    expect(JSON.parse(text)).toEqual(flagdDocument(input(flags)));
    const lines = text.split('\n');
    for (const f of flags) {
      const line = lines.filter((l) => l.startsWith(`    ${JSON.stringify(f.key)}: {`));
      expect(line).toHaveLength(1);
      expect(JSON.parse(line[0]!.slice(line[0]!.indexOf(': ') + 2).replace(/,$/, ''))).toEqual(
        flagdDocument(input(flags)).flags[f.key],
      );
    }
    expect(text.endsWith('\n  }\n}\n')).toBe(true);
  });

  it('holds an empty set', () => {
    const text = flagdText(input([]));
    expect(JSON.parse(text)).toEqual(flagdDocument(input([])));
    expect(text).toContain('"flags": {}');
  });
});
