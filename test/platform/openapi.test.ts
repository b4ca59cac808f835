// schema/platform-api.yaml, the server's router and the server's error codes must not drift
// apart. (Answers are checked against the document in platform-api.test.ts.)
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../scripts/platform-server/routes.ts';
import { apiDoc, documentedOperations, schemaValidator } from '../helpers/platform-openapi.ts';

const SERVER_DIR = new URL('../../scripts/platform-server/', import.meta.url);

/** Every error code the server's source can answer with. */
function serverErrorCodes(): Set<string> {
  const codes = new Set<string>();
  for (const name of readdirSync(SERVER_DIR).filter((n) => n.endsWith('.ts'))) {
    const source = readFileSync(new URL(name, SERVER_DIR), 'utf8');
    for (const m of source.matchAll(/(?:PlatformError\(\s*\d+,\s*|errorBody\(\s*)'([A-Z_]+)'/g)) {
      codes.add(m[1] ?? '');
    }
    // Codes in tables of answers, e.g. `{ status: 431, code: 'HEADERS_TOO_LARGE', ... }`.
    for (const m of source.matchAll(/\bcode: '([A-Z_]{4,})'/g)) codes.add(m[1] ?? '');
  }
  return codes;
}

function collectRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, refs));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else collectRefs(value, refs);
    }
  }
  return refs;
}

function resolvePointer(pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], apiDoc);
}

describe('schema/platform-api.yaml', () => {
  it('is OpenAPI 3.1 with bearer auth on every call', () => {
    expect(apiDoc.openapi).toBe('3.1.0');
    const doc = apiDoc as unknown as {
      security: unknown;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('documents exactly the routes the server serves', () => {
    // HEAD is served on every GET route.
    const served = ROUTES.flatMap((r) =>
      r.method === 'GET' ? [`GET ${r.path}`, `HEAD ${r.path}`] : [`${r.method} ${r.path}`],
    ).sort();
    expect(documentedOperations().sort()).toEqual(served);
  });

  it('lists every error code the server uses, and no other', () => {
    const documented = (
      apiDoc.components.schemas.Error as {
        properties: { error: { properties: { code: { enum: string[] } } } };
      }
    ).properties.error.properties.code.enum;
    const used = serverErrorCodes();
    expect(used.size).toBeGreaterThan(10);
    expect([...used].sort()).toEqual([...documented].sort());
  });

  it('has no dangling $ref, and every schema compiles in strict mode', () => {
    for (const ref of collectRefs(apiDoc)) {
      expect([ref, resolvePointer(ref) !== undefined]).toEqual([ref, true]);
    }
    for (const name of Object.keys(apiDoc.components.schemas)) {
      expect(() => schemaValidator(name)).not.toThrow();
    }
  });

  it('describes the writes with the idempotency and actor headers', () => {
    for (const route of ROUTES.filter((r) => r.kind === 'write')) {
      const operation = (
        apiDoc.paths[route.path] as Record<string, { parameters?: { $ref?: string }[] }>
      )[route.method.toLowerCase()];
      const refs = (operation?.parameters ?? []).map((p) => p.$ref);
      expect([route.path, refs]).toEqual([
        route.path,
        expect.arrayContaining([
          '#/components/parameters/IdempotencyKey',
          '#/components/parameters/Actor',
        ]),
      ]);
    }
  });

  it('request schemas accept what the client sends and refuse what the server refuses', () => {
    const metadata = schemaValidator('FlagMetadata');
    expect(metadata({ description: 'd', owner: '@o/t', depends_on: ['live-view'] })).toBe(true);
    expect(metadata({ description: 'd', owner: '@o/t', 'depends-on': [] })).toBe(false);
    expect(metadata({ description: 'd', owner: '@o/t', depends_on: ['a', 'a'] })).toBe(false);
    expect(schemaValidator('StateRequest')({ state: 'beta' })).toBe(true);
    expect(schemaValidator('StateRequest')({ state: 'gamma' })).toBe(false);
    expect(schemaValidator('EnabledRequest')({ enabled: 'yes' })).toBe(false);
    expect(schemaValidator('ErrorReport')({ count: 2, at: '2026-11-24T12:00:00Z' })).toBe(true);
    expect(schemaValidator('ErrorReport')({ count: 0 })).toBe(false);
    expect(schemaValidator('FlagKey')('a'.repeat(64))).toBe(false);
    expect(schemaValidator('FlagKey')('live-view')).toBe(true);
  });
});
