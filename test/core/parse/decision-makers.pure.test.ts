// The reviewed list of decision-makers (runbook: a soak override names one): who may waive a soak,
// and why a list that does not load lets nobody waive anything.
import { describe, expect, it } from 'vitest';
import {
  DECISION_MAKERS_FILE,
  isDecisionMaker,
  parseDecisionMakers,
} from '../../../scripts/core/decision-makers.ts';

const FORMAT = 'expected `decision_makers:` with a list of GitHub logins such as "@jdoe"';

describe('parseDecisionMakers', () => {
  it('without a file, accepts any named decision-maker (CONTRACT soak-override)', () => {
    const none = parseDecisionMakers(null);
    expect(none).toEqual({ status: 'none', file: '.github/decision-makers.yaml' });
    expect(DECISION_MAKERS_FILE).toBe('.github/decision-makers.yaml');
    expect(isDecisionMaker(none, '@anyone')).toBe(true);
    expect(parseDecisionMakers(null, 'other.yaml')).toEqual({ status: 'none', file: 'other.yaml' });
  });

  it('reads the logins in lower case and matches them in any case', () => {
    const list = parseDecisionMakers('decision_makers:\n  - "@Jane-Doe"\n  - "@ops"\n', 'dm.yaml');
    expect(list).toEqual({ status: 'ok', file: 'dm.yaml', logins: new Set(['@jane-doe', '@ops']) });
    expect(isDecisionMaker(list, '@JANE-doe')).toBe(true);
    expect(isDecisionMaker(list, '@ops')).toBe(true);
    expect(isDecisionMaker(list, '@someone-else')).toBe(false);
    // An empty list is a list: nobody may waive.
    const empty = parseDecisionMakers('decision_makers: []\n');
    expect(empty).toMatchObject({ status: 'ok', logins: new Set() });
    expect(isDecisionMaker(empty, '@ops')).toBe(false);
  });

  it('refuses YAML that does not parse, saying the first line of why', () => {
    const broken = parseDecisionMakers('decision_makers: [\n');
    expect(broken).toMatchObject({ status: 'broken', file: DECISION_MAKERS_FILE });
    const reason = (broken as { reason: string }).reason;
    expect(reason).toMatch(
      /^not valid YAML \(Flow sequence in block collection .* at line 2, column 1:\)$/,
    );
    expect(reason).not.toContain('\n');
    expect(isDecisionMaker(broken, '@ops')).toBe(false);
  });

  it('refuses a repeated key and any alias, so the list reads one way only', () => {
    const twice = parseDecisionMakers('decision_makers: ["@a"]\ndecision_makers: ["@b"]\n');
    expect(twice).toMatchObject({
      status: 'broken',
      reason: expect.stringMatching(/^not valid YAML/),
    });
    const alias = parseDecisionMakers('x: &a "@cto"\ndecision_makers:\n  - *a\n');
    expect(alias).toMatchObject({
      status: 'broken',
      reason: expect.stringMatching(/^not valid YAML/),
    });
  });

  it('refuses a file that is not a mapping holding a list of logins, saying the format', () => {
    for (const text of [
      '',
      '- "@jane"\n',
      '"@jane"\n',
      'decision_makers: "@jane"\n',
      'decision_makers:\n',
      'makers:\n  - "@jane"\n',
    ]) {
      const list = parseDecisionMakers(text, 'dm.yaml');
      expect(list, text).toEqual({ status: 'broken', file: 'dm.yaml', reason: FORMAT });
      expect(isDecisionMaker(list, '@jane'), text).toBe(false);
    }
  });

  it('names the first entry that is not a login', () => {
    expect(parseDecisionMakers('decision_makers:\n  - "@ok"\n  - jane\n  - 7\n')).toEqual({
      status: 'broken',
      file: DECISION_MAKERS_FILE,
      reason: `"jane" is not a login: ${FORMAT}`,
    });
    expect(parseDecisionMakers('decision_makers:\n  - 7\n')).toMatchObject({
      reason: `7 is not a login: ${FORMAT}`,
    });
    // A list whose text would pass as a login is still not one.
    expect(parseDecisionMakers('decision_makers:\n  - ["@x"]\n')).toMatchObject({
      status: 'broken',
      reason: `["@x"] is not a login: ${FORMAT}`,
    });
    expect(parseDecisionMakers('decision_makers:\n  - "@a b"\n')).toMatchObject({
      status: 'broken',
      reason: `"@a b" is not a login: ${FORMAT}`,
    });
  });
});
