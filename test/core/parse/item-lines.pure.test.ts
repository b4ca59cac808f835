// Two places where parse problems were told badly: a field missing from a list item was put at
// line 1, and a blank text in a field that shares the schema's `text` definition was told as
// "must match \S" (ajv reports that definition's pattern as `#/pattern`, not under `$defs`).
import { describe, expect, it } from 'vitest';
import { parseFlag } from '../../../scripts/core/parse-flag.ts';

const HEAD = `key: x\ndescription: d\nowner: '@novalien/video'\nstate: alpha\nrevertible: true\n`;
const problems = (text: string) =>
  parseFlag(HEAD + text, 'flags/video/x.yaml').violations.map((v) => ({
    line: v.line,
    message: v.message,
  }));

describe('a parse problem', () => {
  it('for a field missing from a list item is at the item, not at line 1', () => {
    const found = problems('alpha_orgs:\n  - org: acme\n    reason: r\n\n  - reason: second\n');
    expect(found).toEqual([
      {
        line: 10,
        message: expect.stringContaining('missing required field `org`') as string,
      },
    ]);
    expect(found[0]!.message).toContain('`alpha_orgs[1]`');
  });

  it('for a field missing from an item of a list written as an alias is told, not thrown', () => {
    // yaml's getIn does not follow the alias, so the item's node is not found; the problem is
    // still told (today at line 1, the fallback: the alias's own line would be better).
    const found = problems('extra: &l\n  - reason: r\nalpha_orgs: *l\n');
    expect(found.map((p) => p.message)).toEqual([
      expect.stringContaining('unknown field `extra`') as string,
      'missing required field `org` (The org id): add it to `alpha_orgs[0]`',
    ]);
    expect(found.map((p) => p.line)).toEqual([6, 1]);
  });

  it('for blank text says it must not be blank, in every field that shares the text rule', () => {
    const found = problems(
      'migration:\n  description: "  "\n  idempotent_forward: true\n  idempotent_backward: true\nalpha_orgs:\n  - org: acme\n    reason: " "\n',
    );
    expect(found).toEqual([
      { line: 7, message: '`migration.description` must not be blank, not "  "' },
      { line: 12, message: '`alpha_orgs[0].reason` must not be blank, not " "' },
    ]);
  });

  it('for a blank description says the same', () => {
    const text = HEAD.replace('description: d', 'description: "   "');
    const found = parseFlag(text, 'flags/video/x.yaml').violations.map((v) => v.message);
    expect(found).toEqual(['`description` must not be blank, not "   "']);
  });
});
