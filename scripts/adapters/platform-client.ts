// The platform API client (CONTRACT section 4). Each call is one logical request: retried with
// exponential backoff and full jitter on network errors, timeouts, 429 and 5xx (honouring
// Retry-After), never on other 4xx. A write carries one Idempotency-Key across all its tries,
// so a retry after a lost answer cannot apply twice. The token lives in a closure: no property,
// message or inspect output of the client holds it.
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { EvaluationError, UsageError } from '../core/errors.ts';
import type { State } from '../core/model.ts';
import {
  PlatformError,
  type ArchiveResult,
  type AuditEntry,
  type ErrorReportResult,
  type FlagMetadata,
  type OrgToggleResult,
  type PlatformApi,
  type PlatformFlag,
  type StateChangeResult,
  type WriteOptions,
} from '../core/platform-model.ts';

/** The platform did not answer at all (connection refused, reset, timeout), after every try. */
export class PlatformUnreachableError extends EvaluationError {
  override name = 'PlatformUnreachableError';
}

export interface RetryInfo {
  method: string;
  path: string;
  /** The try that failed, from 1. */
  attempt: number;
  delayMs: number;
  /** `HTTP 503`, `ECONNREFUSED`, `timed out after 10000 ms`, ... */
  reason: string;
}

export interface PlatformClientOptions {
  baseUrl: string;
  token?: string;
  /** Per try, body included (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first try (default 4, so 5 tries). */
  retries?: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, minDelayMs * 2^(n-1))]. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is cut to it (default 30 s). */
  maxRetryAfterMs?: number;
  /** X-Actor of writes that do not name one (the server's default is `api`). */
  actor?: string;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** For HTTP-date Retry-After values. */
  now?: () => number;
  fetch?: typeof fetch;
  onRetry?: (info: RetryInfo) => void;
}

export interface ErrorReport {
  count?: number;
  /** ISO time of the errors (default: the server's now). */
  at?: string;
}

/** PlatformApi, with the answers of the toggles and the error-report extension. */
export interface PlatformClient extends PlatformApi {
  readonly baseUrl: string;
  /** `PlatformClient(<base URL>)`: never the token. */
  toString(): string;
  setOrgEnabled(
    org: string,
    key: string,
    enabled: boolean,
    opts?: WriteOptions,
  ): Promise<OrgToggleResult>;
  setOptIn(
    org: string,
    key: string,
    enabled: boolean,
    opts?: WriteOptions,
  ): Promise<OrgToggleResult>;
  reportErrors(key: string, report?: ErrorReport, opts?: WriteOptions): Promise<ErrorReportResult>;
  /** Extension: each flag's customer opt-ins and opt-outs (what `export` targets with). */
  optIns(): Promise<OrgChoices[]>;
}

