// The bytes of HTTP: request paths, bodies with a size limit, JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError } from '../core/platform-model.ts';
import { badRequest } from './validation.ts';

export const MAX_BODY_BYTES = 64 * 1024;
/** Past this, an oversized body is not even drained: the connection is closed after the 413. */
const MAX_DRAIN_BYTES = 1024 * 1024;
export const MAX_URL_LENGTH = 4096;

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Splits a request target into decoded path segments and the query. */
export function parseTarget(target: string): { segments: string[]; query: URLSearchParams } {
  if (target.length > MAX_URL_LENGTH) {
    throw new PlatformError(414, 'URI_TOO_LONG', `the URL is longer than ${MAX_URL_LENGTH} bytes`);
  }
  if (!target.startsWith('/')) throw badRequest('the request target must be an absolute path');
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
  const segments = rawPath
    .slice(1)
    .split('/')
    .map((raw) => {
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        throw badRequest('the URL path has malformed percent-encoding');
      }
      if (segment === '.' || segment === '..') {
        throw badRequest('the URL path must not contain . or .. segments');
      }
      return segment;
    });
  return { segments, query };
}

/**
 * Reads the body up to MAX_BODY_BYTES. A larger one is answered 413; it is drained first (up to
 * a bound) so the client reads the answer instead of a reset connection.
 */
export function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const giveUp = (): void => {
      // Reading stops here; the socket closes after the 413 instead of being drained.
      req.removeAllListeners('data');
      req.pause();
      res.setHeader('connection', 'close');
      reject(tooLarge());
    };
    if (declared > MAX_DRAIN_BYTES) {
      giveUp();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) giveUp();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(tooLarge());
      else resolve(Buffer.concat(chunks));
    });
    // The client went away or was too slow (the server's request timeout closed the socket):
    // nothing can be answered any more, and it is not a fault of ours.
    req.on('error', () => reject(bodyNotArrived()));
  });
}

function bodyNotArrived(): PlatformError {
  return new PlatformError(
    408,
    'REQUEST_TIMEOUT',
    'the request body did not arrive in full; the connection is closed',
  );
}

function tooLarge(): PlatformError {
  return new PlatformError(
    413,
    'PAYLOAD_TOO_LARGE',
    `the request body is larger than ${MAX_BODY_BYTES} bytes`,
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON of a body; undefined for an empty one (the validators then say what is missing). */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(utf8.decode(body)) as unknown;
  } catch {
    throw badRequest('the request body is not valid UTF-8 JSON');
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
