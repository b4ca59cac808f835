// The fast way from a flag file's text to data, for the files that need no explaining.
//
// `yaml` builds a full Document (nodes, ranges, comments) for every file: exact lines and good
// errors, but about 7x the time of js-yaml's direct load (0.8 s against 0.12 s for 10,000 flag
// files here). So files are first read with js-yaml, and only when that read is plainly the same
// as `yaml`'s: the plain scalars resolve through `yaml`'s own core-schema tags (so `yes` stays a
// string, `0o17` is 15, `1_000` is a string, as `yaml` and editors read them), and any text that
// uses what the two could read differently (anchors, aliases, tags, directives, flow mappings,
// tabs, ...: NOT_QUICK below) is left to `yaml`. Anything js-yaml refuses is left to `yaml` too, which
// explains it with a line. A differential test holds the two parsers to the same answers.
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { isScalar, Schema, type ScalarTag } from 'yaml';

/** `yaml`'s YAML 1.2 core scalars (null, bool, int, float), in the order `yaml` tries them. */
const CORE_SCALARS = new Schema({}).tags.filter(
  (tag): tag is ScalarTag & { test: RegExp } =>
    tag.default === true && 'test' in tag && tag.test instanceof RegExp,
);

const tagOf = (text: string): (ScalarTag & { test: RegExp }) | undefined =>
  CORE_SCALARS.find((tag) => tag.test.test(text));

const refuse = (message: string): never => {
  throw new Error(message);
};

/** One implicit js-yaml type standing for all of `yaml`'s core scalars (js-yaml keeps one per tag). */
const coreScalar = new Type('tag:novavms.flags,2026:core-scalar', {
  kind: 'scalar',
  resolve: (text: unknown) => typeof text === 'string' && tagOf(text) !== undefined,
  construct: (text: string) => {
    // Some tags answer a Scalar node (to keep the source's format): its value is the datum.
    const value = tagOf(text)!.resolve(text, refuse, {});
    return isScalar(value) ? value.value : value;
  },
});

const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [coreScalar] });

/**
 * Text the quick reader leaves to `yaml`: what the two parsers read differently (each found by
 * the differential test), and what the full path must see to refuse or explain. Whitespace here
 * is YAML's, the space: a no-break space is text to `yaml`.
 */
const NOT_QUICK = new RegExp(
  [
    /(?:^|[ [{,])[&*!]/, // anchors, aliases and tags: `&a`, `*a`, `!!str`
    /^%/, // directives: `%YAML 1.1` changes how values read
    /(?:^|[ [{,])\?(?:[ ]|$)/, // explicit keys: `? key`
    /<</, // merge keys
    /[|>][-+]?[1-9]|[|>][1-9]?\+/, // block scalars that set their indentation or keep trailing lines
    /-[ ]+-(?:[ ]|$)/, // a sequence opened on an item's line: `- - a`
    /^[ ]*-[ ]*(?:#.*)?$/, // an empty sequence item
    /^(?:---|\.\.\.)(?:[^ \n]|[ ]+[^ \n#])/, // text on a document marker's line: `---x`, `--- a: b`
    /['"\]},[{]#/, // a comment run into a quoted value or a bracket: `'a'#`, `]#`
    /\{/, // flow mappings
    /\[[^\]\n]*(?:[[{:]|$)/, // flow sequences that nest, hold a colon or go on over lines
    /\][ ]*:/, // a flow sequence as a key
    /\\$/, // an escaped line break in a double-quoted value
    /[ ]$/, // spaces at the end of a line (folded differently inside quotes)
    /[\t\r\u0085\u2028\u2029\uFEFF]/, // tabs, carriage returns, Unicode line breaks, byte-order marks
  ]
    .map((pattern) => pattern.source)
    .join('|'),
  'm',
);

/**
 * Keys longer than this are left to `yaml`, which refuses a key written in over 1,024 characters
 * (js-yaml does not); no escape takes more than ten, so a shorter key was written in fewer.
 */
const MAX_QUICK_KEY = 100;

/**
 * Whether every mapping key is one both parsers spell alike: a key that reads as null, a
 * boolean or a number (`null:`, `1:`) becomes a different property name in each.
 */
function plainKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(plainKeys);
  if (value === null || typeof value !== 'object') return true;
  for (const [key, item] of Object.entries(value)) {
    if (key.length > MAX_QUICK_KEY || tagOf(key) !== undefined || !plainKeys(item)) return false;
  }
  return true;
}

/**
 * The mapping a flag file holds when it can be read the quick way, else undefined: the caller
 * then parses it with `yaml`, which gives every answer with a line.
 */
export function quickLoad(text: string): unknown {
  if (NOT_QUICK.test(text)) return undefined;
  try {
    const data = load(text, {
      schema: SCHEMA,
      json: false,
      onWarning: (warning) => refuse(warning.message),
    });
    // A flag file is one mapping; anything else (empty, a list, a bare value) is yaml's to explain.
    const mapping = data !== null && typeof data === 'object' && !Array.isArray(data);
    return mapping && plainKeys(data) ? data : undefined;
  } catch {
    return undefined;
  }
}
