// The reviewed file that says where application code lives and what else names a flag there
// (.github/flag-refs.yaml). Parsed here, pure; read by adapters/code-refs.ts.
import { parse } from 'yaml';
import { EvaluationError } from '../errors.ts';
import { NAME_PATTERN } from './names.ts';

export const REFS_CONFIG_PATH = '.github/flag-refs.yaml';

export type Aliases = Record<string, string[]>;

export interface SourceConfig {
  /** How references name it (`source` in the JSON). */
  name: string;
  /** Folder relative to this repository's root (or absolute). */
  path: string;
  /** `owner/name` on GitHub, for links in the report and the action. */
  repository: string | null;
  /** git pathspecs (globs) not to search, e.g. `docs/**`. */
  exclude: string[];
  aliases: Aliases;
  /** A regular expression whose group `name` (or group 1) is a flag name where code reads a flag. */
  pattern: RegExp | null;
}

export interface RefsConfig {
  sources: SourceConfig[];
  /** Aliases for every source. */
  aliases: Aliases;
}

export const EMPTY_REFS_CONFIG: RefsConfig = { sources: [], aliases: {} };

function fail(where: string, message: string): never {
  throw new EvaluationError(`${REFS_CONFIG_PATH}: ${where}: ${message}`);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(where, 'expected a mapping');
  return value as Record<string, unknown>;
}

function onlyFields(value: Record<string, unknown>, allowed: string[], where: string): void {
  for (const field of Object.keys(value))
    if (!allowed.includes(field))
      fail(where, `unknown field \`${field}\` (allowed: ${allowed.join(', ')})`);
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === ''))
    fail(where, 'expected a list of non-empty strings');
  return value as string[];
}

function parseAliases(value: unknown, where: string): Aliases {
  if (value === undefined || value === null) return {};
  const aliases: Aliases = {};
  for (const [key, names] of Object.entries(record(value, where))) {
    const list = stringList(names, `${where}.${key}`);
    const bad = list.find((n) => !NAME_PATTERN.test(n));
    if (bad !== undefined)
      fail(
        `${where}.${key}`,
        `alias \`${bad}\` is not one word of letters, digits, _ and - (use \`pattern\` for anything else)`,
      );
    aliases[key] = list;
  }
  return aliases;
}

function parsePattern(value: unknown, where: string): RegExp | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') fail(where, 'expected a regular expression');
  try {
    return new RegExp(value, 'gm');
  } catch (error) {
    fail(where, (error as Error).message);
  }
}

function parseSource(value: unknown, index: number): SourceConfig {
  const where = `sources[${index}]`;
  const source = record(value, where);
  onlyFields(source, ['name', 'path', 'repository', 'exclude', 'aliases', 'pattern'], where);
  const path = source['path'];
  if (typeof path !== 'string' || path === '') fail(where, '`path` is required');
  const name = source['name'] ?? path;
  if (typeof name !== 'string' || name === '') fail(where, '`name` must be a non-empty string');
  const repository = source['repository'] ?? null;
  if (
    repository !== null &&
    (typeof repository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(repository))
  )
    fail(where, '`repository` must be owner/name');
  return {
    name,
    path,
    repository,
    exclude: stringList(source['exclude'], `${where}.exclude`),
    aliases: parseAliases(source['aliases'], `${where}.aliases`),
    pattern: parsePattern(source['pattern'], `${where}.pattern`),
  };
}

/** Parses the config text; a mistake in it is exit 2 with the place named. */
export function parseRefsConfig(text: string): RefsConfig {
  let data: unknown;
  try {
    data = parse(text) as unknown;
  } catch (error) {
    fail('parse', (error as Error).message.split('\n')[0] ?? 'not YAML');
  }
  if (data === null || data === undefined) return EMPTY_REFS_CONFIG;
  const top = record(data, 'top level');
  onlyFields(top, ['sources', 'aliases'], 'top level');
  const sources = top['sources'] ?? [];
  if (!Array.isArray(sources)) fail('sources', 'expected a list');
  const parsed = sources.map((s, i) => parseSource(s, i));
  const names = parsed.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) fail('sources', `two sources are named \`${twice}\``);
  return { sources: parsed, aliases: parseAliases(top['aliases'], 'aliases') };
}
