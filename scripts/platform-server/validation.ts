// Checks what a request carries (path segments, JSON bodies, headers, query) and turns it into
// typed input, or a 400 BAD_REQUEST that says what is wrong.
import { KEY_MAX_LENGTH, KEY_PATTERN, STATES, type State } from '../core/model.ts';
import { PlatformError, type FlagMetadata } from '../core/platform-model.ts';
import { MAX_AUDIT_PAGE, type AuditPageQuery } from './audit-pages.ts';
import { parseRfc3339 } from './rfc3339.ts';

/** Org ids are slugs such as `novalien-internal` or opaque ids; no spaces, slashes or dots-only. */
export const ORG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** The longest description or owner, in code points (as JSON Schema's maxLength counts). */
export const MAX_TEXT = 2000;
/**
 * Text the API stores (description, owner): not blank (some character outside JavaScript's
 * `\s`), and no control characters but tab, line feed and carriage return (C0, DEL, C1).
 * The same pattern is in schema/platform-api.yaml (FlagMetadata).
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const TEXT_PATTERN = /^(?=[\s\S]*\S)[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$/u;
export const MAX_DEPENDENCIES = 100;
/** X-Actor: 1 to 100 printable ASCII characters. */
export const ACTOR_PATTERN = /^[\x20-\x7e]{1,100}$/;
const MAX_ERROR_COUNT = 1_000_000;

export function badRequest(message: string): PlatformError {
  return new PlatformError(400, 'BAD_REQUEST', message);
}

export function parseFlagKey(key: string): string {
  if (key.length > KEY_MAX_LENGTH || !KEY_PATTERN.test(key)) {
    throw badRequest(
      `flag key '${shorten(key)}' must match ${KEY_PATTERN.source} and be at most ${KEY_MAX_LENGTH} characters`,
    );
  }
  return key;
}

export function parseOrgId(org: string): string {
  if (!ORG_ID_PATTERN.test(org)) {
    throw badRequest(`org id '${shorten(org)}' must match ${ORG_ID_PATTERN.source}`);
  }
  return org;
}

function shorten(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 80)}...` : printable;
}

function requireObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(
      `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `'${shorten(k)}'`).join(', ')}; expected ${allowed.join(', ')}`,
    );
  }
  return body as Record<string, unknown>;
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw badRequest(`'${field}' must be a string`);
  const length = codePoints(value);
  if (length > MAX_TEXT) {
    throw badRequest(`'${field}' is ${length} characters long; at most ${MAX_TEXT} are allowed`);
  }
  if (!/\S/.test(value)) throw badRequest(`'${field}' must not be empty or blank`);
  if (!TEXT_PATTERN.test(value)) {
    throw badRequest(
      `'${field}' must not contain control characters (tab, line feed and carriage return are allowed)`,
    );
  }
  return value;
}

/** Length as JSON Schema counts it: code points, not UTF-16 units (an emoji is one). */
function codePoints(text: string): number {
  return [...text].length;
}

export function parseFlagMetadata(body: unknown): FlagMetadata {
  const obj = requireObject(body, ['description', 'owner', 'depends_on']);
  const description = requireText(obj.description, 'description');
  const owner = requireText(obj.owner, 'owner');
  const deps = obj.depends_on ?? [];
  if (!Array.isArray(deps) || deps.length > MAX_DEPENDENCIES) {
    throw badRequest(`'depends_on' must be an array of at most ${MAX_DEPENDENCIES} flag keys`);
  }
  const dependsOn = deps.map((d) => {
    if (typeof d !== 'string') throw badRequest(`'depends_on' must hold flag keys (strings)`);
    return parseFlagKey(d);
  });
  const duplicate = dependsOn.find((d, i) => dependsOn.indexOf(d) !== i);
  if (duplicate !== undefined) throw badRequest(`'depends_on' lists '${duplicate}' twice`);
  return { description, owner, depends_on: dependsOn };
}

export function parseStateBody(body: unknown): State {
  const { state } = requireObject(body, ['state']);
  if (typeof state !== 'string' || !(STATES as readonly string[]).includes(state)) {
    throw badRequest(`'state' must be one of ${STATES.join(', ')}`);
  }
  return state as State;
}

export function parseEnabledBody(body: unknown): boolean {
  const { enabled } = requireObject(body, ['enabled']);
  if (typeof enabled !== 'boolean') throw badRequest(`'enabled' must be true or false`);
  return enabled;
}

export function parseIsoTime(value: string, field: string): Date {
  const ms = parseRfc3339(value);
  if (ms === null) {
    throw badRequest(`'${field}' must be an RFC 3339 date-time such as 2026-11-24T12:00:00Z`);
  }
  return new Date(ms);
}

export function parseErrorReport(body: unknown, now: Date): { count: number; at: Date } {
  const obj = requireObject(body, ['count', 'at']);
  const count = obj.count ?? 1;
  if (
    typeof count !== 'number' ||
    !Number.isSafeInteger(count) ||
    count < 1 ||
    count > MAX_ERROR_COUNT
  ) {
    throw badRequest(`'count' must be an integer from 1 to ${MAX_ERROR_COUNT}`);
  }
  if (obj.at === undefined) return { count, at: now };
  if (typeof obj.at !== 'string') throw badRequest(`'at' must be an RFC 3339 date-time`);
  return { count, at: parseIsoTime(obj.at, 'at') };
}

export function parseActor(header: string | string[] | undefined): string {
  if (header === undefined) return 'api';
  const actor = Array.isArray(header) ? header.join(',') : header;
  if (!ACTOR_PATTERN.test(actor)) {
    throw badRequest('X-Actor must be 1 to 100 printable ASCII characters');
  }
  return actor;
}

/** `flag`, `since`, `limit` and `cursor` of an audit-log query; empty values are absent. */
export function parseAuditQuery(params: URLSearchParams): AuditPageQuery {
  const query: AuditPageQuery = parsePageQuery(params);
  const flag = params.get('flag');
  if (flag !== null && flag !== '') query.flag = parseFlagKey(flag);
  const since = params.get('since');
  if (since !== null && since !== '') query.since = parseIsoTime(since, 'since');
  return query;
}

/** `limit` and `cursor`: the paging of a list. */
export function parsePageQuery(params: URLSearchParams): AuditPageQuery {
  const query: AuditPageQuery = {};
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_AUDIT_PAGE)) {
      throw badRequest(`'limit' must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
    }
    query.limit = n;
  }
  const cursor = params.get('cursor');
  if (cursor !== null && cursor !== '') {
    if (!/^[1-9]\d{0,14}$/.test(cursor)) {
      throw badRequest(`'cursor' must be a next_cursor of an earlier page`);
    }
    query.after = Number(cursor);
  }
  return query;
}
