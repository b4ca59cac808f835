// One source of truth for limits: every limit the platform API documents for what a flag sends
// it (schema/platform-api.yaml, components.schemas) holds in schema/flag.schema.json too, so
// `validate` and `check` refuse what the deploy would have the platform refuse after the merge.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFlag } from '../../scripts/core/parse-flag.ts';
import { checkFlagShape, FLAG_SCHEMA_PATH } from '../../scripts/core/schema.ts';

interface Node {
  type?: string;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  pattern?: string;
  $ref?: string;
  items?: Node;
  properties?: Record<string, Node>;
}

const api = parse(
  readFileSync(new URL('../../schema/platform-api.yaml', import.meta.url), 'utf8'),
) as { components: { schemas: Record<string, Node> } };
const flagSchema = JSON.parse(readFileSync(FLAG_SCHEMA_PATH, 'utf8')) as Node & {
  $defs: Record<string, Node>;
};
const metadata = api.components.schemas.FlagMetadata!;
const flagKey = api.components.schemas.FlagKey!;
const own = flagSchema.properties!;

// The platform's own document as a validator, for probing what it refuses.
const platformAjv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
platformAjv.addSchema({ ...api, $id: 'platform-api' });
const platformAccepts = platformAjv.getSchema('platform-api#/components/schemas/FlagMetadata')!;

const good = {
  key: 'probe',
  description: 'A probe.',
  owner: '@novalien/video',
  state: 'alpha',
  revertible: true,
};

describe('flag.schema.json carries the platform API limits', () => {
  it('has the same keywords for every limit the API states', () => {
    for (const field of ['description', 'owner'] as const) {
      const limit = metadata.properties![field]!.maxLength;
      expect(limit, `platform ${field}.maxLength`).toBeTypeOf('number');
      expect(own[field]!.maxLength, `flag ${field}.maxLength`).toBe(limit);
    }
    const deps = metadata.properties!.depends_on!;
    expect(deps.maxItems).toBeTypeOf('number');
    expect(own.depends_on!.maxItems).toBe(deps.maxItems);
    expect(own.key!.maxLength).toBe(flagKey.maxLength);
    expect(own.key!.pattern).toBe(flagKey.pattern);
    expect(own.depends_on!.items!.maxLength).toBe(flagKey.maxLength);
    expect(own.depends_on!.items!.pattern).toBe(flagKey.pattern);
  });

  // Whatever the platform's document refuses, the flag schema refuses too: probes at every edge,
  // so a limit the platform adds later (or a pattern it changes) fails here until it is copied.
  const limit = metadata.properties!.description!.maxLength ?? 2000;
  const controls = [
    ...Array.from({ length: 0x20 }, (_, i) => i),
    ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  ].map((c) => `a${String.fromCodePoint(c)}b`);
  const texts = [
    'x'.repeat(limit - 1),
    'x'.repeat(limit),
    'x'.repeat(limit + 1),
    '😀'.repeat(limit),
    '😀'.repeat(limit + 1),
    '',
    ' ',
    ' \t\n',
    ...controls,
  ];
  const depLists = [100, 101, 1000].map((n) => Array.from({ length: n }, (_, i) => `dep-${i}`));

  it('refuses every description the platform refuses', () => {
    // The probe is a real oracle: the platform's document refuses past its limit.
    expect(platformAccepts({ description: 'x'.repeat(limit), owner: good.owner })).toBe(true);
    expect(platformAccepts({ description: 'x'.repeat(limit + 1), owner: good.owner })).toBe(false);
    for (const description of texts) {
      const platformOk = platformAccepts({ description, owner: good.owner });
      const flagOk = checkFlagShape({ ...good, description }).ok;
      if (!platformOk) expect(flagOk, JSON.stringify(description.slice(0, 12))).toBe(false);
    }
  });

  it('refuses every owner and depends_on list the platform refuses', () => {
    for (const owner of [...texts.map((t) => `@novalien/${t}`), '@a' + 'b'.repeat(limit)]) {
      if (!platformAccepts({ description: 'x', owner }))
        expect(checkFlagShape({ ...good, owner }).ok, owner.slice(0, 14)).toBe(false);
    }
    for (const depends_on of depLists) {
      if (!platformAccepts({ description: 'x', owner: good.owner, depends_on }))
        expect(checkFlagShape({ ...good, depends_on }).ok, `${depends_on.length}`).toBe(false);
    }
  });

  it('counts length in code points, as ajv does by default and the API document says', () => {
    expect(checkFlagShape({ ...good, description: '😀'.repeat(limit) }).ok).toBe(true);
    expect(checkFlagShape({ ...good, description: '😀'.repeat(limit + 1) }).ok).toBe(false);
    expect(checkFlagShape({ ...good, description: 'x'.repeat(limit) }).ok).toBe(true);
  });
});

describe('the limits as people see them', () => {
  const file = (description: string, extra = ''): string =>
    `key: probe\ndescription: ${description}\nowner: "@novalien/video"\nstate: alpha\nrevertible: true\n${extra}`;

  it('names NUL, BEL and ESC at the line of the text, with the character', () => {
    for (const [escape, code] of [
      ['\\0', '0000'],
      ['\\a', '0007'],
      ['\\e', '001B'],
    ] as const) {
      const { violations } = parseFlag(file(`"live ${escape} view"`), 'flags/probe.yaml');
      expect(violations).toEqual([
        expect.objectContaining({
          rule: 'schema',
          line: 2,
          message: expect.stringContaining(
            `control characters such as NUL, BEL or ESC (U+${code} at character 6)`,
          ),
        }),
      ]);
    }
    // Tabs and line breaks are text.
    expect(parseFlag(file('"a\\tb\\nc"'), 'flags/probe.yaml').violations).toEqual([]);
  });

  it('says how long a description is, in characters, and how many dependencies are too many', () => {
    const long = parseFlag(file(`"${'😀'.repeat(2001)}"`), 'flags/probe.yaml').violations;
    expect(long.map((v) => [v.line, v.message])).toEqual([
      [
        2,
        '`description` is 2001 characters long; at most 2000 are allowed (the platform refuses more)',
      ],
    ]);
    const deps = Array.from({ length: 101 }, (_, i) => `  - dep-${i}`).join('\n');
    const many = parseFlag(file('x', `depends_on:\n${deps}\n`), 'flags/probe.yaml').violations;
    expect(many.map((v) => [v.line, v.message])).toEqual([
      [7, '`depends_on` lists 101 entries; at most 100 are allowed (the platform refuses more)'],
    ]);
  });

  it('refuses control characters in every other text field too', () => {
    const revert = 'revert:\n  reason: "bad \\e[31m"\n  incident: https://x.example/1\n';
    const { violations } = parseFlag(file('x', revert), 'flags/probe.yaml');
    expect(violations.map((v) => v.line)).toEqual([7]);
  });
});
