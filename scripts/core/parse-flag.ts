// Text of one flag file to data, with line numbers for every field. Pure: testable with a string.
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { Flag, LineOf, Violation } from './model.ts';
import { quickLoad } from './quick-yaml.ts';
import { checkFlagShape } from './schema.ts';
import { excessiveNesting, MAX_YAML_DEPTH } from './yaml-depth.ts';

/** Aliases are no use in a flag file; a handful is tolerated, an expansion bomb is refused. */
const MAX_ALIAS_COUNT = 50;

export interface ParsedFlag {
  /** The flag, when the file parsed and passed the schema. */
  flag: Flag | null;
  violations: Violation[];
  lineOf: LineOf;
}

/** The key a file should hold: its base name without `.yaml`. */
export function keyFromPath(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.endsWith('.yaml') ? base.slice(0, -'.yaml'.length) : base;
}

export function parseFlag(text: string, file: string): ParsedFlag {
  return quickParse(text, file) ?? fullParse(text, file);
}

/**
 * A flag an earlier parse of the same path and bytes found clean (adapters/parse-cache.ts): its
 * lines come from parsing the text again, only if a rule asks for one.
 */
export function knownParse(flag: Flag, text: () => string, file: string): ParsedFlag {
  let parsed: ParsedFlag | undefined;
  return {
    flag,
    violations: [],
    lineOf: (path) => (parsed ??= parseFlag(text(), file)).lineOf(path),
  };
}

/**
 * A flag that needs no explaining, read the quick way: its lines are found only when a rule
 * asks for one (by parsing the file with `yaml` then). Null when anything needs `yaml`'s answer.
 */
function quickParse(text: string, file: string): ParsedFlag | null {
  // quickLoad's undefined (left to yaml) fails the shape check like any non-mapping.
  const shape = checkFlagShape(quickLoad(text));
  if (!shape.ok || shape.flag.key !== keyFromPath(file)) return null;
  let lines: LineOf | undefined;
  const lineOf: LineOf = (path) => (lines ??= linesOf(text))(path);
  return { flag: shape.flag, violations: [], lineOf };
}

/** The lines of a text the quick path took, from `yaml`'s Document (one mapping, no error). */
function linesOf(text: string): LineOf {
  const lineCounter = new LineCounter();
  const doc = parseAllDocuments(text, { lineCounter })[0] as Document.Parsed;
  return compactLineOf(doc, (offset) => lineCounter.linePos(offset).line);
}

/** A flag file through `yaml`'s Document: every problem explained at its line. */
function fullParse(text: string, file: string): ParsedFlag {
  const key = keyFromPath(file);
  const lineCounter = new LineCounter();
  const at = (offset: number): number => lineCounter.linePos(offset).line;
  const violation = (rule: Violation['rule'], line: number | null, message: string): Violation => ({
    rule,
    severity: 'error',
    flag: key,
    file,
    line,
    message,
  });

  const deepAt = excessiveNesting(text);
  if (deepAt !== null) {
    return {
      flag: null,
      violations: [violation('parse', deepAt, nestingMessage())],
      lineOf: () => deepAt,
    };
  }
  // uniqueKeys is yaml's default; an empty text gives an EmptyStream, which is an empty Array.
  // Not prettyErrors (yaml's default): a message is told without yaml's ` at line N, column M:`
  // and source excerpt, which the violation's line replaces.
  const list: Document.Parsed[] = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const doc = list[0];
  const lineOf = doc ? lineResolver(doc, at) : () => 1;
  const fail = (violations: Violation[]): ParsedFlag => ({ flag: null, violations, lineOf });

  if (!doc)
    return fail([
      violation(
        'schema',
        1,
        'the file is empty: a flag file holds one mapping with key, description, owner, state and revertible',
      ),
    ]);
  if (list.length > 1) {
    const second = list[1]!;
    return fail([
      violation(
        'parse',
        at(second.range[0]),
        `several YAML documents in one file (a second starts at line ${at(second.range[0])}): a flag file holds exactly one; remove the \`---\` and what follows, or move it to its own file`,
      ),
    ]);
  }
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    return fail(
      problems.map((problem) =>
        violation('parse', at(problem.pos[0]), yamlProblemMessage(problem, text)),
      ),
    );
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof RangeError) return fail([violation('parse', 1, nestingMessage())]);
    return fail([
      violation(
        'parse',
        1,
        `YAML aliases expand too far (${(error as Error).message}): write the values out; flag files need no anchors or aliases`,
      ),
    ]);
  }
  // toJS of a document with no content is null (of a node, never undefined).
  if (data === null) {
    return fail([
      violation(
        'schema',
        1,
        'the file is empty: a flag file holds one mapping with key, description, owner, state and revertible',
      ),
    ]);
  }

  return flagFromData(data, doc, file, at, lineOf);
}

