// Idempotency-Key semantics: the first answer to a write is stored with its effect, in the same
// persisted state, so a repeated key replays that answer and repeats no effect, even across a
// crash. Pure: the records live in PlatformState.
import { createHash } from 'node:crypto';
import { DAY_MS } from '../core/model.ts';
import type { IdempotencyRecord, PlatformState } from './state.ts';

/** Keys kept: the newest 10,000 of the last 24 h (a retry comes within seconds). */
export const MAX_IDEMPOTENCY_RECORDS = 10_000;
export const IDEMPOTENCY_TTL_MS = DAY_MS;

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function idempotencyScope(method: string, path: string, key: string): string {
  return `${method} ${path} ${key}`;
}

/** What a request asks, independent of JSON spacing and key order. */
export function requestFingerprint(body: unknown, actor: string): string {
  return createHash('sha256').update(canonicalJson({ body, actor })).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; record: IdempotencyRecord }
  /** The key was used for a different request: refusing is safer than guessing. */
  | { kind: 'reused'; record: IdempotencyRecord };

export function lookupIdempotency(
  state: PlatformState,
  scope: string,
  fingerprint: string,
  now: Date,
): IdempotencyLookup {
  const horizon = now.getTime() - IDEMPOTENCY_TTL_MS;
  for (let i = state.idempotency.length - 1; i >= 0; i--) {
    const record = state.idempotency[i];
    if (!record || record.scope !== scope) continue;
    if (Date.parse(record.at) <= horizon) return { kind: 'new' };
    return record.fingerprint === fingerprint
      ? { kind: 'replay', record }
      : { kind: 'reused', record };
  }
  return { kind: 'new' };
}

export function rememberAnswer(
  state: PlatformState,
  record: IdempotencyRecord,
  now: Date,
): PlatformState {
  const horizon = now.getTime() - IDEMPOTENCY_TTL_MS;
  const kept = state.idempotency.filter((r) => Date.parse(r.at) > horizon);
  kept.push(record);
  return { ...state, idempotency: kept.slice(-MAX_IDEMPOTENCY_RECORDS) };
}
