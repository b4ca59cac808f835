// The `state` of a flag file's text, for walking history fast. The answer must always be the full
// parse's: a `state: ga` line can sit inside a quoted multi-line description of a flow mapping,
// and a reader that trusts such a line starts the soak clock at the wrong commit. So the quick
// reader decides only files it understands line by line: every line a blank, a comment, or a
// `key: value` / `- value` / `- key: value` on one line, with a one-line value that cannot go on
// over the next line (plain, or a closed quoted scalar), and indentation that nests properly. In
// such a file nothing spans lines, so a `state:` at column 0 is the root mapping's key. Anything
// else (flow collections, block or multi-line scalars, anchors, tags, documents, odd indentation)
// goes to the full parser. A differential test holds the two to the same answer.
import { parse } from 'yaml';
import { STATES, type State } from './model.ts';

const states: ReadonlySet<string> = new Set(STATES);

/** Characters the quick reader never decides: controls, Unicode line breaks, byte-order marks. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const UNUSUAL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

const KEY = '[A-Za-z_][A-Za-z0-9_-]{0,99}';
/** Plain scalars that start safely; what may follow is checked by `plainOk`. */
const PLAIN = '[A-Za-z0-9_./(][^\\t]*?';
const DOUBLE = '"(?:[^"\\\\]|\\\\["\\\\/nt]|\\\\u[0-9a-fA-F]{4})*"';
const SINGLE = "'(?:[^']|'')*'";
const VALUE = `(${DOUBLE}|${SINGLE}|${PLAIN})`;
const COMMENT = '(?:[ ]+#.*)?';

const LINE_ENTRY = new RegExp(`^([ ]*)(- )?(${KEY}):(?:[ ]${VALUE})?${COMMENT}$`);
const LINE_ITEM = new RegExp(`^([ ]*)- ${VALUE}${COMMENT}$`);
const LINE_COMMENT = /^[ ]*#/;

/** A plain value, as matched lazily above: nothing yaml reads as a comment, key or indicator. */
function plainOk(value: string): boolean {
  return !/: |:$| #|[ ]$|[{}[\]]/.test(value);
}

interface Frame {
  indent: number;
  kind: 'map' | 'seq';
}

interface Line {
  indent: number;
  dash: boolean;
  key: string | null;
  value: string | null;
}

function lineOf(text: string): Line | null | 'skip' {
  if (text === '' || LINE_COMMENT.test(text)) return 'skip';
  const entry = LINE_ENTRY.exec(text);
  if (entry) {
    const value = entry[4] ?? null;
    if (value !== null && !/^["']/.test(value) && !plainOk(value)) return null;
    return { indent: entry[1]!.length, dash: entry[2] !== undefined, key: entry[3]!, value };
  }
  const item = LINE_ITEM.exec(text);
  if (item) {
    const value = item[2]!;
    if (!/^["']/.test(value) && !plainOk(value)) return null;
    return { indent: item[1]!.length, dash: true, key: null, value };
  }
  return null;
}

/**
 * The root `state` value's text when the file is in the quick reader's subset and has exactly
 * one, else undefined (then only the full parse may answer).
 */
function quickStateText(text: string): string | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const stack: Frame[] = [];
  /** The column of the key just opened with no value (`key:`), whose children may follow. */
  let open: number | null = null;
  let found: string | undefined;
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = lineOf(raw);
    if (line === 'skip') continue;
    if (line === null) return undefined;
    const { indent, dash } = line;
    if (stack.length === 0) {
      if (indent !== 0 || dash) return undefined;
      stack.push({ indent: 0, kind: 'map' });
    } else if (open !== null && dash && indent >= open) {
      stack.push({ indent, kind: 'seq' }); // `key:` then `- item` at or below its column
    } else if (open !== null && !dash && indent > open) {
      stack.push({ indent, kind: 'map' });
    } else {
      const kind = dash ? 'seq' : 'map';
      while (stack.length > 1) {
        const top = stack.at(-1)!;
        const below = stack.at(-2)!;
        const compactSeqEnds =
          top.indent === indent && top.kind === 'seq' && kind === 'map' && below.indent === indent;
        if (top.indent > indent || compactSeqEnds) stack.pop();
        else break;
      }
      const top = stack.at(-1)!;
      if (top.indent !== indent || top.kind !== kind) return undefined;
    }
    open = null;
    if (dash && line.key !== null) stack.push({ indent: indent + 2, kind: 'map' });
    const keyColumn = dash ? indent + 2 : indent;
    if (line.value === null) open = keyColumn; // only a `key:` line has no value
    if (!dash && indent === 0 && line.key === 'state') {
      count++;
      found = line.value ?? '';
    }
  }
  if (count !== 1) return undefined; // one `state:` line set found
  const unquoted = /^(["'])(.*)\1$/.exec(found!)?.[2] ?? found!;
  return states.has(unquoted) ? unquoted : undefined;
}

/** The state the quick reader decides, or undefined when only the full parse may answer. */
export function quickStateOf(text: string): State | undefined {
  return quickStateText(text) as State | undefined;
}

/** The state by the full parse: what the flag's own reader (yaml) makes of the text. */
export function fullStateOf(text: string): State | null {
  try {
    const data: unknown = parse(text, { maxAliasCount: 50, uniqueKeys: false, logLevel: 'error' });
    // A scalar or an empty document has no `state`; a primitive's property reads undefined.
    const state = (data as { state?: unknown } | null | undefined)?.state;
    // A set of strings has nothing but strings: no typeof test needed.
    return states.has(state as string) ? (state as State) : null;
  } catch {
    return null;
  }
}

export function stateOfText(text: string): State | null {
  return quickStateOf(text) ?? fullStateOf(text);
}
