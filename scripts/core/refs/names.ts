// The names a flag key is searched under in application code: the key itself, the accessor
// names `export` generates (flag-names.ts, so both agree), and configured aliases. Pure.
import { camelCaseName, pascalCaseName, screamingSnakeName } from '../flag-names.ts';

/** A name is one word of these characters (see namesInText). */
export const NAME_PATTERN = /^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*$/;

/** Every name, and the keys it stands for (two keys can derive one name: it counts for both). */
export type NameTable = Map<string, string[]>;

export function derivedNames(key: string): string[] {
  return [...new Set([key, camelCaseName(key), pascalCaseName(key), screamingSnakeName(key)])];
}

/**
 * The name table for one source: derived names of every key plus aliases (key -> extra names).
 * Aliases of keys that are not flags are ignored: an alias outlives its flag in a config.
 */
export function nameTable(
  keys: readonly string[],
  aliases: readonly Readonly<Record<string, readonly string[]>>[] = [],
): NameTable {
  const table: NameTable = new Map();
  const add = (name: string, key: string): void => {
    const list = table.get(name);
    if (!list) table.set(name, [key]);
    else if (!list.includes(key)) list.push(key);
  };
  for (const key of keys) {
    for (const name of derivedNames(key)) add(name, key);
    // Own entries only: a flag named `constructor` would otherwise read Object's function.
    for (const map of aliases)
      for (const alias of Object.hasOwn(map, key) ? map[key]! : []) add(alias, key);
  }
  return table;
}

/**
 * Counts lines as a scan moves forward through a text, so each match costs only its distance. An
 * index before the last one asked (a capture inside a lookbehind) counts again from the start.
 */
class LineCounter {
  private line = 1;
  private at = 0;
  constructor(private readonly text: string) {}

  lineOf(index: number): number {
    if (index < this.at) {
      this.line = 1;
      this.at = 0;
    }
    let next = this.text.indexOf('\n', this.at);
    while (next !== -1 && next < index) {
      this.line++;
      this.at = next + 1;
      next = this.text.indexOf('\n', this.at);
    }
    return this.line;
  }
}

/**
 * Every name in a whole text with its 1-based line: one pass over its words, each looked up in
 * the table, however many flags there are (maximal runs of letters, digits, `_` and `-`, hyphens at either end dropped, so
 * `--live-view` is `live-view`). Matching whole words is what keeps `live-view` from counting
 * inside `live-view-webrtc`, and `liveView` inside `liveViewWebrtc`.
 */
export function namesInText(
  text: string,
  table: NameTable,
): { name: string; keys: string[]; line: number }[] {
  const found: { name: string; keys: string[]; line: number }[] = [];
  const lines = new LineCounter(text);
  const words = /[A-Za-z0-9_-]+/g;
  for (let match = words.exec(text); match !== null; match = words.exec(text)) {
    let word = match[0];
    if (word.charCodeAt(0) === 45 || word.charCodeAt(word.length - 1) === 45)
      word = word.replace(/^-+|-+$/g, '');
    const keys = table.get(word);
    if (keys) found.push({ name: word, keys, line: lines.lineOf(match.index) });
  }
  return found;
}

/**
 * The captures of a source's pattern in a whole text (the group `name`, else the first group, else
 * the whole match), each with the line where the capture starts: a pattern may begin before the
 * name (a line break, a call on the line above), and the reader wants the name's line.
 */
export function patternsInText(text: string, pattern: RegExp): { name: string; line: number }[] {
  // `d`: the match carries where each group starts.
  const flags = [...new Set(`${pattern.flags}gd`)].join('');
  const global = new RegExp(pattern.source, flags);
  const lines = new LineCounter(text);
  const found: { name: string; line: number }[] = [];
  for (const match of text.matchAll(global)) {
    const [capture, span] =
      match.groups?.['name'] !== undefined
        ? [match.groups['name'], match.indices!.groups!['name']!]
        : match[1] !== undefined
          ? [match[1], match.indices![1]!]
          : [match[0], match.indices![0]!];
    if (capture) found.push({ name: capture, line: lines.lineOf(span[0]) });
  }
  return found;
}
