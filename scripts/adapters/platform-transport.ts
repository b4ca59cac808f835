// One logical request to the platform API: retried with exponential backoff and full jitter on
// network errors, timeouts, 429 and 5xx (honouring Retry-After), never on other 4xx. A write
// carries one Idempotency-Key across all its tries, so a retry after a lost answer cannot apply
// twice. The token lives in a closure: no property or message of the transport holds it.
import { randomUUID } from 'node:crypto';
import { EvaluationError, UsageError } from '../core/errors.ts';
import { PlatformError, type WriteOptions } from '../core/platform-model.ts';

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
  /** Audit-log entries asked for per page (default 1000, the server's most). */
  auditPageSize?: number;
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface Call {
  method: Method;
  path: string;
  body?: unknown;
  /** Writes: actor and Idempotency-Key. */
  write?: WriteOptions;
}

export interface Transport {
  /** The base URL without credentials, query or trailing slash: safe to show. */
  readonly base: string;
  request: <T>(call: Call) => Promise<{ status: number; body: T }>;
}

/** The options with their defaults, and the token (undefined when empty). */
interface Settings {
  base: string;
  token: string | undefined;
  tries: number;
  timeoutMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  actor: string | undefined;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  fetch: typeof fetch;
  onRetry: ((info: RetryInfo) => void) | undefined;
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

function settingsOf(options: PlatformClientOptions): Settings {
  let parsed: URL;
  try {
    parsed = new URL(options.baseUrl);
  } catch {
    throw new UsageError(`platform URL '${options.baseUrl}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`platform URL '${displayUrl(options.baseUrl)}' must be http or https`);
  }
  return {
    base: displayUrl(options.baseUrl),
    token: options.token === '' ? undefined : options.token,
    tries: 1 + Math.max(0, Math.floor(options.retries ?? 4)),
    timeoutMs: options.timeoutMs ?? 10_000,
    minDelayMs: options.minDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    actor: options.actor,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
    fetch: options.fetch ?? globalThis.fetch,
    onRetry: options.onRetry,
  };
}

function backoff(s: Settings, attempt: number): number {
  return Math.round(s.random() * Math.min(s.maxDelayMs, s.minDelayMs * 2 ** (attempt - 1)));
}

function retryAfterMs(s: Settings, header: string | null): number {
  if (header === null) return 0;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - s.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), s.maxRetryAfterMs) : 0;
}

function requestHeaders(s: Settings, call: Call): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (s.token !== undefined) headers.authorization = `Bearer ${s.token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.write) {
    // One key per logical write, reused by every retry of it.
    headers['idempotency-key'] = call.write.idempotencyKey ?? randomUUID();
    const actor = call.write.actor ?? s.actor;
    if (actor !== undefined) headers['x-actor'] = actor;
  }
  return headers;
}

export function createTransport(options: PlatformClientOptions): Transport {
  const s = settingsOf(options);

  /** Belt and braces: whatever a server or a library puts in a message, the token leaves it. */
  const redact = (text: string): string =>
    s.token === undefined ? text : text.split(s.token).join('[redacted]');

  async function pause(call: Call, attempt: number, delayMs: number, reason: string) {
    s.onRetry?.({ method: call.method, path: call.path, attempt, delayMs, reason });
    await s.sleep(delayMs);
  }

  async function request<T>(call: Call): Promise<{ status: number; body: T }> {
    const headers = requestHeaders(s, call);
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const url = `${s.base}${call.path}`;
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const res = await s.fetch(url, {
          method: call.method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(s.timeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (error) {
        const reason = redact(networkReason(error, s.timeoutMs));
        if (attempt >= s.tries) {
          throw new PlatformUnreachableError(
            `platform at ${s.base} did not answer after ${s.tries} ${s.tries === 1 ? 'try' : 'tries'}: ${reason}`,
            { cause: error },
          );
        }
        await pause(call, attempt, backoff(s, attempt), reason);
        continue;
      }
      if (status >= 200 && status < 300) return { status, body: parseJson<T>(text, status) };
      const retryable = status === 429 || status >= 500;
      if (retryable && attempt < s.tries) {
        const delay = Math.max(retryAfterMs(s, retryAfter), backoff(s, attempt));
        await pause(call, attempt, delay, `HTTP ${status}`);
        continue;
      }
      const error = platformError(s, status, text, retryable ? attempt : 0);
      throw new PlatformError(error.status, error.code, redact(error.message));
    }
  }

  return { base: s.base, request };
}

function platformError(
  s: Settings,
  status: number,
  text: string,
  triedTimes: number,
): PlatformError {
  let code = `HTTP_${status}`;
  let message = `platform answered HTTP ${status}`;
  try {
    const doc = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof doc.error?.code === 'string') code = doc.error.code;
    if (typeof doc.error?.message === 'string') message = doc.error.message;
  } catch {
    if (text.trim() !== '') message += `: ${text.trim().slice(0, 200)}`;
  }
  if (status === 401 && s.token === undefined) message += ' (no token: set PLATFORM_API_TOKEN)';
  if (triedTimes > 1) message += ` (after ${triedTimes} tries)`;
  return new PlatformError(status, code, message);
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

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
