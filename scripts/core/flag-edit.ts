// Edits of one flag file's text, as `promote`, `revert` and `new` make them: text in, text out.
// Every edit splices only the lines it must change, located through the `yaml` Document API, so
// comments, quoting and layout elsewhere stay byte for byte. Should a file be laid out in a way
// the splice does not handle (a flow mapping at the top, say), the edit falls back to rewriting
// the document through the same API, which still keeps comments and field order.
import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  isMap,
  isScalar,
  parseDocument,
  stringify,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Override, Revert, State } from './model.ts';

const SCHEMA_PATH = 'schema/flag.schema.json';
const TO_STRING = { lineWidth: 0 } as const;

export type Block = 'override' | 'revert';

export interface NewFlagInput {
  key: string;
  owner: string;
  description: string;
  depends_on?: readonly string[];
  /** Path of the schema relative to the flag's folder, e.g. `../../schema/flag.schema.json`. */
  schemaPath: string;
}

/** The relative path from a flag file (repo-relative) to the schema, for the `$schema` line. */
export function schemaPathFor(file: string): string {
  return posix.relative(posix.dirname(file), SCHEMA_PATH);
}

/** A new flag at alpha: the schema line, then key, description, owner, state, revertible. */
export function newFlagText(input: NewFlagInput): string {
  const flag: Record<string, unknown> = {
    key: input.key,
    description: input.description,
    owner: input.owner,
    state: 'alpha',
    revertible: true,
  };
  if (input.depends_on && input.depends_on.length > 0) flag.depends_on = [...input.depends_on];
  return `# yaml-language-server: $schema=${input.schemaPath}\n${stringify(flag, TO_STRING)}`;
}

/** Sets `state`, keeping the value's quoting and any comment on its line. */
export function setState(text: string, state: State): string {
  return edit(
    text,
    (doc) => doc.setIn(['state'], state),
    (map) => {
      const pair = findPair(map, 'state');
      const value = pair?.value;
      if (!isScalar(value) || !value.range) return null;
      const quoted =
        value.type === 'QUOTE_DOUBLE'
          ? `"${state}"`
          : value.type === 'QUOTE_SINGLE'
            ? `'${state}'`
            : state;
      return splice(text, value.range[0], value.range[1], quoted);
    },
  );
}

/** Writes a fresh `override` block (replacing any earlier one). */
export function setOverride(text: string, override: Override): string {
  return setBlock(text, 'override', {
    decision_maker: override.decision_maker,
    incident: override.incident,
    reason: override.reason,
  });
}

/** Writes a fresh `revert` block (replacing any earlier one). */
export function setRevert(text: string, revert: Revert): string {
  return setBlock(text, 'revert', { reason: revert.reason, incident: revert.incident });
}

/** Drops a block (a stale override, or the revert block of an earlier revert); no-op if absent. */
export function removeBlock(text: string, block: Block): string {
  return edit(
    text,
    (doc) => doc.deleteIn([block]),
    (map) => {
      const pair = findPair(map, block);
      if (!pair) return text;
      const [start, end] = pairLines(text, pair);
      return splice(text, start, end, '');
    },
  );
}

/** Whether the text has a top-level field of that name. */
export function hasBlock(text: string, block: Block): boolean {
  const doc = parseDocument(text);
  return isMap(doc.contents) && findPair(doc.contents, block) !== undefined;
}

function setBlock(text: string, block: Block, value: Record<string, string>): string {
  return edit(
    text,
    (doc) => doc.setIn([block], doc.createNode(value)),
    (map) => {
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const rendered = stringify({ [block]: value }, TO_STRING).replace(/\n/g, eol);
      const pair = findPair(map, block);
      if (pair) {
        const [start, end] = pairLines(text, pair);
        return splice(text, start, end, rendered);
      }
      const last = map.items.at(-1);
      if (!last) return null;
      const [, end] = pairLines(text, last);
      const before = text.slice(0, end);
      return before + (before.endsWith('\n') ? '' : eol) + rendered + text.slice(end);
    },
  );
}

/**
 * Applies an edit: the splice when it yields exactly what the Document API would, the Document
 * API's rewrite otherwise. Throws when the text is not one YAML mapping (nothing to edit).
 */
function edit(
  text: string,
  apply: (doc: Document.Parsed) => void,
  splicer: (map: YAMLMap, doc: Document.Parsed) => string | null,
): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new Error('the flag file is not one YAML mapping; fix it first (flags validate)');
  }
  const spliced = splicer(doc.contents, doc);
  const expected = parseDocument(text);
  apply(expected);
  if (spliced !== null) {
    const check = parseDocument(spliced, { uniqueKeys: true });
    if (check.errors.length === 0 && isDeepStrictEqual(check.toJS(), expected.toJS())) {
      return spliced;
    }
  }
  return expected.toString(TO_STRING);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
}

/** The whole lines a top-level pair occupies: from its key's line to the end of its value's. */
function pairLines(text: string, pair: Pair): [number, number] {
  const key = pair.key as Node | null;
  const value = pair.value as Node | null;
  const keyRange = key?.range ?? [0, 0, 0];
  const start = text.lastIndexOf('\n', keyRange[0] - 1) + 1;
  const valueEnd = value?.range ? value.range[1] : keyRange[1];
  const newline = text.indexOf('\n', Math.max(valueEnd - 1, keyRange[0]));
  return [start, newline === -1 ? text.length : newline + 1];
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}
