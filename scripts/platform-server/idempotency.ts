// Idempotency-Key semantics: the first answer to a write is stored with its effect, in the same
// persisted state, so a repeated key replays that answer and repeats no effect, even across a
// crash. The records live in PlatformState; only applyChange (state.ts) adds to them. This file
// knows nothing of the rest of the state, so state.ts can hold the records without a cycle.
import { createHash } from 'node:crypto';
import { DAY_MS } from '../core/model.ts';

/** A write's first answer, kept so a repeated Idempotency-Key gets it again. */
export interface IdempotencyRecord {
  /** `METHOD path key`: a key is only ever compared within one method and path. */
  scope: string;
  /** Hash of what was asked (body and actor), to tell a retry from a reused key. */
  fingerprint: string;
  status: number;
  body: unknown;
  at: string;
}

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
  records: IdempotencyRecords,
  scope: string,
  fingerprint: string,
  now: Date,
): IdempotencyLookup {
  const record = records.get(scope);
  const expired = !record || Date.parse(record.at) <= now.getTime() - IDEMPOTENCY_TTL_MS;
  if (expired) return { kind: 'new' };
  return record.fingerprint === fingerprint
    ? { kind: 'replay', record }
    : { kind: 'reused', record };
}

/**
 * The kept answers, oldest first, found by scope. Adding one and pruning from the front cost the
 * same however many are kept. Saved (toJSON) as the array of records, oldest first.
 */
export class IdempotencyRecords {
  readonly #byScope = new Map<string, IdempotencyRecord>();
  /** Oldest first from #start. A record #byScope no longer holds was replaced by a newer one. */
  #queue: IdempotencyRecord[] = [];
  #start = 0;

  /** `records` oldest first, as saved: kept as they are, not pruned. */
  constructor(records: Iterable<IdempotencyRecord> = []) {
    for (const record of records) this.#add(record);
  }

  get size(): number {
    return this.#byScope.size;
  }

  get(scope: string): IdempotencyRecord | undefined {
    return this.#byScope.get(scope);
  }

  /**
   * Keeps a write's first answer (replacing an expired one of the same scope), then forgets from
   * the front the answers older than IDEMPOTENCY_TTL_MS before it and those beyond the newest
   * MAX_IDEMPOTENCY_RECORDS.
   */
  remember(record: IdempotencyRecord): void {
    this.#add(record);
    const horizon = Date.parse(record.at) - IDEMPOTENCY_TTL_MS;
    for (let oldest = this.#queue[this.#start]; oldest; oldest = this.#queue[++this.#start]) {
      const current = this.#byScope.get(oldest.scope) === oldest;
      if (current && this.size <= MAX_IDEMPOTENCY_RECORDS && Date.parse(oldest.at) > horizon) break;
      if (current) this.#byScope.delete(oldest.scope);
    }
    // Drop the forgotten front once it is half the queue: amortized O(1) per record.
    if (this.#start > 1024 && this.#start * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#start);
      this.#start = 0;
    }
  }

  /** The kept records, oldest first. */
  records(): IdempotencyRecord[] {
    return this.#queue.slice(this.#start).filter((r) => this.#byScope.get(r.scope) === r);
  }

  toJSON(): IdempotencyRecord[] {
    return this.records();
  }

  #add(record: IdempotencyRecord): void {
    this.#byScope.set(record.scope, record);
    this.#queue.push(record);
  }
}