/** One flag's customer choices on the platform (`GET /api/v1/platform/opt-ins`). */
export interface OrgChoices {
  key: string;
  opted_in: string[];
  opted_out: string[];
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

interface Call {
  method: Method;
  path: string;
  body?: unknown;
  /** Writes: actor and Idempotency-Key. */
  write?: WriteOptions;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Base URL without credentials or a trailing slash, safe to show. */
function displayUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  let parsed: URL;
  try {
    parsed = new URL(options.baseUrl);
  } catch {
    throw new UsageError(`platform URL '${options.baseUrl}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`platform URL '${displayUrl(options.baseUrl)}' must be http or https`);
  }
  const base = displayUrl(options.baseUrl);
  const token = options.token === '' ? undefined : options.token;
  const tries = 1 + Math.max(0, Math.floor(options.retries ?? 4));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const minDelayMs = options.minDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? globalThis.fetch;

  /** Belt and braces: whatever a server or a library puts in a message, the token leaves it. */
  const redact = (text: string): string =>
    token === undefined ? text : text.split(token).join('[redacted]');

  function backoff(attempt: number): number {
    return Math.round(random() * Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1)));
  }

  function retryAfterMs(header: string | null): number {
    if (header === null) return 0;
    const text = header.trim();
    const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now();
    return Number.isFinite(ms) ? Math.min(Math.max(0, ms), maxRetryAfterMs) : 0;
  }

  async function request<T>(call: Call): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.write) {
      // One key per logical write, reused by every retry of it.
      headers['idempotency-key'] = call.write.idempotencyKey ?? randomUUID();
      const actor = call.write.actor ?? options.actor;
      if (actor !== undefined) headers['x-actor'] = actor;
    }
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const url = `${base}${call.path}`;
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const res = await fetchImpl(url, {
          method: call.method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (error) {
        const reason = redact(networkReason(error, timeoutMs));
        if (attempt >= tries) {
          throw new PlatformUnreachableError(
            `platform at ${base} did not answer after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${reason}`,
            { cause: error },
          );
        }
        await pause(call, attempt, backoff(attempt), reason);
        continue;
      }
      if (status >= 200 && status < 300) return { status, body: parseJson<T>(text, status) };
      const retryable = status === 429 || status >= 500;
      if (retryable && attempt < tries) {
        const delay = Math.max(retryAfterMs(retryAfter), backoff(attempt));
        await pause(call, attempt, delay, `HTTP ${status}`);
        continue;
      }
      throw platformError(status, text, retryable ? attempt : 0);
    }
  }

  async function pause(
    call: Call,
    attempt: number,
    delayMs: number,
    reason: string,
  ): Promise<void> {
    options.onRetry?.({ method: call.method, path: call.path, attempt, delayMs, reason });
    await sleep(delayMs);
  }

  function platformError(status: number, text: string, triedTimes: number): PlatformError {
    let code = `HTTP_${status}`;
    let message = `platform answered HTTP ${status}`;
    try {
      const doc = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof doc.error?.code === 'string') code = doc.error.code;
      if (typeof doc.error?.message === 'string') message = doc.error.message;
    } catch {
      if (text.trim() !== '') message += `: ${text.trim().slice(0, 200)}`;
    }
    if (status === 401 && token === undefined) message += ' (no token: set PLATFORM_API_TOKEN)';
    if (triedTimes > 1) message += ` (after ${triedTimes} tries)`;
    return new PlatformError(status, code, redact(message));
  }

  const flagPath = (key: string): string =>
    `/api/v1/platform/feature-flags/${encodeURIComponent(key)}`;
  const orgPath = (org: string): string => `/api/v1/orgs/${encodeURIComponent(org)}`;

  const client: PlatformClient = {
    baseUrl: base,

    async listFlags() {
      const { body } = await request<{ flags: PlatformFlag[] }>({
        method: 'GET',
        path: '/api/v1/platform/feature-flags',
      });
      return requireArray(body.flags, 'flags');
    },

    async getFlag(key) {
      try {
        return (await request<PlatformFlag>({ method: 'GET', path: flagPath(key) })).body;
      } catch (error) {
        if (error instanceof PlatformError && error.code === 'FLAG_NOT_FOUND') return null;
        throw error;
      }
    },

    async putFlag(key, meta: FlagMetadata, opts = {}) {
      const body = {
        description: meta.description,
        owner: meta.owner,
        depends_on: meta.depends_on,
      };
      const res = await request<PlatformFlag>({
        method: 'PUT',
        path: flagPath(key),
        body,
        write: opts,
      });
      return { created: res.status === 201, flag: res.body };
    },

    async setState(key, state: State, opts = {}) {
      const path = `${flagPath(key)}/state`;
      return (
        await request<StateChangeResult>({ method: 'POST', path, body: { state }, write: opts })
      ).body;
    },

    async archiveFlag(key, opts = {}) {
      await request<ArchiveResult>({ method: 'DELETE', path: flagPath(key), write: opts });
    },

    async setOrgEnabled(org, key, enabled, opts = {}) {
      const path = `/api/v1/platform/orgs/${encodeURIComponent(org)}/feature-flags/${encodeURIComponent(key)}`;
      return (
        await request<OrgToggleResult>({ method: 'POST', path, body: { enabled }, write: opts })
      ).body;
    },

    async setOptIn(org, key, enabled, opts = {}) {
      const path = `${orgPath(org)}/feature-flags/${encodeURIComponent(key)}/opt-in`;
      return (
        await request<OrgToggleResult>({ method: 'POST', path, body: { enabled }, write: opts })
      ).body;
    },

    async orgFlags(org) {
      const path = `${orgPath(org)}/feature-flags`;
      const { body } = await request<{ flags: string[] }>({ method: 'GET', path });
      return requireArray(body.flags, 'flags');
    },

    async auditLog(query = {}) {
      const params = new URLSearchParams();
      if (query.flag !== undefined) params.set('flag', query.flag);
      if (query.since !== undefined) params.set('since', query.since);
      const qs = params.size > 0 ? `?${params.toString()}` : '';
      const path = `/api/v1/platform/audit-log${qs}`;
      const { body } = await request<{ entries: AuditEntry[] }>({ method: 'GET', path });
      return requireArray(body.entries, 'entries');
    },

    async orgAuditLog(org) {
      const path = `${orgPath(org)}/audit-log`;
      const { body } = await request<{ entries: AuditEntry[] }>({ method: 'GET', path });
      return requireArray(body.entries, 'entries');
    },

    async optIns() {
      const path = '/api/v1/platform/opt-ins';
      const { body } = await request<{ flags: OrgChoices[] }>({ method: 'GET', path });
      return requireArray(body.flags, 'flags');
    },

    async reportErrors(key, report = {}, opts = {}) {
      const path = `${flagPath(key)}/errors`;
      return (await request<ErrorReportResult>({ method: 'POST', path, body: report, write: opts }))
        .body;
    },
  };
  const describe = (): string => `PlatformClient(${base})`;
  Object.defineProperties(client, {
    toString: { value: describe, enumerable: false },
    toJSON: { value: () => ({ baseUrl: base }), enumerable: false },
    [inspect.custom]: { value: describe, enumerable: false },
  });
  return client;
}

function parseJson<T>(text: string, status: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PlatformError(
      status,
      'BAD_RESPONSE',
      `platform answered HTTP ${status} without JSON`,
    );
  }
}

function requireArray<T>(value: T[] | undefined, field: string): T[] {
  if (!Array.isArray(value)) {
    throw new PlatformError(200, 'BAD_RESPONSE', `platform answer has no '${field}' array`);
  }
  return value;
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The client named by `--platform-url` (or PLATFORM_API_URL) with the token in
 * PLATFORM_API_TOKEN, or null when no URL is configured.
 */
export function platformFromEnv(
  env: Record<string, string | undefined>,
  urlOption?: string,
  options: Omit<PlatformClientOptions, 'baseUrl' | 'token'> = {},
): { client: PlatformClient; url: string } | null {
  const url = urlOption || env.PLATFORM_API_URL;
  if (!url) return null;
  const client = createPlatformClient({ ...options, baseUrl: url, token: env.PLATFORM_API_TOKEN });
  return { client, url: client.baseUrl };
}