/** The parsed data against the schema and the file name. */
function flagFromData(
  data: unknown,
  doc: Document.Parsed,
  file: string,
  at: (offset: number) => number,
  lineOf: LineOf,
): ParsedFlag {
  const key = keyFromPath(file);
  const violation = (rule: Violation['rule'], line: number, message: string): Violation => ({
    rule,
    severity: 'error',
    flag: key,
    file,
    line,
    message,
  });
  const fail = (violations: Violation[]): ParsedFlag => ({ flag: null, violations, lineOf });
  const shape = checkFlagShape(data);
  if (!shape.ok) {
    return fail(
      shape.problems.map((p) =>
        violation('schema', p.atKey ? keyLine(doc, p.path, at) : lineOf(p.path), p.message),
      ),
    );
  }
  const flag = shape.flag;
  const violations: Violation[] = [];
  // Keep a small table of lines instead of the Document: 10,000 retained documents are most
  // of validate's memory and garbage-collection time.
  const compact = compactLineOf(doc, at);
  if (flag.key !== key) {
    violations.push(
      violation(
        'key-mismatch',
        compact(['key']),
        `\`key\` is "${flag.key}" but the file is named ${key}.yaml: the key is the flag's identity and must equal the file's base name; rename the file to ${flag.key}.yaml or set \`key: ${key}\``,
      ),
    );
  }
  return { flag, violations, lineOf: compact };
}

/** A problem `yaml` found, in words with the fix. */
function yamlProblemMessage(problem: YAMLError, text: string): string {
  // The scan before parsing misjudged (a block scalar?): still a message about nesting.
  if (/call stack/i.test(problem.message)) return nestingMessage();
  if (problem.code === 'DUPLICATE_KEY') {
    const name = /[^:\n]*/.exec(text.slice(problem.pos[0]))![0].trim();
    return `duplicate field \`${name}\`: each field may appear once; remove or merge the repeat`;
  }
  const what = problem.message.split('\n', 1)[0]!;
  const fix =
    problem.code === 'TAG_RESOLVE_FAILED'
      ? 'flag files use plain YAML values; remove the tag'
      : 'fix the YAML syntax (indentation, quotes, colons)';
  return `${what}: ${fix}`;
}

function nestingMessage(): string {
  return `the YAML nests deeper than ${MAX_YAML_DEPTH} levels here: a flag file needs only a few (a mapping of fields, lists of short entries); remove the nested brackets or indentation`;
}

/** lineOf from a table of the line where each field's value starts (nearest ancestor wins). */
function compactLineOf(doc: Document.Parsed, at: (offset: number) => number): LineOf {
  const lines = new Map<string, number>();
  const walk = (node: unknown, key: string): void => {
    if (!node || typeof node !== 'object') return;
    const range = (node as Node).range;
    if (range) lines.set(key, at(range[0]));
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, `${key}\u0000${name}`);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, `${key}\u0000${index}`));
    }
  };
  walk(doc.contents, '');
  return (path = []) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const line = lines.get(
        path
          .slice(0, depth)
          .map((p) => `\u0000${p}`)
          .join(''),
      );
      if (line !== undefined) return line;
    }
    return 1;
  };
}

function lineResolver(doc: Document.Parsed, at: (offset: number) => number): LineOf {
  return (path = []) => {
    // Walk up to the nearest node that exists, so a missing field points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      // getIn of [] keeping scalars is doc.contents; a parsed document holds nodes or null.
      const node = doc.getIn(path.slice(0, depth), true) as Node | null | undefined;
      if (node?.range) return at(node.range[0]);
    }
    return 1;
  };
}

/** The line of a mapping key (for an unknown field or a missing one: the mapping's first key). */
function keyLine(
  doc: Document.Parsed,
  path: readonly (string | number)[],
  at: (offset: number) => number,
): number {
  const parentPath = path.slice(0, -1);
  const name = path[path.length - 1];
  // getIn of [] is doc.contents; a scalar parent (or its value) is neither a map nor a list.
  const parent = doc.getIn(parentPath);
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isScalar(pair.key) && pair.key.value === name && pair.key.range)
        return at(pair.key.range[0]);
    }
    // No key of that name (a missing field): the mapping, which starts at its first key (a
    // parsed node always has its range).
    return at(parent.range![0]);
  }
  // A list item (a field missing from `alpha_orgs[0]`): the item's own line.
  if (isSeq(parent) && typeof name === 'number') {
    const item = parent.items[name] as Node | undefined;
    if (item?.range) return at(item.range[0]);
  }
  return 1;
}
