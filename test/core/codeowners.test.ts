import { describe, expect, it } from 'vitest';
import { ownersOf, parseCodeowners } from '../../scripts/core/codeowners.ts';
import { withFlagRules } from '../../scripts/core/codeowners-block.ts';

describe('the generated flag block', () => {
  const flag = (file: string, owner: string) => ({
    file,
    flag: { key: 'k', owner } as never,
    lineOf: () => 1,
  });
  it('writes a folder rule where owners agree, file rules where they do not, and replaces itself', () => {
    const flags = [
      flag('flags/video/a.yaml', '@o/video'),
      flag('flags/video/b.yaml', '@o/video'),
      flag('flags/mixed/c.yaml', '@o/x'),
      flag('flags/mixed/d.yaml', '@o/y'),
    ];
    const once = withFlagRules('* @o/all\n', flags);
    expect(once).toContain('/flags/video/*.yaml @o/video');
    expect(once).toContain('/flags/mixed/c.yaml @o/x');
    expect(once).toContain('/flags/mixed/d.yaml @o/y');
    expect(once.startsWith('* @o/all\n')).toBe(true);
    expect(withFlagRules(once, flags)).toBe(once);
    const co = parseCodeowners(once);
    expect(ownersOf(co, 'flags/mixed/d.yaml')?.owners).toEqual(['@o/y']);
  });
});
