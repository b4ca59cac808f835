// The flag section of CODEOWNERS, generated from each flag's `owner`: one rule per folder whose
// flags share an owner, else one per file; sorted, so the text is the same for the same flags;
// paths escaped so GitHub reads them as written; and the block placed last (the last matching
// rule wins), replacing an earlier block and nothing else.
import { describe, expect, it } from 'vitest';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  flagRules,
  withFlagRules,
} from '../../../scripts/core/codeowners-block.ts';
import { ownersOf, parseCodeowners } from '../../../scripts/core/codeowners.ts';
import type { FlagFile } from '../../../scripts/core/model.ts';

const flag = (file: string, owner: string): FlagFile => ({
  file,
  flag: {
    key: file.slice(file.lastIndexOf('/') + 1, -'.yaml'.length),
    description: 'x',
    owner,
    state: 'alpha',
    revertible: true,
  },
  lineOf: () => 1,
});

describe('flagRules', () => {
  it('a folder rule when the owners agree ignoring case, file rules in file order when not; folders sorted', () => {
    expect(
      flagRules([
        flag('flags/video/b.yaml', '@o/Video'),
        flag('flags/mixed/d.yaml', '@o/y'),
        flag('flags/video/a.yaml', '@o/video'),
        flag('flags/mixed/c.yaml', '@o/x'),
        flag('flags/mixed/deep/e.yaml', '@o/x'),
      ]),
    ).toEqual([
      '/flags/mixed/c.yaml @o/x',
      '/flags/mixed/d.yaml @o/y',
      '/flags/mixed/deep/*.yaml @o/x',
      '/flags/video/*.yaml @o/video',
    ]);
  });

  it('escapes what CODEOWNERS would read otherwise: spaces, #, wildcards, brackets, backslashes', () => {
    expect(
      flagRules([flag('flags/a b#c/x*?.yaml', '@o/x'), flag('flags/a b#c/w.yaml', '@o/y')]),
    ).toEqual(['/flags/a\\ b\\#c/w.yaml @o/y', '/flags/a\\ b\\#c/x\\*\\?.yaml @o/x']);
    // Read back by our own CODEOWNERS reader, the rule names that one file and no other.
    const rules = flagRules([
      flag('flags/a b#c/[y]\\z.yaml', '@o/x'),
      flag('flags/a b#c/w.yaml', '@o/y'),
    ]);
    expect(rules).toEqual([
      '/flags/a\\ b\\#c/\\[y\\]\\\\z.yaml @o/x',
      '/flags/a\\ b\\#c/w.yaml @o/y',
    ]);
    const co = parseCodeowners(rules.join('\n'));
    expect(ownersOf(co, 'flags/a b#c/[y]\\z.yaml')?.owners).toEqual(['@o/x']);
    expect(ownersOf(co, 'flags/a b#c/y\\z.yaml')).toBeUndefined();
    expect(ownersOf(co, 'flags/a b#c/w.yaml')?.owners).toEqual(['@o/y']);
  });
});

describe('withFlagRules', () => {
  const flags = [flag('flags/video/a.yaml', '@o/video')];
  const block = `${BLOCK_BEGIN}\n/flags/video/*.yaml @o/video\n${BLOCK_END}`;

  it('an empty file: the block alone', () => {
    expect(withFlagRules('', flags)).toBe(`${block}\n`);
  });

  it('appends the block after a blank line, so its rules match last', () => {
    expect(withFlagRules('* @o/all\n', flags)).toBe(`* @o/all\n\n${block}\n`);
    expect(withFlagRules('* @o/all', flags)).toBe(`* @o/all\n\n${block}\n`);
  });

  it('replaces an earlier block in place, keeping the lines around it', () => {
    const old = `* @o/all\n# BEGIN flags: older wording\n/flags/old/*.yaml @o/old\n  ${BLOCK_END}  \ndocs/ @o/docs\n`;
    expect(withFlagRules(old, flags)).toBe(`* @o/all\n${block}\ndocs/ @o/docs\n`);
  });

  it('an end marker without a begin marker is kept, and the block appended', () => {
    expect(withFlagRules(`* @o/all\n${BLOCK_END}\n`, flags)).toBe(
      `* @o/all\n${BLOCK_END}\n\n${block}\n`,
    );
  });

  it('an end marker above the begin marker does not close it: the block is appended', () => {
    const text = `${BLOCK_END}\n* @o/all\n# BEGIN flags\n`;
    expect(withFlagRules(text, flags)).toBe(`${text}\n${block}\n`);
  });
});
