// One logical request to the platform API: retried with exponential backoff and full jitter on
// network errors, timeouts, 429 and 5xx (honouring Retry-After), never on other 4xx. A write
// carries one Idempotency-Key across all its tries, so a retry after a lost answer cannot apply
// twice. The token lives in a closure: no property or message of the transport holds it.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
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
  /** The signal that ends one try after `ms` (default AbortSignal.timeout), for tests. */
  timeoutSignal?: (ms: number) => AbortSignal;
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
  timeoutSignal: (ms: number) => AbortSignal;
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
    timeoutSignal: options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms)),
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
  const secret = tokenFinder(s.token);

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
          signal: s.timeoutSignal(s.timeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (error) {
        const reason = secret.redact(networkReason(error, s.timeoutMs, new URL(url).hostname));
        if (attempt >= s.tries) {
          const tried = s.tries === 1 ? '' : `; tried ${s.tries} times`;
          throw new PlatformUnreachableError(
            `could not reach the platform at ${s.base}: ${reason}${tried}`,
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
      throw platformError(s, secret, { status, text, triedTimes: retryable ? attempt : 0 });
    }
  }

  return { base: s.base, request };
}

interface TokenFinder {
  /** Whether `text` holds the token as a whole (not inside a longer word). */
  holds(text: string): boolean;
  /** `text` with each whole occurrence of the token replaced by `[redacted]`. */
  redact(text: string): string;
}

/**
 * Finds the token where it stands whole: a token that happens to be a word ("wrong") must not
 * mangle "wrongly", and text that holds it whole is the token, whatever it means in English.
 */
function tokenFinder(token: string | undefined): TokenFinder {
  if (token === undefined) return { holds: () => false, redact: (text) => text };
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Word edges only where the token itself begins or ends with a word character.
  const before = /^[A-Za-z0-9]/.test(token) ? '(?<![A-Za-z0-9])' : '';
  const after = /[A-Za-z0-9]$/.test(token) ? '(?![A-Za-z0-9])' : '';
  const pattern = new RegExp(`${before}${escaped}${after}`, 'g');
  return {
    holds: (text) => text.search(pattern) !== -1,
    redact: (text) => text.replace(pattern, '[redacted]'),
  };
}

/**
 * The platform's error answer as a PlatformError: its code and message, or for an answer that is
 * not the API's JSON, the status in words. The platform's own text is never echoed when it holds
 * the token: it is withheld whole rather than redacted, so nothing of it is guessed at.
 */
function platformError(
  s: Settings,
  secret: TokenFinder,
  answer: { status: number; text: string; triedTimes: number },
): PlatformError {
  const { status, text, triedTimes } = answer;
  let code = `HTTP_${status}`;
  let message = `the platform answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
  let said: string | undefined;
  try {
    const doc = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof doc.error?.code === 'string') code = doc.error.code;
    if (typeof doc.error?.message === 'string') said = doc.error.message;
  } catch {
    if (text.trim() !== '') said = `${message}: ${text.trim().slice(0, 200)}`;
  }
  if (secret.holds(code)) code = `HTTP_${status}`;
  if (said !== undefined) {
    message = secret.holds(said)
      ? `${message} (its message is not shown: it contains the API token)`
      : said;
  }
  if (status === 401) {
    message +=
      s.token === undefined
        ? ' (no token: set PLATFORM_API_TOKEN)'
        : ' (the token in PLATFORM_API_TOKEN was refused)';
  }
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

/** Why a try got no answer, in words, with the system's code: what on-call searches for. */
function networkReason(error: unknown, timeoutMs: number, host: string): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return `DNS lookup of ${host} failed (${code})`;
    case 'ECONNREFUSED':
      return `connection refused (${code})`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return `the connection was closed before an answer (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to ${host} (${code})`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${host} timed out (${code})`;
  }
  const text = typeof cause?.message === 'string' ? cause.message : undefined;
  if (code !== undefined) return text ? `${text} (${code})` : code;
  if (text !== undefined) return text;
  return error instanceof Error ? error.message : String(error);
}
