// Shape validation of a flag with ajv (compiled once), and translation of ajv's errors into
// sentences a person can act on, each at the line of the offending key or value.
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { flagShapeValidator } from './flag-shape-validator.ts';
import type { Flag } from './model.ts';

export const FLAG_SCHEMA_PATH = new URL('../../schema/flag.schema.json', import.meta.url);

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

const schema = JSON.parse(readFileSync(FLAG_SCHEMA_PATH, 'utf8')) as SchemaNode & object;
const validate = flagShapeValidator(schema);

/** A schema problem: where (a path of keys and indexes into the document) and what. */
export interface SchemaProblem {
  path: (string | number)[];
  /** Point at the key itself (an unknown field) rather than its value. */
  atKey: boolean;
  message: string;
}

export function checkFlagShape(
  data: unknown,
): { ok: true; flag: Flag } | { ok: false; problems: SchemaProblem[] } {
  if (validate(data)) return { ok: true, flag: data };
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = translate(error, data);
    // allErrors reports e.g. both minLength and pattern for "": one sentence per place is enough.
    const id = problem.path.join('/') + (problem.atKey ? `#${problem.message}` : '');
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return { ok: false, problems };
}

const PATTERN_MESSAGES: Record<string, string> = {
  '#/properties/key/pattern':
    'must be lowercase letters and digits in words joined by single hyphens, starting with a letter (e.g. `live-view-v2`)',
  '#/$defs/githubHandle/pattern': 'must be a GitHub team `@org/team` or user `@login`',
  '#/$defs/httpsUrl/pattern': 'must be an https:// link',
  '#/properties/plan/pattern':
    'must be a repository-relative path such as `docs/superpowers/plans/feature.md` (no leading `/`, no `..`)',
  '#/properties/depends_on/items/pattern':
    'must be the key of another flag (lowercase words joined by hyphens)',
  '#/properties/alpha_orgs/items/properties/org/pattern':
    'must be an org id (letters, digits, `.`, `_`, `-`)',
};

/**
 * Patterns known by their text, wherever ajv says they sit: ajv compiles `$defs/text` (used by
 * several fields) as a function of its own and reports its pattern as `#/pattern`.
 */
const PATTERN_TEXT_MESSAGES: Record<string, string> = { '\\S': 'must not be blank' };

function translate(error: ErrorObject, data: unknown): SchemaProblem {
  const path = pointerToPath(error.instancePath);
  const where = path.length === 0 ? 'the flag' : `\`${displayPath(path)}\``;
  const value = valueAt(data, path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      const hint = describe(error.schemaPath, field);
      const into = path.length === 0 ? '' : ` to ${where}`;
      return {
        path,
        atKey: true,
        message: `missing required field \`${field}\`${hint ? ` (${hint})` : ''}: add it${into}`,
      };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const allowed = Object.keys(schemaAt(error.schemaPath)?.properties ?? {});
      const suggestion = closest(field, allowed);
      const fix = suggestion
        ? `did you mean \`${suggestion}\`?`
        : `allowed fields${path.length ? ` of ${where}` : ''}: ${allowed.join(', ')}`;
      return { path: [...path, field], atKey: true, message: `unknown field \`${field}\`: ${fix}` };
    }
    case 'type': {
      const expected = String(params.type);
      const words =
        expected === 'boolean'
          ? 'true or false'
          : expected === 'object'
            ? 'a mapping'
            : expected === 'array'
              ? 'a list'
              : `a ${expected}`;
      return { path, atKey: false, message: `${where} must be ${words}, not ${kindOf(value)}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return {
        path,
        atKey: false,
        message: `${where} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
      };
    }
    case 'pattern': {
      if (error.schemaPath === '#/$defs/noControl/pattern')
        return { path, atKey: false, message: `${where} ${controlCharacter(String(value))}` };
      const rule =
        PATTERN_MESSAGES[error.schemaPath] ??
        PATTERN_TEXT_MESSAGES[String(params.pattern)] ??
        `must match ${String(params.pattern)}`;
      return { path, atKey: false, message: `${where} ${rule}, not ${JSON.stringify(value)}` };
    }
    case 'minLength':
      return { path, atKey: false, message: `${where} must not be empty` };
    case 'maxLength':
      // ajv counts code points (an emoji is one character), and so do people and the platform.
      return {
        path,
        atKey: false,
        message: `${where} is ${[...String(value)].length} characters long; at most ${String(params.limit)} are allowed (the platform refuses more)`,
      };
    case 'maxItems':
      return {
        path,
        atKey: false,
        message: `${where} lists ${Array.isArray(value) ? value.length : '?'} entries; at most ${String(params.limit)} are allowed (the platform refuses more)`,
      };
    case 'uniqueItems': {
      const j = Number(params.j);
      const i = Number(params.i);
      const item: unknown = Array.isArray(value) ? (value as unknown[])[i] : undefined;
      return {
        path: [...path, Math.max(i, j)],
        atKey: false,
        message: `${where} lists ${JSON.stringify(item)} twice: remove the repeat`,
      };
    }
    default:
      return { path, atKey: false, message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** Which control character, where: "must not contain control characters (U+001B at character 5)". */
function controlCharacter(text: string): string {
  const chars = [...text];
  const at = chars.findIndex((c) => {
    const code = c.codePointAt(0)!;
    return (code < 0x20 && c !== '\t' && c !== '\n') || (code >= 0x7f && code <= 0x9f);
  });
  const code = at < 0 ? '' : chars[at]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const which = at < 0 ? '' : ` (U+${code} at character ${at + 1})`;
  return `must not contain control characters such as NUL, BEL or ESC${which}: the platform refuses them; remove it or write the text out`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function displayPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The value at an error's instancePath: ajv reports only places it found in the data. */
function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const part of path) node = (node as Record<string | number, unknown>)[part];
  return node;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * The schema node an ajv schemaPath such as `#/properties/override/required` points into (only
 * asked for `required` and `additionalProperties`, whose paths are places in our schema).
 */
function schemaAt(schemaPath: string): SchemaNode | undefined {
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: unknown = schema;
  for (const part of parts) node = (node as Record<string, unknown>)[part];
  return node as SchemaNode | undefined;
}

function describe(schemaPath: string, field: string): string | undefined {
  return schemaAt(schemaPath)?.properties?.[field]?.description?.replace(/\.$/, '');
}

/** The allowed name nearest to a misspelt one (edit distance at most 2), if any. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const normal = (s: string): string => s.toLowerCase().replace(/[-_ ]/g, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = normal(name) === normal(candidate) ? 0 : editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}
